/* CPython struct layouts per minor version, as data. */
#ifndef PY_VERSIONS_H
#define PY_VERSIONS_H

#include <stdint.h>
#include <linux/types.h>
#include "pybpftop.h"

/* How a code object maps instructions to lines. */
enum py_linetable_kind {
	LINETABLE_LNOTAB,	/* <=3.9: co_lnotab, (byte delta, line delta) pairs */
	LINETABLE_310,		/* 3.10: co_linetable, PEP 626 pairs */
	LINETABLE_LOCATIONS,	/* 3.11+: location table, varint entries */
};

/* Layouts that only user space reads (code objects, strings, types). */
struct py_user_offsets {
	/* PyObject / PyVarObject */
	uint16_t ob_type;
	uint16_t ob_size;
	/* PyTypeObject.tp_name (const char *) */
	uint16_t type_tp_name;
	/* PyCodeObject */
	uint16_t code_filename;
	uint16_t code_name;
	uint16_t code_qualname;		/* NO_OFFSET before 3.11 */
	uint16_t code_firstlineno;	/* int */
	uint16_t code_linetable;	/* co_lnotab (<=3.9) / co_linetable (3.10+), a bytes object */
	uint16_t code_size;		/* bytes to read to cover all the fields above */
	/* PyBytesObject */
	uint16_t bytes_sval;		/* ob_sval; the length is ob_size */
	/* PyASCIIObject / PyCompactUnicodeObject */
	uint16_t unicode_length;	/* Py_ssize_t length */
	uint16_t unicode_state;		/* the state bit field */
	uint16_t unicode_ascii_size;	/* sizeof(PyASCIIObject): ASCII data follows */
	uint16_t unicode_compact_size;	/* sizeof(PyCompactUnicodeObject): other data follows */
	uint8_t unicode_kind_shift;	/* state bits: kind:3 */
	uint8_t unicode_compact_shift;	/* compact:1 */
	uint8_t unicode_ascii_shift;	/* ascii:1 */
};

struct py_version {
	int major, minor;
	enum py_linetable_kind linetable;
	struct py_offsets bpf;
	struct py_user_offsets user;
};

/* The table for major.minor, or NULL when unsupported. */
const struct py_version *py_version_find(int major, int minor);

#define PY_MIN_MINOR 8
#define PY_MAX_MINOR 14

#endif /* PY_VERSIONS_H */
