/* tracemalloc's statistics over an alloc snapshot: group by line, file or
 * traceback, filter by file name, and compare two snapshots. */
#ifndef ALLOC_STATS_H
#define ALLOC_STATS_H

#include <stdint.h>
#include <stdio.h>
#include "alloc/snapshot.h"
#include "proc/source_lines.h"

enum alloc_group { GROUP_LINENO, GROUP_FILENAME, GROUP_TRACEBACK };

struct alloc_query {
	enum alloc_group group;
	int allocated;		/* everything allocated, else what is still live */
	const char **include, **exclude;	/* fnmatch patterns on file names */
	int ninclude, nexclude;
	int all_frames;		/* filters look at every frame, not the innermost */
	uint32_t traceback_limit;	/* frames kept, innermost first; 0: all */
};

/* One row: the frames of its key (one for lineno and filename), sizes. */
struct alloc_stat {
	const struct alloc_snapshot *snap;
	const uint32_t *frames;	/* innermost first */
	uint32_t n;
	int partial;
	uint64_t size, count;
	int64_t size_diff, count_diff;	/* alloc_compare only */
};

/* The rows, sorted by size then count, largest first; *n rows. */
struct alloc_stat *alloc_statistics(const struct alloc_snapshot *s, const struct alloc_query *q,
				    size_t *n);

/* new - old per key (keys compared by name), sorted by the absolute size
 * change, as tracemalloc's Snapshot.compare_to(). */
struct alloc_stat *alloc_compare(const struct alloc_snapshot *old, const struct alloc_snapshot *new,
				 const struct alloc_query *q, size_t *n);

/* "12.3 KiB", as tracemalloc writes sizes; with sign, "+1.5 MiB". */
void alloc_format_size(char *buf, size_t len, double bytes, int sign);

/* Prints up to limit rows (0: all) in tracemalloc's form, with source
 * lines from the files as they are in root, through src (none if root is
 * NULL). */
void alloc_print(FILE *out, const struct alloc_stat *rows, size_t n, size_t limit,
		 const struct alloc_query *q, int diff, struct source_lines *src,
		 struct target_root *root);

#endif /* ALLOC_STATS_H */
