/* Rendering a Python object in another process the way repr() would.
 *
 * For `dump --locals`: None, bool, int, float, str, bytes, tuple, list,
 * dict, set and frozenset are rendered as Python's repr() renders them;
 * anything else as `<tp_name object at 0x...>` (no user __repr__ can run:
 * the target is never executed). Types are recognised by address (struct
 * py_builtins), never by name.
 *
 * The target is untrusted (see code_reader.h): every read is checked and
 * counted, every size capped, nesting and item counts bounded, cycles cut
 * as Python does (`[...]`). An object that cannot be read, or whose fields
 * contradict each other, is rendered as `<unreadable 0x...>`, never as a
 * plausible value. Output past a bound ends in `...`. */
#ifndef PY_REPR_H
#define PY_REPR_H

#include <stddef.h>
#include <stdint.h>
#include "python/builtins.h"
#include "python/versions.h"
#include "proc/remote_mem.h"

#define PY_REPR_MAX_ITEMS	64	/* items shown per container, then ... */
#define PY_REPR_MAX_DEPTH	8	/* containers nested, then ... */
#define PY_REPR_MAX_CHARS	200	/* characters shown per str or bytes, then ... */
#define PY_REPR_MAX_DIGITS	256	/* 30-bit digits of an int shown exactly (~2300 decimal digits) */
#define PY_REPR_MAX_SCAN	4096	/* dict entries or set slots read per container */
#define PY_REPR_MAX_READS	4096	/* reads of target memory per py_repr call */

/* What rendering needs: the target's memory, its layouts, its built-ins. */
struct py_repr_ctx {
	const struct remote_mem *mem;
	const struct py_version *v;
	const struct py_builtins *b;
};

/* Renders the object at addr into buf[0..cap) as NUL-terminated UTF-8.
 * addr 0 renders as `<NULL>`. Output that does not fit (or that a bound
 * stops) ends in `...`. Returns the length written (without the NUL), or
 * -EINVAL when cap < 8. */
int py_repr(const struct py_repr_ctx *c, uint64_t addr, char *buf, size_t cap);

/* Python's repr() of a float (the shortest string that reads back as the
 * same double; exponent form outside 1e-4 <= |x| < 1e16), into buf (cap >=
 * 32). Returns its length. */
int py_float_repr(double x, char *buf, size_t cap);

#endif /* PY_REPR_H */
