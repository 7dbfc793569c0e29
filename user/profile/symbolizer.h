/* Code-object addresses to frame ids of a frame table, with a cache per
 * (pid, address) that is checked for reuse once per drain. */
#ifndef SYMBOLIZER_H
#define SYMBOLIZER_H

#include <stdint.h>
#include "profile/frame_table.h"
#include "python/target.h"

struct code_entry;

struct symbolizer {
	struct frame_table *frames;	/* where the names go; not owned */
	struct code_entry *codes;
	uint64_t epoch;			/* bumped per drain */
	uint64_t code_reads, code_errors, reused;	/* for -v */
};

/* Name code objects into `frames`. */
void symbolizer_init(struct symbolizer *s, struct frame_table *frames);
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
