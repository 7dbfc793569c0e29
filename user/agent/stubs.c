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

STUB void agent_config_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	c->hz = 19;
	c->window_s = 15;
	snprintf(c->spool, sizeof(c->spool), "/var/lib/pybpftop");
	c->spool_max = 1ull << 30;
	c->retention_s = 7 * 86400;
	c->queue_max = 64 << 20;
}

STUB int agent_config_load(const char *path, int must_exist, struct agent_config *c, char *err, size_t errlen)
{
	(void)c;
	if (access(path, F_OK) && !must_exist)
		return 0;
	snprintf(err, errlen, "%s: not supported yet", path);
	return -ENOTSUP;
}

STUB int agent_parse_duration(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s)
		return -EINVAL;
	if (*end == 'm') v *= 60;
	else if (*end == 'h') v *= 3600;
	else if (*end == 'd') v *= 86400;
	*out = v;
	return 0;
}

STUB int agent_parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end == 'K') v <<= 10;
	else if (*end == 'M') v <<= 20;
	else if (*end == 'G') v <<= 30;
	*out = v;
	return 0;
}

STUB int agent_parse_label(const char *kv, struct agent_label *out)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return -EINVAL;
	snprintf(out->key, sizeof(out->key), "%.*s", (int)(eq - kv), kv);
	snprintf(out->value, sizeof(out->value), "%s", eq + 1);
	return 0;
}

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

