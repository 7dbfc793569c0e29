/* Aggregated stacks, thread and process names, and per-function counts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "proc/procfs.h"
#include "proc/text_escape.h"
#include "profile/profile.h"

struct stack_entry {
	UT_hash_handle hh;
	uint64_t count;
	/* The key: from pid to the last frame, compared with memcmp. */
	uint32_t pid, tid, flags, n;
	uint32_t frames[];	/* root first */
};

#define STACK_KEY_LEN(n) (4 * sizeof(uint32_t) + (size_t)(n) * sizeof(uint32_t))
/* What a stack costs, for the budget: the entry, malloc's header, a bucket. */
#define STACK_BYTES(n) (sizeof(struct stack_entry) + (size_t)(n) * sizeof(uint32_t) + 32)

/* The own and total samples of the evicted stacks, by function id and by
 * frame id, counted as profile_thread_functions counts them. */
struct profile_evicted {
	struct func_count *funcs, *frames;
	uint32_t nfuncs, nframes;
};

struct thread_key {
	uint32_t pid, tid;
};

struct thread_entry {
	struct thread_key key;
	char name[64];
	int named;
	int looked;		/* its name was read once, or could not be: gone */
	UT_hash_handle hh;
};

void profile_init(struct profile *p, const struct frame_table *frames)
{
	memset(p, 0, sizeof(*p));
	p->frames = frames;
}

void profile_set_budget(struct profile *p, uint64_t max_stacks, uint64_t max_bytes)
{
	p->max_stacks = max_stacks;
	p->max_bytes = max_bytes;
}

void profile_free(struct profile *p)
{
	struct stack_entry *s, *stmp;
	struct thread_entry *t, *ttmp;
	uint64_t max_stacks, max_bytes;

	HASH_ITER(hh, p->stacks, s, stmp) {
		HASH_DEL(p->stacks, s);
		free(s);
	}
	HASH_ITER(hh, p->threads, t, ttmp) {
		HASH_DEL(p->threads, t);
		free(t);
	}
	free(p->events);
	if (p->evicted) {
		free(p->evicted->funcs);
		free(p->evicted->frames);
		free(p->evicted);
	}
	max_stacks = p->max_stacks;
	max_bytes = p->max_bytes;
	profile_init(p, p->frames);
	profile_set_budget(p, max_stacks, max_bytes);
}

static struct thread_entry *thread_get(struct profile *p, uint32_t pid, uint32_t tid)
{
	struct thread_key key = { pid, tid };
	struct thread_entry *t;

	HASH_FIND(hh, p->threads, &key, sizeof(key), t);
	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->key = key;
	HASH_ADD(hh, p->threads, key, sizeof(key), t);
	return t;
}

/* The marker frames a stack's flags stand for, root first: the one rule
 * every writer then follows by printing the frames it is given. */
static uint32_t markers_of(uint32_t flags, uint32_t *out)
{
	uint32_t n = 0;

	if (flags & STACK_OFF_CPU)
		out[n++] = FRAME_OFF_CPU;
	if (flags & STACK_TRUNCATED)
		out[n++] = FRAME_TRUNCATED;
	else if (flags & STACK_PARTIAL)
		out[n++] = FRAME_PARTIAL;
	return n;
}

/* Grows a count array to n rows, the new ones zero; 0 or -ENOMEM. */
static int grow_counts(struct func_count **v, uint32_t *have, uint32_t n)
{
	struct func_count *nv;

	if (n <= *have)
		return 0;
	if (!(nv = realloc(*v, n * sizeof(*nv))))
		return -ENOMEM;
	memset(nv + *have, 0, (n - *have) * sizeof(*nv));
	*v = nv;
	*have = n;
	return 0;
}

/* Adds a stack's samples to fc by function (lines = 0) or frame id, as
 * profile_thread_functions counts them: recursion once towards a total.
 * seen[] holds a stamp per row, which must be new for each stack. */
static void count_stack(const struct frame_table *ft, const struct stack_entry *e, int lines,
			struct func_count *fc, uint64_t *seen, uint64_t stamp)
{
	for (uint32_t i = 0; i < e->n; i++) {
		uint32_t frame = e->frames[i] < ft->nframes ? e->frames[i] : FRAME_UNKNOWN;
		uint32_t k = lines ? frame : frame_table_frame_at(ft, frame)->func;

		if (frame_table_is_marker(ft, frame))
			continue;
		if (seen[k] != stamp) {
			seen[k] = stamp;
			fc[k].total += e->count;
		}
		if (i == e->n - 1)
			fc[k].own += e->count;
	}
}

static int fewer_samples(struct stack_entry *a, struct stack_entry *b)
{
	return (a->count > b->count) - (a->count < b->count);
}

/* Over budget: the stacks with the fewest samples go, the oldest first
 * (HASH_SRT is a stable merge sort of the list, which is in insertion
 * order among equal counts), until 3/4 of the budget is used; their
 * counts go to p->evicted. */
static void evict(struct profile *p)
{
	const struct frame_table *ft = p->frames;
	struct profile_evicted *ev = p->evicted;
	uint64_t *seen_funcs, *seen_frames, stamp = 0;
	struct stack_entry *e, *tmp;
	uint64_t stacks_goal = p->max_stacks ? p->max_stacks / 4 * 3 : UINT64_MAX;
	uint64_t bytes_goal = p->max_bytes ? p->max_bytes / 4 * 3 : UINT64_MAX;

	if (!ev && !(ev = p->evicted = calloc(1, sizeof(*ev))))
		return;
	seen_funcs = calloc(ft->nfuncs ? ft->nfuncs : 1, sizeof(*seen_funcs));
	seen_frames = calloc(ft->nframes ? ft->nframes : 1, sizeof(*seen_frames));
	if (seen_funcs && seen_frames && !grow_counts(&ev->funcs, &ev->nfuncs, ft->nfuncs) &&
	    !grow_counts(&ev->frames, &ev->nframes, ft->nframes)) {
		HASH_SRT(hh, p->stacks, fewer_samples);
		HASH_ITER(hh, p->stacks, e, tmp) {
			if (p->nstacks <= stacks_goal && p->bytes <= bytes_goal)
				break;
			stamp++;
			count_stack(ft, e, 0, ev->funcs, seen_funcs, stamp);
			count_stack(ft, e, 1, ev->frames, seen_frames, stamp);
			p->evicted_stacks++;
			p->evicted_samples += e->count;
			p->nstacks--;
			p->bytes -= STACK_BYTES(e->n);
			HASH_DEL(p->stacks, e);
			free(e);
		}
	}
	free(seen_funcs);
	free(seen_frames);
}

/* Adds count to the stack's entry, creating it; returns it, or NULL.
 * root, when not 0, is a frame put first of all: the interpreter's. */
static struct stack_entry *stack_add(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags,
				     uint32_t root, const uint32_t *frames, uint32_t n, uint64_t count)
{
	struct stack_entry *e, *found;
	uint32_t marks[3], nm = 0;

	if (root)
		marks[nm++] = root;
	nm += markers_of(flags, marks + nm);
	size_t keylen = STACK_KEY_LEN(nm + n);

	e = malloc(sizeof(*e) + (size_t)(nm + n) * sizeof(uint32_t));
	if (!e)
		return NULL;
	e->pid = pid;
	e->tid = tid;
	e->flags = flags;
	e->n = nm + n;
	memcpy(e->frames, marks, nm * sizeof(*marks));
	for (uint32_t i = 0; i < n; i++)
		e->frames[nm + i] = frames[n - 1 - i];
	p->samples += count;
	if (flags & STACK_OFF_CPU)
		p->off_cpu += count;
	HASH_FIND(hh, p->stacks, &e->pid, keylen, found);
	if (found) {
		found->count += count;
		free(e);
		return found;
	}
	/* Before the new stack is in: it is what the caller gets back. */
	if (!p->keep_timeline && ((p->max_stacks && p->nstacks >= p->max_stacks) ||
				  (p->max_bytes && p->bytes + STACK_BYTES(e->n) > p->max_bytes)))
		evict(p);
	e->count = count;
	HASH_ADD(hh, p->stacks, pid, keylen, e);
	p->nstacks++;
	p->bytes += STACK_BYTES(e->n);
	return thread_get(p, pid, tid) ? e : NULL;
}

int profile_add(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags,
		const uint32_t *frames, uint32_t n, uint64_t count)
{
	return stack_add(p, pid, tid, flags, 0, frames, n, count) ? 0 : -ENOMEM;
}

int profile_add_under(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags, uint32_t root,
		      const uint32_t *frames, uint32_t n, uint64_t count)
{
	return stack_add(p, pid, tid, flags, root, frames, n, count) ? 0 : -ENOMEM;
}

void profile_keep_timeline(struct profile *p, int on)
{
	p->keep_timeline = on;
}

static int add_at(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags, uint32_t root,
		  const uint32_t *frames, uint32_t n, uint64_t count, uint64_t time_ns)
{
	struct stack_entry *e = stack_add(p, pid, tid, flags, root, frames, n, count);

	if (!e)
		return -ENOMEM;
	if (!p->keep_timeline)
		return 0;
	if (p->nevents == p->events_cap) {
		size_t cap = p->events_cap ? 2 * p->events_cap : 4096;
		struct profile_event *ev = realloc(p->events, cap * sizeof(*ev));

		if (!ev)
			return -ENOMEM;
		p->events = ev;
		p->events_cap = cap;
	}
	p->events[p->nevents++] = (struct profile_event){ time_ns, e,
		count > UINT32_MAX ? UINT32_MAX : (uint32_t)count };
	return 0;
}

int profile_add_at(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags,
		   const uint32_t *frames, uint32_t n, uint64_t count, uint64_t time_ns)
{
	return add_at(p, pid, tid, flags, 0, frames, n, count, time_ns);
}

uint32_t profile_stack_flags(uint32_t sample_flags)
{
	uint32_t flags = 0;

	if (sample_flags & SAMPLE_TRUNCATED)
		flags |= STACK_TRUNCATED;
	else if (sample_flags & SAMPLE_READ_ERROR)
		flags |= STACK_PARTIAL;
	/* A thread iterator's sample that is not a snapshot: --idle's. */
	if ((sample_flags & (SAMPLE_THREAD | SAMPLE_ADDRS)) == SAMPLE_THREAD)
		flags |= STACK_OFF_CPU;
	return flags;
}

/* A subinterpreter's stacks get its "[interpreter N]" frame at the root,
 * right under the thread: a flame graph then shows each interpreter as its
 * own tower per thread, as it shows each thread per process. The main
 * interpreter (id 0) gets none, so that a program without subinterpreters
 * (nearly all) profiles as it always did, and a program with them shows
 * its main interpreter's code where it always was, next to its
 * subinterpreters' towers. The frame is the session's (it names it when
 * the sample arrives); one it did not name is left out. */
int profile_add_sample(struct profile *p, const struct py_sample_hdr *hdr, const uint32_t *ids)
{
	uint32_t root = hdr->interp_id ? frame_table_interpreter_find(p->frames, hdr->interp_id) : 0;

	return add_at(p, hdr->pid, hdr->tid, profile_stack_flags(hdr->flags), root, ids, hdr->depth,
		      hdr->weight, hdr->time_ns);
}

void profile_stack_of(const struct stack_entry *e, struct profile_stack *out)
{
	*out = (struct profile_stack){ e->pid, e->tid, e->flags, e->n, e->frames, e->count };
}

int profile_foreach(const struct profile *p,
		    int (*fn)(void *ctx, const struct profile_stack *st), void *ctx)
{
	struct stack_entry *e, *tmp;
	struct profile_stack st;
	int rc;

	HASH_ITER(hh, p->stacks, e, tmp) {
		profile_stack_of(e, &st);
		if ((rc = fn(ctx, &st)))
			return rc;
	}
	return 0;
}

void profile_name_threads(struct profile *p, int refresh)
{
	struct thread_entry *t, *tmp;

	HASH_ITER(hh, p->threads, t, tmp) {
		/* A thread whose name cannot be read has exited: not read again
		 * at every drain (the agent drains four times a second). */
		if ((t->named || t->looked) && !refresh)
			continue;
		t->looked = 1;
		if (proc_thread_comm(t->key.pid, t->key.tid, t->name, sizeof(t->name)))
			t->named = 1;
	}
}

void profile_set_thread_name(struct profile *p, uint32_t pid, uint32_t tid, const char *name)
{
	struct thread_entry *t = thread_get(p, pid, tid);

	if (t) {
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->named = 1;
	}
}



void profile_set_process_name(struct profile *p, uint32_t pid, const char *name)
{
	int i;

	for (i = 0; i < p->nprocs && p->procs[i].pid != pid; i++)
		;
	if (i == (int)(sizeof(p->procs) / sizeof(p->procs[0])))
		return;
	p->procs[i].pid = pid;
	snprintf(p->procs[i].name, sizeof(p->procs[i].name), "%s", name);
	if (i == p->nprocs)
		p->nprocs++;
}

const char *profile_process_name(const struct profile *p, uint32_t pid)
{
	for (int i = 0; i < p->nprocs; i++)
		if (p->procs[i].pid == pid)
			return p->procs[i].name;
	return "process";
}

const char *profile_thread_name(const struct profile *p, uint32_t pid, uint32_t tid)
{
	struct thread_key key = { pid, tid };
	struct thread_entry *t;

	HASH_FIND(hh, p->threads, &key, sizeof(key), t);
	return t && t->named ? t->name : "thread";
}

static int by_own(const void *a, const void *b)
{
	const struct func_count *x = a, *y = b;

	return x->own != y->own ? (x->own < y->own ? 1 : -1) :
	       (x->total < y->total) - (x->total > y->total);
}

static int by_total_cmp(const void *a, const void *b)
{
	const struct func_count *x = a, *y = b;

	return x->total != y->total ? (x->total < y->total ? 1 : -1) :
	       (x->own < y->own) - (x->own > y->own);
}

struct func_count *profile_functions(const struct profile *p, int lines, int by_total,
				     uint32_t *n)
{
	uint64_t samples;

	return profile_thread_functions(p, 0, lines, by_total, n, &samples);
}

static int by_tid(const void *a, const void *b)
{
	const struct profile_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

int profile_threads(const struct profile *p, struct profile_thread *out, int max)
{
	struct thread_entry *t, *tmp;
	int n = 0;

	HASH_ITER(hh, p->threads, t, tmp) {
		if (n == max)
			break;
		out[n].tid = t->key.tid;
		snprintf(out[n].name, sizeof(out[n].name), "%s", t->named ? t->name : "thread");
		n++;
	}
	qsort(out, n, sizeof(*out), by_tid);
	return n;
}

struct func_count *profile_thread_functions(const struct profile *p, uint32_t tid, int lines,
					    int by_total, uint32_t *n, uint64_t *samples)
{
	const struct frame_table *ft = p->frames;
	uint32_t rows = lines ? ft->nframes : ft->nfuncs;
	struct func_count *fc = calloc(rows ? rows : 1, sizeof(*fc));
	uint64_t *seen = calloc(rows ? rows : 1, sizeof(*seen));
	struct stack_entry *e, *tmp;
	uint64_t stamp = 0;

	*n = 0;
	if (!fc || !seen) {
		free(fc);
		free(seen);
		return NULL;
	}
	for (uint32_t i = 0; i < rows; i++)
		fc[i].id = i;
	*samples = 0;
	HASH_ITER(hh, p->stacks, e, tmp) {
		if (tid && e->tid != tid)
			continue;
		*samples += e->count;
		count_stack(ft, e, lines, fc, seen, ++stamp);
	}
	free(seen);
	if (!tid && p->evicted) {
		const struct func_count *gone = lines ? p->evicted->frames : p->evicted->funcs;
		uint32_t ngone = lines ? p->evicted->nframes : p->evicted->nfuncs;

		for (uint32_t i = 0; i < ngone && i < rows; i++) {
			fc[i].own += gone[i].own;
			fc[i].total += gone[i].total;
		}
		*samples += p->evicted_samples;
	}
	qsort(fc, rows, sizeof(*fc), by_total ? by_total_cmp : by_own);
	*n = rows;
	return fc;
}

static void print_table(const struct frame_table *ft, struct func_count *fc, uint32_t n,
			uint64_t samples, FILE *out, int limit, const char *title)
{
	fprintf(out, "\n%s\n  %6s %8s %6s %8s  %s\n", title, "OWN%", "OWN", "TOTAL%", "TOTAL", "FUNCTION");
	for (uint32_t i = 0; i < n && (int)i < limit; i++) {
		const struct ft_func *fn = frame_table_func_at(ft, fc[i].id);

		if (!fc[i].own && !fc[i].total)
			break;
		fprintf(out, "  %5.1f%% %8llu %5.1f%% %8llu  %s", 100.0 * fc[i].own / samples,
			(unsigned long long)fc[i].own, 100.0 * fc[i].total / samples,
			(unsigned long long)fc[i].total, TEXT_SAFE(fn->name));
		if (fn->file[0])
			fprintf(out, " (%s:%d)", TEXT_SAFE(fn->file), fn->firstline);
		fputc('\n', out);
	}
}

void profile_print_top(const struct profile *p, FILE *out, int limit)
{
	struct func_count *fc;
	uint32_t n;

	if (!p->samples || !(fc = profile_functions(p, 0, 0, &n)))
		return;
	print_table(p->frames, fc, n, p->samples, out, limit, "Top functions by own samples:");
	qsort(fc, n, sizeof(*fc), by_total_cmp);
	print_table(p->frames, fc, n, p->samples, out, limit, "Top functions by total samples:");
	free(fc);
}
