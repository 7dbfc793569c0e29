/* CPython struct layouts per minor version (x86-64, default non-debug GIL
 * build), as data, and the registry of supported versions (the rows at the
 * end of this file).
 *
 * Every table was produced by tools/dump-offsets.sh from the DWARF of a real
 * build, then commented by hand; its row names that build. CPython only
 * changes these internal structs between minor versions (the 3.13+
 * _PyRuntimeState comment: "only guaranteed to be stable between patch
 * versions"); for the rows with a debug-offsets layout (3.13+), the
 * _Py_DebugOffsets in the target process overrides most of the table anyway
 * (debug_offsets.c).
 *
 * The .val tables (locals, values, GIL) were produced the same way (the
 * second half of tools/dump-offsets.sh's output) and checked live by
 * tests/unit/test_py_repr.c against every interpreter the rows name.
 *
 * Free-threaded (3.13t/3.14t) and Py_TRACE_REFS builds have other layouts
 * and are not described here. Py_DEBUG builds (without Py_TRACE_REFS, as
 * Debian's python3.X-dbg are) have the release layout for every field in
 * these tables: tools/dump-offsets.sh prints the same table for Debian's
 * python3.11d and sid's python3.13d, 3.14d and 3.15d as for their release
 * builds.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "python/versions.h"

/* Fields common to every version we support. */
#define PYOBJECT_USER \
	.ob_type = 8,		/* PyObject.ob_type (after ob_refcnt) */ \
	.ob_size = 16,		/* PyVarObject.ob_size */ \
	.type_tp_name = 24,	/* PyTypeObject.tp_name (after ob_base) */ \
	.bytes_sval = 32	/* PyBytesObject.ob_sval (after ob_shash) */

/* PyASCIIObject { ob_base; length; hash; state; [wstr <=3.11] }: the
 * `state` bit field is interned:2, kind:3, compact:1, ascii:1, then
 * ready:1 (<=3.11) or statically_allocated:1 (3.12+). Bits are allocated
 * from bit 0 upward (GCC, little-endian). In 3.14 `interned` is still :2 in
 * GIL builds (it is an unsigned char only with Py_GIL_DISABLED), so the
 * shifts are the same everywhere. */
#define UNICODE_STATE \
	.unicode_length = 16,	/* PyASCIIObject.length */ \
	.unicode_state = 32,	/* PyASCIIObject.state */ \
	.unicode_kind_shift = 2,	/* state.kind */ \
	.unicode_compact_shift = 5,	/* state.compact */ \
	.unicode_ascii_shift = 6	/* state.ascii */

/* Value layouts common to every version we support (gdb on each build). */
#define VALUE_COMMON \
	.cell_ref = 16,		/* PyCellObject.ob_ref */ \
	.float_fval = 16,	/* PyFloatObject.ob_fval */ \
	.list_item = 24,	/* PyListObject.ob_item */ \
	.dict_used = 16,	/* PyDictObject.ma_used */ \
	.dict_keys = 32,	/* PyDictObject.ma_keys */ \
	.dict_values = 40,	/* PyDictObject.ma_values */ \
	.set_used = 24,		/* PySetObject.used */ \
	.set_mask = 32,		/* PySetObject.mask */ \
	.set_table = 40,	/* PySetObject.table */ \
	.gil_last_holder = 8,	/* _gil_runtime_state.last_holder */ \
	.gil_locked = 16	/* _gil_runtime_state.locked */

/* 3.8-3.10: the fast locals, then the cells, then the free variables, all
 * in f_localsplus; PyDictKeysObject with dk_size. */
#define VALUE_38 \
	VALUE_COMMON, \
	.localsplus_tagged = 0, \
	.code_nlocals = 28,	/* PyCodeObject.co_nlocals */ \
	.code_varnames = 72,	/* PyCodeObject.co_varnames */ \
	.code_localspluskinds = PYBPFTOP_NO_OFFSET, \
	.code_cellvars = 88,	/* PyCodeObject.co_cellvars */ \
	.code_freevars = 80,	/* PyCodeObject.co_freevars */ \
	.long_size = 16,	/* PyLongObject.ob_base.ob_size */ \
	.long_digit = 24,	/* PyLongObject.ob_digit */ \
	.long_tagged = 0, \
	.tuple_item = 24,	/* PyTupleObject.ob_item */ \
	.dict_layout = DICT_LAYOUT_38, \
	.split_values = SPLIT_VALUES_DENSE, \
	.dk_size = 8,		/* PyDictKeysObject.dk_size */ \
	.dk_log2_index_bytes = PYBPFTOP_NO_OFFSET, \
	.dk_kind = PYBPFTOP_NO_OFFSET, \
	.dk_nentries = 32,	/* PyDictKeysObject.dk_nentries */ \
	.dk_indices = 40,	/* PyDictKeysObject.dk_indices */ \
	.dv_values = 0,		/* ma_values is the array itself */ \
	.interp_gil = PYBPFTOP_NO_OFFSET	/* the GIL is in _PyRuntime */

/* 3.11+: co_localsplusnames/kinds, PyDictKeysObject with dk_log2_size. */
#define VALUE_311 \
	VALUE_COMMON, \
	.code_varnames = 96,	/* PyCodeObject.co_localsplusnames */ \
	.code_localspluskinds = 104,	/* PyCodeObject.co_localspluskinds */ \
	.code_cellvars = PYBPFTOP_NO_OFFSET, \
	.code_freevars = PYBPFTOP_NO_OFFSET, \
	.long_size = 16,	/* ob_size (3.11) / long_value.lv_tag */ \
	.long_digit = 24,	/* ob_digit / long_value.ob_digit */ \
	.dict_layout = DICT_LAYOUT_311, \
	.dk_size = 8,		/* PyDictKeysObject.dk_log2_size */ \
	.dk_log2_index_bytes = 9,	/* PyDictKeysObject.dk_log2_index_bytes */ \
	.dk_kind = 10,		/* PyDictKeysObject.dk_kind */ \
	.dk_nentries = 24,	/* PyDictKeysObject.dk_nentries */ \
	.dk_indices = 32	/* PyDictKeysObject.dk_indices */

/* 3.8 and 3.9: PyFrameObject chain from PyThreadState.frame, f_lasti in
 * bytes, co_lnotab. */
static const struct py_version py38 = {
	.major = 3,
	.minor = 8,
	.linetable = LINETABLE_LNOTAB,
	.bpf = {
		.runtime_interpreters_head = 32,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 8,	/* PyInterpreterState.tstate_head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 176,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = PYBPFTOP_NO_OFFSET,	/* added in 3.11 */
		.tstate_frame = 24,		/* PyThreadState.frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,
		.frame_previous = 24,		/* PyFrameObject.f_back */
		.frame_code = 32,		/* PyFrameObject.f_code */
		.frame_lasti = 104,		/* PyFrameObject.f_lasti (int) */
		.frame_owner = PYBPFTOP_NO_OFFSET,
		.code_adaptive = PYBPFTOP_NO_OFFSET,
		.lasti_kind = LASTI_BYTES,
		.owner_cstack = PYBPFTOP_NO_OWNER,
		.owner_interpreter = PYBPFTOP_NO_OWNER,
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 104,		/* PyCodeObject.co_filename */
		.code_name = 112,		/* PyCodeObject.co_name */
		.code_qualname = PYBPFTOP_NO_OFFSET,	/* added in 3.11 */
		.code_firstlineno = 40,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 120,		/* PyCodeObject.co_lnotab */
		.code_size = 128,		/* end of co_lnotab */
		UNICODE_STATE,
		.unicode_ascii_size = 48,	/* sizeof(PyASCIIObject), with wstr */
		.unicode_compact_size = 72,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_38,
		.frame_localsplus = 360,	/* PyFrameObject.f_localsplus */
		.runtime_gil = 1152,		/* _PyRuntimeState.ceval.gil */
	},
};

/* Same layout as 3.8 for everything we read. */
static const struct py_version py39 = {
	.major = 3,
	.minor = 9,
	.linetable = LINETABLE_LNOTAB,
	.bpf = {
		.runtime_interpreters_head = 32,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 8,	/* PyInterpreterState.tstate_head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 176,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = PYBPFTOP_NO_OFFSET,	/* added in 3.11 */
		.tstate_frame = 24,		/* PyThreadState.frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,
		.frame_previous = 24,		/* PyFrameObject.f_back */
		.frame_code = 32,		/* PyFrameObject.f_code */
		.frame_lasti = 104,		/* PyFrameObject.f_lasti (int) */
		.frame_owner = PYBPFTOP_NO_OFFSET,
		.code_adaptive = PYBPFTOP_NO_OFFSET,
		.lasti_kind = LASTI_BYTES,
		.owner_cstack = PYBPFTOP_NO_OWNER,
		.owner_interpreter = PYBPFTOP_NO_OWNER,
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 104,		/* PyCodeObject.co_filename */
		.code_name = 112,		/* PyCodeObject.co_name */
		.code_qualname = PYBPFTOP_NO_OFFSET,	/* added in 3.11 */
		.code_firstlineno = 40,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 120,		/* PyCodeObject.co_lnotab */
		.code_size = 128,		/* end of co_lnotab */
		UNICODE_STATE,
		.unicode_ascii_size = 48,	/* sizeof(PyASCIIObject), with wstr */
		.unicode_compact_size = 72,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_38,
		.frame_localsplus = 360,	/* PyFrameObject.f_localsplus */
		.runtime_gil = 352,		/* _PyRuntimeState.ceval.gil */
	},
};

/* 3.10: f_lasti now counts 2-byte code units (PyFrameObject lost
 * f_lasti's old slot: 104 -> 96), co_lnotab replaced by co_linetable
 * (PEP 626). PyThreadState gained a `cframe` (CFrame: use_tracing,
 * previous) but the frame chain is still PyThreadState.frame. */
static const struct py_version py310 = {
	.major = 3,
	.minor = 10,
	.linetable = LINETABLE_310,
	.bpf = {
		.runtime_interpreters_head = 32,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 8,	/* PyInterpreterState.tstate_head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 176,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = PYBPFTOP_NO_OFFSET,	/* added in 3.11 */
		.tstate_frame = 24,		/* PyThreadState.frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,	/* 3.10's CFrame has no frame */
		.frame_previous = 24,		/* PyFrameObject.f_back */
		.frame_code = 32,		/* PyFrameObject.f_code */
		.frame_lasti = 96,		/* PyFrameObject.f_lasti (int, code units) */
		.frame_owner = PYBPFTOP_NO_OFFSET,
		.code_adaptive = PYBPFTOP_NO_OFFSET,
		.lasti_kind = LASTI_UNITS,
		.owner_cstack = PYBPFTOP_NO_OWNER,
		.owner_interpreter = PYBPFTOP_NO_OWNER,
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 104,		/* PyCodeObject.co_filename */
		.code_name = 112,		/* PyCodeObject.co_name */
		.code_qualname = PYBPFTOP_NO_OFFSET,	/* added in 3.11 */
		.code_firstlineno = 40,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 120,		/* PyCodeObject.co_linetable */
		.code_size = 128,		/* end of co_linetable */
		UNICODE_STATE,
		.unicode_ascii_size = 48,	/* sizeof(PyASCIIObject), with wstr */
		.unicode_compact_size = 72,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_38,
		.frame_localsplus = 352,	/* PyFrameObject.f_localsplus */
		.runtime_gil = 352,		/* _PyRuntimeState.ceval.gil */
	},
};

/* 3.11: _PyInterpreterFrame, reached through PyThreadState.cframe ->
 * _PyCFrame.current_frame (_PyCFrame is {uint8_t use_tracing;
 * current_frame; previous}). PyInterpreterState.tstate_head became
 * threads.head. prev_instr points at the last instruction started (for a
 * caller frame: the last cache entry of its CALL). enum _frameowner is
 * THREAD=0, GENERATOR=1, FRAME_OBJECT=2 only: 3.11 has no C-stack shim
 * frames; an entry frame is a real frame with `bool is_entry` (offset 68)
 * set, so nothing is skipped. Frames whose prev_instr is still before
 * _co_firsttraceable are "incomplete" (being set up). */
static const struct py_version py311 = {
	.major = 3,
	.minor = 11,
	.linetable = LINETABLE_LOCATIONS,
	.bpf = {
		.runtime_interpreters_head = 40,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 16,	/* PyInterpreterState.threads.head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 152,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = 160,	/* PyThreadState.native_thread_id */
		.tstate_frame = 56,		/* PyThreadState.cframe */
		.cframe_current_frame = 8,	/* _PyCFrame.current_frame */
		.frame_previous = 48,		/* _PyInterpreterFrame.previous */
		.frame_code = 32,		/* _PyInterpreterFrame.f_code */
		.frame_lasti = 56,		/* _PyInterpreterFrame.prev_instr */
		.frame_owner = 69,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 184,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = PYBPFTOP_NO_OWNER,	/* FRAME_OWNED_BY_CSTACK: 3.12+ */
		.owner_interpreter = PYBPFTOP_NO_OWNER,
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 112,		/* PyCodeObject.co_filename */
		.code_name = 120,		/* PyCodeObject.co_name */
		.code_qualname = 128,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 72,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 136,		/* PyCodeObject.co_linetable */
		.code_size = 144,		/* end of co_linetable */
		UNICODE_STATE,
		.unicode_ascii_size = 48,	/* sizeof(PyASCIIObject), with wstr */
		.unicode_compact_size = 72,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_311,
		.frame_localsplus = 72,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 0,
		.code_nlocals = 76,		/* PyCodeObject.co_nlocalsplus */
		.long_tagged = 0,		/* ob_size */
		.tuple_item = 24,		/* PyTupleObject.ob_item */
		.split_values = SPLIT_VALUES_PREFIX,
		.dv_values = 0,			/* PyDictValues.values */
		.runtime_gil = 360,		/* _PyRuntimeState.ceval.gil */
		.interp_gil = PYBPFTOP_NO_OFFSET,
	},
};

/* 3.12: _PyInterpreterFrame reordered (f_code first, previous second,
 * owner 69 -> 70), _PyCFrame lost use_tracing (current_frame 8 -> 0),
 * threads.head moved (16 -> 72), co_firstlineno 72 -> 68, and the unicode
 * wstr fields were removed (PEP 623: PyASCIIObject 48 -> 40,
 * PyCompactUnicodeObject 72 -> 56). FRAME_OWNED_BY_CSTACK = 3 marks the
 * shim frame that _PyEval_EvalFrameDefault pushes on entry: skip it. */
static const struct py_version py312 = {
	.major = 3,
	.minor = 12,
	.linetable = LINETABLE_LOCATIONS,
	.bpf = {
		.runtime_interpreters_head = 40,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 72,	/* PyInterpreterState.threads.head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 136,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = 144,	/* PyThreadState.native_thread_id */
		.tstate_frame = 56,		/* PyThreadState.cframe */
		.cframe_current_frame = 0,	/* _PyCFrame.current_frame */
		.frame_previous = 8,		/* _PyInterpreterFrame.previous */
		.frame_code = 0,		/* _PyInterpreterFrame.f_code */
		.frame_lasti = 56,		/* _PyInterpreterFrame.prev_instr */
		.frame_owner = 70,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 192,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = 3,		/* FRAME_OWNED_BY_CSTACK */
		.owner_interpreter = PYBPFTOP_NO_OWNER,	/* 3.14+ */
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 112,		/* PyCodeObject.co_filename */
		.code_name = 120,		/* PyCodeObject.co_name */
		.code_qualname = 128,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 68,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 136,		/* PyCodeObject.co_linetable */
		.code_size = 144,		/* end of co_linetable */
		UNICODE_STATE,
		.unicode_ascii_size = 40,	/* sizeof(PyASCIIObject) */
		.unicode_compact_size = 56,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_311,
		.frame_localsplus = 72,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 0,
		.code_nlocals = 72,		/* PyCodeObject.co_nlocalsplus */
		.long_tagged = 1,		/* long_value.lv_tag (new in 3.12, gh-101291) */
		.tuple_item = 24,		/* PyTupleObject.ob_item */
		.split_values = SPLIT_VALUES_PREFIX,
		.dv_values = 0,			/* PyDictValues.values */
		.runtime_gil = PYBPFTOP_NO_OFFSET,	/* per interpreter since 3.12 */
		.interp_gil = 384,		/* PyInterpreterState.ceval.gil */
	},
};

/* 3.13: _PyCFrame removed, PyThreadState.current_frame points at the
 * _PyInterpreterFrame directly; f_code became f_executable (a PyObject *,
 * a code object for every frame we keep); prev_instr became instr_ptr, the
 * instruction being executed (for a caller frame: its CALL instruction
 * itself, no longer the CALL's last cache entry; a frame that has not
 * started points at its first instruction instead of one before it).
 * _PyRuntimeState now starts with _Py_DebugOffsets (584 bytes), hence
 * interpreters.head 40 -> 632; threads.head 72 -> 7344. */
static const struct py_version py313 = {
	.major = 3,
	.minor = 13,
	.linetable = LINETABLE_LOCATIONS,
	.bpf = {
		.runtime_interpreters_head = 632,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 7344,	/* PyInterpreterState.threads.head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 152,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = 160,	/* PyThreadState.native_thread_id */
		.tstate_frame = 72,		/* PyThreadState.current_frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,	/* _PyCFrame gone */
		.frame_previous = 8,		/* _PyInterpreterFrame.previous */
		.frame_code = 0,		/* _PyInterpreterFrame.f_executable */
		.frame_lasti = 56,		/* _PyInterpreterFrame.instr_ptr */
		.frame_owner = 70,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 200,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = 3,		/* FRAME_OWNED_BY_CSTACK */
		.owner_interpreter = PYBPFTOP_NO_OWNER,	/* 3.14+ */
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 112,		/* PyCodeObject.co_filename */
		.code_name = 120,		/* PyCodeObject.co_name */
		.code_qualname = 128,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 68,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 136,		/* PyCodeObject.co_linetable */
		.code_size = 144,		/* end of co_linetable */
		UNICODE_STATE,
		.unicode_ascii_size = 40,	/* sizeof(PyASCIIObject) */
		.unicode_compact_size = 56,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_311,
		.frame_localsplus = 72,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 0,
		.code_nlocals = 72,		/* PyCodeObject.co_nlocalsplus */
		.long_tagged = 1,		/* long_value.lv_tag */
		.tuple_item = 24,		/* PyTupleObject.ob_item */
		.split_values = SPLIT_VALUES_313,
		.dv_values = 8,			/* PyDictValues.values, after capacity..valid */
		.runtime_gil = PYBPFTOP_NO_OFFSET,
		.interp_gil = 16,		/* PyInterpreterState.ceval.gil */
	},
};

/* 3.14: f_executable is now a _PyStackRef (union { uintptr_t bits; }):
 * the low bit is a tag (Py_TAG_BITS = 1: Py_TAG_REFCNT, a borrowed or
 * immortal reference; seen live: the entry frame's Py_None is 0x...b1), so
 * the code pointer is f_executable & ~7 (objects are at least 8-byte
 * aligned; 3.15 widens Py_TAG_BITS to 3). _PyInterpreterFrame gained
 * stackpointer, so owner moved 70 -> 74 (sizeof 80 -> 88). The enum was
 * renumbered:
 * FRAME_OWNED_BY_INTERPRETER = 3 (the entry frame that
 * _PyEval_EvalFrameDefault pushes, owner CSTACK in 3.12/3.13) and
 * FRAME_OWNED_BY_CSTACK = 4: skip both (CPython skips owner >= 3).
 * _Py_DebugOffsets grew to 760 bytes (interpreters.head 632 -> 808);
 * co_code_adaptive 200 -> 208. Verified against Debian sid's 3.14.10 DWARF. */
static const struct py_version py314 = {
	.major = 3,
	.minor = 14,
	.linetable = LINETABLE_LOCATIONS,
	.bpf = {
		.runtime_interpreters_head = 808,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 7344,	/* PyInterpreterState.threads.head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 152,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = 160,	/* PyThreadState.native_thread_id */
		.tstate_frame = 72,		/* PyThreadState.current_frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,
		.frame_previous = 8,		/* _PyInterpreterFrame.previous */
		.frame_code = 0,		/* _PyInterpreterFrame.f_executable (tagged) */
		.frame_lasti = 56,		/* _PyInterpreterFrame.instr_ptr */
		.frame_owner = 74,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 208,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = 4,		/* FRAME_OWNED_BY_CSTACK */
		.owner_interpreter = 3,		/* FRAME_OWNED_BY_INTERPRETER */
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 112,		/* PyCodeObject.co_filename */
		.code_name = 120,		/* PyCodeObject.co_name */
		.code_qualname = 128,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 68,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 136,		/* PyCodeObject.co_linetable */
		.code_size = 144,		/* end of co_linetable */
		UNICODE_STATE,
		.unicode_ascii_size = 40,	/* sizeof(PyASCIIObject) */
		.unicode_compact_size = 56,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_311,
		.frame_localsplus = 80,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 1,		/* _PyStackRef */
		.code_nlocals = 72,		/* PyCodeObject.co_nlocalsplus */
		.long_tagged = 1,		/* long_value.lv_tag */
		.tuple_item = 32,		/* PyTupleObject.ob_item, after ob_hash (new in 3.14) */
		.split_values = SPLIT_VALUES_313,
		.dv_values = 8,			/* PyDictValues.values */
		.runtime_gil = PYBPFTOP_NO_OFFSET,
		.interp_gil = 16,		/* PyInterpreterState.ceval.gil */
	},
};

/* 3.15: the enum lost FRAME_OWNED_BY_CSTACK (THREAD=0, GENERATOR=1,
 * FRAME_OWNED_BY_FRAME_OBJECT=2, FRAME_OWNED_BY_INTERPRETER=3 only): the
 * entry frame that _PyEval_EvalFrameDefault pushes and the thread's
 * base_frame (new in _PyThreadStateImpl: the sentinel at the bottom of every
 * thread's frame chain) are both owned by the interpreter, and skipped.
 * _PyStackRef's Py_TAG_BITS is 3 (Py_TAG_REFCNT 1, Py_TAG_INVALID 2,
 * Py_INT_TAG 3): the walker's & ~7 and frame_locals' checks already cover
 * it. PyThreadState grew before thread_id (152 -> 176); _Py_DebugOffsets
 * grew to 888 bytes (interpreters.head 808 -> 936); threads.head 7344 ->
 * 7336. The code object, frame, string, long, tuple, dict and set layouts
 * we read are 3.14's; so is the location table format. Verified against
 * Debian sid's 3.15.2 DWARF (python3.15-dbg's symbols). */
static const struct py_version py315 = {
	.major = 3,
	.minor = 15,
	.linetable = LINETABLE_LOCATIONS,
	.bpf = {
		.runtime_interpreters_head = 936,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 7336,	/* PyInterpreterState.threads.head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 176,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = 184,	/* PyThreadState.native_thread_id */
		.tstate_frame = 72,		/* PyThreadState.current_frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,
		.frame_previous = 8,		/* _PyInterpreterFrame.previous */
		.frame_code = 0,		/* _PyInterpreterFrame.f_executable (tagged) */
		.frame_lasti = 56,		/* _PyInterpreterFrame.instr_ptr */
		.frame_owner = 74,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 208,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = PYBPFTOP_NO_OWNER,	/* FRAME_OWNED_BY_CSTACK is gone */
		.owner_interpreter = 3,		/* FRAME_OWNED_BY_INTERPRETER */
	},
	.user = {
		PYOBJECT_USER,
		.code_filename = 112,		/* PyCodeObject.co_filename */
		.code_name = 120,		/* PyCodeObject.co_name */
		.code_qualname = 128,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 68,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 136,		/* PyCodeObject.co_linetable */
		.code_size = 144,		/* end of co_linetable */
		UNICODE_STATE,
		.unicode_ascii_size = 40,	/* sizeof(PyASCIIObject) */
		.unicode_compact_size = 56,	/* sizeof(PyCompactUnicodeObject) */
	},
	.val = {
		VALUE_311,
		.frame_localsplus = 80,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 1,		/* _PyStackRef */
		.code_nlocals = 72,		/* PyCodeObject.co_nlocalsplus */
		.long_tagged = 1,		/* long_value.lv_tag */
		.tuple_item = 32,		/* PyTupleObject.ob_item, after ob_hash */
		.split_values = SPLIT_VALUES_313,
		.dv_values = 8,			/* PyDictValues.values */
		.runtime_gil = PYBPFTOP_NO_OFFSET,
		.interp_gil = 16,		/* PyInterpreterState.ceval.gil */
	},
};

/* The registry. Adding a version is adding its table above and its row
 * here (and, where the version changes _Py_DebugOffsets, a layout in
 * debug_offsets.c); the supported range, --list-versions and the test
 * helpers follow from the rows. */
static const struct py_version_row rows[] = {
	{ &py38, "pyenv 3.8.18 (libpython3.8.so.1.0)", 0 },
	{ &py39, "pyenv 3.9.18 (libpython3.9.so.1.0)", 0 },
	{ &py310, "pyenv 3.10.13 (libpython3.10.so.1.0)", 0 },
	/* identical for Debian 12's 3.11.2 (/usr/bin/python3.11 with the
	 * python3.11-dbg symbols) */
	{ &py311, "pyenv 3.11.7 (libpython3.11.so.1.0)", 0 },
	{ &py312, "pyenv 3.12.1 (libpython3.12.so.1.0)", 0 },
	{ &py313, "pyenv 3.13.0 (libpython3.13.so.1.0)", 13 },
	/* the symbols shipped in python3.14-dbg (/usr/lib/debug/.build-id/...);
	 * the layout also matches CPython 3.14's pycore_interpframe_structs.h
	 * and pycore_debug_offsets.h */
	{ &py314, "Debian sid 3.14.10 (/usr/bin/python3.14, python3.14-dbg)", 14 },
	/* the symbols shipped in python3.15-dbg; _Py_DebugOffsets checked
	 * against CPython 3.15's pycore_debug_offsets.h */
	{ &py315, "Debian sid 3.15.2 (/usr/bin/python3.15, python3.15-dbg)", 15 },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

const struct py_version_row *py_version_rows(size_t *n)
{
	*n = NROWS;
	return rows;
}

const struct py_version_row *py_version_row_find(int major, int minor)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].table->major == major && rows[i].table->minor == minor)
			return &rows[i];
	return NULL;
}

const struct py_version *py_version_find(int major, int minor)
{
	const struct py_version_row *r = py_version_row_find(major, minor);

	return r ? r->table : NULL;
}

const char *py_version_range(char *buf, size_t len)
{
	const struct py_version *lo = rows[0].table, *hi = rows[NROWS - 1].table;

	snprintf(buf, len, "CPython %d.%d to %d.%d", lo->major, lo->minor, hi->major, hi->minor);
	return buf;
}

int py_version_list(FILE *f)
{
	size_t i;

	for (i = 0; i < NROWS; i++) {
		const struct py_version_row *r = &rows[i];
		char layout[32];

		if (r->debug_offsets)
			snprintf(layout, sizeof(layout), "debug-offsets %d.%d",
				 r->table->major, r->debug_offsets);
		else
			snprintf(layout, sizeof(layout), "table");
		if (fprintf(f, "%d.%d\t%s\ttable from %s\n", r->table->major, r->table->minor,
			    layout, r->table_from) < 0)
			return -EIO;
	}
	return fflush(f) ? -errno : 0;
}
