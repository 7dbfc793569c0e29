/* Parsing CPython 3.13+'s _Py_DebugOffsets (the head of _PyRuntime).
 *
 * The blob is a fixed C struct of uint64 offsets whose layout changes with
 * each minor version (CPython: "only guaranteed to be stable between patch
 * versions for a given minor version"), so each layout is a table of byte
 * positions within the blob, named by the minor that introduced it; a row
 * of versions.c says which layout its version's blob has (one whose blob did
 * not change would name its predecessor's). Positions come from CPython's
 * pycore_runtime.h (3.13) / pycore_debug_offsets.h (3.14) and were checked
 * with gdb `ptype/o _Py_DebugOffsets` on pyenv 3.13.0 (584 bytes), on
 * Debian sid 3.14.10 with its python3.14-dbg symbols (760 bytes) and on
 * sid 3.15.2 with python3.15-dbg's (888 bytes); the unit test also parses
 * the blobs of those builds (and Debian's 3.13.18).
 *
 * Everything the blob says is validated before use: the BPF walker reads
 * PYBPFTOP_READ_MAX-byte windows of thread states and frames, and user space
 * reads code objects the same way, so a bad offset must be refused here,
 * with the reason: the caller falls back to the built-in table and says why
 * under -v.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "python/debug_offsets.h"

/* The _Py_DebugOffsets sub-structs whose `size` member (sizeof the CPython
 * struct) bounds the fields we take. */
enum dbg_struct {
	S_RUNTIME,	/* _PyRuntimeState */
	S_INTERP,	/* PyInterpreterState */
	S_TSTATE,	/* PyThreadState */
	S_FRAME,	/* _PyInterpreterFrame */
	S_CODE,		/* PyCodeObject */
	S_OBJECT,	/* PyObject */
	S_TYPE,		/* PyTypeObject */
	S_BYTES,	/* PyBytesObject */
	S_UNICODE,	/* PyUnicodeObject */
	S_TUPLE,	/* PyTupleObject */
	S_LIST,		/* PyListObject */
	S_DICT,		/* PyDictObject */
	S_FLOAT,	/* PyFloatObject */
	S_LONG,		/* PyLongObject */
	S_SET,		/* PySetObject (3.14+) */
	S_MAX,
};

/* Their _Py_DebugOffsets members, for the reason of a refusal. */
static const char *const struct_names[S_MAX] = {
	[S_RUNTIME] = "runtime_state", [S_INTERP] = "interpreter_state",
	[S_TSTATE] = "thread_state", [S_FRAME] = "interpreter_frame",
	[S_CODE] = "code_object", [S_OBJECT] = "pyobject", [S_TYPE] = "type_object",
	[S_BYTES] = "bytes_object", [S_UNICODE] = "unicode_object",
	[S_TUPLE] = "tuple_object", [S_LIST] = "list_object", [S_DICT] = "dict_object",
	[S_FLOAT] = "float_object", [S_LONG] = "long_object", [S_SET] = "set_object",
};

/* The offsets we take from the blob. */
enum dbg_field {
	F_INTERPRETERS_HEAD,	/* runtime_state.interpreters_head */
	F_THREADS_HEAD,		/* interpreter_state.threads_head */
	F_TSTATE_NEXT,		/* thread_state.next */
	F_TSTATE_FRAME,		/* thread_state.current_frame */
	F_TSTATE_THREAD_ID,	/* thread_state.thread_id */
	F_TSTATE_NATIVE_ID,	/* thread_state.native_thread_id */
	F_FRAME_PREVIOUS,	/* interpreter_frame.previous */
	F_FRAME_CODE,		/* interpreter_frame.executable */
	F_FRAME_LASTI,		/* interpreter_frame.instr_ptr */
	F_FRAME_OWNER,		/* interpreter_frame.owner */
	F_CODE_FILENAME,	/* code_object.filename */
	F_CODE_NAME,		/* code_object.name */
	F_CODE_QUALNAME,	/* code_object.qualname */
	F_CODE_LINETABLE,	/* code_object.linetable */
	F_CODE_FIRSTLINENO,	/* code_object.firstlineno */
	F_CODE_ADAPTIVE,	/* code_object.co_code_adaptive */
	F_OB_TYPE,		/* pyobject.ob_type */
	F_TP_NAME,		/* type_object.tp_name */
	F_OB_SIZE,		/* bytes_object.ob_size (PyVarObject.ob_size) */
	F_BYTES_SVAL,		/* bytes_object.ob_sval */
	F_UNICODE_STATE,	/* unicode_object.state */
	F_UNICODE_LENGTH,	/* unicode_object.length */
	F_UNICODE_ASCII_SIZE,	/* unicode_object.asciiobject_size (a size) */
	F_UNICODE_COMPACT_SIZE,	/* unicode_object.compactunicodeobject_size (a size, 3.15+) */
	/* for frame locals and values (struct py_value_offsets) */
	F_FRAME_LOCALSPLUS,	/* interpreter_frame.localsplus */
	F_CODE_VARNAMES,	/* code_object.localsplusnames */
	F_CODE_KINDS,		/* code_object.localspluskinds */
	F_TUPLE_ITEM,		/* tuple_object.ob_item */
	F_LIST_ITEM,		/* list_object.ob_item */
	F_DICT_KEYS,		/* dict_object.ma_keys */
	F_DICT_VALUES,		/* dict_object.ma_values */
	F_FLOAT_FVAL,		/* float_object.ob_fval */
	F_LONG_TAG,		/* long_object.lv_tag */
	F_LONG_DIGIT,		/* long_object.ob_digit */
	F_SET_USED,		/* set_object.used (3.14+) */
	F_SET_TABLE,		/* set_object.table (3.14+) */
	F_SET_MASK,		/* set_object.mask (3.14+) */
	F_INTERP_GIL,		/* interpreter_state.ceval_gil */
	F_MAX,
};

/* Where a field goes and how to check it. */
struct dbg_field_desc {
	const char *name;	/* the _Py_DebugOffsets member, for the reason of a refusal */
	size_t dst;		/* offsetof(struct py_version, ...), a uint16 */
	uint8_t width;		/* bytes of the CPython member at that offset */
	uint8_t align;		/* its natural alignment */
	uint8_t in;		/* enum dbg_struct bounding it */
	uint8_t windowed;	/* read within a PYBPFTOP_READ_MAX window */
};

#define BPF(m)	offsetof(struct py_version, bpf.m)
#define USR(m)	offsetof(struct py_version, user.m)
#define VAL(m)	offsetof(struct py_version, val.m)

static const struct dbg_field_desc fields[F_MAX] = {
	[F_INTERPRETERS_HEAD]	= { "runtime_state.interpreters_head", BPF(runtime_interpreters_head), 8, 8, S_RUNTIME, 0 },
	[F_THREADS_HEAD]	= { "interpreter_state.threads_head", BPF(interp_threads_head), 8, 8, S_INTERP, 0 },
	[F_TSTATE_NEXT]		= { "thread_state.next", BPF(tstate_next), 8, 8, S_TSTATE, 1 },
	[F_TSTATE_FRAME]	= { "thread_state.current_frame", BPF(tstate_frame), 8, 8, S_TSTATE, 1 },
	[F_TSTATE_THREAD_ID]	= { "thread_state.thread_id", BPF(tstate_thread_id), 8, 8, S_TSTATE, 1 },
	[F_TSTATE_NATIVE_ID]	= { "thread_state.native_thread_id", BPF(tstate_native_thread_id), 8, 8, S_TSTATE, 1 },
	[F_FRAME_PREVIOUS]	= { "interpreter_frame.previous", BPF(frame_previous), 8, 8, S_FRAME, 1 },
	[F_FRAME_CODE]		= { "interpreter_frame.executable", BPF(frame_code), 8, 8, S_FRAME, 1 },
	[F_FRAME_LASTI]		= { "interpreter_frame.instr_ptr", BPF(frame_lasti), 8, 8, S_FRAME, 1 },
	[F_FRAME_OWNER]		= { "interpreter_frame.owner", BPF(frame_owner), 1, 1, S_FRAME, 1 },
	[F_CODE_FILENAME]	= { "code_object.filename", USR(code_filename), 8, 8, S_CODE, 1 },
	[F_CODE_NAME]		= { "code_object.name", USR(code_name), 8, 8, S_CODE, 1 },
	[F_CODE_QUALNAME]	= { "code_object.qualname", USR(code_qualname), 8, 8, S_CODE, 1 },
	[F_CODE_LINETABLE]	= { "code_object.linetable", USR(code_linetable), 8, 8, S_CODE, 1 },
	[F_CODE_FIRSTLINENO]	= { "code_object.firstlineno", USR(code_firstlineno), 4, 4, S_CODE, 1 },
	/* co_code_adaptive is a trailing char[]: only its start is used */
	[F_CODE_ADAPTIVE]	= { "code_object.co_code_adaptive", BPF(code_adaptive), 2, 2, S_CODE, 0 },
	[F_OB_TYPE]		= { "pyobject.ob_type", USR(ob_type), 8, 8, S_OBJECT, 1 },
	[F_TP_NAME]		= { "type_object.tp_name", USR(type_tp_name), 8, 8, S_TYPE, 1 },
	[F_OB_SIZE]		= { "bytes_object.ob_size", USR(ob_size), 8, 8, S_BYTES, 1 },
	[F_BYTES_SVAL]		= { "bytes_object.ob_sval", USR(bytes_sval), 1, 1, S_BYTES, 1 },
	[F_UNICODE_STATE]	= { "unicode_object.state", USR(unicode_state), 4, 4, S_UNICODE, 1 },
	[F_UNICODE_LENGTH]	= { "unicode_object.length", USR(unicode_length), 8, 8, S_UNICODE, 1 },
	/* a size, not an offset: checked as "0 bytes at that offset" */
	[F_UNICODE_ASCII_SIZE]	= { "unicode_object.asciiobject_size", USR(unicode_ascii_size), 0, 8, S_UNICODE, 1 },
	[F_UNICODE_COMPACT_SIZE] = { "unicode_object.compactunicodeobject_size", USR(unicode_compact_size), 0, 8, S_UNICODE, 1 },
	/* Read by user space only, one object at a time: no window. The
	 * trailing arrays (localsplus, ob_item, ob_digit) are checked for
	 * their first element. */
	[F_FRAME_LOCALSPLUS]	= { "interpreter_frame.localsplus", VAL(frame_localsplus), 8, 8, S_FRAME, 0 },
	[F_CODE_VARNAMES]	= { "code_object.localsplusnames", VAL(code_varnames), 8, 8, S_CODE, 0 },
	[F_CODE_KINDS]		= { "code_object.localspluskinds", VAL(code_localspluskinds), 8, 8, S_CODE, 0 },
	[F_TUPLE_ITEM]		= { "tuple_object.ob_item", VAL(tuple_item), 8, 8, S_TUPLE, 0 },
	[F_LIST_ITEM]		= { "list_object.ob_item", VAL(list_item), 8, 8, S_LIST, 0 },
	[F_DICT_KEYS]		= { "dict_object.ma_keys", VAL(dict_keys), 8, 8, S_DICT, 0 },
	[F_DICT_VALUES]		= { "dict_object.ma_values", VAL(dict_values), 8, 8, S_DICT, 0 },
	[F_FLOAT_FVAL]		= { "float_object.ob_fval", VAL(float_fval), 8, 8, S_FLOAT, 0 },
	[F_LONG_TAG]		= { "long_object.lv_tag", VAL(long_size), 8, 8, S_LONG, 0 },
	[F_LONG_DIGIT]		= { "long_object.ob_digit", VAL(long_digit), 4, 4, S_LONG, 0 },
	[F_SET_USED]		= { "set_object.used", VAL(set_used), 8, 8, S_SET, 0 },
	[F_SET_TABLE]		= { "set_object.table", VAL(set_table), 8, 8, S_SET, 0 },
	[F_SET_MASK]		= { "set_object.mask", VAL(set_mask), 8, 8, S_SET, 0 },
	[F_INTERP_GIL]		= { "interpreter_state.ceval_gil", VAL(interp_gil), 8, 8, S_INTERP, 0 },
};

/* sizeof(struct _gil_runtime_state) is 208 in every version; the blob
 * gives no size for it, so its fields are bounded by this. */
#define GIL_STATE_MAX	256

/* Byte positions within one version's _Py_DebugOffsets. */
struct dbg_layout {
	int minor;
	uint16_t blob_size;		/* sizeof(_Py_DebugOffsets) */
	uint16_t version;		/* .version */
	uint16_t free_threaded;		/* .free_threaded */
	uint16_t size[S_MAX];		/* .<struct>.size; 0: not in this version */
	uint16_t pos[F_MAX];		/* 0: not in this version (0 is the cookie) */
	/* interpreter_state.gil_runtime_state (PyInterpreterState._gil) and
	 * gil_runtime_state_{locked,holder} (._gil.locked, ._gil.last_holder):
	 * offsets in PyInterpreterState, made relative to the GIL struct,
	 * since ceval.gil may point to another interpreter's. */
	uint16_t gil_state, gil_locked, gil_holder;
};

/* CPython 3.13: Include/internal/pycore_runtime.h. */
static const struct dbg_layout layout313 = {
	.minor = 13,
	.blob_size = 584,
	.version = 8,
	.free_threaded = 16,
	.size = {
		[S_RUNTIME] = 24,	/* runtime_state (24..48) */
		[S_INTERP] = 48,	/* interpreter_state (48..152) */
		[S_TSTATE] = 152,	/* thread_state (152..224) */
		[S_FRAME] = 224,	/* interpreter_frame (224..272) */
		[S_CODE] = 272,		/* code_object (272..352) */
		[S_OBJECT] = 352,	/* pyobject (352..368) */
		[S_TYPE] = 368,		/* type_object (368..400) */
		[S_BYTES] = 512,	/* bytes_object (512..536) */
		[S_UNICODE] = 536,	/* unicode_object (536..568) */
		[S_TUPLE] = 400,	/* tuple_object (400..424) */
		[S_LIST] = 424,		/* list_object (424..448) */
		[S_DICT] = 448,		/* dict_object (448..472) */
		[S_FLOAT] = 472,	/* float_object (472..488) */
		[S_LONG] = 488,		/* long_object (488..512) */
	},
	.pos = {
		[F_INTERPRETERS_HEAD] = 40,
		[F_THREADS_HEAD] = 72,		/* after size, id, next */
		[F_TSTATE_NEXT] = 168,		/* after size, prev */
		[F_TSTATE_FRAME] = 184,		/* after interp */
		[F_TSTATE_THREAD_ID] = 192,
		[F_TSTATE_NATIVE_ID] = 200,
		[F_FRAME_PREVIOUS] = 232,
		[F_FRAME_CODE] = 240,
		[F_FRAME_LASTI] = 248,
		[F_FRAME_OWNER] = 264,		/* after localsplus */
		[F_CODE_FILENAME] = 280,
		[F_CODE_NAME] = 288,
		[F_CODE_QUALNAME] = 296,
		[F_CODE_LINETABLE] = 304,
		[F_CODE_FIRSTLINENO] = 312,
		[F_CODE_ADAPTIVE] = 344,	/* after argcount, localsplus{names,kinds} */
		[F_OB_TYPE] = 360,
		[F_TP_NAME] = 376,
		[F_OB_SIZE] = 520,
		[F_BYTES_SVAL] = 528,
		[F_UNICODE_STATE] = 544,
		[F_UNICODE_LENGTH] = 552,
		[F_UNICODE_ASCII_SIZE] = 560,
		[F_FRAME_LOCALSPLUS] = 256,
		[F_CODE_VARNAMES] = 328,
		[F_CODE_KINDS] = 336,
		[F_TUPLE_ITEM] = 408,
		[F_LIST_ITEM] = 432,
		[F_DICT_KEYS] = 456,
		[F_DICT_VALUES] = 464,
		[F_FLOAT_FVAL] = 480,
		[F_LONG_TAG] = 496,
		[F_LONG_DIGIT] = 504,
		[F_INTERP_GIL] = 112,		/* interpreter_state.ceval_gil */
	},
	.gil_state = 120,
	.gil_locked = 136,
	.gil_holder = 144,
};

/* CPython 3.14: Include/internal/pycore_debug_offsets.h. Changed from 3.13:
 * interpreter_state gained threads_main (after threads_head),
 * code_object_generation and tlbc_generation; interpreter_frame gained
 * stackpointer and tlbc_index; code_object gained co_tlbc; set_object was
 * inserted before dict_object; gen_object, llist_node and debugger_support
 * were appended. */
static const struct dbg_layout layout314 = {
	.minor = 14,
	.blob_size = 760,
	.version = 8,
	.free_threaded = 16,
	.size = {
		[S_RUNTIME] = 24,	/* runtime_state (24..48) */
		[S_INTERP] = 48,	/* interpreter_state (48..176) */
		[S_TSTATE] = 176,	/* thread_state (176..248) */
		[S_FRAME] = 248,	/* interpreter_frame (248..312) */
		[S_CODE] = 312,		/* code_object (312..400) */
		[S_OBJECT] = 400,	/* pyobject (400..416) */
		[S_TYPE] = 416,		/* type_object (416..448) */
		[S_BYTES] = 592,	/* bytes_object (592..616) */
		[S_UNICODE] = 616,	/* unicode_object (616..648) */
		[S_TUPLE] = 448,	/* tuple_object (448..472) */
		[S_LIST] = 472,		/* list_object (472..496) */
		[S_SET] = 496,		/* set_object (496..528), new in 3.14 */
		[S_DICT] = 528,		/* dict_object (528..552) */
		[S_FLOAT] = 552,	/* float_object (552..568) */
		[S_LONG] = 568,		/* long_object (568..592) */
	},
	.pos = {
		[F_INTERPRETERS_HEAD] = 40,
		[F_THREADS_HEAD] = 72,
		[F_TSTATE_NEXT] = 192,
		[F_TSTATE_FRAME] = 208,
		[F_TSTATE_THREAD_ID] = 216,
		[F_TSTATE_NATIVE_ID] = 224,
		[F_FRAME_PREVIOUS] = 256,
		[F_FRAME_CODE] = 264,
		[F_FRAME_LASTI] = 272,
		[F_FRAME_OWNER] = 288,
		[F_CODE_FILENAME] = 320,
		[F_CODE_NAME] = 328,
		[F_CODE_QUALNAME] = 336,
		[F_CODE_LINETABLE] = 344,
		[F_CODE_FIRSTLINENO] = 352,
		[F_CODE_ADAPTIVE] = 384,
		[F_OB_TYPE] = 408,
		[F_TP_NAME] = 424,
		[F_OB_SIZE] = 600,
		[F_BYTES_SVAL] = 608,
		[F_UNICODE_STATE] = 624,
		[F_UNICODE_LENGTH] = 632,
		[F_UNICODE_ASCII_SIZE] = 640,
		[F_FRAME_LOCALSPLUS] = 280,
		[F_CODE_VARNAMES] = 368,
		[F_CODE_KINDS] = 376,
		[F_TUPLE_ITEM] = 456,
		[F_LIST_ITEM] = 480,
		[F_SET_USED] = 504,
		[F_SET_TABLE] = 512,
		[F_SET_MASK] = 520,
		[F_DICT_KEYS] = 536,
		[F_DICT_VALUES] = 544,
		[F_FLOAT_FVAL] = 560,
		[F_LONG_TAG] = 576,
		[F_LONG_DIGIT] = 584,
		[F_INTERP_GIL] = 120,		/* interpreter_state.ceval_gil */
	},
	.gil_state = 128,
	.gil_locked = 144,
	.gil_holder = 152,
};

/* CPython 3.15: Include/internal/pycore_debug_offsets.h, checked with gdb
 * `ptype/o _Py_DebugOffsets` on Debian sid's 3.15.2 (python3.15-dbg's
 * symbols, 888 bytes). Changed from 3.14: thread_state gained base_frame,
 * last_profiled_frame, last_profiled_frame_seq (before thread_id), holds_gil,
 * gil_requested, current_exception and exc_state (72 -> 128 bytes);
 * err_stackitem was inserted after it; type_object gained tp_basicsize and
 * tp_dictoffset; heap_type_object was inserted after it; tuple_object and
 * list_object gained ob_size; unicode_object gained
 * compactunicodeobject_size; gc grew frame and generation stats. The
 * interpreter_state positions are 3.14's. */
static const struct dbg_layout layout315 = {
	.minor = 15,
	.blob_size = 888,
	.version = 8,
	.free_threaded = 16,
	.size = {
		[S_RUNTIME] = 24,	/* runtime_state (24..48) */
		[S_INTERP] = 48,	/* interpreter_state (48..176) */
		[S_TSTATE] = 176,	/* thread_state (176..304) */
		[S_FRAME] = 312,	/* interpreter_frame (312..376), after err_stackitem */
		[S_CODE] = 376,		/* code_object (376..464) */
		[S_OBJECT] = 464,	/* pyobject (464..480) */
		[S_TYPE] = 480,		/* type_object (480..528) */
		[S_TUPLE] = 544,	/* tuple_object (544..568), after heap_type_object */
		[S_LIST] = 568,		/* list_object (568..592) */
		[S_SET] = 592,		/* set_object (592..624) */
		[S_DICT] = 624,		/* dict_object (624..648) */
		[S_FLOAT] = 648,	/* float_object (648..664) */
		[S_LONG] = 664,		/* long_object (664..688) */
		[S_BYTES] = 688,	/* bytes_object (688..712) */
		[S_UNICODE] = 712,	/* unicode_object (712..752) */
	},
	.pos = {
		[F_INTERPRETERS_HEAD] = 40,
		[F_THREADS_HEAD] = 72,
		[F_TSTATE_NEXT] = 192,
		[F_TSTATE_FRAME] = 208,
		[F_TSTATE_THREAD_ID] = 240,	/* after base_frame, last_profiled_frame{,_seq} */
		[F_TSTATE_NATIVE_ID] = 248,
		[F_FRAME_PREVIOUS] = 320,
		[F_FRAME_CODE] = 328,
		[F_FRAME_LASTI] = 336,
		[F_FRAME_OWNER] = 352,
		[F_CODE_FILENAME] = 384,
		[F_CODE_NAME] = 392,
		[F_CODE_QUALNAME] = 400,
		[F_CODE_LINETABLE] = 408,
		[F_CODE_FIRSTLINENO] = 416,
		[F_CODE_ADAPTIVE] = 448,
		[F_OB_TYPE] = 472,
		[F_TP_NAME] = 488,
		[F_OB_SIZE] = 696,
		[F_BYTES_SVAL] = 704,
		[F_UNICODE_STATE] = 720,
		[F_UNICODE_LENGTH] = 728,
		[F_UNICODE_ASCII_SIZE] = 736,
		[F_UNICODE_COMPACT_SIZE] = 744,
		[F_FRAME_LOCALSPLUS] = 344,
		[F_CODE_VARNAMES] = 432,
		[F_CODE_KINDS] = 440,
		[F_TUPLE_ITEM] = 552,
		[F_LIST_ITEM] = 576,
		[F_SET_USED] = 600,
		[F_SET_TABLE] = 608,
		[F_SET_MASK] = 616,
		[F_DICT_KEYS] = 632,
		[F_DICT_VALUES] = 640,
		[F_FLOAT_FVAL] = 656,
		[F_LONG_TAG] = 672,
		[F_LONG_DIGIT] = 680,
		[F_INTERP_GIL] = 120,		/* interpreter_state.ceval_gil */
	},
	.gil_state = 128,
	.gil_locked = 144,
	.gil_holder = 152,
};

/* The layouts, each named by its minor; a row of versions.c picks one. */
static const struct dbg_layout *const layouts[] = { &layout313, &layout314, &layout315 };

static const struct dbg_layout *layout_find(int minor)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i]->minor == minor)
			return layouts[i];
	return NULL;
}

size_t py_debug_offsets_size(int minor)
{
	const struct dbg_layout *l = layout_find(minor);

	return l ? l->blob_size : 0;
}

size_t py_debug_offsets_read_size(void)
{
	const struct py_version_row *rows;
	size_t i, n, max = 16;	/* the cookie and the version */

	rows = py_version_rows(&n);
	for (i = 0; i < n; i++) {
		size_t sz = py_debug_offsets_size(rows[i].debug_offsets);

		if (sz > max)
			max = sz;
	}
	return max;
}

/* Fill why (when given) and return err. */
__attribute__((format(printf, 4, 5)))
static int fail(int err, char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

int py_debug_layout_check(int minor, char *why, size_t whylen)
{
	const struct dbg_layout *l = layout_find(minor);
	unsigned int i;

	if (!l)
		return fail(-ENOENT, why, whylen, "no _Py_DebugOffsets layout 3.%d", minor);
	if (l->blob_size < 24 || l->blob_size % 8)
		return fail(-EINVAL, why, whylen, "3.%d: blob_size %u", minor, l->blob_size);
	/* Every position is that of a uint64 inside the blob. */
#define IN_BLOB(what, pos) do { \
	if ((pos) < 16 || (pos) % 8 || (pos) + 8u > l->blob_size) \
		return fail(-EINVAL, why, whylen, "3.%d: %s at %u is outside the %u-byte blob", \
			    minor, (what), (unsigned)(pos), l->blob_size); \
	} while (0)
	if (l->version != 8)	/* where every version puts it, and where the parser looks */
		return fail(-EINVAL, why, whylen, "3.%d: version at %u, not 8", minor, l->version);
	IN_BLOB("free_threaded", l->free_threaded);
	IN_BLOB("gil_runtime_state", l->gil_state);
	IN_BLOB("gil_runtime_state_locked", l->gil_locked);
	IN_BLOB("gil_runtime_state_holder", l->gil_holder);
	for (i = 0; i < S_MAX; i++)
		if (l->size[i])
			IN_BLOB(struct_names[i], l->size[i]);
	for (i = 0; i < F_MAX; i++) {
		if (!l->pos[i])
			continue;
		IN_BLOB(fields[i].name, l->pos[i]);
		/* a field's struct must be in the layout too */
		if (!l->size[fields[i].in])
			return fail(-EINVAL, why, whylen, "3.%d: %s without %s.size", minor,
				    fields[i].name, struct_names[fields[i].in]);
	}
#undef IN_BLOB
	return 0;
}

static uint64_t get64(const uint8_t *buf, uint16_t pos)
{
	uint64_t v;

	memcpy(&v, buf + pos, sizeof(v));	/* same byte order as the target */
	return v;
}

static void put16(struct py_version *v, size_t dst, uint16_t val)
{
	memcpy((char *)v + dst, &val, sizeof(val));
}

static uint16_t get16(const struct py_version *v, size_t dst)
{
	uint16_t val;

	memcpy(&val, (const char *)v + dst, sizeof(val));
	return val;
}

/* The GIL fields, relative to struct _gil_runtime_state. */
static int gil_offsets(const uint8_t *b, const struct dbg_layout *l,
		       uint64_t interp_size, struct py_value_offsets *val,
		       char *why, size_t whylen)
{
	uint64_t base = get64(b, l->gil_state);
	uint64_t locked = get64(b, l->gil_locked);
	uint64_t holder = get64(b, l->gil_holder);

	if (base >= interp_size)
		return fail(-EINVAL, why, whylen,
			    "interpreter_state.gil_runtime_state = %llu is past interpreter_state.size = %llu",
			    (unsigned long long)base, (unsigned long long)interp_size);
	if (locked < base || locked - base + 4 > GIL_STATE_MAX || (locked - base) % 4)
		return fail(-EINVAL, why, whylen,
			    "interpreter_state.gil_runtime_state_locked = %llu is not a field of gil_runtime_state (at %llu)",
			    (unsigned long long)locked, (unsigned long long)base);
	if (holder < base || holder - base + 8 > GIL_STATE_MAX || (holder - base) % 8)
		return fail(-EINVAL, why, whylen,
			    "interpreter_state.gil_runtime_state_holder = %llu is not a field of gil_runtime_state (at %llu)",
			    (unsigned long long)holder, (unsigned long long)base);
	val->gil_locked = (uint16_t)(locked - base);
	val->gil_last_holder = (uint16_t)(holder - base);
	return 0;
}

int py_debug_offsets_parse(const void *buf, size_t len, int *major, int *minor,
			   struct py_version *out, char *why, size_t whylen)
{
	const uint8_t *b = buf;
	const struct py_version_row *row;
	const struct dbg_layout *l;
	struct py_version v;
	uint64_t version, ft, size[S_MAX];
	unsigned int level, i;
	int mi;
	uint16_t code_end = 0;

	if (!buf || len < 16)
		return fail(-EINVAL, why, whylen, "%zu bytes, too short for a cookie and a version", buf ? len : 0);
	if (memcmp(b, PY_DEBUG_COOKIE, PY_DEBUG_COOKIE_LEN))
		return fail(-EINVAL, why, whylen, "no \"" PY_DEBUG_COOKIE "\" cookie");
	/* PY_VERSION_HEX: 0xMMmmppLS; the upper 32 bits are zero */
	version = get64(b, 8);
	if ((version >> 24) != 3)
		return fail(-EINVAL, why, whylen, "implausible version 0x%llx", (unsigned long long)version);
	mi = (version >> 16) & 0xff;
	if (major)
		*major = 3;
	if (minor)
		*minor = mi;
	row = py_version_row_find(3, mi);
	if (!row || !row->debug_offsets)
		return fail(-EOPNOTSUPP, why, whylen, "no _Py_DebugOffsets layout for 3.%d", mi);
	l = layout_find(row->debug_offsets);
	if (!l)		/* a row naming a layout that is not here: test_versions.c */
		return fail(-EOPNOTSUPP, why, whylen, "no _Py_DebugOffsets layout 3.%d (the 3.%d row's)",
			    row->debug_offsets, mi);
	level = (version >> 4) & 0xf;
	if (level < 0xc)	/* alpha/beta layouts were still moving */
		return fail(-EOPNOTSUPP, why, whylen, "a pre-release (0x%llx)", (unsigned long long)version);
	if (len < l->blob_size)
		return fail(-EINVAL, why, whylen, "%zu bytes, the 3.%d layout has %u", len, l->minor, l->blob_size);
	ft = get64(b, l->free_threaded);
	if (ft > 1)
		return fail(-EINVAL, why, whylen, "free_threaded = %llu", (unsigned long long)ft);
	if (ft)		/* other object, frame and code layouts */
		return fail(-EOPNOTSUPP, why, whylen, "a free-threaded build");

	if (out && out->major == 3 && out->minor == mi)
		v = *out;
	else
		v = *row->table;

	for (i = 0; i < S_MAX; i++) {
		size[i] = l->size[i] ? get64(b, l->size[i]) : 0;
		if (l->size[i] && size[i] == 0)
			return fail(-EINVAL, why, whylen, "%s.size = 0", struct_names[i]);
	}
	for (i = 0; i < F_MAX; i++) {
		const struct dbg_field_desc *f = &fields[i];
		uint64_t off;

		if (!l->pos[i])
			continue;	/* not in this version: keep the table's */
		off = get64(b, l->pos[i]);

		if (off >= PYBPFTOP_NO_OFFSET)
			return fail(-EINVAL, why, whylen, "%s = %llu is out of range (offsets are below 65535)",
				    f->name, (unsigned long long)off);
		if (off % f->align)
			return fail(-EINVAL, why, whylen, "%s = %llu is not %u-byte aligned",
				    f->name, (unsigned long long)off, f->align);
		if (off + f->width > size[f->in])
			return fail(-EINVAL, why, whylen, "%s = %llu is past %s.size = %llu",
				    f->name, (unsigned long long)off, struct_names[f->in],
				    (unsigned long long)size[f->in]);
		if (f->windowed && off + f->width > PYBPFTOP_READ_MAX)
			return fail(-EINVAL, why, whylen, "%s = %llu is past the %d bytes the walker reads",
				    f->name, (unsigned long long)off, PYBPFTOP_READ_MAX);
		put16(&v, f->dst, (uint16_t)off);
	}

	/* _Py_DebugOffsets is the first member of _PyRuntimeState. */
	if (v.bpf.runtime_interpreters_head < l->blob_size)
		return fail(-EINVAL, why, whylen,
			    "runtime_state.interpreters_head = %u is inside _Py_DebugOffsets (%u bytes)",
			    v.bpf.runtime_interpreters_head, l->blob_size);
	/* The unicode fields live in the PyASCIIObject header, which the
	 * compact header extends. */
	if (v.user.unicode_state + 4u > v.user.unicode_ascii_size ||
	    v.user.unicode_length + 8u > v.user.unicode_ascii_size)
		return fail(-EINVAL, why, whylen,
			    "unicode_object.asciiobject_size = %u does not cover state (%u) and length (%u)",
			    v.user.unicode_ascii_size, v.user.unicode_state, v.user.unicode_length);
	if (v.user.unicode_ascii_size >= v.user.unicode_compact_size)
		return fail(-EINVAL, why, whylen,
			    "unicode_object.asciiobject_size = %u is not below the compact header's %u",
			    v.user.unicode_ascii_size, v.user.unicode_compact_size);
	/* One read of code_size bytes covers the code fields we use. */
	for (i = F_CODE_FILENAME; i <= F_CODE_FIRSTLINENO; i++) {
		uint16_t end = get16(&v, fields[i].dst) + fields[i].width;

		if (end > code_end)
			code_end = end;
	}
	v.user.code_size = code_end;
	if (gil_offsets(b, l, size[S_INTERP], &v.val, why, whylen))
		return -EINVAL;
	v.bpf.cframe_current_frame = PYBPFTOP_NO_OFFSET;

	if (out)
		*out = v;
	return 0;
}
