/* The pprof reader: a profile.proto file (gzipped or not) into the
 * samples of a struct profile, its functions interned in the profile's
 * frame table. It reads back what pprof.c writes, the agent's windows
 * (agent labels, "label KEY=VALUE" comments) as well as record's files
 * (labels thread, tid, pid), and the marker frames become the frame
 * table's markers again, so that a profile read back prints as the one
 * that was written.
 *
 * Its input is any file in a directory: every count, length, index and
 * depth is bounded (struct pprof_limits), and a file that breaks a rule
 * adds nothing: it is checked whole before its first sample is added. */
#ifndef PPROF_READ_H
#define PPROF_READ_H

#include <stddef.h>
#include <stdint.h>
#include "profile/frame_table.h"
#include "profile/profile.h"

struct pprof_limits {
	size_t max_inflated;		/* bytes of protobuf, once gunzipped */
	uint32_t max_strings, max_functions, max_locations, max_lines, max_samples;
	uint32_t max_depth;		/* frames kept per stack, leaf first */
};

/* 256 MiB inflated; a million strings, functions and locations, four
 * million samples; PYBPFTOP_MAX_DEPTH frames. */
extern const struct pprof_limits pprof_default_limits;

#define PPROF_MAX_LABELS 32

struct pprof_label {
	char key[64];
	char value[256];
};

/* What a file said about itself, and what it added. */
struct pprof_info {
	uint64_t time_nanos, duration_nanos;
	uint64_t period;		/* of the period type, as written */
	char value_type[32], value_unit[32];	/* the value counted: samples/count, or */
					/* alloc_space/bytes for a memory profile */
	char python[32];		/* from the comments, or "" */
	struct pprof_label labels[PPROF_MAX_LABELS];	/* the "label KEY=VALUE" comments */
	int nlabels;
	uint32_t pid;			/* the label pid=, or 0 */
	uint64_t samples;		/* weighted, added */
	uint64_t stacks;		/* pprof samples added */
	uint64_t truncated;		/* of which cut at max_depth */
};

/* How to read a file: limits (NULL: the defaults), whose samples the
 * ones without a pid label are (the label pid= comment's pid, else
 * default_pid), and a check of the file's labels before any sample is
 * added (NULL: take every file). */
struct pprof_read_opts {
	const struct pprof_limits *lim;
	uint32_t default_pid;
	int (*accept)(void *ctx, const struct pprof_info *info);	/* 0: skip the file */
	void *ctx;
};

/* Adds the file's samples to p, whose frame table is ft (p->frames, not
 * const here). 0, 1 when accept() refused it, or -EBADMSG (malformed, or
 * past a limit), -ENOMEM, with a message in err; on an error nothing was
 * added to p (frames may have been to ft). */
int pprof_read(struct profile *p, struct frame_table *ft, const void *data, size_t len,
	       const struct pprof_read_opts *o, struct pprof_info *info, char *err, size_t errlen);

/* The value of label key, or NULL. */
const char *pprof_label(const struct pprof_info *info, const char *key);

#endif /* PPROF_READ_H */
