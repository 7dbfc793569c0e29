/* The local variables of a Python frame in another process.
 *
 * A frame's variables live in its "localsplus" array, described by its
 * code object:
 *   <=3.10  PyFrameObject.f_localsplus: co_nlocals fast locals (names in
 *           co_varnames), then one cell per co_cellvars, then one per
 *           co_freevars;
 *   3.11+   _PyInterpreterFrame.localsplus: co_nlocalsplus slots, named by
 *           co_localsplusnames, each with a kind byte in
 *           co_localspluskinds (local, cell, free; 3.12+ hidden);
 *   3.14    the slots are _PyStackRef: tagged in their low bits.
 * Cells and free variables are read through their cell (ob_ref).
 * The code object is untrusted like the rest (see code_reader.h). */
#ifndef FRAME_LOCALS_H
#define FRAME_LOCALS_H

#include <stddef.h>
#include <stdint.h>
#include "python/builtins.h"
#include "python/versions.h"
#include "proc/remote_mem.h"

#define PY_LOCALS_SANE		65536	/* a code object declaring more is garbage */
#define PY_LOCAL_NAME_MAX	128	/* bytes of a name kept, with its NUL */

enum py_local_kind {
	PY_LOCAL_FAST,		/* a plain local variable (or argument) */
	PY_LOCAL_CELL,		/* a local captured by an inner function */
	PY_LOCAL_FREE,		/* a variable of an enclosing function */
};

struct py_local {
	char name[PY_LOCAL_NAME_MAX];	/* UTF-8, cut at a character boundary */
	enum py_local_kind kind;
	int hidden;		/* 3.12+: a comprehension's inlined variable (PEP 709) */
	uint64_t value;		/* the object (cells dereferenced); 0: unbound or err */
	int err;		/* 0, or -errno: this slot or its cell could not be read
				 * or does not hold an object */
};

/* Lists the variables of the frame at frame (a PyFrameObject on <=3.10, a
 * _PyInterpreterFrame on 3.11+) whose code object is at code, in the code
 * object's order, into out[0..max). *total gets how many the code object
 * declares (more than max means the list was cut). Returns how many were
 * written, or -errno when the code object cannot be read or is not
 * consistent (-EINVAL) or the frame's slots cannot be read (-EFAULT). */
int py_frame_locals(const struct remote_mem *m, const struct py_version *v,
		    const struct py_builtins *b, uint64_t frame, uint64_t code,
		    struct py_local *out, size_t max, size_t *total);

#endif /* FRAME_LOCALS_H */
