/* `report`'s parts with no root and no interpreter: the protobuf decoder,
 * the pprof reader on what write_pprof writes (agent windows and record's
 * files) read back to the same stacks, threads and labels; hostile input
 * (every truncation, bit flips, limits) that must neither crash nor add
 * half a file; the spool directory's filters and what it skips; WHEN. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include "check.h"
#include "agent/history.h"
#include "out/pb_decode.h"
#include "out/pprof_read.h"
#include "out/writers.h"

/* ---- the decoder ---- */

static void test_decoder(void)
{
	static const uint8_t good[] = {
		0x08, 0x96, 0x01,			/* 1: 150 */
		0x1a, 0x03, 'a', 'b', 'c',		/* 3: "abc" */
		0x22, 0x04, 0x01, 0xac, 0x02, 0x00,	/* 4: packed [1, 300, 0] */
		0x2d, 0x01, 0x02, 0x03, 0x04,		/* 5: fixed32 */
		0x80, 0x01, 0x05,			/* 16: 5 */
	};
	struct pb_reader r = pb_reader_of(good, sizeof(good));
	struct pb_field f;
	struct pb_packed_it it = { 0 };
	uint64_t v, sum = 0;
	int n = 0;

	CHECK(pb_next(&r, &f) == 1 && f.num == 1 && f.wire == PB_WIRE_VARINT && f.v == 150);
	CHECK(pb_next(&r, &f) == 1 && f.num == 3 && f.len == 3 && !memcmp(f.data, "abc", 3));
	CHECK(pb_next(&r, &f) == 1 && f.num == 4);
	while (pb_packed_next(&f, &it, &v) == 1) {
		sum += v;
		n++;
	}
	CHECK(n == 3 && sum == 301, "%d values, sum %llu", n, (unsigned long long)sum);
	CHECK(pb_next(&r, &f) == 1 && f.num == 5 && f.v == 0x04030201);
	CHECK(pb_next(&r, &f) == 1 && f.num == 16 && f.v == 5);
	CHECK(pb_next(&r, &f) == 0);

	/* Every cut of it either ends cleanly at a field's end or is an error,
	 * and never reads past the cut (ASan would say). */
	for (size_t cut = 0; cut < sizeof(good); cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		int rc, fields = 0;

		memcpy(copy, good, cut);
		r = pb_reader_of(copy, cut);
		while ((rc = pb_next(&r, &f)) == 1)
			fields++;
		CHECK(rc == 0 || rc == -EBADMSG);
		free(copy);
	}
	/* A length past the end, an 11-byte varint, a group, field 0. */
	static const uint8_t bad[][12] = {
		{ 0x1a, 0x05, 'a' },
		{ 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 },
		{ 0x0b, 0x00 },
		{ 0x00, 0x01 },
	};
	static const size_t bad_len[] = { 3, 12, 2, 2 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = pb_reader_of(bad[i], bad_len[i]);
		CHECK(pb_next(&r, &f) == -EBADMSG, "case %zu", i);
		CHECK(pb_next(&r, &f) == -EBADMSG, "the error sticks, case %zu", i);
	}
}

/* ---- a profile, written and read back ---- */

struct fixture {
	struct frame_table ft;
	struct profile p;
	struct profile_meta m;
};

static const char *const agent_comments[] = {
	"label service_name=web", "label host=h1", "label pid=4242",
	"label python_version=3.11.2", "label container_id=c0ffee", "label team=core",
};

static void fixture(struct fixture *fx, int agent)
{
	uint32_t main_f, work_f, leaf_f, mod_f, interp;
	uint32_t s1[3], s2[2], s3[1];

	frame_table_init(&fx->ft);
	profile_init(&fx->p, &fx->ft);
	mod_f = frame_table_func(&fx->ft, "<module>", "app.py", 1);
	main_f = frame_table_func(&fx->ft, "main", "app.py", 10);
	work_f = frame_table_func(&fx->ft, "Worker.run.<locals>.step", "/srv/w\xc3\xb6rk.py", 20);
	leaf_f = frame_table_func(&fx->ft, "leaf", "app.py", 30);
	s1[2] = frame_table_frame(&fx->ft, mod_f, 40);
	s1[1] = frame_table_frame(&fx->ft, main_f, 12);
	s1[0] = frame_table_frame(&fx->ft, leaf_f, 31);
	s2[1] = frame_table_frame(&fx->ft, mod_f, 40);
	s2[0] = frame_table_frame(&fx->ft, work_f, -1);
	s3[0] = frame_table_frame(&fx->ft, main_f, 13);
	interp = frame_table_interpreter(&fx->ft, 3);
	profile_add(&fx->p, 4242, 4242, 0, s1, 3, 60);
	profile_add(&fx->p, 4242, 4243, 0, s2, 2, 30);
	profile_add(&fx->p, 4242, 4243, STACK_OFF_CPU, s2, 2, 7);
	profile_add(&fx->p, 4242, 4244, STACK_TRUNCATED, s3, 1, 5);
	profile_add(&fx->p, 4242, 4244, STACK_PARTIAL | STACK_OFF_CPU, s3, 1, 4);
	profile_add_under(&fx->p, 4242, 4245, STACK_OFF_CPU, interp, s1, 3, 3);
	profile_add(&fx->p, agent ? 4242 : 77, 78, 0, s1, 3, 2);
	profile_set_thread_name(&fx->p, 4242, 4242, "MainThread");
	profile_set_thread_name(&fx->p, 4242, 4243, "worker;1");
	profile_set_thread_name(&fx->p, 4242, 4245, "sub");
	fx->m = (struct profile_meta){
		.command = "python3 app.py", .python = "3.11.2", .duration_s = 15, .hz = 99,
		.start_unix_ns = 1764644400000000000ull,
		.comments = agent ? agent_comments : NULL, .ncomments = agent ? 6 : 0,
		.agent_labels = agent,
	};
}

static void fixture_free(struct fixture *fx)
{
	profile_free(&fx->p);
	frame_table_free(&fx->ft);
}

static uint8_t *capture(const struct fixture *fx, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	CHECK(f && !write_pprof(&fx->p, &fx->m, f));
	fclose(f);
	return (uint8_t *)buf;
}

/* Every stack as text ("pid tid thread: frame;frame count"), sorted and
 * joined: two profiles with the same stacks, whatever their frame ids,
 * give the same text. */
struct render {
	const struct profile *p;
	char **lines;
	size_t n;
};

static int render_one(void *ctx, const struct profile_stack *st)
{
	struct render *r = ctx;
	const struct frame_table *ft = r->p->frames;
	char buf[4096];
	size_t n = 0;

	n += snprintf(buf + n, sizeof(buf) - n, "%u %u %s:", st->pid, st->tid,
		      profile_thread_name(r->p, st->pid, st->tid));
	for (uint32_t i = 0; i < st->n && n < sizeof(buf); i++) {
		const struct ft_func *fn = frame_table_func_of(ft, st->frames[i]);

		n += snprintf(buf + n, sizeof(buf) - n, ";%s(%s:%d/%d)", fn->name, fn->file,
			      frame_table_line(ft, st->frames[i]), fn->firstline);
	}
	if (n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, " %llu", (unsigned long long)st->count);
	r->lines[r->n++] = strdup(buf);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *render(const struct profile *p)
{
	struct render r = { p, calloc(p->nstacks + 1, sizeof(char *)), 0 };
	size_t len = 1;
	char *out;

	profile_foreach(p, render_one, &r);
	qsort(r.lines, r.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < r.n; i++)
		len += strlen(r.lines[i]) + 1;
	out = calloc(1, len);
	for (size_t i = 0; i < r.n; i++) {
		strcat(out, r.lines[i]);
		strcat(out, "\n");
		free(r.lines[i]);
	}
	free(r.lines);
	return out;
}

static void test_round_trip(int agent)
{
	struct fixture fx, back;
	struct pprof_info info;
	struct pprof_read_opts o = { .default_pid = 999 };
	char err[256], *want, *got;
	size_t len;
	uint8_t *gz;

	fixture(&fx, agent);
	gz = capture(&fx, &len);
	frame_table_init(&back.ft);
	profile_init(&back.p, &back.ft);
	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == 0, "%s", err);
	want = render(&fx.p);
	got = render(&back.p);
	CHECK(!strcmp(want, got), "agent=%d\nwritten:\n%sread back:\n%s", agent, want, got);
	CHECK(back.p.samples == fx.p.samples && back.p.off_cpu == fx.p.off_cpu,
	      "%llu samples, %llu off-CPU", (unsigned long long)back.p.samples,
	      (unsigned long long)back.p.off_cpu);
	CHECK(info.stacks == fx.p.nstacks && info.samples == fx.p.samples);
	CHECK(info.time_nanos == fx.m.start_unix_ns && info.duration_nanos == 15000000000ull);
	CHECK(info.period == 1000000000ull / 99);
	CHECK(!strcmp(info.value_type, "samples") && !strcmp(info.value_unit, "count"),
	      "%s/%s", info.value_type, info.value_unit);
	CHECK(!strcmp(info.python, "3.11.2"), "%s", info.python);
	if (agent) {
		const char *team = pprof_label(&info, "team"), *svc = pprof_label(&info, "service_name");

		CHECK(info.nlabels == 6 && info.pid == 4242, "%d labels, pid %u", info.nlabels, info.pid);
		CHECK(svc && !strcmp(svc, "web"));
		CHECK(team && !strcmp(team, "core"));
		CHECK(pprof_label(&info, "container_id") && !strcmp(pprof_label(&info, "container_id"), "c0ffee"));
	} else {
		CHECK(info.nlabels == 0 && info.pid == 0);
	}
	/* The [interpreter 3] frame is a marker again, the root of its stack. */
	CHECK(frame_table_interpreter_find(&back.ft, 3) != FRAME_UNKNOWN);
	free(want);
	free(got);

	/* Read twice: the counts add up, the stacks do not multiply. */
	uint64_t nstacks = back.p.nstacks;

	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == 0);
	CHECK(back.p.nstacks == nstacks && back.p.samples == 2 * fx.p.samples);
	free(gz);
	fixture_free(&fx);
	fixture_free(&back);
}

/* Bytes (alloc, the agent's memory windows): the one value is the count. */
static void test_memory(void)
{
	struct fixture fx, back;
	struct pprof_info info;
	char err[256];
	size_t len;
	uint8_t *gz;

	fixture(&fx, 1);
	fx.m.unit = "bytes";
	fx.m.bytes_type = "alloc_space";
	gz = capture(&fx, &len);
	frame_table_init(&back.ft);
	profile_init(&back.p, &back.ft);
	CHECK(pprof_read(&back.p, &back.ft, gz, len, NULL, &info, err, sizeof(err)) == 0, "%s", err);
	CHECK(back.p.samples == fx.p.samples);
	CHECK(!strcmp(info.value_type, "alloc_space") && !strcmp(info.value_unit, "bytes"));
	free(gz);
	fixture_free(&fx);
	fixture_free(&back);
}

static int refuse_all(void *ctx, const struct pprof_info *info)
{
	(void)ctx;
	return !pprof_label(info, "service_name");
}

/* The depth cap, the limits, accept(). */
static void test_limits(void)
{
	struct pprof_limits lim = pprof_default_limits;
	struct pprof_read_opts o = { .lim = &lim };
	struct fixture fx, back;
	struct pprof_info info;
	char err[256];
	size_t len;
	uint8_t *gz;

	fixture(&fx, 1);
	gz = capture(&fx, &len);
	frame_table_init(&back.ft);
	profile_init(&back.p, &back.ft);

	lim.max_samples = 3;
	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == -EBADMSG);
	CHECK(strstr(err, "more than 3 samples"), "%s", err);
	CHECK(back.p.samples == 0);
	lim = pprof_default_limits;
	lim.max_inflated = 100;
	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == -EBADMSG);
	CHECK(strstr(err, "inflates"), "%s", err);
	lim = pprof_default_limits;
	lim.max_strings = 5;
	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == -EBADMSG);
	CHECK(back.p.samples == 0);

	lim = pprof_default_limits;
	lim.max_depth = 2;
	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == 0, "%s", err);
	/* The stacks of three frames lose their root frame, and say so. */
	CHECK(info.truncated == 3, "%llu truncated", (unsigned long long)info.truncated);
	CHECK(back.p.samples == fx.p.samples);

	o = (struct pprof_read_opts){ .accept = refuse_all };
	uint64_t before = back.p.samples;

	CHECK(pprof_read(&back.p, &back.ft, gz, len, &o, &info, err, sizeof(err)) == 1);
	CHECK(back.p.samples == before);
	free(gz);
	fixture_free(&fx);
	fixture_free(&back);
}

static uint8_t *gunzip_all(const uint8_t *gz, size_t len, size_t *out_len)
{
	size_t cap = 1 << 20;
	uint8_t *out = malloc(cap);
	z_stream z = { 0 };

	inflateInit2(&z, 15 + 16);
	z.next_in = (uint8_t *)gz;
	z.avail_in = len;
	z.next_out = out;
	z.avail_out = cap;
	CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
	*out_len = cap - z.avail_out;
	inflateEnd(&z);
	return out;
}

/* Hostile files: every truncation of the gzip and of the protobuf, and
 * bit flips of the protobuf. None may crash (run under ASan by the
 * fuzzer's build too); an error adds nothing. */
static void test_hostile(void)
{
	struct fixture fx, back;
	struct pprof_info info;
	char err[256];
	size_t len, rawlen;
	uint8_t *gz, *raw, *copy;
	int errors = 0, ok = 0;
	unsigned seed = 12345;

	fixture(&fx, 1);
	gz = capture(&fx, &len);
	raw = gunzip_all(gz, len, &rawlen);
	copy = malloc(rawlen > len ? rawlen : len);
	frame_table_init(&back.ft);
	profile_init(&back.p, &back.ft);

	for (size_t cut = 0; cut < len; cut++) {
		memcpy(copy, gz, cut);
		uint64_t before = back.p.samples;
		int rc = pprof_read(&back.p, &back.ft, copy, cut, NULL, &info, err, sizeof(err));

		CHECK(rc <= 0);
		if (rc < 0) {
			errors++;
			CHECK(back.p.samples == before, "cut %zu: an error added samples", cut);
		}
	}
	CHECK(errors >= (int)len - 8, "%d of %zu cuts of the gzip refused", errors, len);
	errors = 0;
	for (size_t cut = 0; cut < rawlen; cut++) {
		memcpy(copy, raw, cut);
		uint64_t before = back.p.samples;
		int rc = pprof_read(&back.p, &back.ft, copy, cut, NULL, &info, err, sizeof(err));

		if (rc < 0) {
			errors++;
			CHECK(back.p.samples == before, "raw cut %zu: an error added samples", cut);
		} else {
			ok++;
		}
	}
	CHECK(errors > 0 && ok > 0, "raw cuts: %d refused, %d read", errors, ok);
	for (int i = 0; i < 20000; i++) {
		memcpy(copy, raw, rawlen);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			copy[(seed >> 8) % rawlen] ^= 1u << ((seed >> 4) & 7);
		}
		uint64_t before = back.p.samples;

		if (pprof_read(&back.p, &back.ft, copy, rawlen, NULL, &info, err, sizeof(err)) < 0)
			CHECK(back.p.samples == before, "flip %d: an error added samples", i);
	}
	CHECK(back.ft.nframes < 100000);
	free(copy);
	free(raw);
	free(gz);
	fixture_free(&fx);
	fixture_free(&back);
}

/* ---- the spool directory ---- */

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && write(fd, data, len) == (ssize_t)len);
	close(fd);
}

static void test_history(void)
{
	char dir[] = "/tmp/test_report.XXXXXX", path[512], err[512];
	struct history_filter f = { .type = "process_cpu" };
	struct history_stats *st = calloc(1, sizeof(*st));
	struct fixture fx, back;
	size_t len;
	uint8_t *gz;

	CHECK(mkdtemp(dir));
	fixture(&fx, 1);
	gz = capture(&fx, &len);
	write_file(dir, "1764644400000-4242-100-process_cpu.pb.gz", gz, len);
	write_file(dir, "1764644415000-4242-100-process_cpu.pb.gz", gz, len);
	write_file(dir, "1764644430000-4242-100-process_cpu.pb.gz", gz, len);
	write_file(dir, "1764644400000-4242-100-wall.pb.gz", gz, len);
	write_file(dir, "notes.txt", "hello", 5);
	write_file(dir, ".1764644445000-4242-100-process_cpu.pb.gz.0123456789ab.tmp", "x", 1);
	write_file(dir, "1764644445000-4242-100-process_cpu.pb.gz", gz, len / 2);	/* cut */
	snprintf(path, sizeof(path), "%s/1764644460000-4242-100-process_cpu.pb.gz", dir);
	CHECK(!symlink("1764644400000-4242-100-process_cpu.pb.gz", path));
	snprintf(path, sizeof(path), "%s/1764644475000-4242-100-process_cpu.pb.gz", dir);
	CHECK(!mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/1764644490000-4242-100-process_cpu.pb.gz", dir);
	CHECK(!truncate(path, 0) || errno == ENOENT);
	{
		int fd = open(path, O_WRONLY | O_CREAT, 0644);

		CHECK(fd >= 0 && !ftruncate(fd, HISTORY_MAX_FILE_BYTES + 1));	/* sparse */
		close(fd);
	}

	frame_table_init(&back.ft);
	profile_init(&back.p, &back.ft);
	CHECK(!history_read(dir, &f, &back.p, &back.ft, st, err, sizeof(err)), "%s", err);
	CHECK(st->windows == 3, "%llu windows", (unsigned long long)st->windows);
	CHECK(back.p.samples == 3 * fx.p.samples);
	CHECK(st->foreign == 1 && st->not_regular == 2 && st->too_big == 1 && st->corrupt == 1,
	      "foreign %llu, not regular %llu, too big %llu, corrupt %llu (%s)",
	      (unsigned long long)st->foreign, (unsigned long long)st->not_regular,
	      (unsigned long long)st->too_big, (unsigned long long)st->corrupt, st->first_skipped);
	CHECK(st->outside == 1, "%llu outside (the wall window)", (unsigned long long)st->outside);
	CHECK(st->first_ms == 1764644400000ull && st->end_ms == 1764644445000ull);
	CHECK(st->nprocs == 1 && !strcmp(st->procs[0].service, "web") && st->procs[0].windows == 3);
	CHECK(!strcmp(profile_process_name(&back.p, 4242), "web"));
	CHECK(!back.p.process_frames);
	profile_free(&back.p);

	/* The time range: starts in [since, until). */
	f.since_ms = 1764644415000ull;
	f.until_ms = 1764644430000ull;
	CHECK(!history_read(dir, &f, &back.p, &back.ft, st, err, sizeof(err)));
	CHECK(st->windows == 1 && back.p.samples == fx.p.samples, "%llu windows",
	      (unsigned long long)st->windows);
	profile_free(&back.p);
	f.since_ms = f.until_ms = 0;
	/* The service and the pid, from the labels and the name. */
	f.service = "api";
	CHECK(!history_read(dir, &f, &back.p, &back.ft, st, err, sizeof(err)));
	CHECK(st->windows == 0 && back.p.samples == 0 && st->outside == 4);
	f.service = "web";
	f.pids[f.npids++] = 4243;
	CHECK(!history_read(dir, &f, &back.p, &back.ft, st, err, sizeof(err)));
	CHECK(st->windows == 0);
	f.pids[f.npids++] = 4242;
	CHECK(!history_read(dir, &f, &back.p, &back.ft, st, err, sizeof(err)));
	CHECK(st->windows == 3);
	profile_free(&back.p);
	f.type = "wall";
	CHECK(!history_read(dir, &f, &back.p, &back.ft, st, err, sizeof(err)));
	CHECK(st->windows == 1);
	CHECK(history_read("/nonexistent/dir", &f, &back.p, &back.ft, st, err, sizeof(err)) == -ENOENT);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	CHECK(!system(path));
	free(gz);
	free(st);
	fixture_free(&fx);
	fixture_free(&back);
}

static void test_when(void)
{
	const time_t now = 1764644400;	/* 2025-12-02T03:00:00Z */
	static const struct {
		const char *s;
		uint64_t ms;	/* 0: refused */
	} cases[] = {
		{ "now", 1764644400000ull },
		{ "2025-12-02T03:00:00Z", 1764644400000ull },
		{ "2025-12-02T03:00:00.250Z", 1764644400250ull },
		{ "2025-12-02T04:30:00+01:30", 1764644400000ull },
		{ "2025-12-01T22:00:00-0500", 1764644400000ull },
		{ "2025-12-02 03:00", 1764644400000ull },	/* TZ=UTC below */
		{ "2025-12-02 02:59:30", 1764644370000ull },
		{ "2025-12-02", 1764633600000ull },
		{ "02:00", 1764640800000ull },
		{ "1764644400", 1764644400000ull },
		{ "1764644400.5", 1764644400500ull },
		{ "-2h", 1764637200000ull },
		{ "2h ago", 1764637200000ull },
		{ "30m", 1764642600000ull },
		{ "1h30m", 1764639000000ull },
		{ "7d", 1764039600000ull },
		{ "1w", 1764039600000ull },
		{ "90s ago", 1764644310000ull },
		{ "yesterday", 0 },
		{ "-2x", 0 },
		{ "2025-13-02", 0 },
		{ "2025-12-02T03:00:00+25:00", 0 },
		{ "2025-12-02T03:00:00Zjunk", 0 },
		{ "", 0 },
		{ "-", 0 },
		{ "h", 0 },
	};

	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t ms = 0;
		int rc = history_parse_when(cases[i].s, now, &ms);

		if (cases[i].ms)
			CHECK(rc == 0 && ms == cases[i].ms, "'%s': rc %d, %llu", cases[i].s, rc,
			      (unsigned long long)ms);
		else
			CHECK(rc == -EINVAL, "'%s' taken as %llu", cases[i].s, (unsigned long long)ms);
	}
}

/* --seed DIR: the fixture's files, gunzipped, as the fuzzer's seeds. */
static int write_seeds(const char *dir)
{
	static const char *const names[] = { "record.pb", "agent.pb", "memory.pb" };

	for (int i = 0; i < 3; i++) {
		struct fixture fx;
		size_t len, rawlen;
		uint8_t *gz, *raw;

		fixture(&fx, i > 0);
		if (i == 2) {
			fx.m.unit = "bytes";
			fx.m.bytes_type = "alloc_space";
		}
		gz = capture(&fx, &len);
		raw = gunzip_all(gz, len, &rawlen);
		write_file(dir, names[i], raw, rawlen);
		free(raw);
		free(gz);
		fixture_free(&fx);
	}
	return check_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--seed"))
		return write_seeds(argv[2]);
	test_decoder();
	test_round_trip(1);
	test_round_trip(0);
	test_memory();
	test_limits();
	test_hostile();
	test_history();
	test_when();
	CHECK_DONE("report");
}
