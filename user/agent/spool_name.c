/* The spool's file names: made and parsed in one place, since `report`
 * and the rotation trust nothing else in the directory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "agent/spool.h"

int spool_parse_name(const char *name, struct spool_name *out)
{
	unsigned long long ms;
	long long ticks;
	int pid, end = 0;
	char type[32];

	/* %[a-z_] keeps the type to what spool_format_name() writes. */
	if (sscanf(name, "%llu-%d-%lld-%31[a-z_].pb.gz%n", &ms, &pid, &ticks, type, &end) != 4 ||
	    !end || name[end] || pid <= 0 || ticks < 0)
		return -EINVAL;
	out->start_ms = ms;
	out->pid = pid;
	out->start_ticks = ticks;
	snprintf(out->type, sizeof(out->type), "%s", type);
	return 0;
}

int spool_format_name(char *buf, size_t len, const struct window_out *w)
{
	int n = snprintf(buf, len, "%llu-%d-%lld-%s.pb.gz", (unsigned long long)(w->start_ns / 1000000),
			 (int)w->pid, w->start_ticks, w->profile_type);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
