/* Aggregated stacks: (pid, tid, frames) -> samples, plus thread and
 * process names. Frames are ids of a frame table; the profile hands out
 * stacks root first with the marker frames ([off-cpu], [truncated],
 * [partial]) already in them, so writers print what they are given. */
#ifndef PROFILE_H
#define PROFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "pybpftop.h"
#include "profile/frame_table.h"

#define STACK_TRUNCATED 1u	/* deeper than --max-depth: root frames missing */
#define STACK_PARTIAL	2u	/* a frame read failed: root frames missing */
#define STACK_OFF_CPU	4u	/* --idle: the thread was off the CPU (blocked, waiting) */

struct stack_entry;
struct thread_entry;
struct profile_evicted;

/* One sample in time order, kept only with profile_keep_timeline(). */
struct profile_event {
	uint64_t time_ns;	/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	const struct stack_entry *stack;
	uint32_t weight;
};

struct profile_process {
	uint32_t pid;
	char name[32];
};

struct profile {
	const struct frame_table *frames;	/* what the frame ids name; not owned */
	struct stack_entry *stacks;
	struct thread_entry *threads;
	uint64_t samples;	/* stacks added, weighted */
	uint64_t off_cpu;	/* of which STACK_OFF_CPU */
	uint64_t nstacks;	/* unique stacks */
	struct profile_event *events;	/* the timeline, if kept */
	size_t nevents, events_cap;
	int keep_timeline;
	/* With several processes, a root frame `name (pid)` per process. */
	int process_frames;
	struct profile_process procs[64];
	int nprocs;
	/* A budget (profile_set_budget; 0: none), and what it took out. */
	uint64_t max_stacks, max_bytes;
	uint64_t bytes;			/* held by the stacks */
	uint64_t evicted_stacks, evicted_samples;
	struct profile_evicted *evicted;	/* their counts, per function and frame */
};

/* What the writers put in titles and headers. */
struct profile_meta {
	const char *command;	/* the profiled command line(s) */
	const char *python;	/* "3.11.2", or "" */
	double duration_s;
	int hz;
	int idle;		/* --idle: off-CPU samples included */
	uint64_t start_unix_ns;	/* wall-clock time of the start */
	uint64_t start_mono_ns;	/* the same instant on CLOCK_MONOTONIC */
	/* What a stack's count is: NULL for samples at hz; "bytes" for alloc's
	 * flame graphs, whose pprof sample type is bytes_type
	 * ("inuse_space" or "alloc_space", as Go's heap profiles have it). */
	const char *unit;
	const char *bytes_type;
	/* The agent's windows (pprof): more comments ("label KEY=VALUE"),
	 * and the sample labels Pyroscope takes, thread_name and thread_id,
	 * both strings, in place of thread, tid and pid. */
	const char *const *comments;
	int ncomments;
	int agent_labels;
};

void profile_init(struct profile *p, const struct frame_table *frames);
void profile_free(struct profile *p);

/* Count one stack; frames are frame ids, innermost first, as BPF sends them.
 * The STACK_* flags become marker frames at its root: [off-cpu] right under
 * the thread, then [truncated] or [partial]. */
int profile_add(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags,
		const uint32_t *frames, uint32_t n, uint64_t count);

/* The same, with a frame put at the root before the markers: a
 * subinterpreter's "[interpreter N]" (0: none), as profile_add_sample puts
 * it; for stacks read back from a file (report). */
int profile_add_under(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags, uint32_t root,
		      const uint32_t *frames, uint32_t n, uint64_t count);

/* The same, and with a timeline kept, one event at time_ns. */
int profile_add_at(struct profile *p, uint32_t pid, uint32_t tid, uint32_t flags,
		   const uint32_t *frames, uint32_t n, uint64_t count, uint64_t time_ns);

/* A sample as BPF sends it (frame ids innermost first), at its time, its
 * SAMPLE_* flags made STACK_* flags: the one place they are mapped. */
int profile_add_sample(struct profile *p, const struct py_sample_hdr *hdr, const uint32_t *ids);
uint32_t profile_stack_flags(uint32_t sample_flags);

/* Keep every sample's time and stack (the chrome format needs them). */
void profile_keep_timeline(struct profile *p, int on);

/* Hold at most max_stacks unique stacks and max_bytes of them (0: no
 * limit), for a profile that lives as long as its target (top's): a target
 * that makes endless distinct stacks would grow it without end. Past
 * either, the stacks with the fewest samples, the oldest first, are
 * evicted until a quarter of the budget is free again, and counted
 * (evicted_stacks, evicted_samples). Their samples stay in the counts of
 * all threads together (profile_thread_functions with tid 0,
 * profile_functions), not in one thread's, nor in profile_foreach's
 * stacks. Not with a timeline, which points to the stacks: that is kept
 * whole. profile_free keeps the budget. */
void profile_set_budget(struct profile *p, uint64_t max_stacks, uint64_t max_bytes);

/* A unique stack, for the writers. */
struct profile_stack {
	uint32_t pid, tid, flags;	/* STACK_* flags */
	uint32_t n;
	const uint32_t *frames;		/* frame ids, root first, markers first of all */
	uint64_t count;			/* weighted samples */
};

/* Calls fn for every unique stack, in no particular order, until it
 * returns non-zero (which is then returned). */
int profile_foreach(const struct profile *p,
		    int (*fn)(void *ctx, const struct profile_stack *st), void *ctx);

/* The stack an event refers to. */
void profile_stack_of(const struct stack_entry *e, struct profile_stack *out);

/* Name a process, for its root frame ("process" if never named). */
void profile_set_process_name(struct profile *p, uint32_t pid, const char *name);
const char *profile_process_name(const struct profile *p, uint32_t pid);

/* The thread's name ("thread" if unknown). */
const char *profile_thread_name(const struct profile *p, uint32_t pid, uint32_t tid);

/* Read /proc/PID/task/TID/comm for threads not named yet; with `refresh`,
 * re-read every thread still alive (a thread may name itself late). */
void profile_name_threads(struct profile *p, int refresh);

/* Set a thread's name directly (tests; threads of exited processes). */
void profile_set_thread_name(struct profile *p, uint32_t pid, uint32_t tid, const char *name);

struct func_count {
	uint32_t id;		/* a function id, or a frame id for line-level rows */
	uint64_t own, total;
};

/* Own and total samples per function (lines = 0) or per function and line
 * (lines = 1), recursion counted once towards a total, marker frames left
 * out; sorted by own
 * samples, or by total ones with by_total. Returns a malloc'd array of
 * *n rows, or NULL. */
struct func_count *profile_functions(const struct profile *p, int lines, int by_total,
				     uint32_t *n);

/* The same, for one thread only (tid 0: every thread, evicted stacks
 * included); *samples gets the samples counted. */
struct func_count *profile_thread_functions(const struct profile *p, uint32_t tid, int lines,
					    int by_total, uint32_t *n, uint64_t *samples);

/* Up to max (tid, name) pairs of the threads seen, in tid order. */
struct profile_thread {
	uint32_t tid;
	char name[64];
};
int profile_threads(const struct profile *p, struct profile_thread *out, int max);

/* The top `limit` functions by own and by total samples. */
void profile_print_top(const struct profile *p, FILE *out, int limit);

#endif /* PROFILE_H */
