/* TEMPORARY: stand-ins until the helpers' modules are merged. Weak: a
 * real definition in another file wins at link time. */
#define STUB __attribute__((weak))
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "agent/config.h"
#include "agent/push.h"
#include "agent/spool.h"

STUB int spool_open(struct spool *s, const char *dir, unsigned long long max_bytes, double retention_s,
	       struct agent_metrics *m, char *err, size_t errlen)
{
	char path[PATH_MAX + 8];

	memset(s, 0, sizeof(*s));
	s->m = m;
	(void)max_bytes; (void)retention_s;
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/x", dir);
	return output_file_open(&s->dir, path, err, errlen);
}
STUB void spool_set_limits(struct spool *s, unsigned long long max_bytes, double retention_s)
{ (void)s; (void)max_bytes; (void)retention_s; }

static int fill(void *ctx, FILE *out)
{
	const struct window_out *w = ctx;

	return fwrite(w->pprof_gz, 1, w->pprof_len, out) == w->pprof_len ? 0 : -EIO;
}

STUB int spool_write(struct spool *s, const struct window_out *w, char *err, size_t errlen)
{
	char name[128];
	int rc = spool_format_name(name, sizeof(name), w) ?: output_file_write(&s->dir, name, fill, (void *)w, err, errlen);

	if (!rc && s->m)
		metric_add(s->m, M_WINDOWS_WRITTEN, 1);
	return rc;
}
STUB void spool_rotate(struct spool *s) { (void)s; }
STUB void spool_close(struct spool *s) { output_file_close(&s->dir); }

STUB struct pusher *pusher_open(const struct agent_config *c, struct agent_metrics *m, struct spool *spool, char *err, size_t errlen)
{
	(void)c; (void)m; (void)spool;
	snprintf(err, errlen, "--push: not yet");
	return NULL;
}
STUB int pusher_submit(struct pusher *p, const struct window_out *w) { (void)p; (void)w; return -ENOTSUP; }
STUB void pusher_reconfigure(struct pusher *p, const struct agent_config *c) { (void)p; (void)c; }
STUB void pusher_close(struct pusher *p, double deadline) { (void)p; (void)deadline; }

