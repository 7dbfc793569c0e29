/* The pieces of CPython version detection that need no process: each step
 * of the fallback chain in target.c turns one kind of evidence into a
 * major.minor pair. All return 0 when they recognise a version. */
#ifndef PY_DETECT_H
#define PY_DETECT_H

#include <stddef.h>
#include <stdint.h>

/* PY_VERSION_HEX, as in Py_Version (3.11+) and _Py_DebugOffsets.version. */
int py_version_from_hex(uint64_t hex, int *major, int *minor);

/* A file name: python3.11, libpython3.8.so.1.0, libpython3.14d.so, ... */
int py_version_from_name(const char *path, int *major, int *minor);

/* A NUL-separated string table holding the PY_VERSION literal "3.X.Y". */
int py_version_from_rodata(const void *buf, size_t len, int *major, int *minor);

/* The PY_VERSION literal of a known major.minor ("3.10.13", "3.10.0rc2",
 * "3.10.0a1+") in a NUL-separated string table, into out (at least
 * PY_VERSION_STR_MAX bytes). A whole string is the literal; without one,
 * the literal was merged by the linker into the tail of a longer string
 * that ends the same way (pyenv's prefix "/root/.pyenv/versions/3.10.13"),
 * and a tail after a character that cannot be part of a version counts.
 * Every candidate of the first kind found must agree, else -ENOENT. */
#define PY_VERSION_STR_MAX	16
int py_version_full_from_rodata(const void *buf, size_t len, int major, int minor,
				char *out, size_t outlen);

#endif /* PY_DETECT_H */
