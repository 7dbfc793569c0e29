/* The chrome writer: Chrome's trace event format (a JSON object with
 * "traceEvents"), for Perfetto (ui.perfetto.dev) and chrome://tracing.
 *
 * Each thread gets a timeline built from its samples in time order. A
 * sample at time t stands for [t, t + weight / hz); the functions on its
 * stack are open over that span, and a function that stays on the stack
 * (at the same depth, under the same callers) from one sample to the next
 * is one span: one "X" (complete) event with its start and duration.
 * A gap of more than half a period between two samples of a thread (it was
 * not running, and without --idle not sampled) closes every span, so idle
 * time shows as idle; a shorter one is timer jitter, and the spans bridge
 * it, so a thread's busy time can exceed its samples' by a little.
 * Functions, not lines, make the spans: a loop moving from line to line is
 * one span. Stacks are marked as in folded output: an "[off-cpu]" span
 * (--idle) or "[truncated]" / "[partial]" at the root.
 *
 * Timestamps are whole microseconds since the start of the recording. Per
 * thread, spans are written in the order they open, so in time order and
 * callers before callees, and they nest by construction.
 * "X" rather than "B"/"E" pairs: half the events, and speedscope, which
 * also reads this format, matches an "E" to its "B" by name and arguments,
 * so it would need both repeated on every "E". "M" metadata events name the
 * process and the threads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "out/writers.h"
#include "out/json_out.h"

struct ev_ref {
	uint32_t pid, tid;
	uint64_t time_ns;
	size_t i;		/* index in p->events: keeps equal times in order */
};

static int by_thread_time(const void *a, const void *b)
{
	const struct ev_ref *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* A span: one function (or marker) on a thread's stack over [start, end). */
struct span {
	int64_t start, end;
	uint32_t key;		/* a function id (markers are functions too) */
};

/* An event's end, escaped once per function. */
struct frag {
	char *s;
	size_t n;
};

struct chrome {
	struct json_out *j, *scratch;
	struct frag *frags;	/* per function id */
	const struct frame_table *ft;
	uint32_t pid, tid;
	uint32_t *open, nopen;	/* the open spans, root first: indices in spans */
	uint32_t *keys;		/* the current sample's, root first */
	uint32_t cap;
	struct span *spans;	/* one thread's, in the order they opened */
	size_t nspans, spans_cap;
	int started;		/* an event was written: the next needs a comma */
};

/* Starts an event object in the traceEvents array. */
static void event_open(struct chrome *c, const char *ph)
{
	json_raw(c->j, c->started ? ",\n{\"ph\":\"" : "\n{\"ph\":\"");
	json_raw(c->j, ph);
	json_raw(c->j, "\",\"pid\":");
	json_u64(c->j, c->pid);
	json_raw(c->j, ",\"tid\":");
	json_u64(c->j, c->tid);
	c->started = 1;
}

/* Whole microseconds: a reader adds ts and dur in floating point, and with
 * decimals the end of one span could come out a hair after the start of
 * the next (speedscope then sees them overlap); whole numbers add exactly. */
static int64_t us(int64_t ns)
{
	return ns >= 0 ? (ns + 500) / 1000 : -((-ns + 500) / 1000);
}

/* The end of a span's event for `key`: its category, name and arguments.
 * Built once per function and kept: escaping the same name and file for
 * every span was a fifth of the writer's time. */
static int span_tail(struct chrome *c, uint32_t key, const char **out, size_t *len)
{
	struct frag *fr = &c->frags[key];

	if (!fr->s) {
		struct json_out *j = c->scratch;
		FILE *mem = open_memstream(&fr->s, &fr->n);

		if (!mem)
			return -ENOMEM;
		json_init(j, mem);
		if (frame_table_func_at(c->ft, key)->marker) {
			/* Reserved frame i is function i (frame_table.c); an
			 * interpreter's frame is a marker too. */
			json_raw(j, ",\"cat\":\"pybpftop\",\"name\":");
			json_str(j, frame_table_func_at(c->ft, key)->name);
		} else {
			const struct ft_func *fn = frame_table_func_at(c->ft, key);

			json_raw(j, ",\"cat\":\"python\",\"name\":");
			json_str(j, fn->name);
			if (fn->file[0]) {
				json_raw(j, ",\"args\":{\"file\":");
				json_str(j, fn->file);
				json_raw(j, ",\"line\":");
				json_i64(j, fn->firstline);
				json_char(j, '}');
			}
		}
		json_char(j, '}');
		json_finish(j);
		if (fclose(mem) || !fr->s)
			return -ENOMEM;
	}
	*out = fr->s;
	*len = fr->n;
	return 0;
}

static int write_span(struct chrome *c, const struct span *sp)
{
	const char *tail;
	size_t len;

	if (span_tail(c, sp->key, &tail, &len))
		return -ENOMEM;
	event_open(c, "X");
	json_raw(c->j, ",\"ts\":");
	json_i64(c->j, us(sp->start));
	json_raw(c->j, ",\"dur\":");
	json_i64(c->j, us(sp->end) - us(sp->start));
	json_bytes(c->j, tail, len);
	return 0;
}

static int span_open(struct chrome *c, uint32_t key, int64_t start)
{
	if (c->nspans == c->spans_cap) {
		size_t cap = c->spans_cap ? 2 * c->spans_cap : 4096;
		struct span *sp = realloc(c->spans, cap * sizeof(*sp));

		if (!sp)
			return -ENOMEM;
		c->spans = sp;
		c->spans_cap = cap;
	}
	c->spans[c->nspans] = (struct span){ start, start, key };
	c->open[c->nopen++] = c->nspans++;
	return 0;
}

/* Closes the open spans down to depth `keep`. */
static void spans_close(struct chrome *c, uint32_t keep, int64_t end)
{
	for (; c->nopen > keep; c->nopen--)
		c->spans[c->open[c->nopen - 1]].end = end;
}

static int grow(struct chrome *c, uint32_t n)
{
	uint32_t *a, *b;

	if (n <= c->cap)
		return 0;
	a = realloc(c->open, n * sizeof(*a));
	if (a)
		c->open = a;
	b = realloc(c->keys, n * sizeof(*b));
	if (b)
		c->keys = b;
	if (!a || !b)
		return -ENOMEM;
	c->cap = n;
	return 0;
}

/* A metadata event: what = process_name or thread_name. */
static void write_meta(struct chrome *c, const char *what, const char *name)
{
	event_open(c, "M");
	json_raw(c->j, ",\"name\":\"");
	json_raw(c->j, what);
	json_raw(c->j, "\",\"args\":{\"name\":");
	json_str(c->j, name);
	json_raw(c->j, "}}");
}

/* One thread's samples, refs[0..n) in time order. */
static int write_thread(struct chrome *c, const struct profile *p, const struct ev_ref *refs,
			size_t n, uint64_t t0, uint64_t period)
{
	const struct frame_table *ft = c->ft;
	int64_t end = 0;	/* of the last sample's span */

	c->nopen = 0;
	c->nspans = 0;
	for (size_t i = 0; i < n; i++) {
		const struct profile_event *e = &p->events[refs[i].i];
		struct profile_stack st;
		int64_t start = (int64_t)(e->time_ns - t0);
		uint32_t nk = 0, same = 0;

		profile_stack_of(e->stack, &st);
		if (grow(c, st.n))
			return -ENOMEM;
		for (uint32_t k = 0; k < st.n; k++)
			c->keys[nk++] = frame_table_frame_at(ft, st.frames[k])->func;

		if (i && start > end + (int64_t)period / 2)
			spans_close(c, 0, end);		/* a gap: it was not running */
		/* Samples a little early (timer jitter) start where the last one
		 * ended, so that time never goes back within a thread. */
		if (i && start < end)
			start = end;
		while (same < c->nopen && same < nk && c->spans[c->open[same]].key == c->keys[same])
			same++;
		spans_close(c, same, start);
		while (c->nopen < nk)
			if (span_open(c, c->keys[c->nopen], start))
				return -ENOMEM;
		end = start + (int64_t)e->weight * (int64_t)period;
	}
	spans_close(c, 0, end);
	for (size_t i = 0; i < c->nspans; i++)
		if (write_span(c, &c->spans[i]))
			return -ENOMEM;
	return c->j->err;
}

int write_chrome(const struct profile *p, const struct profile_meta *m, FILE *out)
{
	const struct frame_table *ft = p->frames;
	struct ev_ref *refs = malloc((p->nevents ? p->nevents : 1) * sizeof(*refs));
	struct json_out *j = malloc(sizeof(*j));
	struct chrome c = { .j = j, .ft = ft, .scratch = malloc(sizeof(*j)),
			    .frags = calloc(ft->nfuncs + 1, sizeof(*c.frags)) };
	uint64_t period = 1000000000ull / (m->hz > 0 ? m->hz : 99);
	uint64_t t0 = m->start_mono_ns;
	uint32_t npids = 0, last_pid = 0;
	char buf[64];
	int err = 0;

	if (!refs || !j || !c.scratch || !c.frags) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p->nevents; i++) {
		struct profile_stack st;

		profile_stack_of(p->events[i].stack, &st);
		refs[i] = (struct ev_ref){ st.pid, st.tid, p->events[i].time_ns, i };
		/* Without a start time, time starts at the first sample. */
		if (!m->start_mono_ns && (!t0 || p->events[i].time_ns < t0))
			t0 = p->events[i].time_ns;
	}
	qsort(refs, p->nevents, sizeof(*refs), by_thread_time);
	for (size_t i = 0; i < p->nevents; i++) {
		if (!npids || refs[i].pid != last_pid)
			npids++;
		last_pid = refs[i].pid;
	}

	json_init(j, out);
	json_raw(j, "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"exporter\":\"pybpftop\",\"command\":");
	json_str(j, m->command ? m->command : "");
	json_raw(j, ",\"python\":");
	json_str(j, m->python ? m->python : "");
	snprintf(buf, sizeof(buf), "%d", m->hz);
	json_raw(j, ",\"hz\":");
	json_str(j, buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)m->start_unix_ns);
	json_raw(j, ",\"start_unix_ns\":");
	json_str(j, buf);
	json_raw(j, ",\"idle\":");
	json_str(j, m->idle ? "yes" : "no");
	json_raw(j, "},\n\"traceEvents\":[");

	for (size_t i = 0, first = 0; i < p->nevents; i++) {
		if (i + 1 < p->nevents && refs[i + 1].pid == refs[i].pid && refs[i + 1].tid == refs[i].tid)
			continue;
		c.pid = refs[first].pid;
		if (!first || c.pid != refs[first - 1].pid) {
			char name[512];

			if (npids == 1 && m->command && m->command[0])
				snprintf(name, sizeof(name), "%s", m->command);
			else
				snprintf(name, sizeof(name), "python (pid %u)", c.pid);
			c.tid = c.pid;
			write_meta(&c, "process_name", name);
		}
		c.tid = refs[first].tid;
		write_meta(&c, "thread_name", profile_thread_name(p, c.pid, c.tid));
		if ((err = write_thread(&c, p, refs + first, i + 1 - first, t0, period)))
			goto out;
		first = i + 1;
	}
	json_raw(j, "\n]}\n");
	err = json_finish(j);
out:
	free(refs);
	free(j);
	free(c.open);
	free(c.keys);
	free(c.spans);
	for (uint32_t k = 0; c.frags && k < ft->nfuncs; k++)
		free(c.frags[k].s);
	free(c.frags);
	free(c.scratch);
	return err;
}
