/* The folded writer and the top-functions summary, on a hand-built profile. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fake_symbols.h"
#include "profile/profile.h"


static char *capture(const struct profile *p, const struct symbolizer *s, int top)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (top)
		profile_print_top(p, s, m, 20);
	else
		CHECK(profile_write_folded(p, s, m) == 0);
	fclose(m);
	/* A copy: GCC 12 takes buf for a dangling stack pointer otherwise. */
	{
		char *copy = strdup(buf);

		free(buf);
		return copy;
	}
}

int main(void)
{
	struct symbolizer s;
	struct profile p;
	uint32_t mod, f, g, semi;
	char *out;

	CHECK(symbolizer_init(&s) == 0);
	profile_init(&p);
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

	out = capture(&p, &s, 0);
	CHECK(!strcmp(out,
		"MainThread (101);<module> (/app/main.py:10);Café.naïve_方法 (/app/lib.py:5) 5\n"
		"MainThread (101);<module> (/app/main.py:10);Café.naïve_方法 (/app/lib.py:5);g (/app/lib.py:22) 1\n"
		"wörker:1 (102);<module> (/app/main.py:10);Café.naïve_方法 (/app/lib.py:5);g (/app/lib.py:22);g (/app/lib.py:22) 4\n"
		"wörker:1 (102);[truncated];odd:name (/we:ird path.py:2) 1\n"), "got:\n%s", out);
	free(out);

	/* g: own 5 (st2 + st3), total 5 (recursion counted once); f: own 5, total 10. */
	out = capture(&p, &s, 1);
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
	symbolizer_free(&s);
	CHECK_DONE("profile");
}
