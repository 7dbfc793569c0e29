/* Naming walked frames the way the symbolizer does, and comparing a walked
 * stack with the interpreter's own account of it. */
#ifndef REPLAY_COMPARE_H
#define REPLAY_COMPARE_H

#include <stddef.h>
#include "python/versions.h"
#include "proc/remote_mem.h"
#include "snapshot.h"
#include "walker.h"

/* The walked frames [0, n) against the truth's first n frames: 0 when
 * every name, file and line is equal, else -1 with the first difference
 * in why. n is the truth's depth, or less to compare a prefix; the walk
 * must have exactly n frames. */
int compare_stack(const struct remote_mem *m, const struct py_version *v,
		  const struct walker_result *w, const struct snap_thread *t, size_t n,
		  char *why, size_t whylen);

#endif /* REPLAY_COMPARE_H */
