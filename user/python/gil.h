/* Which thread holds a target's GIL, for the live view's header and dump.
 *
 * struct _gil_runtime_state { interval; last_holder; locked; ... } is
 * _PyRuntime.ceval.gil up to 3.11 and, since 3.12 (per-interpreter GIL),
 * behind the pointer PyInterpreterState.ceval.gil: a subinterpreter made
 * with its own GIL (concurrent.interpreters' default) points to its own,
 * one made without points to the main interpreter's. `locked` is -1 until
 * the GIL is created, then 0 or 1; while it is 1, last_holder is the
 * PyThreadState holding it. */
#ifndef PY_GIL_H
#define PY_GIL_H

#include <stdint.h>
#include "python/target.h"

/* A free-threaded build (3.13t, 3.14t) has no GIL to hold. */
#define PY_GIL_NONE	2

/* 1 and the holder's PyThreadState address in *tstate when the main
 * interpreter's GIL is held, 0 when it is free (or not created yet),
 * PY_GIL_NONE for a free-threaded build (*tstate 0), -errno when it cannot
 * be read or its state makes no sense (-EINVAL). */
int py_gil_holder(struct py_target *t, uint64_t *tstate);

/* The same from parts, for tests: runtime is &_PyRuntime. */
int py_gil_holder_at(const struct remote_mem *m, const struct py_version *v,
		     uint64_t runtime, uint64_t *tstate);

/* One GIL of a process, and the interpreters' it is. */
struct py_gil {
	uint64_t addr;		/* its struct _gil_runtime_state */
	int64_t interp_id;	/* the first interpreter seen to use it */
	int held;		/* 1 held by holder, 0 free, -errno unreadable,
				 * PY_GIL_NONE: a free-threaded build (the only entry) */
	uint64_t holder;	/* PyThreadState, when held */
};

/* Every distinct GIL of the process's interpreters (at most max; one up
 * to 3.11, and for interpreters that share the main one's), the main
 * interpreter's first: their number, or -errno when the interpreter list
 * cannot be read. */
int py_gils(struct py_target *t, struct py_gil *out, int max);
int py_gils_at(const struct remote_mem *m, const struct py_version *v, uint64_t runtime,
	       struct py_gil *out, int max);

#endif /* PY_GIL_H */
