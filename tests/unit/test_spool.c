/* The spool's index (agent/spool.c) and the Pyroscope encoder's labels
 * (agent/pyroscope.c): the cases the bats tests do not reach through the
 * driver. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "agent/push.h"
#include "agent/spool.h"
#include "check.h"

static const char gz[] = "\x1f\x8b not really a pprof, the spool does not look";

static struct window_out window(uint64_t start_ms, int pid, size_t len)
{
	return (struct window_out){
		.profile_type = "process_cpu", .pid = pid, .start_ticks = 9,
		.start_ns = start_ms * 1000000ull, .end_ns = start_ms * 1000000ull + 1,
		.pprof_gz = gz, .pprof_len = len,
	};
}

static off_t size_of(const char *dir, uint64_t ms, int pid)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%llu-%d-9-process_cpu.pb.gz", dir, (unsigned long long)ms, pid);
	return stat(path, &st) ? -1 : st.st_size;
}

static void test_index(const char *dir)
{
	struct agent_metrics m = { 0 };
	struct spool s;
	struct window_out w;
	char err[512];
	uint64_t now = (uint64_t)time(NULL) * 1000;

	CHECK(spool_open(&s, dir, 0, 0, &m, err, sizeof(err)) == 0, "%s", err);
	/* Out of time order: the index stays sorted, oldest first. */
	w = window(now - 1000, 1, 10);
	CHECK(spool_write(&s, &w, err, sizeof(err)) == 0, "%s", err);
	w = window(now - 3000, 2, 20);
	CHECK(spool_write(&s, &w, err, sizeof(err)) == 0, "%s", err);
	w = window(now - 2000, 3, 30);
	CHECK(spool_write(&s, &w, err, sizeof(err)) == 0, "%s", err);
	CHECK(s.nfiles - s.first == 3);
	CHECK(s.bytes == 60, "%llu", s.bytes);
	CHECK(s.files && s.nfiles >= 3);
	/* The same name again (the pusher's fallback of a window already
	 * spooled): replaced, counted once. */
	w = window(now - 2000, 3, 25);
	CHECK(spool_write(&s, &w, err, sizeof(err)) == 0, "%s", err);
	CHECK(s.nfiles - s.first == 3);
	CHECK(s.bytes == 55, "%llu", s.bytes);
	CHECK(m.g[G_SPOOL_BYTES] == 55);
	CHECK(size_of(dir, now - 2000, 3) == 25);
	/* In the spool already, by name and size. */
	CHECK(spool_contains(&s, &w));
	w.pprof_len = 24;
	CHECK(!spool_contains(&s, &w));
	w = window(now - 2000, 5, 25);
	CHECK(!spool_contains(&s, &w));
	w = window(now - 3000, 2, 20);
	CHECK(spool_contains(&s, &w));
	/* A limit of 30 bytes: the oldest (pid 2, 20 bytes) goes, then pid 3
	 * (25), leaving pid 1. */
	spool_set_limits(&s, 30, 0);
	CHECK(s.bytes == 10, "%llu", s.bytes);
	CHECK(size_of(dir, now - 3000, 2) == -1 && size_of(dir, now - 2000, 3) == -1);
	CHECK(size_of(dir, now - 1000, 1) == 10);
	CHECK(m.c[M_SPOOL_ROTATED] == 2);
	/* Retention: a window two days old goes at once. */
	spool_set_limits(&s, 0, 86400);
	w = window(now - 2 * 86400 * 1000, 4, 5);
	CHECK(spool_write(&s, &w, err, sizeof(err)) == 0, "%s", err);
	CHECK(size_of(dir, now - 2 * 86400 * 1000, 4) == -1);
	CHECK(s.bytes == 10);
	CHECK(m.c[M_WINDOWS_WRITTEN] == 5);
	/* A planted link at the name of the next window: not written through. */
	char link[512];

	snprintf(link, sizeof(link), "%s/%llu-7-9-process_cpu.pb.gz", dir, (unsigned long long)now);
	CHECK(symlink("/dev/null", link) == 0);
	w = window(now, 7, 5);
	CHECK(spool_write(&s, &w, err, sizeof(err)) == -EEXIST);
	CHECK(strstr(err, "not a regular file"), "%s", err);
	CHECK(m.c[M_ERR_SPOOL] == 1);
	struct stat st;

	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	spool_close(&s);
	spool_close(&s);	/* twice is harmless */

	/* Reopened: the index from the directory, the link not in it. */
	CHECK(spool_open(&s, dir, 0, 0, &m, err, sizeof(err)) == 0, "%s", err);
	CHECK(s.nfiles - s.first == 1 && s.bytes == 10, "%zu files, %llu bytes", s.nfiles - s.first, s.bytes);
	spool_close(&s);
	unlink(link);
}

/* The first length-delimited field `want` at or after *pos in b[0..n):
 * its bytes, and *pos past it; NULL at the end. */
static const unsigned char *next_field(const unsigned char *b, size_t n, size_t *pos, int want,
				       size_t *len)
{
	while (*pos < n) {
		uint64_t key = 0, l = 0;
		int shift = 0;

		do key |= (uint64_t)(b[*pos] & 0x7f) << shift, shift += 7; while (b[(*pos)++] & 0x80);
		if ((key & 7) != 2)
			return NULL;	/* the encoder writes only these here */
		shift = 0;
		do l |= (uint64_t)(b[*pos] & 0x7f) << shift, shift += 7; while (b[(*pos)++] & 0x80);
		*pos += l;
		if ((int)(key >> 3) == want) {
			*len = l;
			return b + *pos - l;
		}
	}
	return NULL;
}

static void test_pyroscope_labels(void)
{
	struct agent_label labels[] = {
		{ "service_name", "first" }, { "zeta", "z" }, { "__name__", "not this" },
		{ "service_name", "second" }, { "bad", "caf\xe9" }, { "", "no name" },
	};
	struct window_out w = window(1, 1, sizeof(gz));
	void *body;
	size_t len, pos = 0, slen, llen;
	const unsigned char *series, *label;
	char got[512] = "";

	w.labels = labels;
	w.nlabels = 6;
	CHECK(pyroscope_encode(&w, &body, &len) == 0);
	series = next_field(body, len, &pos, 1, &slen);
	CHECK(series);
	if (!series)
		return;
	pos = 0;
	while ((label = next_field(series, slen, &pos, 1, &llen))) {
		size_t p2 = 0, nl, vl;
		const unsigned char *name = next_field(label, llen, &p2, 1, &nl);
		const unsigned char *value = next_field(label, llen, &p2, 2, &vl);

		if (name && value)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%.*s=%.*s;", (int)nl, name,
				 (int)vl, value);
	}
	/* Sorted, each name once (the first), __name__ the profile type, the
	 * invalid UTF-8 byte made U+FFFD. */
	CHECK(!strcmp(got, "__name__=process_cpu;bad=caf\xef\xbf\xbd;service_name=first;zeta=z;"), "%s", got);
	free(body);
	w.profile_type = NULL;
	CHECK(pyroscope_encode(&w, &body, &len) == -EINVAL);
}

int main(void)
{
	char dir[] = "/tmp/test_spool.XXXXXX";
	char sub[64];

	if (!mkdtemp(dir))
		return 1;
	snprintf(sub, sizeof(sub), "%s/spool", dir);
	test_index(sub);
	{
		struct stat st;

		CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
	}
	test_pyroscope_labels();
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		printf("could not remove %s\n", dir);
	CHECK_DONE("spool");
}
