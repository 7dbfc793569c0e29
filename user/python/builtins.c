/* Resolving CPython's built-in types and singletons by symbol. */
#include <stddef.h>
#include <string.h>

#include "python/builtins.h"

static const struct {
	const char *sym;
	size_t off;
} syms[] = {
	{ "_Py_NoneStruct", offsetof(struct py_builtins, none) },
	{ "_Py_TrueStruct", offsetof(struct py_builtins, true_obj) },
	{ "_Py_FalseStruct", offsetof(struct py_builtins, false_obj) },
	{ "PyLong_Type", offsetof(struct py_builtins, long_type) },
	{ "PyBool_Type", offsetof(struct py_builtins, bool_type) },
	{ "PyFloat_Type", offsetof(struct py_builtins, float_type) },
	{ "PyUnicode_Type", offsetof(struct py_builtins, str_type) },
	{ "PyBytes_Type", offsetof(struct py_builtins, bytes_type) },
	{ "PyTuple_Type", offsetof(struct py_builtins, tuple_type) },
	{ "PyList_Type", offsetof(struct py_builtins, list_type) },
	{ "PyDict_Type", offsetof(struct py_builtins, dict_type) },
	{ "PySet_Type", offsetof(struct py_builtins, set_type) },
	{ "PyFrozenSet_Type", offsetof(struct py_builtins, frozenset_type) },
	{ "PyCell_Type", offsetof(struct py_builtins, cell_type) },
};

int py_builtins_resolve(struct elf_image *img, uint64_t bias, struct py_builtins *b)
{
	int found = 0;
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		uint64_t addr;

		/* An undefined or zero symbol must not make address 0 (or
		 * the bias alone) look like a type. */
		if (elf_image_symbol(img, syms[i].sym, &addr) || !addr)
			continue;
		addr += bias;
		memcpy((char *)b + syms[i].off, &addr, sizeof(addr));
		found++;
	}
	return found;
}
