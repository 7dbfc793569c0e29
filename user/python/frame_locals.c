/* Listing a frame's local variables from untrusted memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "python/code_reader.h"
#include "python/frame_locals.h"

struct reader {
	const struct remote_mem *m;
	const struct py_version *v;
	const struct py_builtins *b;
};

static int read_at(const struct reader *r, uint64_t base, uint64_t off,
		   void *buf, size_t len)
{
	if (base + off < base)
		return -EFAULT;
	return remote_read(r->m, base + off, buf, len);
}

static int read_u64(const struct reader *r, uint64_t base, uint64_t off, uint64_t *v)
{
	return read_at(r, base, off, v, sizeof(*v));
}

/* The size of the object at addr, checking that its type is `type` (by
 * address: a built-in tuple or bytes, not something named like one). */
static int sized_of_type(const struct reader *r, uint64_t addr, uint64_t type,
			 size_t *n)
{
	uint64_t t;
	int64_t size;
	int err;

	if (!addr || !type)
		return -EINVAL;
	if ((err = read_u64(r, addr, r->v->user.ob_type, &t)) ||
	    (err = read_at(r, addr, r->v->user.ob_size, &size, sizeof(size))))
		return err;
	if (t != type || size < 0 || size > PY_LOCALS_SANE)
		return -EINVAL;
	*n = (size_t)size;
	return 0;
}

/* The first k item pointers of a tuple into items. */
static int tuple_items(const struct reader *r, uint64_t tuple, size_t k, uint64_t *items)
{
	return read_at(r, tuple, r->v->val.tuple_item, items, k * 8);
}

/* A slot's object: 3.14's _PyStackRef carries tag bits (Py_TAG_REFCNT = 1
 * on a borrowed or immortal reference; the NULL reference is 1 itself; a
 * tagged int, low bits 3, is not an object). */
static int slot_object(const struct reader *r, uint64_t bits, uint64_t *obj)
{
	*obj = 0;
	if (!r->v->val.localsplus_tagged) {
		*obj = bits;
		return 0;
	}
	if (bits <= 1)
		return 0;	/* PyStackRef_NULL: unbound */
	if ((bits & 3) >= 2)
		return -EINVAL;	/* a tagged int or an invalid reference */
	*obj = bits & ~(uint64_t)7;
	return 0;
}

/* A cell's content, when obj is a cell; *is_cell says whether it was. */
static int cell_deref(const struct reader *r, uint64_t obj, uint64_t *out, int *is_cell)
{
	uint64_t type;
	int err;

	*is_cell = 0;
	*out = obj;
	if (!obj)
		return 0;
	if ((err = read_u64(r, obj, r->v->user.ob_type, &type)))
		return err;
	if (type != r->b->cell_type || !type)
		return 0;
	*is_cell = 1;
	return read_u64(r, obj, r->v->val.cell_ref, out);
}

static void set_name(const struct reader *r, uint64_t str, struct py_local *l)
{
	if (py_read_str(r->m, &r->v->user, str, l->name, sizeof(l->name)) < 0)
		strcpy(l->name, "<unreadable name>");
}

/* The names and kinds of the first k variables, and how many there are. */
static int code_vars(const struct reader *r, uint64_t code, size_t max,
		     uint64_t *names, uint8_t *kinds, size_t *total)
{
	const struct py_value_offsets *val = &r->v->val;
	int32_t nlocals;
	size_t n, k;
	int err;

	if ((err = py_type_name_is(r->m, &r->v->user, code, "code")) != 1)
		return err < 0 ? err : -EINVAL;
	if ((err = read_at(r, code, val->code_nlocals, &nlocals, sizeof(nlocals))))
		return err;
	if (nlocals < 0 || nlocals > PY_LOCALS_SANE)
		return -EINVAL;

	if (val->code_localspluskinds != PYBPFTOP_NO_OFFSET) {
		/* 3.11+: one names tuple, one kinds bytes, both nlocalsplus long */
		uint64_t tuple, bytes;
		size_t nk;

		if ((err = read_u64(r, code, val->code_varnames, &tuple)) ||
		    (err = read_u64(r, code, val->code_localspluskinds, &bytes)) ||
		    (err = sized_of_type(r, tuple, r->b->tuple_type, &n)) ||
		    (err = sized_of_type(r, bytes, r->b->bytes_type, &nk)))
			return err;
		if (n != (size_t)nlocals || nk != n)
			return -EINVAL;
		k = n < max ? n : max;
		if ((err = tuple_items(r, tuple, k, names)) ||
		    (err = read_at(r, bytes, r->v->user.bytes_sval, kinds, k)))
			return err;
		*total = n;
		return (int)k;
	}

	/* <=3.10: co_varnames (nlocals), then co_cellvars, co_freevars */
	{
		static const uint8_t kind_of[3] = {
			PY_CO_FAST_LOCAL, PY_CO_FAST_CELL, PY_CO_FAST_FREE,
		};
		uint16_t offs[3] = { val->code_varnames, val->code_cellvars,
				     val->code_freevars };
		size_t got = 0, all = 0, i, j;

		for (i = 0; i < 3; i++) {
			uint64_t tuple;

			if ((err = read_u64(r, code, offs[i], &tuple)) ||
			    (err = sized_of_type(r, tuple, r->b->tuple_type, &n)))
				return err;
			if (i == 0 && n != (size_t)nlocals)
				return -EINVAL;
			all += n;
			k = n < max - got ? n : max - got;
			if (k && (err = tuple_items(r, tuple, k, names + got)))
				return err;
			for (j = 0; j < k; j++)
				kinds[got + j] = kind_of[i];
			got += k;
		}
		*total = all;
		return (int)got;
	}
}

int py_frame_locals(const struct remote_mem *m, const struct py_version *v,
		    const struct py_builtins *b, uint64_t frame, uint64_t code,
		    struct py_local *out, size_t max, size_t *total)
{
	const struct reader r = { m, v, b };
	uint64_t *names = NULL, *slots = NULL;
	uint8_t *kinds = NULL;
	size_t i, n = 0;
	int k, err;

	*total = 0;
	if (!max)
		return 0;
	if (max > PY_LOCALS_SANE)
		max = PY_LOCALS_SANE;
	names = calloc(max, sizeof(*names));
	slots = calloc(max, sizeof(*slots));
	kinds = calloc(max, 1);
	if (!names || !slots || !kinds) {
		err = -ENOMEM;
		goto out;
	}
	k = code_vars(&r, code, max, names, kinds, total);
	if (k < 0) {
		err = k;
		goto out;
	}
	if (k && (err = read_at(&r, frame, v->val.frame_localsplus, slots, (size_t)k * 8)))
		goto out;

	for (i = 0; i < (size_t)k; i++) {
		struct py_local *l = &out[n];
		uint8_t kind = kinds[i];
		uint64_t obj;
		int is_cell;

		memset(l, 0, sizeof(*l));
		set_name(&r, names[i], l);
		l->kind = kind & PY_CO_FAST_FREE ? PY_LOCAL_FREE :
			  kind & PY_CO_FAST_CELL ? PY_LOCAL_CELL : PY_LOCAL_FAST;
		l->hidden = !!(kind & PY_CO_FAST_HIDDEN);
		if ((l->err = slot_object(&r, slots[i], &obj)))
			goto next;
		if (l->kind == PY_LOCAL_FAST) {
			l->value = obj;
			goto next;
		}
		/* A cell variable's slot holds its cell once MAKE_CELL has run
		 * (3.11+; at frame creation before); until then, on 3.11+, the
		 * argument itself. A free variable's always holds a cell. */
		if ((l->err = cell_deref(&r, obj, &l->value, &is_cell))) {
			l->value = 0;
		} else if (!is_cell && obj && l->kind == PY_LOCAL_FREE) {
			l->err = -EINVAL;
			l->value = 0;
		}
next:
		n++;
	}

	/* <=3.10 moves an argument captured by a closure into its cell and
	 * clears its fast slot: show the variable once, as Python does. */
	if (v->val.code_localspluskinds == PYBPFTOP_NO_OFFSET) {
		size_t w = 0, j;

		for (i = 0; i < n; i++) {
			int dup = 0;

			if (out[i].kind == PY_LOCAL_FAST && !out[i].value && !out[i].err)
				for (j = 0; j < n && !dup; j++)
					dup = out[j].kind == PY_LOCAL_CELL &&
					      !strcmp(out[j].name, out[i].name);
			if (!dup)
				out[w++] = out[i];
		}
		*total -= n - w;
		n = w;
	}
	err = (int)n;
out:
	free(names);
	free(slots);
	free(kinds);
	return err;
}
