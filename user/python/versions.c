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
 * Free-threaded builds (3.13t, 3.14t) have tables and rows of their own
 * (ft_rows, near the end of this file). Py_TRACE_REFS builds have other
 * layouts and are not described here. Py_DEBUG builds (without Py_TRACE_REFS, as
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
		.interp_next = 0,		/* PyInterpreterState.next */
		.interp_id = 16,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = PYBPFTOP_NO_OFFSET,	/* _status: 3.12+ */
		.status_bound_gilstate = 0,
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
		.interp_next = 0,		/* PyInterpreterState.next */
		.interp_id = 24,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = PYBPFTOP_NO_OFFSET,	/* _status: 3.12+ */
		.status_bound_gilstate = 0,
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
		.interp_next = 0,		/* PyInterpreterState.next */
		.interp_id = 24,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = PYBPFTOP_NO_OFFSET,	/* _status: 3.12+ */
		.status_bound_gilstate = 0,
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
		.interp_next = 0,		/* PyInterpreterState.next */
		.interp_id = 48,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = PYBPFTOP_NO_OFFSET,	/* _status: 3.12+ */
		.status_bound_gilstate = 0,
	},
	.user = {
		PYOBJECT_USER,
		.code_flags = 48,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 168,	/* PyCodeObject._co_firsttraceable */
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
		.interp_next = 0,		/* PyInterpreterState.next */
		.interp_id = 8,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = 24,		/* PyThreadState._status (bit field) */
		.status_bound_gilstate = 3,	/* _status.bound_gilstate */
	},
	.user = {
		PYOBJECT_USER,
		.code_flags = 48,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 176,	/* PyCodeObject._co_firsttraceable */
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
		.interp_next = 7264,		/* PyInterpreterState.next */
		.interp_id = 7272,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = 32,		/* PyThreadState._status (bit field) */
		.status_bound_gilstate = 3,	/* _status.bound_gilstate */
	},
	.user = {
		PYOBJECT_USER,
		.code_flags = 48,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 184,	/* PyCodeObject._co_firsttraceable */
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
		.interp_next = 7272,		/* PyInterpreterState.next */
		.interp_id = 7280,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = 32,		/* PyThreadState._status (bit field) */
		.status_bound_gilstate = 3,	/* _status.bound_gilstate */
	},
	.user = {
		PYOBJECT_USER,
		.code_flags = 48,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 192,	/* PyCodeObject._co_firsttraceable */
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
		.interp_next = 7264,		/* PyInterpreterState.next */
		.interp_id = 7272,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = 32,		/* PyThreadState._status (bit field) */
		.status_bound_gilstate = 3,	/* _status.bound_gilstate */
	},
	.user = {
		PYOBJECT_USER,
		.code_flags = 48,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 192,	/* PyCodeObject._co_firsttraceable */
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

/* --- Free-threaded builds (PEP 703, ./configure --disable-gil) ---
 *
 * Their PyObject header is 32 bytes, not 16: { uintptr_t ob_tid; uint16_t
 * ob_flags (padding in 3.13); PyMutex ob_mutex; uint8_t ob_gc_bits;
 * uint32_t ob_ref_local; Py_ssize_t ob_ref_shared; PyTypeObject *ob_type },
 * so every offset past an object header moves (by 16, plus the
 * free-threaded-only members). The thread list is the same
 * interp->threads.head, guarded by a mutex in the target: the walker never
 * locks, it reads racily and checks each thread state's own id, as
 * everywhere. _PyInterpreterFrame and PyThreadState have no object header.
 * There is no GIL (gil.c says so), so the GIL fields are unused. */

/* The fields common to the free-threaded tables. */
#define PYOBJECT_USER_FT \
	.ob_type = 24,		/* PyObject.ob_type (after ob_tid .. ob_ref_shared) */ \
	.ob_size = 32,		/* PyVarObject.ob_size */ \
	.type_tp_name = 40,	/* PyTypeObject.tp_name */ \
	.bytes_sval = 48	/* PyBytesObject.ob_sval (after ob_shash) */

#define VALUE_COMMON_FT \
	.cell_ref = 32,		/* PyCellObject.ob_ref */ \
	.float_fval = 32,	/* PyFloatObject.ob_fval */ \
	.list_item = 40,	/* PyListObject.ob_item */ \
	.dict_used = 32,	/* PyDictObject.ma_used */ \
	.dict_keys = 48,	/* PyDictObject.ma_keys */ \
	.dict_values = 56,	/* PyDictObject.ma_values */ \
	.set_used = 40,		/* PySetObject.used */ \
	.set_mask = 48,		/* PySetObject.mask */ \
	.set_table = 56,	/* PySetObject.table */ \
	.code_varnames = 112,	/* PyCodeObject.co_localsplusnames */ \
	.code_localspluskinds = 120,	/* PyCodeObject.co_localspluskinds */ \
	.code_cellvars = PYBPFTOP_NO_OFFSET, \
	.code_freevars = PYBPFTOP_NO_OFFSET, \
	.long_size = 32,	/* PyLongObject.long_value.lv_tag */ \
	.long_digit = 40,	/* PyLongObject.long_value.ob_digit */ \
	.long_tagged = 1, \
	.dict_layout = DICT_LAYOUT_311, \
	.split_values = SPLIT_VALUES_313, \
	.dk_size = 8,		/* PyDictKeysObject.dk_log2_size */ \
	.dk_log2_index_bytes = 9, \
	.dk_kind = 10, \
	.dk_nentries = 24,	/* PyDictKeysObject.dk_nentries */ \
	.dk_indices = 32,	/* PyDictKeysObject.dk_indices */ \
	.dv_values = 8,		/* PyDictValues.values */ \
	.runtime_gil = PYBPFTOP_NO_OFFSET, \
	.interp_gil = 16,	/* PyInterpreterState.ceval.gil (unused: no GIL) */ \
	.gil_last_holder = 16,	/* _gil_runtime_state.last_holder */ \
	.gil_locked = 24	/* _gil_runtime_state.locked */

/* 3.13t: as 3.13 (same _PyInterpreterFrame, PyThreadState, and
 * _Py_DebugOffsets layout: 584 bytes, free_threaded at 16), with the
 * free-threaded object header; PyCodeObject: co_firstlineno 68 -> 84,
 * co_filename 112 -> 128, co_code_adaptive 200 -> 216. No thread-local
 * bytecode yet (3.14), and PyASCIIObject.state keeps interned:2 (kind at
 * bit 2, as in 3.13). Offsets from the 3.13.15 source configured with
 * --disable-gil (its pyconfig.h, compiled offsetof(): tools/ft-header-offsets.c),
 * checked against the DWARF of the build (tools/build-freethreaded.sh). */
static const struct py_version py313t = {
	.major = 3,
	.minor = 13,
	.free_threaded = 1,
	.linetable = LINETABLE_LOCATIONS,
	.bpf = {
		.runtime_interpreters_head = 632,	/* _PyRuntimeState.interpreters.head */
		.interp_threads_head = 7344,	/* PyInterpreterState.threads.head */
		.tstate_next = 8,		/* PyThreadState.next */
		.tstate_thread_id = 152,	/* PyThreadState.thread_id */
		.tstate_native_thread_id = 160,	/* PyThreadState.native_thread_id */
		.tstate_frame = 72,		/* PyThreadState.current_frame */
		.cframe_current_frame = PYBPFTOP_NO_OFFSET,
		.frame_previous = 8,		/* _PyInterpreterFrame.previous */
		.frame_code = 0,		/* _PyInterpreterFrame.f_executable */
		.frame_lasti = 56,		/* _PyInterpreterFrame.instr_ptr */
		.frame_owner = 70,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 216,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = 3,		/* FRAME_OWNED_BY_CSTACK */
		.owner_interpreter = PYBPFTOP_NO_OWNER,
		.frame_tlbc_index = 0,		/* 3.14t+ */
		.code_tlbc = 0,
		.interp_next = 7264,		/* PyInterpreterState.next */
		.interp_id = 7272,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = 32,		/* PyThreadState._status (bit field) */
		.status_bound_gilstate = 3,	/* _status.bound_gilstate */
	},
	.user = {
		PYOBJECT_USER_FT,
		.code_filename = 128,		/* PyCodeObject.co_filename */
		.code_name = 136,		/* PyCodeObject.co_name */
		.code_qualname = 144,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 84,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 152,		/* PyCodeObject.co_linetable */
		.code_size = 160,		/* end of co_linetable */
		.unicode_length = 32,		/* PyASCIIObject.length */
		.unicode_state = 48,		/* PyASCIIObject.state */
		.unicode_kind_shift = 2,	/* state.kind, after interned:2 */
		.unicode_compact_shift = 5,
		.unicode_ascii_shift = 6,
		.unicode_ascii_size = 56,	/* sizeof(PyASCIIObject) */
		.unicode_compact_size = 72,	/* sizeof(PyCompactUnicodeObject) */
		.code_flags = 64,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 200,	/* PyCodeObject._co_firsttraceable (3.13t's DWARF) */
	},
	.val = {
		VALUE_COMMON_FT,
		.frame_localsplus = 72,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 0,
		.code_nlocals = 88,		/* PyCodeObject.co_nlocalsplus */
		.tuple_item = 40,		/* PyTupleObject.ob_item */
	},
};

/* 3.14t: as 3.14, with the free-threaded header, and thread-local
 * bytecode: _PyInterpreterFrame gained int32_t tlbc_index (72, before
 * return_offset: owner 74 -> 78), PyCodeObject gained _PyCodeArray
 * *co_tlbc (224, right before co_code_adaptive, 232). PyASCIIObject.state
 * starts with a whole byte `interned` here, so kind/compact/ascii are bits
 * 8, 11, 12. f_executable and the locals are _PyStackRef with Py_TAG_BITS
 * 1 (Py_TAG_DEFERRED): the walker masks & ~7 as for 3.14.
 * No 3.14 source downloaded from the mirror (tools/build-freethreaded.sh),
 * so this is from the published headers: Debian sid's 3.14.10
 * libpython3.14-dev (pycore_interpframe_structs.h, pycore_code.h,
 * pycore_debug_offsets.h, object.h, pycore_tstate.h ...) compiled with
 * -DPy_GIL_DISABLED, printing offsetof() (tools/ft-header-offsets.c). */
static const struct py_version py314t = {
	.major = 3,
	.minor = 14,
	.free_threaded = 1,
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
		.frame_owner = 78,		/* _PyInterpreterFrame.owner (char) */
		.code_adaptive = 232,		/* PyCodeObject.co_code_adaptive */
		.lasti_kind = LASTI_PTR,
		.owner_cstack = 4,		/* FRAME_OWNED_BY_CSTACK */
		.owner_interpreter = 3,		/* FRAME_OWNED_BY_INTERPRETER */
		.frame_tlbc_index = 72,		/* _PyInterpreterFrame.tlbc_index */
		.code_tlbc = 224,		/* PyCodeObject.co_tlbc */
		.interp_next = 7272,		/* PyInterpreterState.next */
		.interp_id = 7280,		/* PyInterpreterState.id */
		.tstate_interp = 16,		/* PyThreadState.interp */
		.tstate_status = 32,		/* PyThreadState._status (bit field) */
		.status_bound_gilstate = 3,	/* _status.bound_gilstate */
	},
	.user = {
		PYOBJECT_USER_FT,
		.code_filename = 128,		/* PyCodeObject.co_filename */
		.code_name = 136,		/* PyCodeObject.co_name */
		.code_qualname = 144,		/* PyCodeObject.co_qualname */
		.code_firstlineno = 84,		/* PyCodeObject.co_firstlineno */
		.code_linetable = 152,		/* PyCodeObject.co_linetable */
		.code_size = 160,		/* end of co_linetable */
		.unicode_length = 32,		/* PyASCIIObject.length */
		.unicode_state = 48,		/* PyASCIIObject.state */
		.unicode_kind_shift = 8,	/* after the `interned` byte */
		.unicode_compact_shift = 11,
		.unicode_ascii_shift = 12,
		.unicode_ascii_size = 56,	/* sizeof(PyASCIIObject) */
		.unicode_compact_size = 72,	/* sizeof(PyCompactUnicodeObject) */
		.code_flags = 64,		/* PyCodeObject.co_flags */
		.code_firsttraceable = 208,	/* PyCodeObject._co_firsttraceable (3.14 headers) */
	},
	.val = {
		VALUE_COMMON_FT,
		.frame_localsplus = 80,		/* _PyInterpreterFrame.localsplus */
		.localsplus_tagged = 1,		/* _PyStackRef */
		.code_nlocals = 88,		/* PyCodeObject.co_nlocalsplus */
		.tuple_item = 48,		/* PyTupleObject.ob_item, after ob_hash */
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
	 * python3.11-dbg symbols) and for its debug build /usr/bin/python3.11d */
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

/* Free-threaded builds, oldest first: picked instead of the row above of
 * the same minor when the target's _Py_DebugOffsets says free_threaded
 * (debug_offsets.c). */
static const struct py_version_row ft_rows[] = {
	{ &py313t, "Debian source python3.13 3.13.15-1, --disable-gil (tools/build-freethreaded.sh)", 13 },
	{ &py314t, "the published 3.14.10 headers, -DPy_GIL_DISABLED (no 3.14 source downloads)", 14 },
};

#define NFTROWS (sizeof(ft_rows) / sizeof(ft_rows[0]))

const struct py_version_row *py_version_ft_rows(size_t *n)
{
	*n = NFTROWS;
	return ft_rows;
}

const struct py_version_row *py_version_row_find_build(int major, int minor, int free_threaded)
{
	size_t i;

	if (!free_threaded)
		return py_version_row_find(major, minor);
	for (i = 0; i < NFTROWS; i++)
		if (ft_rows[i].table->major == major && ft_rows[i].table->minor == minor)
			return &ft_rows[i];
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

	for (i = 0; i < NROWS + NFTROWS; i++) {
		const struct py_version_row *r = i < NROWS ? &rows[i] : &ft_rows[i - NROWS];
		char layout[32];

		if (r->debug_offsets)
			snprintf(layout, sizeof(layout), "debug-offsets %d.%d",
				 r->table->major, r->debug_offsets);
		else
			snprintf(layout, sizeof(layout), "table");
		if (fprintf(f, "%d.%d%s\t%s\ttable from %s\n", r->table->major, r->table->minor,
			    r->table->free_threaded ? "t" : "", layout, r->table_from) < 0)
			return -EIO;
	}
	return fflush(f) ? -errno : 0;
}
