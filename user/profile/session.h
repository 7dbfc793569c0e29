/* A profiling session: what every command collects through. It owns the
 * targets (-p, run mode's command, the children it follows, their execs and
 * exits), the probes that sample them, the frame table their stacks are
 * named into, signals and the loop. A command says which probes it wants
 * and gives a sink for what they collect; a new command is a new sink,
 * not a new loop. */
#ifndef SESSION_H
#define SESSION_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "probe/alloc.h"
#include "probe/follow.h"
#include "probe/probe.h"
#include "proc/spawn.h"
#include "proc/target_files.h"
#include "profile/discover.h"
#include "profile/frame_table.h"
#include "profile/symbolizer.h"
#include "python/target.h"

#define SESSION_MAX_TARGETS PYBPFTOP_MAX_PROCS
#define SESSION_MAX_PROBES 3
/* The agent: processes waiting for a (first or second) look. */
#define SESSION_MAX_QUEUED 4096

struct session_target {
	struct py_target t;
	int pidfd;		/* readable once it exits */
	struct target_root root;	/* where its files are opened, even after it exits */
	uint64_t exec_ns;	/* its last exec: samples from before are dropped */
	int stale;		/* exec'd, not inspected again yet */
	int exited;
	int child;		/* found by following, not named by the user */
	double since;		/* the agent: its exec (or start), session_now()'s clock; 0: unknown */
};

enum session_event {
	TARGET_ADDED,		/* inspected, and sampled from now on */
	TARGET_EXEC,		/* it exec'd: its address space and code are gone */
	TARGET_EXITED,
};

/* What a command collects. Frame ids are the session's frame table's,
 * innermost first, as BPF sends them. */
struct session_sink {
	/* A stack: a CPU sample, an off-CPU sample (--idle) or, with
	 * SAMPLE_ADDRS in hdr->flags, a thread of session_snapshot(). */
	void (*stack)(void *ctx, struct session_target *t, const struct py_sample_hdr *hdr,
		      const uint32_t *ids, const struct py_frame *frames, const uint64_t *addrs);
	/* An allocation event; hdr and ids only for those with a stack. */
	void (*alloc)(void *ctx, struct session_target *t, const struct py_alloc_event *e,
		      const struct py_sample_hdr *hdr, const uint32_t *ids);
	void (*target)(void *ctx, struct session_target *t, enum session_event what);
	void (*drained)(void *ctx);	/* after each drain */
	/* The agent: a CPython process found that cannot be profiled, and why. */
	void (*refused)(void *ctx, pid_t pid, int rc, const char *why);
	void *ctx;
};

struct session_opts {
	const pid_t *pids;
	int npids;
	char **command;		/* run mode: start this, profiled from its start */
	int subprocesses;	/* follow child processes, forked or exec'd */
	int verbose;
	uint32_t max_depth;
	/* The probes: */
	int hz;			/* the CPU sampler at this rate per CPU; 0: none */
	int threads;		/* the thread iterator, for session_snapshot() */
	int idle;		/* --idle: off-CPU passes at hz (the thread iterator) */
	const struct alloc_probe_opts *alloc;	/* the allocation probes */
	int drain_ms;		/* drain at least this often; 0: every 100 ms */
	int usr1;		/* SIGUSR1 sets session_usr1 instead of ending us */
	/* The agent: every CPython process of the host, those running now and
	 * those started later (exec events, and the sampler's reports of
	 * processes it does not know), each dropped when it exits. */
	int discover;
	uint32_t ring_bytes;	/* the samples' ring buffer (sampler_opts); 0: its default */
	struct session_sink sink;
};

struct session {
	const struct session_opts *opts;
	struct session_target *targets[SESSION_MAX_TARGETS];
	int ntargets, alive;
	pid_t exited;			/* the last target seen to exit */
	struct probe *probes[SESSION_MAX_PROBES];	/* probes[0] owns the shared maps */
	int nprobes;
	struct probe *threads;		/* the thread iterator, if loaded */
	struct follow *follow;		/* run mode, --subprocesses */
	struct frame_table frames;	/* what every sample is named into */
	struct symbolizer sym;
	uint32_t ids[PYBPFTOP_MAX_DEPTH];
	/* A stack without its incomplete frames (name_frames()), when it
	 * had some: the sinks get frames, addresses and ids side by side. */
	struct py_frame kept[PYBPFTOP_MAX_DEPTH];
	uint64_t kept_addrs[PYBPFTOP_MAX_DEPTH];
	double start;			/* session_now() at the start */
	uint64_t start_unix_ns, start_mono_ns;	/* the same instant, for timestamps */
	int idle_timer;			/* --idle: a timerfd at the sampling rate */
	struct child child;		/* run mode's command */
	int child_status, child_done;
	/* Followed processes seen to fork or exec, not yet Python (or not yet
	 * mapped): retried every few ms for up to PENDING_S seconds. */
	struct { pid_t pid; double since; } pending[SESSION_MAX_TARGETS];
	int npending;
	/* The agent's discovery: the cheap test's cache, and the processes
	 * to look at, each when it is due. */
	struct discover_cache *disc;
	struct { pid_t pid; long long ticks; double due, since; int tries; } queue[SESSION_MAX_QUEUED];
	int nqueue;
	uint64_t checked, found, refused, queue_full;
	double since;		/* the process being looked at: its exec */
};

/* Names n frames of target t (innermost first) into s->ids, leaving out
 * the incomplete ones (still in their prologue: CPython's tracebacks do not
 * show them either, see py_frame_incomplete()). Returns how many are left;
 * when some were left out, *frames (and *addrs, if addrs is not NULL) then
 * point to copies without them, so that frames, addresses and ids stay
 * side by side for the sinks. */
uint32_t session_name_frames(struct session *s, struct session_target *t, uint32_t n,
			     const struct py_frame **frames, const uint64_t **addrs);

/* Checks the system and the targets, loads and attaches the probes, and in
 * run mode starts the command. 0, or -errno with one line naming the fix
 * in err; session_close() is due either way. */
int session_open(struct session *s, const struct session_opts *o, char *err, size_t errlen);

/* Waits up to ms (less on a signal or an exit), draining the probes. */
void session_tick(struct session *s, int ms);

/* Whether there is nothing left to wait for: run mode's command exited;
 * else a signal came, or every target exited. */
int session_over(const struct session *s);

/* Walks every thread of the targets now, once: each arrives at the sink
 * with SAMPLE_ADDRS. Needs opts.threads. 0 or -errno. */
int session_snapshot(struct session *s);

/* The agent: forget every name (the frame table and the symbolizer's
 * cache) once the frame table takes more than max_bytes of memory
 * (frame_table_bytes), and give the freed memory back, so that
 * code churn over weeks does not grow it to its budget. Only between
 * profiles: every frame id given out so far is void after it. Returns
 * whether it did. */
int session_reset_names(struct session *s, size_t max_bytes);

/* Stops the probes and takes in what they sent last. */
void session_finish(struct session *s);

/* The counters of every probe, summed over CPUs. */
void session_counters(const struct session *s, uint64_t *total);

/* -v: the counter table, the probes' own costs, the symbolizer's work. */
void session_print_counters(const struct session *s, FILE *out);

/* Unloads everything. In run mode it then waits for the command (which
 * decides when it ends) and returns its exit status, as a shell reports
 * it; otherwise 0. */
int session_close(struct session *s);

double session_now(void);

/* Set by SIGINT, SIGTERM, SIGHUP and SIGQUIT (not in run mode, where they
 * go to the command); session_usr1 by SIGUSR1 with opts.usr1. */
extern volatile sig_atomic_t session_stop, session_usr1;

#endif /* SESSION_H */
