/* How long each output format takes to write a big profile: 100,000 unique
 * stacks 50 frames deep over 2,000 functions in 8 threads, and a timeline
 * of 200,000 samples for the chrome format. Built as build/bench_formats;
 * bench/formats.sh runs it and writes its section of docs/performance.md.
 *   build/bench_formats DIR [RUNS [FORMAT...]]
 * prints one line per format (every format, or those named): name, median seconds, min, max, bytes
 * ("unsupported" when the writer is still a stub). Needs no root. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "out/writers.h"

#define NFUNCS 2000
#define LINES_PER_FUNC 5
#define NSTACKS 100000
#define DEPTH 50
#define NTHREADS 8
#define NEVENTS 200000
#define HZ 99

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* xorshift64: the same profile on every run and machine. */
static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define NIDS (NFUNCS * LINES_PER_FUNC)

/* Functions with names and paths of a real application's lengths; ids[]
 * gets the frame ids of their lines. */
static int fake_frames(struct frame_table *ft, uint32_t *ids)
{
	for (uint32_t f = 1; f <= NFUNCS; f++) {
		char name[128], file[128];
		uint32_t func;

		snprintf(name, sizeof(name), "Handler%u.process_item_%u", f % 97, f);
		snprintf(file, sizeof(file), "/srv/app/lib/python3.11/site-packages/pkg%u/module%u.py",
			 f % 13, f % 211);
		func = frame_table_func(ft, name, file, 10 * f);
		for (int l = 0; l < LINES_PER_FUNC; l++)
			ids[(f - 1) * LINES_PER_FUNC + l] = frame_table_frame(ft, func, 10 * (int)f + 1 + l);
	}
	return ft->nframes == FRAME_RESERVED + NIDS ? 0 : -ENOMEM;
}

/* 100,000 distinct stacks, each sharing a random prefix with the one
 * before it, as the stacks of one program do; returned innermost first,
 * as profile_add takes them. */
static uint32_t *fake_stacks(const uint32_t *ids)
{
	uint32_t *st = malloc((size_t)NSTACKS * DEPTH * sizeof(*st));
	uint32_t root[DEPTH];

	for (int d = 0; d < DEPTH; d++)
		root[d] = ids[rnd(NIDS)];
	for (uint32_t i = 0; i < NSTACKS; i++) {
		uint32_t *cur = st + (size_t)i * DEPTH;
		/* Keep 40-49 frames of the previous stack, mostly. */
		uint32_t keep = i ? DEPTH - 1 - rnd(rnd(4) ? 10 : DEPTH) : 0;

		for (int d = 0; d < DEPTH; d++)	/* root first while building */
			cur[d] = d < (int)keep ? cur[d - DEPTH] : ids[rnd(NIDS)];
		if (!i)
			memcpy(cur, root, sizeof(root));
	}
	/* Innermost first. */
	for (uint32_t i = 0; i < NSTACKS; i++) {
		uint32_t *cur = st + (size_t)i * DEPTH;

		for (int a = 0, b = DEPTH - 1; a < b; a++, b--) {
			uint32_t t = cur[a];

			cur[a] = cur[b];
			cur[b] = t;
		}
	}
	return st;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static uint32_t ids[NIDS];
	struct frame_table ft;
	struct profile p;
	struct profile_meta m = {
		.command = "python3 app.py (pid 1000)", .python = "3.11.2", .duration_s = 600,
		.hz = HZ, .start_unix_ns = 1700000000000000000ull, .start_mono_ns = 1000000000ull,
	};
	const char *dir = argc > 1 ? argv[1] : ".";
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	uint32_t *stacks;
	double t;

	if (runs < 1 || runs > 100) {
		fprintf(stderr, "usage: %s DIR [RUNS [FORMAT...]]\n", argv[0]);
		return 2;
	}
	t = now();
	if (frame_table_init(&ft) || fake_frames(&ft, ids))
		return 1;
	stacks = fake_stacks(ids);
	profile_init(&p, &ft);
	profile_keep_timeline(&p, 1);
	/* Each stack twice in a row, so that consecutive samples share most of
	 * their frames; threads take turns in runs of 500 stacks. */
	for (uint32_t k = 0; k < NEVENTS; k++) {
		uint32_t i = k / 2 % NSTACKS, tid = 1000 + i / 500 % NTHREADS;

		if (profile_add_at(&p, 1000, tid, 0, stacks + (size_t)i * DEPTH, DEPTH, 1 + rnd(3),
				   m.start_mono_ns + (uint64_t)k * (1000000000ull / HZ)))
			return 1;
	}
	for (uint32_t tid = 1000; tid < 1000 + NTHREADS; tid++) {
		char name[32];

		snprintf(name, sizeof(name), "worker-%u", tid - 1000);
		profile_set_thread_name(&p, 1000, tid, name);
	}
	fprintf(stderr, "profile: %llu unique stacks, %zu timeline events, %u functions, "
		"%llu samples, built in %.2f s\n", (unsigned long long)p.nstacks, p.nevents,
		ft.nfuncs - FRAME_RESERVED, (unsigned long long)p.samples, now() - t);

	for (const struct writer *w = writers; w->name; w++) {
		double times[100];
		char path[4096];
		long size = 0;
		int rc = 0;

		if (argc > 3) {
			int wanted = 0;

			for (int a = 3; a < argc; a++)
				wanted |= !strcmp(argv[a], w->name);
			if (!wanted)
				continue;
		}
		snprintf(path, sizeof(path), "%s/out%s", dir, w->suffixes[0]);
		for (int r = 0; r < runs && !rc; r++) {
			FILE *out = fopen(path, "w");

			if (!out) {
				perror(path);
				return 1;
			}
			t = now();
			rc = w->write(&p, &m, out);
			if (fclose(out) && !rc)
				rc = -EIO;
			times[r] = now() - t;
		}
		if (rc == -ENOTSUP) {
			printf("%s unsupported\n", w->name);
			continue;
		}
		if (rc) {
			fprintf(stderr, "%s: %s\n", w->name, strerror(-rc));
			return 1;
		}
		{
			FILE *in = fopen(path, "r");

			if (in && !fseek(in, 0, SEEK_END))
				size = ftell(in);
			if (in)
				fclose(in);
		}
		qsort(times, runs, sizeof(times[0]), cmp_double);
		printf("%s %.3f %.3f %.3f %ld\n", w->name, times[runs / 2], times[0],
		       times[runs - 1], size);
		fflush(stdout);
	}
	free(stacks);
	profile_free(&p);
	frame_table_free(&ft);
	return 0;
}
