/* CPython 3.13+'s _Py_DebugOffsets: the first member of _PyRuntime, a
 * self-description of the interpreter's struct layouts for out-of-process
 * tools. Starts with the cookie "xdebugpy" and the uint64 PY_VERSION_HEX. */
#ifndef DEBUG_OFFSETS_H
#define DEBUG_OFFSETS_H

#include <stddef.h>
#include "python/versions.h"

#define PY_DEBUG_COOKIE		"xdebugpy"
#define PY_DEBUG_COOKIE_LEN	8

/* Bytes to read at &_PyRuntime to cover every layout we parse
 * (3.13: 584, 3.14: 760). */
#define PY_DEBUG_OFFSETS_READ	768

/* sizeof(_Py_DebugOffsets) for 3.minor, or 0 if we have no layout for it. */
size_t py_debug_offsets_size(int minor);

/* Parse the first len bytes of a target's _PyRuntime.
 *
 * Sets *major and *minor from the blob's version as soon as the cookie and
 * version are valid (even when the layout is then unsupported). For a
 * supported version, overwrites in *out every offset the blob gives (see
 * debug_offsets.c), starting from *out when it is already the table for
 * that major.minor (the caller pre-fills it from py_version_find), else from
 * py_version_find's table. *out is written only on success.
 *
 * Returns 0 on success;
 *   -EINVAL	bad cookie, implausible version, len too short for the
 *		layout, or an offset that fails validation (does not fit a
 *		uint16, lies outside its struct's size or PYBPFTOP_READ_MAX
 *		where a struct window is read, or is misaligned);
 *   -EOPNOTSUPP valid cookie and version but no layout for it: another
 *		minor, an alpha/beta, or a free-threaded build. */
int py_debug_offsets_parse(const void *buf, size_t len, int *major, int *minor,
			   struct py_version *out);

#endif /* DEBUG_OFFSETS_H */
