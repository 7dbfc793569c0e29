/* The profile (markers from flags, per-function counts), the folded
 * writer and the top-functions summary, on a hand-built profile. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fake_frames.h"
#include "pybpftop.h"
#include "out/writers.h"
#include "profile/profile.h"


static char *capture(const struct profile *p, int top)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (top)
		profile_print_top(p, m, 20);
	else
		CHECK(write_folded(p, NULL, m) == 0);
	fclose(m);
	/* A copy: GCC 12 takes buf for a dangling stack pointer otherwise. */
	{
		char *copy = strdup(buf);

		free(buf);
		return copy;
	}
}

static int first_stack(void *ctx, const struct profile_stack *st)
{
	*(struct profile_stack *)ctx = *st;
	return 1;
}

/* A target compiling endless new names meets the frame table's budget:
 * past it, new functions are FRAME_UNKNOWN's, counted; known ones still
 * resolve. */
static void test_frame_budget(void)
{
	struct frame_table s;
	uint32_t first, id = 0, refused_at = 0;
	char name[32];

	CHECK(frame_table_init(&s) == 0);
	first = frame_table_func(&s, "kept", "/a.py", 1);
	for (uint32_t i = 0; i < FRAME_TABLE_MAX_FUNCS + 10; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		id = frame_table_func(&s, name, "/a.py", 1);
		if (!id && !refused_at)
			refused_at = i;
	}
	CHECK(s.nfuncs == FRAME_TABLE_MAX_FUNCS && id == FRAME_UNKNOWN && s.over_budget >= 10,
	      "%u functions kept, refused from f%u, %llu counted", s.nfuncs, refused_at,
	      (unsigned long long)s.over_budget);
	CHECK(frame_table_func(&s, "kept", "/a.py", 1) == first, "a known function still resolves");
	frame_table_free(&s);
}

/* frame_table_bytes() against what the heap gave: within a factor of its
 * truth both ways, for short names (where the overheads dominate) and long
 * ones, so that a budget on it is a budget on memory. */
static void test_frame_bytes(const char *file, const char *fmt)
{
	struct frame_table s;
	size_t before, used, est;
	char name[160];

	before = mallinfo2().uordblks;
	CHECK(frame_table_init(&s) == 0);
	for (uint32_t i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), fmt, i);
		frame_table_frame(&s, frame_table_func(&s, name, file, (int)i), (int)i + 1);
	}
	used = mallinfo2().uordblks - before;
	est = frame_table_bytes(&s);
	CHECK(est >= used * 9 / 10 && est <= used * 2,
	      "%s: estimated %zu bytes, the heap gave %zu", file, est, used);
	frame_table_free(&s);
}

/* Flags become marker frames at the root, in the one order every writer
 * then prints; per-function counts leave them out. */
static void test_markers(void)
{
	struct frame_table s;
	struct profile p;
	struct profile_stack st = { 0 };
	struct func_count *fc;
	uint32_t f, g, n;
	char *out;

	CHECK(frame_table_init(&s) == 0);
	profile_init(&p, &s);
	f = add_frame(&s, "f", "/a.py", 1, 2);
	g = add_frame(&s, "g", "/a.py", 5, 6);
	uint32_t leaf_first[] = { g, f };

	CHECK(profile_stack_flags(SAMPLE_THREAD) == STACK_OFF_CPU);
	CHECK(profile_stack_flags(SAMPLE_THREAD | SAMPLE_ADDRS) == 0);	/* a snapshot */
	CHECK(profile_stack_flags(SAMPLE_TRUNCATED | SAMPLE_READ_ERROR) == STACK_TRUNCATED);
	CHECK(profile_stack_flags(SAMPLE_READ_ERROR) == STACK_PARTIAL);
	CHECK(profile_add(&p, 7, 8, STACK_OFF_CPU | STACK_PARTIAL, leaf_first, 2, 3) == 0);
	CHECK(profile_foreach(&p, first_stack, &st) == 1);
	CHECK(st.n == 4 && st.frames[0] == FRAME_OFF_CPU && st.frames[1] == FRAME_PARTIAL &&
	      st.frames[2] == f && st.frames[3] == g, "n=%u", st.n);
	CHECK(frame_is_marker(FRAME_OFF_CPU) && frame_is_marker(FRAME_PARTIAL) &&
	      !frame_is_marker(FRAME_UNKNOWN) && !frame_is_marker(f));
	fc = profile_functions(&p, 0, 0, &n);
	for (uint32_t i = 0; fc && i < n; i++)
		CHECK(!frame_is_marker(fc[i].id) || (!fc[i].own && !fc[i].total),
		      "%s counted", frame_table_func_at(&s, fc[i].id)->name);
	free(fc);
	/* With several processes, a process frame first; names lose ';'. */
	p.process_frames = 1;
	profile_set_process_name(&p, 7, "py;thon");
	profile_set_thread_name(&p, 7, 8, "main");
	out = capture(&p, 0);
	CHECK(!strcmp(out, "py:thon (7);main (8);[off-cpu];[partial];f (/a.py:2);g (/a.py:6) 3\n"),
	      "%s", out);
	free(out);
	profile_free(&p);
	frame_table_free(&s);
}

/* A subinterpreter's sample gets its "[interpreter N]" frame first of
 * all, right under the thread, before the markers; the main interpreter's
 * gets none; a frame the session did not name is left out; per-function
 * counts leave the interpreter out like a marker. */
static void test_interpreter_frame(void)
{
	struct frame_table s;
	struct profile p;
	struct func_count *fc;
	uint32_t f, g, n, i3;
	char *out;

	CHECK(frame_table_init(&s) == 0);
	profile_init(&p, &s);
	f = add_frame(&s, "f", "/a.py", 1, 2);
	g = add_frame(&s, "g", "/a.py", 5, 6);
	uint32_t leaf_first[] = { g, f };
	struct py_sample_hdr sub = { .pid = 7, .tid = 8, .flags = SAMPLE_THREAD, .depth = 2,
				     .weight = 3, .interp_id = 3 };
	struct py_sample_hdr main_hdr = { .pid = 7, .tid = 9, .depth = 2, .weight = 2 };
	struct py_sample_hdr unnamed = { .pid = 7, .tid = 10, .depth = 2, .weight = 1,
					 .interp_id = 4 };

	CHECK(frame_table_interpreter_find(&s, 3) == FRAME_UNKNOWN);
	i3 = frame_table_interpreter(&s, 3);
	CHECK(i3 >= FRAME_RESERVED && frame_table_interpreter(&s, 3) == i3 &&
	      frame_table_interpreter_find(&s, 3) == i3 && frame_table_is_marker(&s, i3) &&
	      !frame_table_is_marker(&s, f) && frame_table_is_marker(&s, FRAME_OFF_CPU) &&
	      !frame_table_is_marker(&s, FRAME_UNKNOWN), "interpreter frame %u", i3);
	CHECK(!strcmp(frame_table_func_of(&s, i3)->name, "[interpreter 3]"));
	/* A program's own function of that name is no marker. */
	CHECK(!frame_table_is_marker(&s, add_frame(&s, "[interpreter 3]", "/b.py", 1, 1)));
	CHECK(profile_add_sample(&p, &sub, leaf_first) == 0);
	CHECK(profile_add_sample(&p, &main_hdr, leaf_first) == 0);
	CHECK(profile_add_sample(&p, &unnamed, leaf_first) == 0);
	profile_set_thread_name(&p, 7, 8, "sub");
	profile_set_thread_name(&p, 7, 9, "main");
	profile_set_thread_name(&p, 7, 10, "other");
	out = capture(&p, 0);
	CHECK(!strcmp(out, "main (9);f (/a.py:2);g (/a.py:6) 2\n"
			   "other (10);f (/a.py:2);g (/a.py:6) 1\n"
			   "sub (8);[interpreter 3];[off-cpu];f (/a.py:2);g (/a.py:6) 3\n"), "%s", out);
	free(out);
	fc = profile_functions(&p, 0, 0, &n);
	for (uint32_t i = 0; fc && i < n; i++)
		CHECK(fc[i].id != frame_table_frame_at(&s, i3)->func || (!fc[i].own && !fc[i].total),
		      "[interpreter 3] counted as a function");
	free(fc);
	profile_free(&p);
	frame_table_free(&s);
}

/* The own and total samples of function id in fc. */
static struct func_count row_of(const struct func_count *fc, uint32_t n, uint32_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (fc[i].id == id)
			return fc[i];
	return (struct func_count){ id, 0, 0 };
}

static int count_is_100(void *ctx, const struct profile_stack *st)
{
	(void)ctx;
	return st->count == 100;
}

/* ctx: 3 frame ids, the root first, under f[0] (the recursion's outer). */
static int is_stack(void *ctx, const struct profile_stack *st)
{
	const uint32_t *want = ctx;

	return st->n == 4 && st->frames[0] == want[0] && st->frames[1] == want[0] &&
	       st->frames[2] == want[1] && st->frames[3] == want[2];
}

/* A budget of 8 stacks: endless distinct stacks leave at most 8, the
 * rarest and oldest go first, and the counts of all threads stay whole. */
static void test_budget(void)
{
	struct frame_table s;
	struct profile p, whole;
	struct func_count *fc, *wc;
	uint32_t f[40], heavy[] = { 0, 0 }, n, wn;
	uint64_t samples;

	CHECK(frame_table_init(&s) == 0);
	for (int i = 0; i < 40; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", i);
		f[i] = add_frame(&s, name, "/a.py", i + 1, i + 2);
	}
	profile_init(&p, &s);
	profile_init(&whole, &s);
	profile_set_budget(&p, 8, 0);
	heavy[0] = f[1];
	heavy[1] = f[0];
	CHECK(profile_add(&p, 1, 2, 0, heavy, 2, 100) == 0);
	CHECK(profile_add(&whole, 1, 2, 0, heavy, 2, 100) == 0);
	for (int i = 0; i < 200; i++) {
		uint32_t st[] = { f[i % 40], f[(i / 40 + 2) % 40], f[0], f[0] };	/* recursion */

		CHECK(profile_add(&p, 1, 2 + i % 3, 0, st, 4, 1) == 0);
		CHECK(profile_add(&whole, 1, 2 + i % 3, 0, st, 4, 1) == 0);
		CHECK(p.nstacks <= 8, "%llu stacks", (unsigned long long)p.nstacks);
	}
	CHECK(p.evicted_stacks > 0 && p.evicted_stacks + p.nstacks == whole.nstacks,
	      "%llu evicted, %llu held, %llu in all", (unsigned long long)p.evicted_stacks,
	      (unsigned long long)p.nstacks, (unsigned long long)whole.nstacks);
	CHECK(p.evicted_samples == p.evicted_stacks, "only stacks of 1 sample went");
	CHECK(p.samples == whole.samples);
	/* The heavy stack stays, and so does the newest. */
	CHECK(profile_foreach(&p, count_is_100, NULL) == 1);
	{
		uint32_t last[] = { f[0], f[6], f[199 % 40] };

		CHECK(profile_foreach(&p, is_stack, last) == 1);
	}
	for (int lines = 0; lines < 2; lines++) {
		fc = profile_thread_functions(&p, 0, lines, 0, &n, &samples);
		wc = profile_functions(&whole, lines, 0, &wn);
		CHECK(fc && wc && samples == whole.samples);
		for (uint32_t i = 0; fc && wc && i < wn; i++) {
			struct func_count a = row_of(fc, n, wc[i].id);

			CHECK(a.own == wc[i].own && a.total == wc[i].total,
			      "lines=%d id %u: %llu/%llu, whole %llu/%llu", lines, wc[i].id,
			      (unsigned long long)a.own, (unsigned long long)a.total,
			      (unsigned long long)wc[i].own, (unsigned long long)wc[i].total);
		}
		free(fc);
		free(wc);
	}
	/* One thread's view holds what is left of its stacks, no more. */
	fc = profile_thread_functions(&p, 3, 0, 0, &n, &samples);
	CHECK(fc && samples < whole.samples / 3);
	free(fc);
	/* The byte budget alone: 4-frame stacks cost STACK_BYTES each. */
	profile_free(&p);
	CHECK(p.max_stacks == 8, "profile_free keeps the budget");
	profile_set_budget(&p, 0, 2000);
	for (int i = 0; i < 200; i++) {
		uint32_t st[] = { f[i % 40], f[(i / 40 + 2) % 40], f[0], f[0] };

		CHECK(profile_add(&p, 1, 2, 0, st, 4, 1) == 0);
		CHECK(p.bytes <= 2000);
	}
	CHECK(p.evicted_stacks > 0 && p.nstacks > 4);
	profile_free(&p);
	profile_free(&whole);
	frame_table_free(&s);
}

int main(void)
{
	struct frame_table s;
	struct profile p;
	uint32_t mod, f, g, semi;
	char *out;

	test_frame_budget();
	test_frame_bytes("<string>", "burst_%u");
	test_frame_bytes("/srv/app/a/rather/long/path/to/some/module/of/the/application.py",
			 "SomeClass.a_method_with_a_long_descriptive_name_%u");
	CHECK(frame_table_init(&s) == 0);
	profile_init(&p, &s);
	mod = add_frame(&s, "<module>", "/app/main.py", 1, 10);
	f = add_frame(&s, "Café.naïve_方法", "/app/lib.py", 3, 5);
	g = add_frame(&s, "g", "/app/lib.py", 20, 22);
	semi = add_frame(&s, "odd;name", "/we;ird\npath.py", 1, 2);

	/* Stacks arrive innermost first, as BPF sends them. */
	uint32_t st1[] = { f, mod };
	uint32_t st2[] = { g, f, mod };
	uint32_t st3[] = { g, g, f, mod };	/* recursion */
	uint32_t st4[] = { semi };

	CHECK(profile_add(&p, 100, 101, 0, st1, 2, 3) == 0);
	CHECK(profile_add(&p, 100, 101, 0, st2, 3, 1) == 0);
	CHECK(profile_add(&p, 100, 101, 0, st1, 2, 2) == 0);	/* merges */
	CHECK(profile_add(&p, 100, 102, 0, st3, 4, 4) == 0);
	CHECK(profile_add(&p, 100, 102, STACK_TRUNCATED, st4, 1, 1) == 0);
	CHECK(p.samples == 11);
	CHECK(p.nstacks == 4);
	profile_set_thread_name(&p, 100, 101, "MainThread");
	profile_set_thread_name(&p, 100, 102, "wörker;1");

	out = capture(&p, 0);
	CHECK(!strcmp(out,
		"MainThread (101);<module> (/app/main.py:10);Café.naïve_方法 (/app/lib.py:5) 5\n"
		"MainThread (101);<module> (/app/main.py:10);Café.naïve_方法 (/app/lib.py:5);g (/app/lib.py:22) 1\n"
		"wörker:1 (102);<module> (/app/main.py:10);Café.naïve_方法 (/app/lib.py:5);g (/app/lib.py:22);g (/app/lib.py:22) 4\n"
		"wörker:1 (102);[truncated];odd:name (/we:ird\\npath.py:2) 1\n"), "got:\n%s", out);
	free(out);

	/* g: own 5 (st2 + st3), total 5 (recursion counted once); f: own 5, total 10. */
	out = capture(&p, 1);
	CHECK(strstr(out, "   45.5%        5  45.5%        5  g (/app/lib.py:20)\n") != NULL, "got:\n%s", out);
	CHECK(strstr(out, "   45.5%        5  90.9%       10  Café.naïve_方法 (/app/lib.py:3)\n") != NULL, "got:\n%s", out);
	CHECK(strstr(out, "    0.0%        0  90.9%       10  <module> (/app/main.py:1)\n") != NULL, "got:\n%s", out);
	/* By total, <module> and f (10) come before g (5). */
	{
		const char *bytotal = strstr(out, "Top functions by total");

		CHECK(bytotal && strstr(bytotal, "Café") < strstr(bytotal, "  g ("), "got:\n%s", out);
	}
	free(out);

	profile_free(&p);
	frame_table_free(&s);
	test_markers();
	test_interpreter_frame();
	test_budget();
	CHECK_DONE("profile");
}
