/* Code-object addresses to frame ids of a frame table. Each frame the
 * walker sends carries the code object's fingerprint as it was at sample
 * time; a cached name is used only for the same fingerprint, so a code
 * object freed and its address reused before the drain is not named after
 * its successor. Named objects go into the walker's table of known code
 * (through `know`), and those that have lived for SYMBOLIZER_TRUST_NS are
 * trusted there: the walker skips their fingerprint, which costs a read
 * per frame, and they are checked here instead, at most every
 * SYMBOLIZER_CHECK_NS, a stack's due ones together in two batched reads
 * (symbolizer_check_stack). The cache has a budget (below), fed as it is by
 * the target: evicted entries are read again when seen again. */
#ifndef SYMBOLIZER_H
#define SYMBOLIZER_H

#include <stddef.h>
#include <stdint.h>
#include "profile/frame_table.h"
#include "python/target.h"

/* The cache's budget: at most this many code objects, and this many bytes
 * of their names, line tables and per-instruction entries. Over either,
 * the oldest entries go until it is back under 3/4. A line table is read
 * whole up to PY_BYTES_MAX (1 MiB, python/code_reader.h: the largest seen
 * in a real package, a generated function in sympy, has 710 KB), so one
 * entry costs at most a little over 1 MiB. */
#define SYMBOLIZER_MAX_CODES	65536
#define SYMBOLIZER_MAX_BYTES	(32u << 20)
#define SYMBOLIZER_TRUST_NS	1000000000ULL
#define SYMBOLIZER_CHECK_NS	100000000ULL

struct code_entry;

/* The walker's table of known code objects (probe_know_code()): tells it
 * a code object is named, or trusted; or that it is not known any more. */
struct symbolizer_known {
	void (*know)(void *ctx, const struct py_known_code *k);
	void (*forget)(void *ctx, uint64_t addr, pid_t pid);
	void *ctx;
};

struct symbolizer {
	struct frame_table *frames;	/* where the names go; not owned */
	struct symbolizer_known known;	/* optional */
	struct code_entry *codes;
	uint64_t now_ns;		/* CLOCK_MONOTONIC at the drain's start */
	uint64_t drains;		/* drains so far */
	size_t ncodes, bytes;		/* what the cache holds */
	/* For -v: code objects read and unreadable; names dropped because
	 * the address now held another object; frames whose object was gone
	 * before it could be named; entries evicted for the budget. */
	uint64_t code_reads, code_errors, reused, vanished, evicted;
	uint64_t incomplete;		/* frames left out as incomplete */
	uint64_t batched_checks, single_checks;	/* trusted entries checked */
};

/* Name code objects into `frames`. */
void symbolizer_init(struct symbolizer *s, struct frame_table *frames);
void symbolizer_free(struct symbolizer *s);

/* Start a new drain (it reads the clock once for the checks above). */
void symbolizer_new_epoch(struct symbolizer *s);

/* What symbolizer_frame() gives for an incomplete frame (one still in its
 * prologue, py_frame_incomplete()): no frame, the caller leaves it out of
 * the stack as CPython's own tracebacks do. Never a frame table id. */
#define SYMBOLIZER_INCOMPLETE	UINT32_MAX

/* The frame id for instruction `lasti` (code units) of the code object at
 * `code` in target t, whose fingerprint the walker took as `fp` (0: it
 * could not). Never fails: code that cannot be named gives FRAME_UNKNOWN,
 * an incomplete frame SYMBOLIZER_INCOMPLETE. */
uint32_t symbolizer_frame(struct symbolizer *s, struct py_target *t,
			  uint64_t code, uint32_t fp, int32_t lasti);

/* Before a stack's frames are named with symbolizer_frame(): checks the
 * cached entries among them that are due, in one batch (a frame named
 * without it is checked on its own). */
void symbolizer_check_stack(struct symbolizer *s, struct py_target *t,
			    const struct py_frame *f, uint32_t n);

/* Drop the cached code objects of a process (it exited). */
void symbolizer_forget(struct symbolizer *s, pid_t pid);

#endif /* SYMBOLIZER_H */
