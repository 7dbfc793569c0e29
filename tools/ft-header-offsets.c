/* tools/ft-header-offsets.c: the layouts a free-threaded CPython table
 * (user/python/versions.c, py313t/py314t) needs, as offsetof() over the
 * CPython headers themselves, for when no free-threaded build with DWARF
 * can be had (3.14t: its source does not download here) or to check one.
 * Build it inside the sid chroot against a version's headers, defining
 * Py_GIL_DISABLED when its pyconfig.h does not (the published Debian one):
 *
 *   I=/usr/include/python3.14; gcc -DPy_GIL_DISABLED=1 -I$I -I$I/internal \
 *       -I/usr/include/x86_64-linux-gnu/python3.14 ft-header-offsets.c && ./a.out
 *   S=/opt/pybpftop-ft/.tmp-3.13t/src; gcc -I$S -I$S/Include -I$S/Include/internal \
 *       ft-header-offsets.c && ./a.out        (a configured --disable-gil tree)
 *
 * (libpython3.14-dev in the chroot: tools/sid-chroot.sh --add libpython3.14-dev.) */
#define Py_BUILD_CORE 1
#include "Python.h"
#include "internal/pycore_runtime.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_code.h"
#include "internal/pycore_dict.h"
#include <stdio.h>
#include <stddef.h>
#include <string.h>

#define P(s, m) printf("%-44s %zu\n", #s "." #m, offsetof(s, m))
#define S(s) printf("%-44s %zu\n", "sizeof " #s, sizeof(s))

/* The bit a unicode state field starts at. */
static unsigned state_bits(int which)
{
	PyASCIIObject a;
	unsigned st;

	memset(&a, 0, sizeof(a));
	if (which == 0)
		a.state.kind = 1;
	else if (which == 1)
		a.state.compact = 1;
	else
		a.state.ascii = 1;
	memcpy(&st, &a.state, sizeof(st));
	return (unsigned)__builtin_ctz(st);
}

int main(void)
{
#ifdef Py_GIL_DISABLED
	puts("Py_GIL_DISABLED (free-threaded)");
#else
	puts("default build (no Py_GIL_DISABLED)");
#endif
	printf("PY_VERSION %s\n", PY_VERSION);
	S(PyObject); P(PyObject, ob_type); P(PyVarObject, ob_size); P(PyTypeObject, tp_name);
	P(PyBytesObject, ob_sval);
	S(_Py_DebugOffsets); P(_Py_DebugOffsets, free_threaded);
	P(_PyRuntimeState, interpreters.head);
	P(PyInterpreterState, threads.head); P(PyInterpreterState, ceval.gil);
	P(PyThreadState, next); P(PyThreadState, thread_id); P(PyThreadState, native_thread_id);
	P(PyThreadState, current_frame);
	P(PyInterpreterState, next); P(PyInterpreterState, id); P(PyThreadState, interp);
	P(PyThreadState, _status);
	P(_PyInterpreterFrame, f_executable); P(_PyInterpreterFrame, previous);
	P(_PyInterpreterFrame, instr_ptr); P(_PyInterpreterFrame, owner);
	P(_PyInterpreterFrame, localsplus);
	P(PyCodeObject, co_filename); P(PyCodeObject, co_name); P(PyCodeObject, co_qualname);
	P(PyCodeObject, co_firstlineno); P(PyCodeObject, co_linetable);
	P(PyCodeObject, co_code_adaptive); P(PyCodeObject, co_nlocalsplus);
	P(PyCodeObject, co_localsplusnames); P(PyCodeObject, co_localspluskinds);
	P(PyCodeObject, co_flags); P(PyCodeObject, _co_firsttraceable);
#if PY_MINOR_VERSION >= 14 && defined(Py_GIL_DISABLED)
	P(_PyInterpreterFrame, tlbc_index); P(PyCodeObject, co_tlbc);
	P(_PyCodeArray, size); P(_PyCodeArray, entries);
	P(_Py_DebugOffsets, interpreter_frame.tlbc_index); P(_Py_DebugOffsets, code_object.co_tlbc);
#endif
	P(PyASCIIObject, length); P(PyASCIIObject, hash); P(PyASCIIObject, state);
	S(PyASCIIObject); S(PyCompactUnicodeObject);
	printf("%-44s %u %u %u\n", "state bits kind compact ascii", state_bits(0), state_bits(1),
	       state_bits(2));
	P(PyCellObject, ob_ref); P(PyFloatObject, ob_fval); P(PyListObject, ob_item);
	P(PyTupleObject, ob_item);
	P(PyDictObject, ma_used); P(PyDictObject, ma_keys); P(PyDictObject, ma_values);
	P(PySetObject, used); P(PySetObject, mask); P(PySetObject, table);
	P(PyLongObject, long_value.lv_tag); P(PyLongObject, long_value.ob_digit);
	P(PyDictKeysObject, dk_log2_size); P(PyDictKeysObject, dk_log2_index_bytes);
	P(PyDictKeysObject, dk_kind); P(PyDictKeysObject, dk_nentries);
	P(PyDictKeysObject, dk_indices); P(PyDictValues, values);
	P(struct _gil_runtime_state, last_holder); P(struct _gil_runtime_state, locked);
	return 0;
}
