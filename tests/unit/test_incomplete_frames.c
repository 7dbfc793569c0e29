/* Unit test of incomplete frames (3.11+): a frame whose instruction is
 * still before its code object's _co_firsttraceable is left out of the
 * stack, as CPython's tracebacks leave it out; one at or after it is kept.
 *
 * Code objects are built in a fake 3.11 address space with
 * _co_firsttraceable and co_flags where gdb says they are (3.11.7:
 * `ptype/o PyCodeObject`: co_flags at 48, _co_firsttraceable at 168), then
 * named through the session's naming (session_name_frames(), the
 * symbolizer, the frame table), as record, top and dump name theirs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/session.h"
#include "python/code_reader.h"
#include "check.h"
#include "fake_mem.h"

#define HEAP_BASE	0x555500000000ULL
#define CODE_OBJ_SIZE	192	/* 3.11's sizeof(PyCodeObject) */
#define CO_GENERATOR	0x20

static uint8_t heap_buf[128 * 1024];
static struct fake_heap heap = { HEAP_BASE, heap_buf, sizeof(heap_buf), 0 };
static struct fake_space space;
static const struct py_user_offsets *const u = &fake_u311;
static uint64_t t_str, t_bytes, t_code;

/* A code object of `units` code units whose prologue ends at `first`. */
static uint64_t make_code(const char *name, int first, uint32_t flags, int64_t units)
{
	static const uint8_t lt[] = { 0x80, 0x00 };	/* any location table */
	uint64_t n = fh_str(&heap, u, t_str, name);
	uint64_t code = fh_code(&heap, u, t_code, n, n, fh_str(&heap, u, t_str, "/t.py"), 10,
				fh_bytes(&heap, u, t_bytes, lt, sizeof(lt)));

	/* fh_code allocates code_size bytes: the object goes on past it. */
	CHECK(fh_alloc(&heap, CODE_OBJ_SIZE - u->code_size) == code + u->code_size);
	fh_u64(&heap, code + u->ob_size, (uint64_t)units);
	fh_u32(&heap, code + 48, flags);
	fh_u32(&heap, code + 168, (uint32_t)first);
	return code;
}

/* What is left of `in` (lasti of each frame, all of code), as lasti. */
static uint32_t name(struct session *s, struct session_target *t, const struct py_frame *in,
		     uint32_t n, int32_t *lastis, uint64_t *addrs_out)
{
	uint64_t addrs[8];
	const struct py_frame *f = in;
	const uint64_t *a = addrs;
	uint32_t kept;

	for (uint32_t i = 0; i < n; i++)
		addrs[i] = 0x1000 + i;
	kept = session_name_frames(s, t, n, &f, &a);
	for (uint32_t i = 0; i < kept; i++) {
		lastis[i] = f[i].lasti;
		addrs_out[i] = a[i];
		/* The ids stay side by side with the frames. */
		CHECK(frame_table_line(&s->frames, s->ids[i]) >= 0 &&
		      s->ids[i] != FRAME_UNKNOWN, "frame %u named", i);
	}
	return kept;
}

int main(void)
{
	struct session *s = calloc(1, sizeof(*s));
	struct session_target *t = calloc(1, sizeof(*t));
	struct py_version v = { .major = 3, .minor = 11, .linetable = LINETABLE_LOCATIONS };
	uint64_t plain, cells, gen, bogus, addrs[8];
	int32_t lastis[8];
	uint32_t n;

	if (!s || !t)
		return 1;
	v.user = fake_u311;
	v.user.code_flags = 48;
	v.user.code_firsttraceable = 168;
	fake_map(&space, HEAP_BASE, heap_buf, sizeof(heap_buf));
	t_str = fh_type(&heap, u, "str");
	t_bytes = fh_type(&heap, u, "bytes");
	t_code = fh_type(&heap, u, "code");
	plain = make_code("plain", 0, 0, 40);
	cells = make_code("cells", 3, 0, 40);	/* MAKE_CELL x2, COPY_FREE_VARS, RESUME */
	gen = make_code("gen", 4, CO_GENERATOR, 40);	/* MAKE_CELL, COPY_FREE_VARS, RETURN_GENERATOR, POP_TOP, RESUME */
	bogus = make_code("bogus", 50, 0, 40);	/* past the code: not believed */

	t->t.pid = 4242;
	t->t.mem = fake_remote(&space);
	t->t.v = v;
	CHECK(frame_table_init(&s->frames) == 0);
	symbolizer_init(&s->sym, &s->frames);
	symbolizer_new_epoch(&s->sym);

	/* The reader: the values and where they are read from. */
	{
		struct py_code c;

		CHECK(py_read_code(&t->t.mem, &v, cells, &c) == 0 && c.firsttraceable == 3 &&
		      c.flags == 0, "cells: firsttraceable %d", c.firsttraceable);
		py_code_free(&c);
		CHECK(py_read_code(&t->t.mem, &v, bogus, &c) == 0 && c.firsttraceable == -1,
		      "a firsttraceable past the code is not believed: %d", c.firsttraceable);
		py_code_free(&c);
		/* Before 3.11 there is no such field: nothing is left out. */
		{
			struct py_version v310 = v;

			v310.user.code_firsttraceable = v310.user.code_flags = 0;
			CHECK(py_read_code(&t->t.mem, &v310, cells, &c) == 0 && c.firsttraceable == -1);
			CHECK(!py_frame_incomplete(&v310, &c, 0) && !py_frame_incomplete(&v310, &c, -1));
			py_code_free(&c);
		}
	}

	/* Below, at and after _co_firsttraceable, innermost first: the
	 * frames before it go, the others keep their order and addresses. */
	{
		const struct py_frame in[] = {
			{ .code = cells, .lasti = 1 },	/* MAKE_CELL: incomplete */
			{ .code = cells, .lasti = 3 },	/* at RESUME: complete */
			{ .code = cells, .lasti = 2 },	/* COPY_FREE_VARS: incomplete */
			{ .code = cells, .lasti = 7 },
			{ .code = plain, .lasti = -1 },	/* 3.11: just pushed, prev_instr before the code */
			{ .code = plain, .lasti = 0 },
		};

		n = name(s, t, in, 6, lastis, addrs);
		CHECK(n == 3 && lastis[0] == 3 && lastis[1] == 7 && lastis[2] == 0 &&
		      addrs[0] == 0x1001 && addrs[1] == 0x1003 && addrs[2] == 0x1005,
		      "kept %u: lasti %d %d %d", n, lastis[0], lastis[1], lastis[2]);
		CHECK(s->sym.incomplete == 3, "%llu left out", (unsigned long long)s->sym.incomplete);
	}

	/* Nothing left out: the sinks get the walker's own frames. */
	{
		const struct py_frame in[] = { { .code = cells, .lasti = 5 }, { .code = plain, .lasti = 2 } };
		const struct py_frame *f = in;

		CHECK(session_name_frames(s, t, 2, &f, NULL) == 2 && f == in);
	}

	/* A generator's own frame resumes after RETURN_GENERATOR (its POP_TOP,
	 * 2 units before RESUME): kept; before RETURN_GENERATOR, the frame is
	 * its caller's call still setting up: left out. */
	{
		const struct py_frame in[] = {
			{ .code = gen, .lasti = 1 },	/* COPY_FREE_VARS */
			{ .code = gen, .lasti = 2 },	/* RETURN_GENERATOR */
			{ .code = gen, .lasti = 3 },	/* POP_TOP, first resumed */
			{ .code = gen, .lasti = 9 },
		};

		n = name(s, t, in, 4, lastis, addrs);
		CHECK(n == 3 && lastis[0] == 2 && lastis[1] == 3 && lastis[2] == 9, "gen kept %u", n);
	}

	/* 3.13+ point at the instruction about to run: a frame just pushed
	 * is at 0, which is complete when the code has no prologue; -1 there
	 * is a pointer the walker could not place, kept. */
	{
		const struct py_frame in[] = { { .code = plain, .lasti = -1 }, { .code = cells, .lasti = 0 },
					       { .code = plain, .lasti = 0 } };

		t->t.v.minor = 13;
		n = name(s, t, in, 3, lastis, addrs);
		CHECK(n == 2 && lastis[0] == -1 && lastis[1] == 0 && addrs[1] == 0x1002, "3.13 kept %u", n);
	}

	symbolizer_free(&s->sym);
	frame_table_free(&s->frames);
	free(s);
	free(t);
	CHECK_DONE("incomplete_frames");
}
