#!/bin/sh
# Print the struct py_version table entry (user/python/versions.c) for a CPython
# build, from its DWARF debug info, using gdb.
#
#   tools/dump-offsets.sh /path/to/libpython3.X.so.1.0   (or a static python)
#   tools/dump-offsets.sh /usr/bin/python3.X /usr/lib/debug/.build-id/xx/yyy.debug
#
# The output is a C initializer, fields in the same order and with the same
# names as the table, each followed by a comment naming the CPython member
# it was read from, so that adding a version is: run this, paste, review.
# A field whose members all are absent prints PYBPFTOP_NO_OFFSET (or
# PYBPFTOP_NO_OWNER); a whole table of those means there is no DWARF.
#
# Needs gdb only (no Python in gdb). Each candidate member is one `printf`;
# the first one that works wins.
set -eu

if [ $# -lt 1 ] || [ ! -r "$1" ]; then
	echo "usage: $0 LIBPYTHON_OR_BINARY [SEPARATE_DEBUG_FILE]" >&2
	exit 2
fi
target=$1
symfile=${2:-}
command -v gdb >/dev/null || { echo "$0: gdb not found" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cmds=$tmp/cmds

# off NAME TYPE MEMBER [TYPE MEMBER]...: offsetof, first candidate that exists.
off() {
	name=$1; shift
	while [ $# -ge 2 ]; do
		label=$(printf %s "$1" | tr ' ' '_')	# "struct _gil_runtime_state"
		printf 'printf "@%s %%ld %%ld %s.%s\\n", (long)&((%s *)0)->%s, (long)sizeof(((%s *)0)->%s)\n' \
			"$name" "$label" "$2" "$1" "$2" "$1" "$2" >>"$cmds"
		shift 2
	done
}
# val NAME EXPR [EXPR]...: the value of an expression (an enum constant...).
val() {
	name=$1; shift
	for e in "$@"; do
		printf 'printf "@%s %%ld 0 %s\\n", (long)(%s)\n' "$name" "$e" "$e" >>"$cmds"
	done
}

: >"$cmds"
val version Py_Version
# runtime / interpreter / thread state (read by BPF)
off runtime_interpreters_head _PyRuntimeState interpreters.head
off interp_threads_head PyInterpreterState threads.head PyInterpreterState tstate_head
off tstate_next PyThreadState next
off tstate_thread_id PyThreadState thread_id
off tstate_native_thread_id PyThreadState native_thread_id
# 3.13+: current_frame; <=3.10: frame (3.10 also has a cframe, not the frame
# chain); 3.11/3.12: cframe -> _PyCFrame.current_frame.
off tstate_frame PyThreadState current_frame PyThreadState frame PyThreadState cframe
off cframe_current_frame _PyCFrame current_frame
# subinterpreters: the walker follows every interpreter
off interp_next PyInterpreterState next
off interp_id PyInterpreterState id
off tstate_interp PyThreadState interp
off tstate_status PyThreadState _status
# _PyInterpreterFrame (3.11+) before PyFrameObject: 3.11+ frame objects
# still have f_back, but it is not the chain we walk.
off frame_previous _PyInterpreterFrame previous PyFrameObject f_back
off frame_code _PyInterpreterFrame f_executable _PyInterpreterFrame f_code PyFrameObject f_code
off frame_lasti _PyInterpreterFrame instr_ptr _PyInterpreterFrame prev_instr PyFrameObject f_lasti
off frame_owner _PyInterpreterFrame owner
off code_adaptive PyCodeObject co_code_adaptive
val owner_cstack FRAME_OWNED_BY_CSTACK
val owner_interpreter FRAME_OWNED_BY_INTERPRETER
# user space
off ob_type PyObject ob_type
off ob_size PyVarObject ob_size
off type_tp_name PyTypeObject tp_name
off code_filename PyCodeObject co_filename
off code_name PyCodeObject co_name
off code_qualname PyCodeObject co_qualname
off code_firstlineno PyCodeObject co_firstlineno
off code_linetable PyCodeObject co_linetable PyCodeObject co_lnotab
off bytes_sval PyBytesObject ob_sval
off unicode_length PyASCIIObject length
off unicode_state PyASCIIObject state
val unicode_ascii_size 'sizeof(PyASCIIObject)'
val unicode_compact_size 'sizeof(PyCompactUnicodeObject)'
# for the comment on the BPF read window (PYBPFTOP_READ_MAX)
val sizeof_tstate 'sizeof(PyThreadState)'
val sizeof_frame 'sizeof(_PyInterpreterFrame)' 'sizeof(PyFrameObject)'
# frame locals and values (struct py_value_offsets)
off frame_localsplus _PyInterpreterFrame localsplus PyFrameObject f_localsplus
val stackref 'sizeof(_PyStackRef)'
off code_nlocals PyCodeObject co_nlocalsplus PyCodeObject co_nlocals
off code_varnames PyCodeObject co_localsplusnames PyCodeObject co_varnames
off code_localspluskinds PyCodeObject co_localspluskinds
off code_cellvars PyCodeObject co_cellvars
off code_freevars PyCodeObject co_freevars
off cell_ref PyCellObject ob_ref
off long_size PyLongObject long_value.lv_tag PyLongObject ob_base.ob_size
off long_digit PyLongObject long_value.ob_digit PyLongObject ob_digit
off lv_tag PyLongObject long_value.lv_tag
off float_fval PyFloatObject ob_fval
off tuple_item PyTupleObject ob_item
off list_item PyListObject ob_item
off dict_used PyDictObject ma_used
off dict_keys PyDictObject ma_keys
off dict_values PyDictObject ma_values
off dk_size PyDictKeysObject dk_log2_size PyDictKeysObject dk_size
off dk_log2_size PyDictKeysObject dk_log2_size
off dk_log2_index_bytes PyDictKeysObject dk_log2_index_bytes
off dk_kind PyDictKeysObject dk_kind
off dk_nentries PyDictKeysObject dk_nentries
off dk_indices PyDictKeysObject dk_indices
off dv_values PyDictValues values
off dv_capacity PyDictValues capacity
off set_used PySetObject used
off set_mask PySetObject mask
off set_table PySetObject table
off runtime_gil _PyRuntimeState ceval.gil
off interp_gil PyInterpreterState ceval.gil
off gil_last_holder 'struct _gil_runtime_state' last_holder
off gil_locked 'struct _gil_runtime_state' locked
# sizes the code assumes (PY_DICT_ENTRY_SIZE, ...): printed to be checked
val sizeof_dict_entry 'sizeof(PyDictKeyEntry)'
val sizeof_dict_uentry 'sizeof(PyDictUnicodeEntry)'
val sizeof_setentry 'sizeof(setentry)'
val sizeof_digit 'sizeof(digit)'
echo 'ptype/o PyASCIIObject' >>"$cmds"
echo 'ptype/o PyThreadState' >>"$cmds"

# One -ex per command: gdb -batch goes on after a failing -ex (a -x script
# would stop at the first absent member).
set --
[ -z "$symfile" ] || set -- -ex "symbol-file $symfile"
while IFS= read -r line; do set -- "$@" -ex "$line"; done <"$cmds"
gdb -nx -batch "$@" "$target" >"$tmp/out" 2>"$tmp/err" </dev/null || true
if ! grep -q '^@ob_type ' "$tmp/out"; then
	echo "$0: $target: no DWARF for CPython's structs (need a build with" \
		"debug info, or pass its separate debug file)" >&2
	sed 3q "$tmp/err" >&2
	exit 1
fi

# Minor version: Py_Version (3.11+), else the file name (python3.N).
minor=$(awk '$1 == "@version" { printf "%d\n", ($2 / 65536) % 256; exit }' "$tmp/out")
if [ -z "$minor" ]; then
	minor=$(basename "$target" | sed -n 's/.*python3\.\([0-9][0-9]*\).*/\1/p')
fi
if [ -z "$minor" ]; then
	echo "$0: cannot tell the version of $target" >&2
	exit 1
fi

awk -v minor="$minor" -v target="$target" '
/^@/ {
	n = substr($1, 2)
	if (!(n in v)) { v[n] = $2; sz[n] = $3; who[n] = $4 }
	next
}
# ptype/o lines of the state bit field: "/*     32: 2   |  4 */  unsigned int kind : 3;"
/unsigned int (kind|compact|ascii) : [0-9]+;/ {
	match($0, /[0-9]+: *[0-9]+/)
	split(substr($0, RSTART, RLENGTH), p, ":")
	fld = $0; sub(/ :.*/, "", fld); sub(/.* /, "", fld)
	bit[fld] = p[2] + 0
}
# PyThreadState._status (3.12+): "/*     32: 3   |  4 */  unsigned int bound_gilstate : 1;"
/unsigned int bound_gilstate : 1;/ {
	match($0, /[0-9]+: *[0-9]+/)
	split(substr($0, RSTART, RLENGTH), p, ":")
	bit["bound_gilstate"] = p[2] + 0
}
function o(n) { return (n in v) ? v[n] : "PYBPFTOP_NO_OFFSET" }
function own(n) { return (n in v) ? v[n] : "PYBPFTOP_NO_OWNER" }
function line(n, value, what) {
	printf "\t\t.%s = %s,", n, value
	if (what != "") printf "\t/* %s */", what
	printf "\n"
}
function f(n) { line(n, o(n), (n in v) ? who[n] : "absent") }
END {
	lasti = minor <= 9 ? "LASTI_BYTES" : minor == 10 ? "LASTI_UNITS" : "LASTI_PTR"
	lt = minor <= 9 ? "LINETABLE_LNOTAB" : minor == 10 ? "LINETABLE_310" : "LINETABLE_LOCATIONS"
	end = 0
	split("code_filename code_name code_qualname code_firstlineno code_linetable", cf, " ")
	for (i in cf) if (cf[i] in v && v[cf[i]] + sz[cf[i]] > end) end = v[cf[i]] + sz[cf[i]]
	printf "/* tools/dump-offsets.sh %s", target
	if ("version" in v) printf " (Py_Version 0x%x)", v["version"]
	printf " */\n"
	printf "/* sizeof(PyThreadState) = %s, frame struct = %s */\n", o("sizeof_tstate"), o("sizeof_frame")
	printf "static const struct py_version py3%d = {\n", minor
	printf "\t.major = 3,\n\t.minor = %d,\n\t.linetable = %s,\n\t.bpf = {\n", minor, lt
	f("runtime_interpreters_head"); f("interp_threads_head"); f("tstate_next")
	f("tstate_thread_id"); f("tstate_native_thread_id"); f("tstate_frame")
	f("cframe_current_frame"); f("frame_previous"); f("frame_code")
	f("frame_lasti"); f("frame_owner"); f("code_adaptive")
	line("lasti_kind", lasti, "")
	line("owner_cstack", own("owner_cstack"), ("owner_cstack" in v) ? "FRAME_OWNED_BY_CSTACK" : "absent")
	line("owner_interpreter", own("owner_interpreter"), ("owner_interpreter" in v) ? "FRAME_OWNED_BY_INTERPRETER" : "absent")
	f("interp_next"); f("interp_id"); f("tstate_interp"); f("tstate_status")
	line("status_bound_gilstate", ("bound_gilstate" in bit) ? bit["bound_gilstate"] : 0,
	     ("bound_gilstate" in bit) ? "_status.bound_gilstate" : "absent")
	printf "\t},\n\t.user = {\n"
	f("ob_type"); f("ob_size"); f("type_tp_name")
	f("code_filename"); f("code_name"); f("code_qualname")
	f("code_firstlineno"); f("code_linetable")
	line("code_size", end, "end of the last code field above")
	f("bytes_sval"); f("unicode_length"); f("unicode_state")
	line("unicode_ascii_size", o("unicode_ascii_size"), "sizeof(PyASCIIObject)")
	line("unicode_compact_size", o("unicode_compact_size"), "sizeof(PyCompactUnicodeObject)")
	line("unicode_kind_shift", ("kind" in bit) ? bit["kind"] : "?", "state.kind")
	line("unicode_compact_shift", ("compact" in bit) ? bit["compact"] : "?", "state.compact")
	line("unicode_ascii_shift", ("ascii" in bit) ? bit["ascii"] : "?", "state.ascii")
	printf "\t},\n\t.val = {\n"
	f("frame_localsplus")
	line("localsplus_tagged", ("stackref" in v) ? 1 : 0, ("stackref" in v) ? "_PyStackRef" : "PyObject *")
	f("code_nlocals"); f("code_varnames"); f("code_localspluskinds")
	f("code_cellvars"); f("code_freevars"); f("cell_ref")
	f("long_size"); f("long_digit")
	line("long_tagged", ("lv_tag" in v) ? 1 : 0, ("lv_tag" in v) ? "lv_tag" : "ob_size")
	f("float_fval"); f("tuple_item"); f("list_item")
	f("dict_used"); f("dict_keys"); f("dict_values")
	line("dict_layout", ("dk_log2_size" in v) ? "DICT_LAYOUT_311" : "DICT_LAYOUT_38", "")
	line("split_values", ("dv_capacity" in v) ? "SPLIT_VALUES_313" : ("dv_values" in v) ? "SPLIT_VALUES_PREFIX" : "SPLIT_VALUES_DENSE", "")
	f("dk_size"); f("dk_log2_index_bytes"); f("dk_kind"); f("dk_nentries"); f("dk_indices")
	line("dv_values", ("dv_values" in v) ? v["dv_values"] : 0, ("dv_values" in v) ? who["dv_values"] : "ma_values is the array")
	f("set_used"); f("set_mask"); f("set_table")
	f("runtime_gil"); f("interp_gil"); f("gil_last_holder"); f("gil_locked")
	printf "\t},\n};\n"
	printf "/* sizeof PyDictKeyEntry %s, PyDictUnicodeEntry %s, setentry %s, digit %s */\n", \
		o("sizeof_dict_entry"), o("sizeof_dict_uentry"), o("sizeof_setentry"), o("sizeof_digit")
}' "$tmp/out"
