/* tracemalloc's statistics over hand-built alloc snapshots: grouping,
 * filters, compare, sizes as tracemalloc writes them, and the printout. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "alloc/stats.h"

#define FR(file, line, func) { file, func, line }

/* Makes s's frame table from a list of frames (as a snapshot file lists
 * them), and turns the records' indices into that list into frame ids. */
static void use_frames(struct alloc_snapshot *s, struct frame_table *ft,
		       const struct alloc_frame *list, uint32_t n)
{
	uint32_t ids[16];

	CHECK(n <= 16 && frame_table_init(ft) == 0);
	for (uint32_t i = 0; i < n && i < 16; i++)
		ids[i] = !strcmp(list[i].file, "<unknown>") ? FRAME_UNKNOWN :
			 frame_table_frame(ft, frame_table_func(ft, list[i].func, list[i].file, 0),
					   list[i].line ? list[i].line : -1);
	for (size_t r = 0; r < s->nrecs; r++)
		for (uint32_t k = 0; k < s->recs[r].n; k++)
			s->recs[r].frames[k] = ids[s->recs[r].frames[k]];
	s->frames = ft;
}

static struct frame_table new_table, old_table;

/* frames: innermost first */
static uint32_t r0f[] = { 1, 3 }, r1f[] = { 1, 2 }, r2f[] = { 2, 3 }, r3f[] = { 4, 1 }, r5f[] = { 3 };

static struct alloc_frame new_frames[] = {
	FR("<unknown>", 0, "<unknown>"),
	FR("/app/a.py", 10, "f"),
	FR("/app/a.py", 20, "g"),
	FR("/app/b.py", 5, "main"),
	FR("/lib/x.py", 7, "helper"),
};

/* live: a.py:10 150/3 (r0 + r1), a.py:20 300/3, x.py:7 150/1, none 10/1;
 * allocated: x.py:7 3000/30, a.py:10 1500/15, a.py:20 300/3, b.py:5 40/1, none 20/2 */
static struct alloc_rec new_recs[] = {
	{ 2, r0f, 0, 100, 1, 1000, 10 },
	{ 2, r1f, 0, 50, 2, 500, 5 },
	{ 2, r2f, 0, 300, 3, 300, 3 },
	{ 2, r3f, 0, 150, 1, 3000, 30 },
	{ 0, NULL, 0, 10, 1, 20, 2 },
	{ 1, r5f, 0, 0, 0, 40, 1 },
};

static struct alloc_snapshot snap_new = {
	.exact = 1, .recs = new_recs, .nrecs = 6,
};

/* The same files in another order, and one only here. */
static uint32_t o0f[] = { 2, 0 }, o1f[] = { 1, 0 }, o2f[] = { 3 };

static struct alloc_frame old_frames[] = {
	FR("/app/b.py", 5, "main"),
	FR("/app/a.py", 20, "g"),
	FR("/app/a.py", 10, "f"),
	FR("/gone.py", 1, "h"),
};

static struct alloc_rec old_recs[] = {
	{ 2, o0f, 0, 40, 1, 40, 1 },
	{ 2, o1f, 0, 500, 5, 500, 5 },
	{ 1, o2f, 0, 70, 7, 70, 7 },
};

static struct alloc_snapshot snap_old = {
	.exact = 1, .recs = old_recs, .nrecs = 3,
};

static struct alloc_frame fr(const struct alloc_stat *r, uint32_t i)
{
	return alloc_snapshot_frame(r->snap, r->frames[i]);
}

/* Row i is file:line (line 0: any) with this size and count. */
static int row(const struct alloc_stat *rows, size_t n, size_t i, const char *file, int line,
	       uint64_t size, uint64_t count)
{
	if (i >= n)
		return 0;
	if (!file)
		return rows[i].n == 0 && rows[i].size == size && rows[i].count == count;
	return rows[i].n >= 1 && !strcmp(fr(&rows[i], 0).file, file) &&
	       (!line || fr(&rows[i], 0).line == line) &&
	       rows[i].size == size && rows[i].count == count;
}

static void test_grouping(void)
{
	struct alloc_query q = { .group = GROUP_LINENO };
	struct alloc_stat *rows;
	size_t n;

	/* Live: r0 and r1 merge on a.py:10; equal sizes go by count; r5 has
	 * nothing live and no row. */
	rows = alloc_statistics(&snap_new, &q, &n);
	CHECK(n == 4);
	CHECK(row(rows, n, 0, "/app/a.py", 20, 300, 3));
	CHECK(row(rows, n, 1, "/app/a.py", 10, 150, 3));
	CHECK(row(rows, n, 2, "/lib/x.py", 7, 150, 1));
	CHECK(row(rows, n, 3, NULL, 0, 10, 1));
	CHECK(n > 1 && rows[1].n == 1);
	free(rows);

	q.allocated = 1;
	rows = alloc_statistics(&snap_new, &q, &n);
	CHECK(n == 5);
	CHECK(row(rows, n, 0, "/lib/x.py", 7, 3000, 30));
	CHECK(row(rows, n, 1, "/app/a.py", 10, 1500, 15));
	CHECK(row(rows, n, 2, "/app/a.py", 20, 300, 3));
	CHECK(row(rows, n, 3, "/app/b.py", 5, 40, 1));
	CHECK(row(rows, n, 4, NULL, 0, 20, 2));
	free(rows);

	q = (struct alloc_query){ .group = GROUP_FILENAME };
	rows = alloc_statistics(&snap_new, &q, &n);
	CHECK(n == 3);
	CHECK(row(rows, n, 0, "/app/a.py", 0, 450, 6));
	CHECK(row(rows, n, 1, "/lib/x.py", 0, 150, 1));
	CHECK(row(rows, n, 2, NULL, 0, 10, 1));
	free(rows);

	/* Whole tracebacks: nothing merges. */
	new_recs[3].partial = 1;
	q = (struct alloc_query){ .group = GROUP_TRACEBACK };
	rows = alloc_statistics(&snap_new, &q, &n);
	CHECK(n == 5);
	CHECK(row(rows, n, 0, "/app/a.py", 20, 300, 3) && rows[0].n == 2);
	CHECK(row(rows, n, 1, "/lib/x.py", 7, 150, 1) && rows[1].n == 2 && rows[1].partial);
	CHECK(row(rows, n, 2, "/app/a.py", 10, 100, 1) && fr(&rows[2], 1).line == 5);
	CHECK(row(rows, n, 3, "/app/a.py", 10, 50, 2) && fr(&rows[3], 1).line == 20);
	CHECK(row(rows, n, 4, NULL, 0, 10, 1));
	CHECK(n == 5 && !rows[0].partial && !rows[2].partial);
	free(rows);

	/* Cut to the innermost frame: as by line, and no longer partial. */
	q.traceback_limit = 1;
	rows = alloc_statistics(&snap_new, &q, &n);
	CHECK(n == 4);
	CHECK(row(rows, n, 1, "/app/a.py", 10, 150, 3) && rows[1].n == 1);
	CHECK(row(rows, n, 2, "/lib/x.py", 7, 150, 1) && rows[2].n == 1 && !rows[2].partial);
	free(rows);
	/* A limit above the depth changes nothing. */
	q.traceback_limit = 5;
	rows = alloc_statistics(&snap_new, &q, &n);
	CHECK(n == 5 && rows[1].partial && rows[1].n == 2);
	free(rows);
	new_recs[3].partial = 0;
}

static size_t count_rows(const char **inc, int ninc, const char **exc, int nexc, int all_frames,
			 struct alloc_stat **out)
{
	struct alloc_query q = { .group = GROUP_LINENO, .include = inc, .ninclude = ninc,
				 .exclude = exc, .nexclude = nexc, .all_frames = all_frames };
	size_t n;

	*out = alloc_statistics(&snap_new, &q, &n);
	return n;
}

static void test_filters(void)
{
	const char *a[] = { "*/a.py" }, *x[] = { "*/x.py" }, *b[] = { "*/b.py" };
	const char *any[] = { "/nothing", "*/x.py", "*/a.py" }, *none[] = { "/nothing" };
	const char *app[] = { "/app/*" }, *unk[] = { "<unknown>" };
	struct alloc_stat *rows;
	size_t n;

	/* Innermost frame only: x.py:7, called from a.py, is out. */
	n = count_rows(a, 1, NULL, 0, 0, &rows);
	CHECK(n == 2 && row(rows, n, 0, "/app/a.py", 20, 300, 3) &&
	      row(rows, n, 1, "/app/a.py", 10, 150, 3));
	free(rows);
	/* Any frame: it is in. */
	n = count_rows(a, 1, NULL, 0, 1, &rows);
	CHECK(n == 3 && row(rows, n, 2, "/lib/x.py", 7, 150, 1));
	free(rows);

	n = count_rows(NULL, 0, x, 1, 0, &rows);
	CHECK(n == 3 && row(rows, n, 0, "/app/a.py", 20, 300, 3) && row(rows, n, 2, NULL, 0, 10, 1));
	free(rows);
	/* b.py is never innermost (with something live); in all frames it
	 * takes r0 and r2 out, leaving r1 alone on a.py:10. */
	n = count_rows(NULL, 0, b, 1, 0, &rows);
	CHECK(n == 4);
	free(rows);
	n = count_rows(NULL, 0, b, 1, 1, &rows);
	CHECK(n == 3 && row(rows, n, 0, "/lib/x.py", 7, 150, 1) &&
	      row(rows, n, 1, "/app/a.py", 10, 50, 2));
	free(rows);

	/* Include: any pattern; exclude: none may match. */
	n = count_rows(any, 3, NULL, 0, 0, &rows);
	CHECK(n == 3);
	free(rows);
	n = count_rows(none, 1, NULL, 0, 0, &rows);
	CHECK(n == 0);
	free(rows);
	n = count_rows(a, 1, a, 1, 0, &rows);
	CHECK(n == 0);
	free(rows);
	n = count_rows(NULL, 0, none, 1, 0, &rows);
	CHECK(n == 4);
	free(rows);
	n = count_rows(app, 1, b, 1, 1, &rows);
	CHECK(n == 2 && row(rows, n, 0, "/lib/x.py", 7, 150, 1) &&
	      row(rows, n, 1, "/app/a.py", 10, 50, 2));
	free(rows);
	/* A trace without frames is "<unknown>" to the filters. */
	n = count_rows(unk, 1, NULL, 0, 0, &rows);
	CHECK(n == 1 && row(rows, n, 0, NULL, 0, 10, 1));
	free(rows);
}

static void test_compare(void)
{
	struct alloc_query q = { .group = GROUP_LINENO };
	struct alloc_stat *rows;
	size_t n;

	rows = alloc_compare(&snap_old, &snap_new, &q, &n);
	CHECK(n == 5);
	CHECK(row(rows, n, 0, "/app/a.py", 20, 300, 3) && rows[0].size_diff == -200 &&
	      rows[0].count_diff == -2);
	CHECK(row(rows, n, 1, "/lib/x.py", 7, 150, 1) && rows[1].size_diff == 150 &&
	      rows[1].count_diff == 1);
	CHECK(row(rows, n, 2, "/app/a.py", 10, 150, 3) && rows[2].size_diff == 110 &&
	      rows[2].count_diff == 2);
	/* Only in the old snapshot: 0 now, named from the old one. */
	CHECK(row(rows, n, 3, "/gone.py", 1, 0, 0) && rows[3].size_diff == -70 &&
	      rows[3].count_diff == -7 && rows[3].snap == &snap_old);
	CHECK(row(rows, n, 4, NULL, 0, 10, 1) && rows[4].size_diff == 10);
	CHECK(n > 2 && rows[2].snap == &snap_new);
	free(rows);

	/* Whole tracebacks match by names too: [a.py:10, b.py:5]. */
	q.group = GROUP_TRACEBACK;
	rows = alloc_compare(&snap_old, &snap_new, &q, &n);
	CHECK(n == 6);
	for (size_t i = 0; i < n; i++)
		if (rows[i].n == 2 && fr(&rows[i], 0).line == 10 && fr(&rows[i], 1).line == 5)
			CHECK(rows[i].size == 100 && rows[i].size_diff == 60 && rows[i].count_diff == 0);
	free(rows);

	/* A snapshot against itself: no change, no rows. */
	q.group = GROUP_LINENO;
	rows = alloc_compare(&snap_new, &snap_new, &q, &n);
	CHECK(n == 4);
	for (size_t i = 0; i < n; i++)
		CHECK(rows[i].size_diff == 0 && rows[i].count_diff == 0);
	free(rows);
}

static int size_is(double bytes, int sign, const char *want)
{
	char buf[32];

	alloc_format_size(buf, sizeof(buf), bytes, sign);
	if (strcmp(buf, want))
		fprintf(stderr, "  %.1f: got \"%s\", want \"%s\"\n", bytes, buf, want);
	return !strcmp(buf, want);
}

static void test_format_size(void)
{
	/* As Python 3.11's tracemalloc._format_size gives them. */
	CHECK(size_is(0, 0, "0 B"));
	CHECK(size_is(1023, 0, "1023 B"));
	CHECK(size_is(10239, 0, "10239 B"));
	CHECK(size_is(10240, 0, "10.0 KiB"));
	CHECK(size_is(99 * 1024, 0, "99.0 KiB"));
	CHECK(size_is(100 * 1024, 0, "100 KiB"));
	CHECK(size_is(150 * 1024, 0, "150 KiB"));
	CHECK(size_is(12 * 1024 * 1024, 0, "12.0 MiB"));
	CHECK(size_is(3.0 * 1024 * 1024 * 1024, 0, "3072 MiB"));
	CHECK(size_is(20000.0 * 1024 * 1024 * 1024 * 1024, 0, "20000 TiB"));
	CHECK(size_is(1.5 * 1024 * 1024, 1, "+1536 KiB"));	/* not "+1.5 MiB" */
	CHECK(size_is(15.5 * 1024 * 1024, 1, "+15.5 MiB"));
	CHECK(size_is(-512, 1, "-512 B"));
	CHECK(size_is(0, 1, "+0 B"));
	CHECK(size_is(-20 * 1024, 1, "-20.0 KiB"));
}

static char *capture(const struct alloc_stat *rows, size_t n, size_t limit,
		     const struct alloc_query *q, int diff)
{
	char *buf = NULL, *copy;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	struct source_lines src = { 0 };
	struct target_root root;	/* our own files, as we see them */

	CHECK(target_root_dir(&root, "/") == 0);
	alloc_print(m, rows, n, limit, q, diff, &src, &root);
	source_lines_free(&src);
	target_root_close(&root);
	fclose(m);
	copy = strdup(buf);	/* as test_profile.c: GCC 12 and open_memstream */
	free(buf);
	return copy;
}

static int same(const char *got, const char *want)
{
	if (strcmp(got, want))
		fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
	return !strcmp(got, want);
}

static void test_print(void)
{
	char path[] = "/tmp/test_alloc_stats_XXXXXX", want[1024], *out;
	static const char src[] = "import os\n\tdata = [0] * 1000   \r\n";
	struct alloc_frame frames[] = {
		FR("<unknown>", 0, "<unknown>"), FR(path, 1, "<module>"), FR(path, 2, "load"),
		FR("/nonexistent/c.py", 3, "h"),
	};
	uint32_t tb[] = { 2, 1 }, other[] = { 3 };
	struct alloc_rec recs[] = {
		{ 2, tb, 0, 1500, 3, 1500, 3 },
		{ 1, other, 1, 100, 1, 100, 1 },
		{ 0, NULL, 0, 10, 1, 10, 1 },
	};
	struct alloc_snapshot s = { .exact = 1, .recs = recs, .nrecs = 3 };
	struct frame_table ft;
	struct alloc_query q = { .group = GROUP_LINENO };
	struct alloc_stat *rows;
	size_t n;
	int fd = mkstemp(path);

	CHECK(fd >= 0 && write(fd, src, sizeof(src) - 1) == sizeof(src) - 1);
	close(fd);
	use_frames(&s, &ft, frames, 4);

	rows = alloc_statistics(&s, &q, &n);
	out = capture(rows, n, 0, &q, 0);
	snprintf(want, sizeof(want),
		 "%s:2: size=1500 B, count=3, average=500 B\n"
		 "    load: data = [0] * 1000\n"
		 "/nonexistent/c.py:3: size=100 B, count=1, average=100 B\n"
		 "    h\n"
		 "<no Python frame>: size=10 B, count=1, average=10 B\n", path);
	CHECK(same(out, want));
	free(out);
	out = capture(rows, n, 1, &q, 0);
	CHECK(strstr(out, "\n2 more lines (--limit 0 shows all)\n") != NULL);
	free(out);
	free(rows);

	q.group = GROUP_TRACEBACK;
	rows = alloc_statistics(&s, &q, &n);
	out = capture(rows, n, 0, &q, 0);
	snprintf(want, sizeof(want),
		 "#1: size=1500 B, count=3, average=500 B\n"
		 "  File \"%s\", line 1, in <module>\n"
		 "    import os\n"
		 "  File \"%s\", line 2, in load\n"
		 "    data = [0] * 1000\n"
		 "#2: size=100 B, count=1, average=100 B\n"
		 "  [the outermost frames are missing]\n"
		 "  File \"/nonexistent/c.py\", line 3, in h\n"
		 "#3: size=10 B, count=1, average=10 B\n"
		 "  <no Python frame>\n", path, path);
	CHECK(same(out, want));
	free(out);
	free(rows);

	/* Sampled mode: the 95% interval of 100 samples is 1.96/10. */
	s.exact = 0;
	recs[0].live_size = 100 * 131072;
	recs[0].live_count = 100;
	q.group = GROUP_FILENAME;
	rows = alloc_statistics(&s, &q, &n);
	out = capture(rows, 1, 0, &q, 0);
	snprintf(want, sizeof(want), "%s: size=12.5 MiB ±20%%, samples=100\n", path);
	CHECK(same(out, want));
	free(out);
	free(rows);

	/* A diff row. */
	q.group = GROUP_LINENO;
	rows = alloc_compare(&snap_old, &snap_new, &q, &n);
	out = capture(rows, n, 1, &q, 1);
	CHECK(same(out, "/app/a.py:20: size=300 B (-200 B), count=3 (-2), average=100 B\n"
			"    g\n"
			"4 more lines (--limit 0 shows all)\n"));
	free(out);
	free(rows);
	unlink(path);
	frame_table_free(&ft);
}

int main(void)
{
	use_frames(&snap_new, &new_table, new_frames, 5);
	use_frames(&snap_old, &old_table, old_frames, 4);
	test_grouping();
	test_filters();
	test_compare();
	test_format_size();
	test_print();
	frame_table_free(&new_table);
	frame_table_free(&old_table);
	CHECK_DONE("alloc_stats");
}
