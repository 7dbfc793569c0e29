/* A snapshot of `pybpftop alloc`: every traceback with its live and
 * allocated totals, by name (file, line, function), so that it can be saved,
 * read back and compared with another. The file format is JSON, described
 * in docs/alloc-snapshot.md; ALLOC_SNAPSHOT_VERSION changes with it. */
#ifndef ALLOC_SNAPSHOT_H
#define ALLOC_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "alloc/heap.h"
#include "profile/frame_table.h"

#define ALLOC_SNAPSHOT_FORMAT "pybpftop-alloc-snapshot"
#define ALLOC_SNAPSHOT_VERSION 1

/* A frame as a snapshot reports it, from its frame table. */
struct alloc_frame {
	const char *file;	/* "<unknown>" when the code object could not be read */
	const char *func;
	int line;		/* 0 when unknown */
};

struct alloc_rec {
	uint32_t n;		/* frames, innermost first */
	uint32_t *frames;	/* ids in alloc_snapshot.frames */
	int partial;		/* the outermost frames are missing */
	uint64_t live_size, live_count;
	uint64_t alloc_size, alloc_count;
};

struct alloc_snapshot {
	int exact;		/* every allocation, or page-fault samples */
	uint64_t sample_bytes;	/* sampled: the bytes each sample stands for */
	int pid;
	char *command, *python;
	double duration_s;
	uint64_t time_unix_ns;	/* when it was taken */
	uint64_t current, peak;		/* live bytes at the end, and at most */
	uint64_t allocated, allocations;	/* during the run */
	/* What the records' frame ids name: the session's table for a snapshot
	 * taken now, `own` for one read from a file. */
	const struct frame_table *frames;
	struct frame_table own;
	struct alloc_rec *recs;
	size_t nrecs;
};

/* From a running session's heap, whose frame ids are frames'. */
int alloc_snapshot_from_heap(struct alloc_snapshot *s, const struct alloc_heap *h,
			     const struct frame_table *frames);

/* Frame `id` of the snapshot. */
struct alloc_frame alloc_snapshot_frame(const struct alloc_snapshot *s, uint32_t id);

/* The snapshot as JSON to out (a file is written through
 * proc/output_file.h): 0, or -errno. */
int alloc_snapshot_write(const struct alloc_snapshot *s, FILE *out);

/* 0, or non-zero with a message naming the problem in err. */
int alloc_snapshot_read(struct alloc_snapshot *s, const char *path, char *err, size_t errlen);

/* The same from len bytes at buf; name stands for the file in messages. */
int alloc_snapshot_read_mem(struct alloc_snapshot *s, const void *buf, size_t len, const char *name,
			    char *err, size_t errlen);

void alloc_snapshot_free(struct alloc_snapshot *s);

#endif /* ALLOC_SNAPSHOT_H */
