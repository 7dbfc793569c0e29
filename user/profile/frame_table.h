/* The functions and frames that stacks are made of, interned by what they
 * read as: a frame id is all a profile, a heap trace or a snapshot keeps
 * per frame, and this table is all a writer needs to print one.
 *
 * The first ids are reserved. FRAME_UNKNOWN is a code object that could
 * not be read; the others are the marker frames a profile puts at the root
 * of the stacks they describe (an off-CPU sample, a cut stack), so that
 * every writer prints them as frames without knowing why they are there. */
#ifndef FRAME_TABLE_H
#define FRAME_TABLE_H

#include <stdint.h>

struct ft_func {
	char *name;		/* co_qualname (co_name before 3.11), or a marker's name */
	char *file;		/* co_filename as the target sees it; "" for reserved frames */
	int firstline;
	int marker;		/* a marker, not code: frame_table_is_marker() */
};

struct ft_frame {
	uint32_t func;		/* index into funcs */
	int line;		/* -1 when the instruction has no line */
};

/* Reserved frame i is function i, with no file and no line. */
enum frame_reserved {
	FRAME_UNKNOWN,		/* [unknown]: unreadable code */
	FRAME_OFF_CPU,		/* [off-cpu]: --idle, the thread was blocked or waiting */
	FRAME_TRUNCATED,	/* [truncated]: deeper than --max-depth, root frames missing */
	FRAME_PARTIAL,		/* [partial]: a frame read failed, root frames missing */
	FRAME_RESERVED,		/* the first id of a real frame */
};

struct ft_intern;

/* The table is fed by the target (every name it compiles), so it has a
 * budget too: past it, new functions and frames are FRAME_UNKNOWN's, and
 * counted. Far more than a real program's sampled functions. */
#define FRAME_TABLE_MAX_FUNCS	262144
#define FRAME_TABLE_MAX_FRAMES	1048576
#define FRAME_TABLE_MAX_BYTES	(64u << 20)	/* of names and files */

struct frame_table {
	struct ft_func *funcs;
	struct ft_frame *frames;
	uint32_t nfuncs, nframes, funcs_cap, frames_cap;
	struct ft_intern *func_ids, *frame_ids;
	size_t name_bytes;
	uint64_t over_budget;		/* functions and frames refused for the budget */
};

/* What the table takes from the heap, near enough: the names twice (the
 * strings and the interning key), each entry's own structs and its
 * allocator overhead, and the arrays' capacity. A table of short names
 * costs several times its name bytes: a budget on memory counts this. */
size_t frame_table_bytes(const struct frame_table *t);

/* The table with the reserved frames only: 0, or -ENOMEM. */
int frame_table_init(struct frame_table *t);
void frame_table_free(struct frame_table *t);

/* The frame "[interpreter N]" for a subinterpreter's stacks (N its
 * PyInterpreterState.id), added if new: a marker at the stack's root,
 * right under the thread (see docs/design.md, "Subinterpreters"). */
uint32_t frame_table_interpreter(struct frame_table *t, int64_t interp_id);

/* The same frame if it was added, else FRAME_UNKNOWN. */
uint32_t frame_table_interpreter_find(const struct frame_table *t, int64_t interp_id);

/* The id of function (name, file, firstline) and of frame (func, line),
 * added if new; FRAME_UNKNOWN's function / frame when out of memory. */
uint32_t frame_table_func(struct frame_table *t, const char *name, const char *file, int firstline);
uint32_t frame_table_frame(struct frame_table *t, uint32_t func, int line);

/* Lookups by id. An id the table does not hold reads as FRAME_UNKNOWN:
 * the one place ids are checked, so that no writer indexes past the end.
 * frame_table_id() is that check, for writers that keep arrays by id. */
static inline uint32_t frame_table_id(const struct frame_table *t, uint32_t frame)
{
	return frame < t->nframes ? frame : FRAME_UNKNOWN;
}

/* Inline: the writers call them for every frame of every stack. */
static inline const struct ft_frame *frame_table_frame_at(const struct frame_table *t, uint32_t frame)
{
	return &t->frames[frame_table_id(t, frame)];
}

static inline const struct ft_func *frame_table_func_at(const struct frame_table *t, uint32_t func)
{
	return &t->funcs[func < t->nfuncs ? func : FRAME_UNKNOWN];
}

static inline const struct ft_func *frame_table_func_of(const struct frame_table *t, uint32_t frame)
{
	return frame_table_func_at(t, frame_table_frame_at(t, frame)->func);
}

/* The frame's line, or its function's first line when it has none. */
static inline int frame_table_line(const struct frame_table *t, uint32_t frame)
{
	const struct ft_frame *f = frame_table_frame_at(t, frame);

	return f->line >= 0 ? f->line : frame_table_func_at(t, f->func)->firstline;
}

/* A marker frame ([off-cpu], [truncated], [partial]), or its function:
 * printed as a name only, and not a function of the program in
 * per-function tables. */
static inline int frame_is_marker(uint32_t frame)
{
	return frame >= FRAME_OFF_CPU && frame < FRAME_RESERVED;
}

/* A reserved marker or an interpreter's frame: left out of per-function
 * tables like a marker. */
static inline int frame_table_is_marker(const struct frame_table *t, uint32_t frame)
{
	return frame_table_func_of(t, frame)->marker;
}

#endif /* FRAME_TABLE_H */
