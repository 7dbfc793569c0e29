/* Unit test of py_repr.c, frame_locals.c and py_gil.c.
 *
 * Part 1 builds objects in a fake address space with the real 3.11, 3.13
 * and 3.14 tables and checks renderings, then feeds hostile objects (huge
 * sizes, cycles, NULL items, unmapped pointers, forged type names) that
 * must give bounded, clearly marked output and no crash.
 * Part 2 runs each interpreter present (Debian's 3.11, pyenv's 3.8-3.13,
 * sid's 3.14 and 3.15 in its chroot, the debug builds 3.11d and 3.15d) on
 * a script that binds locals of every kind in a function, prints their repr() and blocks; the test finds that
 * function's frame from outside (_PyRuntime -> thread states -> frames,
 * with the version tables), lists its locals and checks each rendering
 * against Python's own repr(); then checks the GIL holder: nobody while
 * the script blocks, then a spinning thread's state.
 * Needs root for the live part (process_vm_readv, map_files); exits 77
 * when no interpreter could be checked, 1 on any failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "python/frame_locals.h"
#include "python/gil.h"
#include "python/repr.h"
#include "python/target.h"
#include "check.h"
#include "fake_mem.h"

/* ---------------------------------------------------------------- */
/* Part 1: a fake address space                                      */

#define HEAP_BASE	0x555500000000ULL
#define HEAP_SIZE	(1024 * 1024)
#define UNMAPPED	0x0000dead0000ULL

static uint8_t heap_buf[HEAP_SIZE];
static struct fake_heap heap = { HEAP_BASE, heap_buf, sizeof(heap_buf), 0 };
static struct fake_space space;
static struct remote_mem mem;
static struct py_builtins bi;
static struct py_version v;	/* the table under test */
static const struct py_user_offsets *u;

static uint64_t obj(uint64_t type, size_t size)
{
	uint64_t a = fh_alloc(&heap, size);

	fh_u64(&heap, a, 1);
	fh_u64(&heap, a + u->ob_type, type);
	return a;
}

static uint64_t mk_long(int neg, const uint32_t *d, size_t nd)
{
	uint64_t a = obj(bi.long_type, v.val.long_digit + 4 * (nd + 1));

	if (v.val.long_tagged)
		fh_u64(&heap, a + v.val.long_size, (uint64_t)nd << 3 | (nd ? neg ? 2 : 0 : 1));
	else
		fh_u64(&heap, a + v.val.long_size, neg ? -(uint64_t)nd : nd);
	if (nd)
		fh_put(&heap, a + v.val.long_digit, d, 4 * nd);
	return a;
}

static uint64_t mk_int(long long x)
{
	uint32_t d[3];
	unsigned long long m = x < 0 ? -(unsigned long long)x : (unsigned long long)x;
	size_t n = 0;

	while (m) {
		d[n++] = m & ((1u << 30) - 1);
		m >>= 30;
	}
	return mk_long(x < 0, d, n);
}

static uint64_t mk_float(double x)
{
	uint64_t a = obj(bi.float_type, 24);

	fh_put(&heap, a + v.val.float_fval, &x, 8);
	return a;
}

static uint64_t mk_tuple(size_t n, const uint64_t *items)
{
	uint64_t a = obj(bi.tuple_type, v.val.tuple_item + 8 * (n + 1));

	fh_u64(&heap, a + u->ob_size, n);
	fh_put(&heap, a + v.val.tuple_item, items, 8 * n);
	return a;
}

static uint64_t mk_list(size_t n, const uint64_t *items)
{
	uint64_t a = obj(bi.list_type, 48), arr = fh_alloc(&heap, 8 * n + 8);

	fh_u64(&heap, a + u->ob_size, n);
	fh_u64(&heap, a + v.val.list_item, arr);
	fh_put(&heap, arr, items, 8 * n);
	return a;
}

/* A 3.11+ combined dict of n <= 5 pairs, unicode or general entries. */
static uint64_t mk_dict(size_t n, const uint64_t *keys, const uint64_t *vals, int general)
{
	size_t esize = general ? 24 : 16;
	uint64_t d = obj(bi.dict_type, 48), k = fh_alloc(&heap, 32 + 8 + 8 * esize);
	size_t i;

	fh_u64(&heap, d + v.val.dict_used, n);
	fh_u64(&heap, d + v.val.dict_keys, k);
	heap_buf[k - HEAP_BASE + v.val.dk_size] = 3;		/* log2 size */
	heap_buf[k - HEAP_BASE + v.val.dk_log2_index_bytes] = 3;
	heap_buf[k - HEAP_BASE + v.val.dk_kind] = general ? 0 : 1;
	fh_u64(&heap, k + v.val.dk_nentries, n);
	for (i = 0; i < n; i++) {
		uint64_t e = k + v.val.dk_indices + 8 + i * esize + (general ? 8 : 0);

		fh_u64(&heap, e, keys[i]);
		fh_u64(&heap, e + 8, vals[i]);
	}
	return d;
}

static uint64_t mk_set(uint64_t type, size_t n, const uint64_t *keys)
{
	uint64_t s = obj(type, 200), table = fh_alloc(&heap, 8 * 16);
	size_t i;

	fh_u64(&heap, s + v.val.set_used, n);
	fh_u64(&heap, s + v.val.set_mask, 7);
	fh_u64(&heap, s + v.val.set_table, table);
	for (i = 0; i < n; i++) {
		fh_u64(&heap, table + 16 * (2 * i + 1), keys[i]);	/* odd slots */
		fh_u64(&heap, table + 16 * (2 * i + 1) + 8, 1000 + i);
	}
	/* a dummy (deleted) entry: hash -1 */
	fh_u64(&heap, table, keys[0]);
	fh_u64(&heap, table + 8, UINT64_MAX);
	return s;
}

static void expect_repr(const char *what, uint64_t addr, size_t cap, const char *want)
{
	struct py_repr_ctx c = { &mem, &v, &bi };
	char buf[8192];
	int n;

	memset(buf, 'X', sizeof(buf));
	n = py_repr(&c, addr, buf, cap);
	CHECK(n >= 0 && (size_t)n < cap && strlen(buf) == (size_t)n && !strcmp(buf, want),
	      "repr %s: \"%s\" (want \"%s\")", what, n >= 0 ? buf : "", want);
}

/* Rendered without crashing, within cap, and containing `has`. */
static void expect_bounded(const char *what, uint64_t addr, size_t cap, const char *has)
{
	struct py_repr_ctx c = { &mem, &v, &bi };
	static char buf[1 << 20];
	struct timespec t0, t1;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = py_repr(&c, addr, buf, cap);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(n >= 0 && (size_t)n < cap && strlen(buf) == (size_t)n && strstr(buf, has) &&
	      t1.tv_sec - t0.tv_sec < 2,
	      "hostile %s: %d bytes, has \"%s\": \"%.80s%s\"", what, n, has, buf,
	      n > 80 ? "..." : "");
}

static void test_floats(void)
{
	static const struct { double x; const char *want; } t[] = {
		{ 1.5, "1.5" }, { 0.1, "0.1" }, { 3.25, "3.25" }, { 1e100, "1e+100" },
		{ 1e16, "1e+16" }, { 1e15, "1000000000000000.0" }, { 0.0001, "0.0001" },
		{ 0.00001, "1e-05" }, { 1.5e-7, "1.5e-07" }, { -2.0, "-2.0" },
		{ 123456789.125, "123456789.125" }, { 1.0 / 3, "0.3333333333333333" },
		{ 2.0 / 3, "0.6666666666666666" }, { 1.7976931348623157e308, "1.7976931348623157e+308" },
		{ 5e-324, "5e-324" }, { 100.0, "100.0" }, { 123456789012345678.0, "1.2345678901234568e+17" },
		{ 0.0, "0.0" }, { -0.0, "-0.0" }, { 1.0 / 0.0, "inf" }, { -1.0 / 0.0, "-inf" },
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		py_float_repr(t[i].x, buf, sizeof(buf));
		CHECK(!strcmp(buf, t[i].want), "float %s -> %s", t[i].want, buf);
	}
	py_float_repr(0.0 / 0.0, buf, sizeof(buf));
	CHECK(!strcmp(buf, "nan"), "float nan -> %s", buf);
}

static void test_values(void)
{
	uint32_t big[7] = { 1, 0, 0, 0, 0, 0, 1u << 20 };	/* 2**200 + 1 */
	uint64_t s_a = fh_str(&heap, u, bi.str_type, "a");
	uint64_t s_b = fh_str(&heap, u, bi.str_type, "b");
	uint64_t one = mk_int(1), two = mk_int(2);
	uint64_t items[4], vals[4];

	expect_repr("None", bi.none, 64, "None");
	expect_repr("True", bi.true_obj, 64, "True");
	expect_repr("NULL", 0, 64, "<NULL>");
	expect_repr("0", mk_long(0, NULL, 0), 64, "0");
	expect_repr("-12345", mk_int(-12345), 64, "-12345");
	expect_repr("2**62", mk_int(1LL << 62), 64, "4611686018427387904");
	expect_repr("2**200+1", mk_long(0, big, 7), 128,
		    "1606938044258990275541962092341162602522202993782792835301377");
	expect_repr("-(2**200+1)", mk_long(1, big, 7), 128,
		    "-1606938044258990275541962092341162602522202993782792835301377");
	expect_repr("float", mk_float(0.1), 64, "0.1");
	expect_repr("str", fh_str(&heap, u, bi.str_type, "héllo ☃"), 64, "'héllo ☃'");
	expect_repr("str quotes", fh_str(&heap, u, bi.str_type, "it's"), 64, "\"it's\"");
	expect_repr("str both quotes", fh_str(&heap, u, bi.str_type, "'\""), 64, "'\\'\"'");
	{
		const uint32_t cps[] = { 'a', 0, '\t', '\n', 0x7f, 0xa0, 0x200b, 0xd800,
					 0x1f40d, '\\' };

		expect_repr("str escapes", fh_str_cps(&heap, u, bi.str_type, cps, 10), 128,
			    "'a\\x00\\t\\n\\x7f\\xa0\\u200b\\ud800\xf0\x9f\x90\x8d\\\\'");
	}
	expect_repr("bytes", fh_bytes(&heap, u, bi.bytes_type, "\0ab\xff'\\", 6), 64,
		    "b\"\\x00ab\\xff'\\\\\"");
	items[0] = one;
	expect_repr("1-tuple", mk_tuple(1, items), 64, "(1,)");
	expect_repr("empty tuple", mk_tuple(0, items), 64, "()");
	items[1] = s_a;
	items[2] = bi.none;
	expect_repr("list", mk_list(3, items), 64, "[1, 'a', None]");
	vals[0] = one;
	vals[1] = mk_list(2, (uint64_t[]){ two, mk_tuple(1, &one) });
	expect_repr("unicode dict", mk_dict(2, (uint64_t[]){ s_a, s_b }, vals, 0), 64,
		    "{'a': 1, 'b': [2, (1,)]}");
	expect_repr("general dict", mk_dict(2, (uint64_t[]){ one, s_b }, vals, 1), 64,
		    "{1: 1, 'b': [2, (1,)]}");
	expect_repr("empty dict", mk_dict(0, NULL, NULL, 0), 64, "{}");
	expect_repr("set", mk_set(bi.set_type, 2, (uint64_t[]){ one, two }), 64, "{1, 2}");
	expect_repr("frozenset", mk_set(bi.frozenset_type, 1, &two), 64, "frozenset({2})");
	expect_repr("empty set", mk_set(bi.set_type, 0, &two), 64, "set()");
	{
		uint64_t o = obj(fh_type(&heap, u, "Café"), 32);
		char want[64];

		snprintf(want, sizeof(want), "<Café object at 0x%llx>", (unsigned long long)o);
		expect_repr("object", o, 64, want);
	}
}

static void test_hostile(void)
{
	uint64_t one = mk_int(1), two_ = mk_int(2), a, b, items[70], t_int, d;
	char want[128];
	int i;

	/* A class named "int" is not an int. */
	t_int = fh_type(&heap, u, "int");
	a = obj(t_int, 32);
	snprintf(want, sizeof(want), "<int object at 0x%llx>", (unsigned long long)a);
	expect_repr("class named int", a, 128, want);
	a = obj(fh_type(&heap, u, "Ev\x01l<x>\xff\xc3\xa9"), 32);
	snprintf(want, sizeof(want), "<Ev?l?x??é object at 0x%llx>", (unsigned long long)a);
	expect_repr("sanitized type name", a, 128, want);

	/* Self-referencing list: [[...]] as Python prints it. */
	a = mk_list(1, &one);
	{
		uint64_t arr;

		memcpy(&arr, heap_buf + (a - HEAP_BASE) + v.val.list_item, 8);
		fh_u64(&heap, arr, a);
	}
	expect_repr("self-referencing list", a, 64, "[[...]]");
	/* Two lists inside each other. */
	a = mk_list(1, &one);
	b = mk_list(1, &a);
	{
		uint64_t arr;

		memcpy(&arr, heap_buf + (a - HEAP_BASE) + v.val.list_item, 8);
		fh_u64(&heap, arr, b);
	}
	expect_repr("mutual lists", a, 64, "[[[...]]]");
	/* 20 distinct nested lists: cut at the depth bound. */
	a = one;
	for (i = 0; i < 20; i++)
		a = mk_list(1, &a);
	expect_repr("deep nesting", a, 64, "[[[[[[[[...]]]]]]]]");

	/* NULL and unmapped items. */
	items[0] = 0;
	items[1] = UNMAPPED;
	items[2] = one;
	snprintf(want, sizeof(want), "(<NULL>, <unreadable 0x%llx>, 1)",
		 (unsigned long long)UNMAPPED);
	expect_repr("NULL and unmapped items", mk_tuple(3, items), 128, want);

	/* Huge sizes. */
	a = mk_list(1, &one);
	fh_u64(&heap, a + u->ob_size, 1ULL << 40);
	expect_bounded("list of 2^40 items", a, 4096, "<unreadable");
	fh_u64(&heap, a + u->ob_size, 1000000);
	expect_bounded("list of 10^6 items over a 1-item array", a, 4096, "1, ");
	fh_u64(&heap, a + u->ob_size, (uint64_t)-3);
	expect_bounded("list of -3 items", a, 4096, "<unreadable");
	a = mk_tuple(1, &one);
	fh_u64(&heap, a + u->ob_size, 1ULL << 40);
	expect_bounded("tuple of 2^40 items", a, 4096, "<unreadable");
	a = mk_long(0, (uint32_t[]){ 1 }, 1);
	fh_u64(&heap, a + v.val.long_size, v.val.long_tagged ? 1000000ULL << 3 : 1000000);
	expect_bounded("int of 10^6 digits", a, 4096, "<int of ~");
	a = mk_long(0, (uint32_t[]){ 0xffffffff }, 1);
	expect_bounded("int digit over 2^30", a, 4096, "<unreadable");
	a = fh_bytes(&heap, u, bi.bytes_type, "x", 1);
	fh_u64(&heap, a + u->ob_size, 1ULL << 50);
	expect_bounded("bytes of 2^50", a, 4096, "<unreadable");
	a = fh_bytes(&heap, u, bi.bytes_type, "x", 1);
	fh_u64(&heap, a + u->ob_size, HEAP_SIZE);
	expect_bounded("bytes past the mapping", a, 4096, "<unreadable");
	a = fh_bytes(&heap, u, bi.bytes_type, "xyzwq", 5);
	fh_u64(&heap, a + u->ob_size, 3);
	expect_bounded("bytes without its NUL", a, 4096, "<unreadable");
	d = mk_dict(1, &one, &one, 1);
	{
		uint64_t k;

		memcpy(&k, heap_buf + (d - HEAP_BASE) + v.val.dict_keys, 8);
		heap_buf[k - HEAP_BASE + v.val.dk_size] = 60;
		expect_bounded("dict of 2^60 slots", d, 4096, "<unreadable");
		heap_buf[k - HEAP_BASE + v.val.dk_size] = 3;
		fh_u64(&heap, k + v.val.dk_nentries, 1ULL << 40);
		expect_bounded("dict of 2^40 entries", d, 4096, "<unreadable");
		fh_u64(&heap, k + v.val.dk_nentries, 1);
		fh_u64(&heap, d + v.val.dict_keys, UNMAPPED);
		expect_bounded("dict keys unmapped", d, 4096, "<unreadable");
	}
	a = mk_set(bi.set_type, 1, &one);
	fh_u64(&heap, a + v.val.set_mask, (1ULL << 40) - 1);
	expect_bounded("set of 2^40 slots", a, 4096, "<unreadable");
	fh_u64(&heap, a + v.val.set_mask, (1ULL << 20) - 1);
	fh_u64(&heap, a + v.val.set_used, 1 << 20);
	expect_bounded("set of 2^20 slots over 8", a, 4096, "...");
	fh_u64(&heap, a + v.val.set_table, HEAP_BASE + HEAP_SIZE - 64);
	expect_bounded("set table past the mapping", a, 4096, "<unreadable");
	a = obj(bi.bool_type, 32);
	expect_bounded("a third bool", a, 4096, "<unreadable");
	a = obj(0, 32);
	expect_bounded("NULL type", a, 4096, "<unreadable");
	expect_bounded("unmapped object", UNMAPPED, 4096, "<unreadable");
	expect_bounded("object at 2^64 - 8", ~0ULL - 7, 4096, "<unreadable");

	/* A list of 64 lists of the same 64-item list, 8 deep: read budget
	 * and output bounds, not 64^8 reads. */
	for (i = 0; i < 64; i++)
		items[i] = one;
	a = mk_list(64, items);
	for (i = 0; i < 7; i++) {
		int j;

		for (j = 0; j < 64; j++)
			items[j] = a;
		a = mk_list(64, items);
	}
	expect_bounded("64^8 fan-out, 1 MiB output", a, 1 << 20, "...");
	expect_bounded("64^8 fan-out, 40-byte output", a, 40, "...");

	/* Locals: a code object declaring 2^20 variables, or names and kinds
	 * of different lengths, is refused. */
	{
		struct py_local out[4];
		size_t total;
		int r;

		r = py_frame_locals(&mem, &v, &bi, HEAP_BASE, one, out, 4, &total);
		CHECK(r == -EINVAL, "locals of a non-code object: %d", r);
		r = py_frame_locals(&mem, &v, &bi, HEAP_BASE, UNMAPPED, out, 4, &total);
		CHECK(r == -EFAULT, "locals of an unmapped code object: %d", r);
	}

	/* A 3.11+ code object with three variables: a local, a cell, a free
	 * variable; then hostile counts. */
	if (v.val.code_localspluskinds != PYBPFTOP_NO_OFFSET) {
		uint64_t t_code = fh_type(&heap, u, "code");
		uint64_t code = obj(t_code, 256), frame = fh_alloc(&heap, 256);
		uint64_t names[3], kinds, tuple, cell = obj(bi.cell_type, 32), cell2;
		const uint8_t kb[3] = { PY_CO_FAST_LOCAL, PY_CO_FAST_LOCAL | PY_CO_FAST_CELL,
					PY_CO_FAST_FREE };
		struct py_local out[4];
		size_t total;
		int r;

		names[0] = fh_str(&heap, u, bi.str_type, "x");
		names[1] = fh_str(&heap, u, bi.str_type, "c");
		names[2] = fh_str(&heap, u, bi.str_type, "f");
		tuple = mk_tuple(3, names);
		kinds = fh_bytes(&heap, u, bi.bytes_type, kb, 3);
		fh_u32(&heap, code + v.val.code_nlocals, 3);
		fh_u64(&heap, code + v.val.code_varnames, tuple);
		fh_u64(&heap, code + v.val.code_localspluskinds, kinds);
		fh_u64(&heap, cell + v.val.cell_ref, two_);
		cell2 = obj(bi.cell_type, 32);
		fh_u64(&heap, cell2 + v.val.cell_ref, one);
		/* x = 1 (tagged on 3.14), c holds its cell, f a cell */
		fh_u64(&heap, frame + v.val.frame_localsplus, one | v.val.localsplus_tagged);
		fh_u64(&heap, frame + v.val.frame_localsplus + 8, cell);
		fh_u64(&heap, frame + v.val.frame_localsplus + 16, cell2);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == 3 && total == 3 && !strcmp(out[0].name, "x") && out[0].value == one &&
		      out[0].kind == PY_LOCAL_FAST && out[1].kind == PY_LOCAL_CELL &&
		      out[1].value == two_ && out[2].kind == PY_LOCAL_FREE && out[2].value == one,
		      "locals x, c (cell), f (free): %d", r);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 2, &total);
		CHECK(r == 2 && total == 3, "locals cut at max 2 of 3: %d %zu", r, total);
		/* a free variable whose slot is not a cell */
		fh_u64(&heap, frame + v.val.frame_localsplus + 16, one);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == 3 && out[2].err == -EINVAL && !out[2].value, "free variable not a cell");
		/* an unmapped cell */
		fh_u64(&heap, frame + v.val.frame_localsplus + 16, UNMAPPED);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == 3 && out[2].err == -EFAULT, "unmapped cell: %d", out[2].err);
		fh_u32(&heap, code + v.val.code_nlocals, 1 << 20);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == -EINVAL, "co_nlocalsplus 2^20: %d", r);
		fh_u32(&heap, code + v.val.code_nlocals, 2);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == -EINVAL, "co_nlocalsplus != len(names): %d", r);
		fh_u32(&heap, code + v.val.code_nlocals, 3);
		fh_u64(&heap, tuple + u->ob_size, 1ULL << 40);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == -EINVAL, "names tuple of 2^40: %d", r);
		fh_u64(&heap, tuple + u->ob_size, 3);
		fh_u64(&heap, code + v.val.code_varnames, kinds);
		r = py_frame_locals(&mem, &v, &bi, frame, code, out, 4, &total);
		CHECK(r == -EINVAL, "names a bytes object: %d", r);
		fh_u64(&heap, code + v.val.code_varnames, tuple);
		r = py_frame_locals(&mem, &v, &bi, UNMAPPED, code, out, 4, &total);
		CHECK(r == -EFAULT, "frame unmapped: %d", r);
	}

	/* The GIL: held, free, nonsense. */
	{
		uint64_t rt = fh_alloc(&heap, 2048), interp = fh_alloc(&heap, 512);
		uint64_t gil = fh_alloc(&heap, 256), ts;
		int r;

		fh_u64(&heap, rt + v.bpf.runtime_interpreters_head, interp);
		if (v.val.interp_gil != PYBPFTOP_NO_OFFSET)
			fh_u64(&heap, interp + v.val.interp_gil, gil);
		else
			gil = rt + v.val.runtime_gil;
		fh_u32(&heap, gil + v.val.gil_locked, 1);
		fh_u64(&heap, gil + v.val.gil_last_holder, 0x1234);
		r = py_gil_holder_at(&mem, &v, rt, &ts);
		CHECK(r == 1 && ts == 0x1234, "gil held: %d 0x%llx", r, (unsigned long long)ts);
		fh_u32(&heap, gil + v.val.gil_locked, 0);
		CHECK(py_gil_holder_at(&mem, &v, rt, &ts) == 0, "gil free");
		fh_u32(&heap, gil + v.val.gil_locked, (uint32_t)-1);
		CHECK(py_gil_holder_at(&mem, &v, rt, &ts) == 0, "gil not created");
		fh_u32(&heap, gil + v.val.gil_locked, 7);
		CHECK(py_gil_holder_at(&mem, &v, rt, &ts) == -EINVAL, "gil locked = 7");
		CHECK(py_gil_holder_at(&mem, &v, UNMAPPED, &ts) < 0, "gil unmapped");
	}

	/* Subinterpreters (3.12+): each with its own GIL or the main one's.
	 * The list is sub2 -> sub1 -> main (the newest first, as CPython links
	 * them); sub1 shares the main GIL, sub2 has its own. */
	{
		uint64_t rt = fh_alloc(&heap, 2048), main_i = fh_alloc(&heap, 512);
		uint64_t sub1 = fh_alloc(&heap, 512), sub2 = fh_alloc(&heap, 512);
		uint64_t gil0 = fh_alloc(&heap, 256), gil2 = fh_alloc(&heap, 256), ts;
		struct py_gil g[4];
		int n, per_interp = v.val.interp_gil != PYBPFTOP_NO_OFFSET;

		fh_u64(&heap, rt + v.bpf.runtime_interpreters_head, sub2);
		fh_u64(&heap, rt + v.bpf.runtime_interpreters_head + 8, main_i);
		fh_u64(&heap, sub2 + v.bpf.interp_next, sub1);
		fh_u64(&heap, sub1 + v.bpf.interp_next, main_i);
		fh_u64(&heap, main_i + v.bpf.interp_next, 0);
		fh_u64(&heap, sub2 + v.bpf.interp_id, 2);
		fh_u64(&heap, sub1 + v.bpf.interp_id, 1);
		fh_u64(&heap, main_i + v.bpf.interp_id, 0);
		if (per_interp) {
			fh_u64(&heap, main_i + v.val.interp_gil, gil0);
			fh_u64(&heap, sub1 + v.val.interp_gil, gil0);
			fh_u64(&heap, sub2 + v.val.interp_gil, gil2);
		} else {
			gil0 = rt + v.val.runtime_gil;
		}
		fh_u32(&heap, gil0 + v.val.gil_locked, 1);
		fh_u64(&heap, gil0 + v.val.gil_last_holder, 0x1234);
		fh_u32(&heap, gil2 + v.val.gil_locked, 1);
		fh_u64(&heap, gil2 + v.val.gil_last_holder, 0x5678);
		n = py_gils_at(&mem, &v, rt, g, 4);
		if (per_interp)
			CHECK(n == 2 && g[0].addr == gil0 && g[0].interp_id == 0 && g[0].held == 1 &&
			      g[0].holder == 0x1234 && g[1].addr == gil2 && g[1].interp_id == 2 &&
			      g[1].held == 1 && g[1].holder == 0x5678,
			      "3.%d: main's GIL, then sub2's own: %d gils", v.minor, n);
		else
			CHECK(n == 1 && g[0].held == 1 && g[0].holder == 0x1234,
			      "3.%d: one GIL for all: %d gils", v.minor, n);
		/* The main interpreter's, not the list's head. */
		CHECK(py_gil_holder_at(&mem, &v, rt, &ts) == 1 && ts == 0x1234, "main's GIL holder");
		CHECK(py_gils_at(&mem, &v, rt, g, 1) == 1 && g[0].holder == 0x1234, "max 1");
		/* A list that loops back is followed at most so far. */
		fh_u64(&heap, main_i + v.bpf.interp_next, sub2);
		n = py_gils_at(&mem, &v, rt, g, 4);
		CHECK(n == (per_interp ? 2 : 1), "looping list: %d gils", n);
		CHECK(py_gils_at(&mem, &v, UNMAPPED, g, 4) < 0, "runtime unmapped");
	}
}

static void fake_setup(int minor)
{
	v = *py_version_find(3, minor);
	u = &v.user;
	heap.used = 0;
	space.n = 0;
	fake_map(&space, HEAP_BASE, heap_buf, sizeof(heap_buf));
	mem = fake_remote(&space);
	memset(&bi, 0, sizeof(bi));
	bi.none = obj(0, 16);
	bi.true_obj = obj(0, 32);
	bi.false_obj = obj(0, 32);
	bi.long_type = fh_type(&heap, u, "int");
	bi.bool_type = fh_type(&heap, u, "bool");
	bi.float_type = fh_type(&heap, u, "float");
	bi.str_type = fh_type(&heap, u, "str");
	bi.bytes_type = fh_type(&heap, u, "bytes");
	bi.tuple_type = fh_type(&heap, u, "tuple");
	bi.list_type = fh_type(&heap, u, "list");
	bi.dict_type = fh_type(&heap, u, "dict");
	bi.set_type = fh_type(&heap, u, "set");
	bi.frozenset_type = fh_type(&heap, u, "frozenset");
	bi.cell_type = fh_type(&heap, u, "cell");
}

static void part1(void)
{
	static const int minors[] = { 11, 13, 14 };	/* 3.11+ dict layout */
	size_t i;

	test_floats();
	for (i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		printf("-- fake 3.%d\n", minors[i]);
		fake_setup(minors[i]);
		test_values();
		test_hostile();
	}
}

/* ---------------------------------------------------------------- */
/* Part 2: live interpreters                                         */

static const char script[] =
	"import sys, threading\n"
	"class Thing:\n"
	"    def __init__(self):\n"
	"        self.a = 1\n"
	"        self.b = 2\n"
	"def spin():\n"
	"    while True:\n"
	"        pass\n"
	"def target(arg, captured_arg):\n"
	"    si = 7\n"
	"    neg = -12345\n"
	"    big = 2**200 + 1\n"
	"    nbig = -(3**100)\n"
	"    digit_edge = 2**30\n"
	"    zero = 0\n"
	"    f1 = 3.25\n"
	"    f2 = 0.1\n"
	"    fbig = 1e100\n"
	"    ftiny = -1.5e-7\n"
	"    s = 'h\\u00e9llo \\u2603 w\\u00f6rld'\n"
	"    sq = \"it's\"\n"
	"    esc = 'a\\tb\\n\\x00\\x7f\\u200b\\U0001f40d\\\\'\n"
	"    empty = ''\n"
	"    b = b\"\\x00ab\\xff'\"\n"
	"    d = {'a': [1, 2, {'b': (3,)}], 'c': None}\n"
	"    dint = {1: 'one', (2, 3): 2.5}\n"
	"    l = [1, 'two', 3.0, [], {}]\n"
	"    t = (1,)\n"
	"    t0 = ()\n"
	"    st = {1, 2, 3}\n"
	"    est = set()\n"
	"    fs = frozenset({4})\n"
	"    yes, no, nothing = True, False, None\n"
	"    obj = Thing()\n"
	"    o2 = Thing()\n"
	"    del o2.a\n"
	"    o2.a = 3\n"
	"    d1 = obj.__dict__\n"
	"    d2 = o2.__dict__\n"
	"    cyc = [1]\n"
	"    cyc.append(cyc)\n"
	"    captured = 'cell value'\n"
	"    gone = 1\n"
	"    del gone\n"
	"    def inner():\n"
	"        return captured, captured_arg\n"
	"    for name, val in list(locals().items()):\n"
	"        if type(val) in (int, float, str, bytes, tuple, list, dict, set,\n"
	"                         frozenset, bool, type(None)):\n"
	"            r = repr(val)\n"
	"        else:\n"
	"            r = '<%s object at %#x>' % (type(val).__name__, id(val))\n"
	"        print('L\\t%s\\t%s' % (name, r))\n"
	"    print('CODE\\t%d' % id(sys._getframe().f_code))\n"
	"    print('FRAME\\t%d' % (id(sys._getframe()) if sys.version_info < (3, 11) else 0))\n"
	"    print('END', flush=True)\n"
	"    sys.stdin.readline()\n"
	"    th = threading.Thread(target=spin, daemon=True)\n"
	"    th.start()\n"
	"    print('SPIN\\t%d' % th.ident, flush=True)\n"
	"    sys.stdin.readline()\n"
	"target('an arg', 'captured arg')\n";

/* Expected locals, as the script printed them. */
#define MAX_LOCALS 128
struct want {
	char name[64];
	char repr[1024];
	int seen;
};

static int read_u64(struct py_target *t, uint64_t addr, uint64_t *v)
{
	return remote_read(&t->mem, addr, v, 8);
}

/* Walks _PyRuntime -> interpreter -> thread states -> frames, the way the
 * BPF walker does, for the frame running `code`; also the thread state
 * whose thread_id (pthread_self) is `ident`, when ident != 0. */
static int find_frame(struct py_target *t, uint64_t code, uint64_t *frame,
		      uint64_t ident, uint64_t *tstate_of)
{
	const struct py_offsets *o = &t->v.bpf;
	uint64_t interp, ts, f, c, id;
	int nts, nf;

	*frame = 0;
	if (read_u64(t, t->runtime_addr + o->runtime_interpreters_head, &interp) ||
	    read_u64(t, interp + o->interp_threads_head, &ts))
		return -EFAULT;
	for (nts = 0; ts && nts < 64; nts++) {
		if (ident && tstate_of && !read_u64(t, ts + o->tstate_thread_id, &id) &&
		    id == ident)
			*tstate_of = ts;
		if (read_u64(t, ts + o->tstate_frame, &f))
			return -EFAULT;
		if (f && o->cframe_current_frame != PYBPFTOP_NO_OFFSET &&
		    read_u64(t, f + o->cframe_current_frame, &f))
			return -EFAULT;
		for (nf = 0; f && nf < 1000; nf++) {
			if (read_u64(t, f + o->frame_code, &c))
				break;
			if ((c & ~7ULL) == code)
				*frame = f;
			if (read_u64(t, f + o->frame_previous, &f))
				break;
		}
		if (read_u64(t, ts + o->tstate_next, &ts))
			break;
	}
	return *frame ? 0 : -ENOENT;
}

static void check_locals(const char *label, struct py_target *t, uint64_t frame,
			 uint64_t code, struct want *w, int nw)
{
	struct py_repr_ctx c = { &t->mem, &t->v, &t->builtins };
	struct py_local loc[MAX_LOCALS];
	size_t total;
	char buf[4096];
	int n, i, j, ncell = 0, nfree = 0;

	n = py_frame_locals(&t->mem, &t->v, &t->builtins, frame, code, loc, MAX_LOCALS, &total);
	CHECK(n > 0 && (size_t)n == total, "%s: %d locals of %zu", label, n, total);
	for (i = 0; i < n; i++) {
		struct want *x = NULL;

		for (j = 0; j < nw; j++)
			if (!strcmp(w[j].name, loc[i].name))
				x = &w[j];
		ncell += loc[i].kind == PY_LOCAL_CELL;
		nfree += loc[i].kind == PY_LOCAL_FREE;
		if (!strcmp(loc[i].name, "gone")) {
			CHECK(!loc[i].value && !loc[i].err, "%s: gone is unbound", label);
			continue;
		}
		if (!x)
			continue;	/* bound after the print: name, val, r, th */
		x->seen = 1;
		py_repr(&c, loc[i].value, buf, sizeof(buf));
		if (getenv("VERBOSE"))
			printf("     %s %s%s = %s\n", label, loc[i].name,
			       loc[i].kind == PY_LOCAL_CELL ? " (cell)" : "", buf);
		CHECK(!loc[i].err && !strcmp(buf, x->repr), "%s: %s (kind %d err %d) = %s\n     want %s",
		      label, loc[i].name, loc[i].kind, loc[i].err, buf, x->repr);
	}
	for (j = 0; j < nw; j++)
		CHECK(w[j].seen, "%s: %s not listed", label, w[j].name);
	/* captured, captured_arg are cells; target() has no free variables */
	CHECK(ncell == 2 && nfree == 0, "%s: 2 cells (%d), 0 free (%d)", label, ncell, nfree);
}

static int gil_wait(struct py_target *t, int want_held, uint64_t want_ts)
{
	uint64_t ts = 0;
	int i, r = -1;

	for (i = 0; i < 200; i++) {
		r = py_gil_holder(t, &ts);
		if (want_held ? r == 1 && ts == want_ts : r == 0)
			return r;
		usleep(10000);
	}
	return r;
}

static void test_live(const char *label, const char *root, const char *python)
{
	char path[PATH_MAX], host_path[PATH_MAX], line[2048], err[256];
	static struct want w[MAX_LOCALS];
	int in[2], outp[2], fd, nw = 0, r;
	uint64_t code = 0, frame_id = 0, frame, ts, spin_ts = 0;
	struct py_target t;
	FILE *f = NULL;
	pid_t pid;

	snprintf(host_path, sizeof(host_path), "%s%s", root, python);
	if (access(host_path, X_OK)) {
		SKIP("%s: %s absent", label, host_path);
		return;
	}
	snprintf(host_path, sizeof(host_path), "%s/tmp/pybpftop_repr_XXXXXX.py", root);
	fd = mkstemps(host_path, 3);
	if (fd < 0 || write(fd, script, sizeof(script) - 1) != sizeof(script) - 1 ||
	    pipe(in) || pipe(outp)) {
		CHECK(0, "%s: setup: %s", label, strerror(errno));
		return;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s", host_path + strlen(root));
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		close(in[1]);
		close(outp[0]);
		if (root[0] && (chroot(root) || chdir("/")))
			_exit(126);
		execl(python, python, "-I", path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	f = fdopen(outp[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "L\t", 2) && nw < MAX_LOCALS) {
			char *tab = strchr(line + 2, '\t');

			if (!tab)
				continue;
			*tab = '\0';
			snprintf(w[nw].name, sizeof(w[nw].name), "%.63s", line + 2);
			snprintf(w[nw].repr, sizeof(w[nw].repr), "%.1023s", tab + 1);
			w[nw++].seen = 0;
		} else if (!strncmp(line, "CODE\t", 5)) {
			code = strtoull(line + 5, NULL, 10);
		} else if (!strncmp(line, "FRAME\t", 6)) {
			frame_id = strtoull(line + 6, NULL, 10);
		} else if (!strcmp(line, "END")) {
			break;
		}
	}
	if (!code || nw < 30) {
		CHECK(0, "%s: the script printed %d locals, code 0x%llx", label, nw,
		      (unsigned long long)code);
		goto out;
	}
	r = py_target_open(pid, &t, err, sizeof(err));
	if (r) {
		CHECK(0, "%s: py_target_open: %s", label, err);
		goto out;
	}
	CHECK(t.builtins.long_type && t.builtins.cell_type && t.builtins.none &&
	      t.builtins.frozenset_type, "%s: built-in types resolved from %s", label,
	      t.runtime_file);
	r = find_frame(&t, code, &frame, 0, NULL);
	CHECK(r == 0, "%s: frame of target() found from _PyRuntime: 0x%llx", label,
	      (unsigned long long)frame);
	if (r)
		goto out;
	if (frame_id)
		CHECK(frame == frame_id, "%s: it is id(sys._getframe())", label);
	check_locals(label, &t, frame, code, w, nw);

	r = gil_wait(&t, 0, 0);
	CHECK(r == 0, "%s: GIL free while the script blocks: %d", label, r);
	if (write(in[1], "\n", 1) != 1 || !fgets(line, sizeof(line), f) ||
	    strncmp(line, "SPIN\t", 5)) {
		CHECK(0, "%s: no spinning thread", label);
		goto out;
	}
	find_frame(&t, code, &frame, strtoull(line + 5, NULL, 10), &spin_ts);
	r = gil_wait(&t, 1, spin_ts);
	py_gil_holder(&t, &ts);
	CHECK(r == 1 && spin_ts && ts == spin_ts,
	      "%s: GIL held by the spinning thread 0x%llx: %d 0x%llx", label,
	      (unsigned long long)spin_ts, r, (unsigned long long)ts);
out:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(in[1]);
	if (f)
		fclose(f);
	unlink(host_path);
}

int main(void)
{
	const char *sid = getenv("PYBPFTOP_SID_ROOT");
	char pyenv[256];
	const char *home = getenv("PYENV_ROOT");
	static const char *const vers[] = { "3.8.18", "3.9.18", "3.10.13", "3.11.7",
					    "3.12.1", "3.13.0" };
	size_t i;
	int live_start;

	setvbuf(stdout, NULL, _IOLBF, 0);
	part1();

	live_start = check_passed + check_failed;
	if (geteuid() != 0) {
		SKIP("live: needs root");
	} else {
		test_live("debian-3.11", "", "/usr/bin/python3.11");
		for (i = 0; i < sizeof(vers) / sizeof(vers[0]); i++) {
			char label[32], py[PATH_MAX];
			int minor = atoi(vers[i] + 2);

			snprintf(pyenv, sizeof(pyenv), "%s", home ? home : "/root/.pyenv");
			snprintf(label, sizeof(label), "pyenv-%s", vers[i]);
			snprintf(py, sizeof(py), "%s/versions/%s/bin/python3.%d", pyenv,
				 vers[i], minor);
			test_live(label, "", py);
		}
		test_live("sid-3.14", sid ? sid : "/var/tmp/pybpftop-sid", "/usr/bin/python3.14");
		test_live("sid-3.15", sid ? sid : "/var/tmp/pybpftop-sid", "/usr/bin/python3.15");
		/* Py_DEBUG builds: the release layouts (versions.c) */
		test_live("debian-3.11-dbg", "", "/usr/bin/python3.11d");
		test_live("sid-3.15-dbg", sid ? sid : "/var/tmp/pybpftop-sid", "/usr/bin/python3.15d");
	}
	/* Each interpreter present makes checks: none made means none was there. */
	if (check_passed + check_failed == live_start)
		SKIP_TEST("live: no interpreter checked");
	CHECK_DONE("py_repr");
}
