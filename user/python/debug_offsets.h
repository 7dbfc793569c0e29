/* CPython 3.13+'s _Py_DebugOffsets: the first member of _PyRuntime, a
 * self-description of the interpreter's struct layouts for out-of-process
 * tools. Starts with the cookie "xdebugpy" and the uint64 PY_VERSION_HEX. */
#ifndef DEBUG_OFFSETS_H
#define DEBUG_OFFSETS_H

#include <stddef.h>
#include "python/versions.h"

#define PY_DEBUG_COOKIE		"xdebugpy"
#define PY_DEBUG_COOKIE_LEN	8

/* sizeof(_Py_DebugOffsets) in layout 3.minor (the minor a row of
 * versions.c names), or 0 if there is no such layout. */
size_t py_debug_offsets_size(int minor);

/* The bytes to read at &_PyRuntime to parse any row's blob: the largest
 * layout the rows name. */
size_t py_debug_offsets_read_size(void);

/* Check layout 3.minor against itself: every position inside the blob,
 * every field's struct present. 0, or -errno with the reason in why. */
int py_debug_layout_check(int minor, char *why, size_t whylen);

/* Parse the first len bytes of a target's _PyRuntime.
 *
 * Sets *major and *minor from the blob's version as soon as the cookie and
 * version are valid (even when the layout is then unsupported). For a
 * version whose row names a debug-offsets layout, overwrites in *out every
 * offset the blob gives (see debug_offsets.c), starting from *out when it
 * is already the table for that major.minor (the caller pre-fills it from
 * py_version_find), else from the row's table. *out is written only on
 * success.
 *
 * Returns 0 on success, else one of these with the reason in why (when
 * given), naming the check and the blob's member that failed it:
 *   -EINVAL	bad cookie, implausible version, len too short for the
 *		layout, or an offset that fails validation (does not fit a
 *		uint16, lies outside its struct's size or PYBPFTOP_READ_MAX
 *		where a struct window is read, or is misaligned);
 *   -EOPNOTSUPP valid cookie and version but no layout for it: a version
 *		without a row or whose row has no debug-offsets layout, an
 *		alpha/beta, or a free-threaded build. */
int py_debug_offsets_parse(const void *buf, size_t len, int *major, int *minor,
			   struct py_version *out, char *why, size_t whylen);

#endif /* DEBUG_OFFSETS_H */
