/* Grouping, filtering, comparing and printing alloc snapshots, after
 * tracemalloc's Snapshot.statistics() and compare_to(). */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>
#include "alloc/stats.h"
#include "proc/source_lines.h"
#include "proc/text_escape.h"

struct group {
	UT_hash_handle hh;
	struct alloc_stat st;
	int64_t old_size, old_count;	/* alloc_compare */
	char key[];
};

static int match(const struct alloc_snapshot *s, const struct alloc_rec *r, const char *pat,
		 int all_frames)
{
	uint32_t n = all_frames ? r->n : (r->n ? 1 : 0);

	if (!r->n)
		return !fnmatch(pat, "<unknown>", 0);
	for (uint32_t i = 0; i < n; i++)
		if (!fnmatch(pat, alloc_snapshot_frame(s, r->frames[i]).file, 0))
			return 1;
	return 0;
}

/* tracemalloc's rule: some include filter matches (if there are any),
 * and no exclude filter does. */
static int wanted(const struct alloc_snapshot *s, const struct alloc_rec *r,
		  const struct alloc_query *q)
{
	int in = !q->ninclude;

	for (int i = 0; i < q->ninclude && !in; i++)
		in = match(s, r, q->include[i], q->all_frames);
	for (int i = 0; in && i < q->nexclude; i++)
		in = !match(s, r, q->exclude[i], q->all_frames);
	return in;
}

/* The key's frames, innermost first. */
static uint32_t key_frames(const struct alloc_rec *r, const struct alloc_query *q)
{
	if (q->group != GROUP_TRACEBACK)
		return r->n ? 1 : 0;
	return q->traceback_limit && r->n > q->traceback_limit ? q->traceback_limit : r->n;
}

/* Keys are names, not frame indices, so that two snapshots compare. */
static char *make_key(const struct alloc_snapshot *s, const struct alloc_rec *r, uint32_t n,
		      const struct alloc_query *q)
{
	size_t len = 1, off = 0;
	char *key;

	for (uint32_t i = 0; i < n; i++)
		len += strlen(alloc_snapshot_frame(s, r->frames[i]).file) + 16;
	if (!(key = malloc(len)))
		return NULL;
	key[0] = '\0';
	for (uint32_t i = 0; i < n; i++) {
		struct alloc_frame f = alloc_snapshot_frame(s, r->frames[i]);

		off += q->group == GROUP_FILENAME ?
			snprintf(key + off, len - off, "%s\x1f", f.file) :
			snprintf(key + off, len - off, "%s\x1f%d\x1f", f.file, f.line);
	}
	return key;
}

static int add_snapshot(struct group **groups, const struct alloc_snapshot *s,
			const struct alloc_query *q, int old)
{
	for (size_t i = 0; i < s->nrecs; i++) {
		const struct alloc_rec *r = &s->recs[i];
		uint64_t size = q->allocated ? r->alloc_size : r->live_size;
		uint64_t count = q->allocated ? r->alloc_count : r->live_count;
		uint32_t n = key_frames(r, q);
		struct group *g;
		char *key;

		if ((!size && !count) || !wanted(s, r, q))
			continue;
		if (!(key = make_key(s, r, n, q)))
			return -ENOMEM;
		HASH_FIND_STR(*groups, key, g);
		if (!g) {
			if (!(g = calloc(1, sizeof(*g) + strlen(key) + 1))) {
				free(key);
				return -ENOMEM;
			}
			strcpy(g->key, key);
			g->st = (struct alloc_stat){ .snap = s, .frames = r->frames, .n = n };
			HASH_ADD_STR(*groups, key, g);
		}
		if (old) {
			g->old_size += size;
			g->old_count += count;
		} else {
			/* Name the row after the newer snapshot's frames. */
			g->st.snap = s;
			g->st.frames = r->frames;
			g->st.size += size;
			g->st.count += count;
		}
		g->st.partial |= r->partial && n == r->n;
		free(key);
	}
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int by_size(const void *pa, const void *pb)
{
	const struct alloc_stat *a = pa, *b = pb;

	return cmp_u64(a->size, b->size) ?: cmp_u64(a->count, b->count);
}

static int by_change(const void *pa, const void *pb)
{
	const struct alloc_stat *a = pa, *b = pb;

	return cmp_u64(llabs(a->size_diff), llabs(b->size_diff)) ?: cmp_u64(a->size, b->size) ?:
	       cmp_u64(llabs(a->count_diff), llabs(b->count_diff)) ?: cmp_u64(a->count, b->count);
}

static struct alloc_stat *collect(struct group *groups, size_t *n, int diff)
{
	struct alloc_stat *rows = calloc(HASH_COUNT(groups) + 1, sizeof(*rows));
	struct group *g, *tmp;
	size_t i = 0;

	HASH_ITER(hh, groups, g, tmp) {
		if (rows) {
			rows[i] = g->st;
			if (diff) {
				rows[i].size_diff = (int64_t)g->st.size - g->old_size;
				rows[i].count_diff = (int64_t)g->st.count - g->old_count;
			}
			if (!diff || rows[i].size || rows[i].size_diff || rows[i].count_diff)
				i++;
		}
		HASH_DEL(groups, g);
		free(g);
	}
	if (rows)
		qsort(rows, i, sizeof(*rows), diff ? by_change : by_size);
	*n = i;
	return rows;
}

struct alloc_stat *alloc_statistics(const struct alloc_snapshot *s, const struct alloc_query *q,
				    size_t *n)
{
	struct group *groups = NULL;

	if (add_snapshot(&groups, s, q, 0)) {
		*n = 0;
		return NULL;
	}
	return collect(groups, n, 0);
}

struct alloc_stat *alloc_compare(const struct alloc_snapshot *old, const struct alloc_snapshot *new,
				 const struct alloc_query *q, size_t *n)
{
	struct group *groups = NULL;

	/* New first: a key only in the old snapshot is named after it. */
	if (add_snapshot(&groups, new, q, 0) || add_snapshot(&groups, old, q, 1)) {
		*n = 0;
		return NULL;
	}
	return collect(groups, n, 1);
}

void alloc_format_size(char *buf, size_t len, double size, int sign)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };

	for (int u = 0; u < 5; u++) {
		if (fabs(size) < 100 && u) {
			snprintf(buf, len, sign ? "%+.1f %s" : "%.1f %s", size, units[u]);
			return;
		}
		if (fabs(size) < 10 * 1024 || u == 4) {
			snprintf(buf, len, sign ? "%+.0f %s" : "%.0f %s", size, units[u]);
			return;
		}
		size /= 1024;
	}
}

/* size=…, count=…, average=… (exact); size=… ±E%, samples=… (sampled),
 * where E is the 95% interval of a Poisson count of that many samples. */
static void print_sizes(FILE *out, const struct alloc_stat *r, int diff)
{
	char size[32], dsize[32], avg[32];

	alloc_format_size(size, sizeof(size), r->size, 0);
	alloc_format_size(dsize, sizeof(dsize), r->size_diff, 1);
	fprintf(out, "size=%s", size);
	if (diff)
		fprintf(out, " (%s)", dsize);
	if (!r->snap->exact) {
		if (r->count)
			fprintf(out, " ±%.0f%%", 196.0 / sqrt((double)r->count));
		fprintf(out, ", samples=%llu", (unsigned long long)r->count);
		if (diff)
			fprintf(out, " (%+lld)", (long long)r->count_diff);
		return;
	}
	fprintf(out, ", count=%llu", (unsigned long long)r->count);
	if (diff)
		fprintf(out, " (%+lld)", (long long)r->count_diff);
	alloc_format_size(avg, sizeof(avg), r->count ? (double)r->size / r->count : 0, 0);
	fprintf(out, ", average=%s", avg);
}

static void print_source(FILE *out, struct source_lines *src, struct target_root *root,
			 const struct alloc_frame *f, const char *indent)
{
	const char *line = f->line > 0 ? source_line(src, root, f->file, f->line) : NULL;

	if (line)
		fprintf(out, "%s%s\n", indent, TEXT_SAFE(line));
}

void alloc_print(FILE *out, const struct alloc_stat *rows, size_t n, size_t limit,
		 const struct alloc_query *q, int diff, struct source_lines *src,
		 struct target_root *root)
{
	for (size_t i = 0; i < n && (!limit || i < limit); i++) {
		const struct alloc_stat *r = &rows[i];
		struct alloc_frame top = r->n ? alloc_snapshot_frame(r->snap, r->frames[0]) :
					 (struct alloc_frame){ 0 };
		const struct alloc_frame *f = r->n ? &top : NULL;

		if (q->group == GROUP_TRACEBACK) {
			fprintf(out, "#%zu: ", i + 1);
			print_sizes(out, r, diff);
			fputc('\n', out);
			if (r->partial)
				fprintf(out, "  [the outermost frames are missing]\n");
			if (!r->n)
				fprintf(out, "  <no Python frame>\n");
			for (uint32_t k = r->n; k-- > 0;) {
				struct alloc_frame fk = alloc_snapshot_frame(r->snap, r->frames[k]);

				fprintf(out, "  File \"%s\", line %d, in %s\n", TEXT_SAFE(fk.file), fk.line,
					TEXT_SAFE(fk.func));
				print_source(out, src, root, &fk, "    ");
			}
			continue;
		}
		if (!f)
			fprintf(out, "<no Python frame>: ");
		else if (q->group == GROUP_FILENAME)
			fprintf(out, "%s: ", TEXT_SAFE(f->file));
		else
			fprintf(out, "%s:%d: ", TEXT_SAFE(f->file), f->line);
		print_sizes(out, r, diff);
		fputc('\n', out);
		if (f && q->group == GROUP_LINENO) {
			const char *line = f->line > 0 ? source_line(src, root, f->file, f->line) : NULL;

			fprintf(out, "    %s%s%s\n", TEXT_SAFE(f->func), line ? ": " : "",
				line ? TEXT_SAFE(line) : "");
		}
	}
	if (limit && n > limit)
		fprintf(out, "%zu more %s (--limit 0 shows all)\n", n - limit,
			q->group == GROUP_FILENAME ? "files" : q->group == GROUP_TRACEBACK ? "tracebacks" : "lines");
}
