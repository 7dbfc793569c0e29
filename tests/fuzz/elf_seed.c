/* A tiny ELF file for tests/fuzz/fuzz_elf_symbols.c's seeds: every symbol
 * pybpftop looks up in a target's executable or libpython, and the version
 * evidence it reads there, with nothing else (no libc, no code).
 * tests/fuzz/make_elf_seeds.sh builds it in several shapes. SEED_HEX is
 * PY_VERSION_HEX, SEED_VERSION the PY_VERSION string; with DEBUG_OFFSETS
 * _PyRuntime starts as 3.13's does, with "xdebugpy" and the version. */
#ifndef SEED_HEX
#define SEED_HEX 0x030b07f0
#endif
#ifndef SEED_VERSION
#define SEED_VERSION "3.11.7"
#endif

struct runtime {
	char cookie[8];
	unsigned long long version;
	unsigned long long rest[62];
};

struct runtime _PyRuntime = {
#ifdef DEBUG_OFFSETS
	"xdebugpy", SEED_HEX,
#else
	"", 0,
#endif
	{ 0 },
};

const unsigned long Py_Version = SEED_HEX;

/* What the .rodata scan finds, between other strings. */
const char *const seed_strings[] = { "%s: %s", SEED_VERSION, "3.x", "main" };

/* Types and singletons: py_builtins_resolve wants their addresses only. */
#define OBJ(name) unsigned long long name[4] = { 1 }
OBJ(_Py_NoneStruct); OBJ(_Py_TrueStruct); OBJ(_Py_FalseStruct);
OBJ(PyLong_Type); OBJ(PyBool_Type); OBJ(PyFloat_Type); OBJ(PyUnicode_Type);
OBJ(PyBytes_Type); OBJ(PyTuple_Type); OBJ(PyList_Type); OBJ(PyDict_Type);
OBJ(PySet_Type); OBJ(PyFrozenSet_Type); OBJ(PyCell_Type);

/* The allocator API that --exact probes. */
#define FN(name) void name(void) { }
FN(PyObject_Malloc) FN(PyObject_Calloc) FN(PyObject_Realloc) FN(PyObject_Free)
FN(PyMem_Malloc) FN(PyMem_Calloc) FN(PyMem_Realloc) FN(PyMem_Free)
FN(PyMem_RawMalloc) FN(PyMem_RawCalloc) FN(PyMem_RawRealloc) FN(PyMem_RawFree)
FN(_PyObject_Malloc)

/* The entry point of the executable shapes. */
FN(_start)
