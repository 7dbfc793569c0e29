/* The addresses of CPython's built-in types and singletons in a target.
 *
 * Values are recognised by the address of their type, never by tp_name: a
 * hostile target can name its own class "int". The addresses come from the
 * symbol table of the file that defines _PyRuntime (py_target.c). */
#ifndef PY_BUILTINS_H
#define PY_BUILTINS_H

#include <stdint.h>
#include "proc/elf_image.h"

/* 0 for a symbol that was not found: nothing is recognised as it. */
struct py_builtins {
	uint64_t none;			/* _Py_NoneStruct */
	uint64_t true_obj;		/* _Py_TrueStruct */
	uint64_t false_obj;		/* _Py_FalseStruct */
	uint64_t long_type;		/* PyLong_Type */
	uint64_t bool_type;		/* PyBool_Type */
	uint64_t float_type;		/* PyFloat_Type */
	uint64_t str_type;		/* PyUnicode_Type */
	uint64_t bytes_type;		/* PyBytes_Type */
	uint64_t tuple_type;		/* PyTuple_Type */
	uint64_t list_type;		/* PyList_Type */
	uint64_t dict_type;		/* PyDict_Type */
	uint64_t set_type;		/* PySet_Type */
	uint64_t frozenset_type;	/* PyFrozenSet_Type */
	uint64_t cell_type;		/* PyCell_Type */
};

/* Looks each one up in img (.symtab, then .dynsym) and relocates it by
 * bias. Returns how many were found. */
int py_builtins_resolve(struct elf_image *img, uint64_t bias, struct py_builtins *b);

#endif /* PY_BUILTINS_H */
