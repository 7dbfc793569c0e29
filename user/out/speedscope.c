/* The speedscope writer (https://www.speedscope.app/file-format-schema.json).
 *
 * One "sampled" profile per thread, named "thread-name (tid)", over shared
 * frames {name, file, line}: one per (function, line), as folded output has
 * them. A sample is a unique stack, root first, weighted in seconds
 * (samples / hz): speedscope then shows times rather than bare counts,
 * and profiles recorded at different rates compare. An off-CPU stack
 * (--idle) starts with an "[off-cpu]" frame, a cut one with "[truncated]" or
 * "[partial]", as in folded output.
 *
 * The stacks have no time order, so each thread's are sorted by frame ids:
 * speedscope's time-order view then draws stacks with a common prefix side
 * by side, as a flame graph does. The busiest thread opens first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "out/writers.h"
#include "out/json_out.h"

struct collect {
	struct profile_stack *st;
	size_t n;
};

static int collect_one(void *ctx, const struct profile_stack *st)
{
	struct collect *c = ctx;

	c->st[c->n++] = *st;
	return 0;
}

static int by_thread_then_frames(const void *a, const void *b)
{
	const struct profile_stack *x = a, *y = b;
	uint32_t n = x->n < y->n ? x->n : y->n;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->flags != y->flags)
		return x->flags < y->flags ? -1 : 1;
	for (uint32_t i = 0; i < n; i++)
		if (x->frames[i] != y->frames[i])
			return x->frames[i] < y->frames[i] ? -1 : 1;
	return (x->n > y->n) - (x->n < y->n);
}

static void write_frame(struct json_out *j, const struct frame_table *ft, uint32_t id)
{
	const struct ft_func *fn = frame_table_func_of(ft, id);

	json_raw(j, "{\"name\":");
	json_str(j, fn->name);
	if (fn->file[0]) {
		json_raw(j, ",\"file\":");
		json_str(j, fn->file);
		json_raw(j, ",\"line\":");
		json_i64(j, frame_table_line(ft, id));
	}
	json_char(j, '}');
}

/* One thread's profile: stacks st[0..n), all of one thread. */
static void write_thread(struct json_out *j, const struct profile *p,
			 const struct profile_stack *st, size_t n, const int32_t *index, double hz,
			 const char *unit)
{
	const struct frame_table *ft = p->frames;
	uint64_t total = 0;
	char name[128];

	for (size_t i = 0; i < n; i++)
		total += st[i].count;
	snprintf(name, sizeof(name), "%s (%u)", profile_thread_name(p, st->pid, st->tid), st->tid);
	json_raw(j, "{\"type\":\"sampled\",\"name\":");
	json_str(j, name);
	json_raw(j, ",\"unit\":\"");
	json_raw(j, unit);
	json_raw(j, "\",\"startValue\":0,\"endValue\":");
	json_double(j, total / hz);
	json_raw(j, ",\"samples\":[");
	for (size_t i = 0; i < n; i++) {
		json_raw(j, i ? ",[" : "[");
		for (uint32_t k = 0; k < st[i].n; k++) {
			if (k)
				json_char(j, ',');
			json_u64(j, index[frame_table_id(ft, st[i].frames[k])]);
		}
		json_char(j, ']');
	}
	json_raw(j, "],\"weights\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			json_char(j, ',');
		json_double(j, st[i].count / hz);
	}
	json_raw(j, "]}");
}

int write_speedscope(const struct profile *p, const struct profile_meta *m, FILE *out)
{
	const struct frame_table *ft = p->frames;
	struct collect c = { calloc(p->nstacks ? p->nstacks : 1, sizeof(*c.st)), 0 };
	int32_t *index = malloc((ft->nframes ? ft->nframes : 1) * sizeof(*index));
	struct json_out *j = malloc(sizeof(*j));
	/* Samples become seconds; bytes (alloc) stay bytes. */
	int bytes = m->unit && !strcmp(m->unit, "bytes");
	double hz = bytes ? 1 : m->hz > 0 ? m->hz : 99;
	size_t active = 0, nthreads = 0;
	uint64_t best = 0;
	int32_t nshared = 0;
	int err;

	if (!c.st || !index || !j) {
		err = -ENOMEM;
		goto out;
	}
	profile_foreach(p, collect_one, &c);
	qsort(c.st, c.n, sizeof(*c.st), by_thread_then_frames);

	/* Shared frame indices, in order of first use; the busiest thread. */
	memset(index, 0xff, (ft->nframes ? ft->nframes : 1) * sizeof(*index));
	for (size_t i = 0, first = 0; i < c.n; i++) {
		uint64_t sum = 0;

		for (uint32_t k = 0; k < c.st[i].n; k++) {
			uint32_t f = frame_table_id(ft, c.st[i].frames[k]);

			if (index[f] < 0)
				index[f] = nshared++;
		}
		if (i + 1 < c.n && c.st[i + 1].pid == c.st[i].pid && c.st[i + 1].tid == c.st[i].tid)
			continue;
		for (size_t k = first; k <= i; k++)
			sum += c.st[k].count;
		if (sum > best) {
			best = sum;
			active = nthreads;
		}
		nthreads++;
		first = i + 1;
	}

	json_init(j, out);
	json_raw(j, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n"
		 "\"exporter\":\"pybpftop\",\"name\":");
	json_str(j, m->command ? m->command : "pybpftop");
	json_raw(j, ",\"activeProfileIndex\":");
	json_u64(j, active);
	json_raw(j, ",\n\"shared\":{\"frames\":[");
	/* In index order: walk the ids and place each at its index. */
	{
		uint32_t *by_index = malloc((nshared ? nshared : 1) * sizeof(*by_index));

		if (!by_index) {
			err = -ENOMEM;
			goto out;
		}
		for (uint32_t f = 0; f < ft->nframes; f++)
			if (index[f] >= 0)
				by_index[index[f]] = f;
		for (int32_t i = 0; i < nshared; i++) {
			if (i)
				json_raw(j, ",\n");
			write_frame(j, ft, by_index[i]);
		}
		free(by_index);
	}
	json_raw(j, "]},\n\"profiles\":[");
	for (size_t i = 0, first = 0; i < c.n; i++) {
		if (i + 1 < c.n && c.st[i + 1].pid == c.st[i].pid && c.st[i + 1].tid == c.st[i].tid)
			continue;
		if (first)
			json_raw(j, ",\n");
		write_thread(j, p, c.st + first, i + 1 - first, index, hz, bytes ? "bytes" : "seconds");
		first = i + 1;
	}
	json_raw(j, "]}\n");
	err = json_finish(j);
out:
	free(c.st);
	free(index);
	free(j);
	return err;
}
