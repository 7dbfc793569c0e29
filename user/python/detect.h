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

#endif /* PY_DETECT_H */
