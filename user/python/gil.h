/* Which thread holds a target's GIL, for the live view's header.
 *
 * struct _gil_runtime_state { interval; last_holder; locked; ... } is
 * _PyRuntime.ceval.gil up to 3.11 and, since 3.12 (per-interpreter GIL),
 * behind the pointer PyInterpreterState.ceval.gil. `locked` is -1 until
 * the GIL is created, then 0 or 1; while it is 1, last_holder is the
 * PyThreadState holding it. The interpreter read is the head of
 * _PyRuntime.interpreters, as for the BPF walker. */
#ifndef PY_GIL_H
#define PY_GIL_H

#include <stdint.h>
#include "python/target.h"

/* A free-threaded build (3.13t, 3.14t) has no GIL to hold. */
#define PY_GIL_NONE	2

/* 1 and the holder's PyThreadState address in *tstate when the GIL is held,
 * 0 when it is free (or not created yet), PY_GIL_NONE for a free-threaded
 * build (*tstate 0), -errno when it cannot be read or its state makes no
 * sense (-EINVAL). */
int py_gil_holder(struct py_target *t, uint64_t *tstate);

/* The same from parts, for tests: runtime is &_PyRuntime. */
int py_gil_holder_at(const struct remote_mem *m, const struct py_version *v,
		     uint64_t runtime, uint64_t *tstate);

#endif /* PY_GIL_H */
