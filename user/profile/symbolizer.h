/* Code-object addresses to `qualname (file:line)`, with a cache per
 * (pid, address) that is checked for reuse once per drain. */
#ifndef SYMBOLIZER_H
#define SYMBOLIZER_H

#include <stdint.h>
#include "python/target.h"

struct func_info {
	char *name;		/* co_qualname (or co_name before 3.11) */
	char *file;		/* co_filename, as the target sees it */
	int firstline;
};

struct frame_info {
	uint32_t func;		/* index into symbolizer.funcs */
	int line;		/* -1 when the instruction has no line */
};

struct code_entry;
struct intern_entry;

struct symbolizer {
	struct func_info *funcs;
	struct frame_info *frames;
	uint32_t nfuncs, nframes, funcs_cap, frames_cap;
	struct code_entry *codes;
	struct intern_entry *func_ids, *frame_ids;
	uint64_t epoch;			/* bumped per drain */
	uint64_t code_reads, code_errors, reused;	/* for -v */
};

#define FRAME_UNKNOWN 0	/* frame id of a code object that could not be read */

int symbolizer_init(struct symbolizer *s);
void symbolizer_free(struct symbolizer *s);

/* Start a new drain: cached code objects are re-checked on first use. */
void symbolizer_new_epoch(struct symbolizer *s);

/* The frame id for instruction `lasti` (code units) of the code object at
 * `code` in target t. Never fails: unreadable code gives FRAME_UNKNOWN. */
uint32_t symbolizer_frame(struct symbolizer *s, struct py_target *t,
			  uint64_t code, int32_t lasti);

/* Drop the cached code objects of a process (it exited). */
void symbolizer_forget(struct symbolizer *s, pid_t pid);

#endif /* SYMBOLIZER_H */
