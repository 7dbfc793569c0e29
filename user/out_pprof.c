/* The pprof writer: not written yet. */
#include <errno.h>
#include "formats.h"

int write_pprof(const struct profile *p, const struct symbolizer *s,
	     const struct profile_meta *m, FILE *out)
{
	(void)p;
	(void)s;
	(void)m;
	(void)out;
	return -ENOTSUP;
}
