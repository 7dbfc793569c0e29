/* The html writer on hand-built profiles: the merged tree, escaping of
 * hostile names, and (as a generator for tests/html.bats) pages from
 * synthetic profiles.
 *   test_html                          the checks
 *   test_html hostile FILE.html        a page whose names try to break out
 *   test_html scale FILE.html [STACKS [DEPTH [random]]]
 *                                      STACKS unique stacks (100,000) of DEPTH
 *                                      frames (50), sharing prefixes as real
 *                                      programs do, or none with `random` */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "check.h"
#include "fake_frames.h"
#include "out/writers.h"


static const struct profile_meta meta = {
	.command = "python3 app.py </script><!-- (pid 100)",
	.python = "3.11.2",
	.duration_s = 2.5,
	.hz = 99,
	.start_unix_ns = 1700000000000000000ull,
};

static char *render(const struct profile *p, size_t *len)
{
	char *buf = NULL, *copy;
	FILE *m = open_memstream(&buf, len);

	CHECK(m && write_html(p, &meta, m) == 0);
	fclose(m);
	/* A copy: GCC 12 takes buf for a dangling stack pointer otherwise. */
	copy = strdup(buf);
	free(buf);
	return copy;
}

/* The embedded data, parsed back as the page's JSON.parse would. */
static json_t *page_data(const char *page)
{
	static const char open[] = "<script type=\"application/json\" id=\"flame-data\">";
	const char *start = strstr(page, open), *end;
	json_error_t err;
	json_t *data;

	CHECK(start != NULL);
	if (!start)
		return NULL;
	start += strlen(open);
	end = strstr(start, "</script>");
	CHECK(end != NULL);
	data = json_loadb(start, end - start, 0, &err);
	if (!data)
		fprintf(stderr, "bad JSON in the page: %s at %d\n", err.text, err.position);
	return data;
}

static size_t count_ci(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strcasestr(p, needle)); p++)
		n++;
	return n;
}

/* The frame text of tree node i: its name, for the checks. */
static const char *node_name(json_t *data, size_t i)
{
	json_t *tree = json_object_get(data, "tree"), *labels = json_object_get(data, "labels");
	json_int_t l = json_integer_value(json_array_get(tree, 3 * i));

	if (l < 0)
		return "all";
	return json_string_value(json_array_get(json_object_get(data, "strings"),
		json_integer_value(json_array_get(labels, 3 * l))));
}

static json_int_t node_int(json_t *data, size_t i, int field)
{
	return json_integer_value(json_array_get(json_object_get(data, "tree"), 3 * i + field));
}

static void check_tree(void)
{
	struct frame_table s;
	struct profile p;
	json_t *data;
	char *page;
	size_t len;

	CHECK(frame_table_init(&s) == 0);
	profile_init(&p, &s);
	uint32_t mod = add_frame(&s, "<module>", "/app/main.py", 1, 10);
	uint32_t f = add_frame(&s, "f", "/app/lib.py", 3, 5);
	uint32_t g = add_frame(&s, "g", "/app/lib.py", 20, 22);
	uint32_t st1[] = { f, mod }, st2[] = { g, f, mod }, st3[] = { g, mod };

	CHECK(profile_add(&p, 100, 101, 0, st1, 2, 3) == 0);
	CHECK(profile_add(&p, 100, 101, 0, st2, 3, 1) == 0);
	CHECK(profile_add(&p, 100, 101, 0, st3, 2, 2) == 0);
	CHECK(profile_add(&p, 100, 101, STACK_OFF_CPU, st1, 2, 4) == 0);
	CHECK(profile_add(&p, 100, 102, STACK_TRUNCATED, st3, 2, 5) == 0);
	profile_set_thread_name(&p, 100, 101, "MainThread");
	profile_set_thread_name(&p, 100, 102, "worker");

	page = render(&p, &len);
	data = page_data(page);
	CHECK(data != NULL);
	if (data) {
		/* Preorder (name, samples, children), siblings by name. */
		static const struct {
			const char *name;
			int samples, children;
		} want[] = {
			{ "all", 15, 2 },
			{ "MainThread (101)", 10, 2 },
			{ "<module>", 6, 2 },
			{ "f", 4, 1 },
			{ "g", 1, 0 },
			{ "g", 2, 0 },
			{ "[off-cpu]", 4, 1 },
			{ "<module>", 4, 1 },
			{ "f", 4, 0 },
			{ "worker (102)", 5, 1 },
			{ "[truncated]", 5, 1 },
			{ "<module>", 5, 1 },
			{ "g", 5, 0 },
		};
		size_t n = sizeof(want) / sizeof(want[0]);

		CHECK(json_array_size(json_object_get(data, "tree")) == 3 * n);
		for (size_t i = 0; i < n && i < json_array_size(json_object_get(data, "tree")) / 3; i++) {
			int ok = !strcmp(node_name(data, i), want[i].name) &&
				 node_int(data, i, 1) == want[i].samples &&
				 node_int(data, i, 2) == want[i].children;

			CHECK(ok);
			if (!ok)
				fprintf(stderr, "node %zu: %s %lld %lld\n", i, node_name(data, i),
					(long long)node_int(data, i, 1), (long long)node_int(data, i, 2));
		}
		CHECK(json_integer_value(json_object_get(json_object_get(data, "meta"), "samples")) == 15);
		json_decref(data);
	}
	free(page);
	profile_free(&p);
	frame_table_free(&s);
}

/* Names that try to end the data's <script>, start a comment, or end the
 * JSON string, and bytes that are not UTF-8. */
static const char *hostile[] = {
	"</script><script>alert(1)</script>",
	"quote\"back\\slash",
	"line\xe2\x80\xa8sep\xe2\x80\xa9para",
	"<!--<script>",
	"bad\xff\xc0\xafutf8",
	"tab\tnew\nline",
};

static void build_hostile(struct profile *p, struct frame_table *s)
{
	uint32_t frames[8];
	uint32_t n = 0;

	CHECK(frame_table_init(s) == 0);
	profile_init(p, s);
	frames[n++] = add_frame(s, "<module>", "/app/</script>\"\\\xe2\x80\xa8.py", 1, 1);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++)
		frames[n++] = add_frame(s, hostile[i], "/app/x.py", 1, (int)i + 2);
	/* Each hostile frame a leaf of its own stack, innermost first. */
	for (uint32_t i = 1; i < n; i++) {
		uint32_t st[] = { frames[i], frames[0] };

		CHECK(profile_add(p, 100, 101, 0, st, 2, i) == 0);
	}
	profile_set_thread_name(p, 100, 101, "</SCRIPT>");
}

static void check_escaping(void)
{
	struct frame_table s;
	struct profile p;
	json_t *data, *strings;
	char *page;
	size_t len;

	build_hostile(&p, &s);
	page = render(&p, &len);
	/* Only our own two </script> tags: the data's and the code's. */
	CHECK(count_ci(page, "</script") == 2);
	CHECK(!strstr(page, "<!--"));
	/* XHTML too: the script's CDATA section is the only one. */
	CHECK(count_ci(page, "<![CDATA[") == 1 && count_ci(page, "]]>") == 1);
	CHECK(!memmem(page, len, "\xe2\x80\xa8", 3) && !memmem(page, len, "\xe2\x80\xa9", 3));
	data = page_data(page);
	CHECK(data != NULL);
	strings = json_object_get(data, "strings");
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		/* Round trip, except the bytes that are not UTF-8. */
		const char *want = i == 4 ? "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdutf8" : hostile[i];
		int found = 0;

		for (size_t j = 0; j < json_array_size(strings); j++)
			found |= !strcmp(json_string_value(json_array_get(strings, j)), want);
		CHECK(found);
		if (!found)
			fprintf(stderr, "name %zu not found in the page's strings\n", i);
	}
	CHECK(!strcmp(json_string_value(json_object_get(json_object_get(data, "meta"), "command")),
		      meta.command));
	json_decref(data);
	free(page);
	profile_free(&p);
	frame_table_free(&s);
}

static uint64_t rnd(uint64_t *state)
{
	/* xorshift64*: reproducible across runs and libcs. */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ull;
}

/* A program of 2,000 functions in user code, the standard library and
 * site-packages, each at a few lines, called from two threads, part off-CPU. */
static void build_scale(struct profile *p, struct frame_table *s, uint32_t nstacks,
			uint32_t depth, int random)
{
	static const char *dirs[] = { "/srv/app/", "/usr/lib/python3.11/",
				      "/srv/venv/lib/python3.11/site-packages/pkg/" };
	enum { FUNCS = 2000, LINES = 4 };
	uint32_t *frames = malloc(depth * sizeof(*frames));
	uint64_t state = 42;
	char name[64], file[128];

	CHECK(frame_table_init(s) == 0);
	profile_init(p, s);
	for (int f = 0; f < FUNCS; f++) {
		snprintf(name, sizeof(name), "Module%d.function_%d", f % 37, f);
		snprintf(file, sizeof(file), "%smodule_%d.py", dirs[f % 3], f % 37);
		for (int l = 0; l < LINES; l++)
			add_frame(s, name, file, 10 * f, 10 * f + l);
	}
	/* Branching at every tenth level, 10 ways: 100,000 stacks in 5 levels.
	 * A frame depends on the choices above it, so stacks share prefixes. */
	for (uint32_t k = 0; k < nstacks; k++) {
		uint64_t path = 1, rest = k;

		for (uint32_t d = 0; d < depth; d++) {
			uint64_t h;

			if (d % 10 == 5) {
				path = path * 10 + rest % 10;
				rest /= 10;
			}
			h = path * 0x9e3779b97f4a7c15ull + d * 0xbf58476d1ce4e5b9ull;
			h ^= h >> 31;
			if (random)
				h = rnd(&state);
			/* Innermost first: depth d of the stack is frames[depth - 1 - d]. */
			frames[depth - 1 - d] = FRAME_RESERVED + h % (FUNCS * LINES);
		}
		/* rest > 0: more stacks than branches; make them differ at the leaf. */
		if (rest)
			frames[0] = FRAME_RESERVED + (frames[0] + rest) % (FUNCS * LINES);
		CHECK(profile_add(p, 100, 101 + k % 2, k % 7 ? 0 : STACK_OFF_CPU, frames, depth,
				  1 + rnd(&state) % 20) == 0);
	}
	profile_set_thread_name(p, 100, 101, "MainThread");
	profile_set_thread_name(p, 100, 102, "worker");
	free(frames);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int generate(int argc, char **argv)
{
	struct frame_table s;
	struct profile p;
	FILE *out = fopen(argv[2], "w");
	double t;
	int rc;

	if (!out) {
		perror(argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "hostile"))
		build_hostile(&p, &s);
	else
		build_scale(&p, &s, argc > 3 ? atoi(argv[3]) : 100000, argc > 4 ? atoi(argv[4]) : 50,
			    argc > 5 && !strcmp(argv[5], "random"));
	t = now();
	rc = write_html(&p, &meta, out);
	t = now() - t;
	if (fclose(out) || rc) {
		fprintf(stderr, "cannot write %s\n", argv[2]);
		return 1;
	}
	printf("%llu unique stacks, %llu samples, written in %.2f s\n",
	       (unsigned long long)p.nstacks, (unsigned long long)p.samples, t);
	profile_free(&p);
	frame_table_free(&s);
	return check_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3)
		return generate(argc, argv);
	check_tree();
	check_escaping();
	CHECK_DONE("html");
}
