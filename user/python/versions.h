/* CPython struct layouts per minor version, as data. */
#ifndef PY_VERSIONS_H
#define PY_VERSIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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
	/* PyCodeObject.co_flags and ._co_firsttraceable (both int), 3.11+;
	 * 0 in a version without them (offset 0 is ob_refcnt: never either).
	 * Read apart from the header when a code object is named, to tell
	 * incomplete frames (py_frame_incomplete()). */
	uint16_t code_flags;
	uint16_t code_firsttraceable;
};

/* How a dict's keys object (PyDictKeysObject) is laid out. */
enum py_dict_layout {
	DICT_LAYOUT_38,		/* 3.8-3.10: Py_ssize_t dk_size; index width from dk_size;
				 * every entry is {hash, key, value} */
	DICT_LAYOUT_311,	/* 3.11+: uint8 dk_log2_size, dk_log2_index_bytes, dk_kind;
				 * {key, value} entries unless dk_kind is DICT_KEYS_GENERAL */
};

/* Where a split dict (ma_values != NULL) keeps its values and their order. */
enum py_split_values {
	SPLIT_VALUES_DENSE,	/* <=3.10: ma_values[i], i < ma_used, in key order */
	SPLIT_VALUES_PREFIX,	/* 3.11, 3.12: order bytes before values[]: the i-th
				 * inserted is values[((uint8_t *)values)[-3 - i]] */
	SPLIT_VALUES_313,	/* 3.13+: {capacity, size, embedded, valid, values[capacity]},
				 * then the order bytes */
};

/* Struct sizes that are the same in every version 3.8-3.14 (gdb sizeof). */
#define PY_DICT_ENTRY_SIZE	24	/* PyDictKeyEntry {me_hash, me_key, me_value} */
#define PY_DICT_UENTRY_SIZE	16	/* PyDictUnicodeEntry {me_key, me_value} (3.11+) */
#define PY_DICT_KEYS_GENERAL	0	/* dk_kind: PyDictKeyEntry entries (3.11+) */
#define PY_SETENTRY_SIZE	16	/* setentry {key, hash} */
#define PY_LONG_SHIFT		30	/* digit is uint32_t, 30 bits used (x86-64) */

/* Kinds of co_localspluskinds (3.11+, Include/internal/pycore_code.h). */
#define PY_CO_FAST_HIDDEN	0x10	/* 3.12+: a comprehension's inlined local (PEP 709) */
#define PY_CO_FAST_LOCAL	0x20
#define PY_CO_FAST_CELL		0x40
#define PY_CO_FAST_FREE		0x80

/* Layouts to read a frame's local variables, render their values and find
 * the GIL holder (dump --locals, the live view's header). User space only. */
struct py_value_offsets {
	/* PyFrameObject.f_localsplus (<=3.10) / _PyInterpreterFrame.localsplus */
	uint16_t frame_localsplus;
	uint8_t localsplus_tagged;	/* 3.14: slots are _PyStackRef, tag in the low bits */
	/* PyCodeObject */
	uint16_t code_nlocals;		/* co_nlocals (<=3.10) / co_nlocalsplus (3.11+), int */
	uint16_t code_varnames;		/* co_varnames (<=3.10) / co_localsplusnames, tuple */
	uint16_t code_localspluskinds;	/* 3.11+: bytes; else NO_OFFSET */
	uint16_t code_cellvars;		/* <=3.10: tuple; else NO_OFFSET */
	uint16_t code_freevars;		/* <=3.10: tuple; else NO_OFFSET */
	uint16_t cell_ref;		/* PyCellObject.ob_ref */
	/* PyLongObject: ob_size (<=3.11: signed digit count) or lv_tag (3.12+:
	 * ndigits << 3 | sign, sign 0 positive, 1 zero, 2 negative) */
	uint16_t long_size;
	uint16_t long_digit;		/* ob_digit / long_value.ob_digit */
	uint8_t long_tagged;		/* long_size is lv_tag */
	uint16_t float_fval;		/* PyFloatObject.ob_fval */
	uint16_t tuple_item;		/* PyTupleObject.ob_item[] (inline) */
	uint16_t list_item;		/* PyListObject.ob_item (PyObject **) */
	/* PyDictObject */
	uint16_t dict_used, dict_keys, dict_values;
	uint8_t dict_layout;		/* enum py_dict_layout */
	uint8_t split_values;		/* enum py_split_values */
	/* PyDictKeysObject */
	uint16_t dk_size;		/* dk_size (Py_ssize_t, <=3.10) / dk_log2_size (uint8) */
	uint16_t dk_log2_index_bytes;	/* uint8, 3.11+ */
	uint16_t dk_kind;		/* uint8, 3.11+ */
	uint16_t dk_nentries;		/* Py_ssize_t */
	uint16_t dk_indices;		/* the index table, then the entries */
	uint16_t dv_values;		/* PyDictValues.values[] */
	/* PySetObject */
	uint16_t set_used, set_mask, set_table;
	/* GIL: struct _gil_runtime_state inside _PyRuntime (<=3.11) or behind
	 * PyInterpreterState.ceval.gil (3.12+, per interpreter) */
	uint16_t runtime_gil;		/* _PyRuntimeState.ceval.gil, or NO_OFFSET */
	uint16_t interp_gil;		/* PyInterpreterState.ceval.gil, or NO_OFFSET */
	uint16_t gil_last_holder;	/* PyThreadState * */
	uint16_t gil_locked;		/* int: -1 not created, 0 free, 1 held */
};

struct py_version {
	int major, minor;
	/* A free-threaded build (PEP 703, --disable-gil, "3.13t"): another
	 * object header, so other layouts, and no GIL. */
	int free_threaded;
	enum py_linetable_kind linetable;
	struct py_offsets bpf;
	struct py_user_offsets user;
	struct py_value_offsets val;
};

/* The registry: one row per supported version, oldest first, each saying
 * where that version's layouts come from. The supported range is the rows'
 * (tests/unit/test_versions.c checks that they are sorted and contiguous). */
struct py_version_row {
	const struct py_version *table;	/* the built-in table: its major.minor is the row's */
	const char *table_from;		/* the build whose DWARF it was dumped from */
	/* 0: the table is the layout. Else the minor of the _Py_DebugOffsets
	 * layout (debug_offsets.c) to parse the target's blob with: what the
	 * blob gives overrides the table, the table gives the rest. */
	int debug_offsets;
};

/* The rows, oldest first; *n is set to their number. */
const struct py_version_row *py_version_rows(size_t *n);

/* The row for major.minor, or NULL when unsupported. */
const struct py_version_row *py_version_row_find(int major, int minor);

/* Free-threaded builds have rows of their own, kept apart from the
 * default builds' (which stay one per minor, sorted and contiguous): the
 * table of a version's free-threaded build, picked when the target's
 * _Py_DebugOffsets says free_threaded = 1. */
const struct py_version_row *py_version_ft_rows(size_t *n);

/* The row for major.minor's default (free_threaded 0) or free-threaded
 * (1) build, or NULL. */
const struct py_version_row *py_version_row_find_build(int major, int minor, int free_threaded);

/* The table for major.minor, or NULL when unsupported. */
const struct py_version *py_version_find(int major, int minor);

/* "CPython 3.8 to 3.14": the supported range, from the first and last rows.
 * Returns buf. */
const char *py_version_range(char *buf, size_t len);

/* One row a line, tab-separated: version, layout, provenance, e.g.
 * "3.13\tdebug-offsets 3.13\ttable from pyenv 3.13.0" (pybpftop
 * --list-versions; the test helpers read it), then the free-threaded rows,
 * their version suffixed with "t" ("3.13t\t..."). 0, or -errno. */
int py_version_list(FILE *f);

#endif /* PY_VERSIONS_H */
