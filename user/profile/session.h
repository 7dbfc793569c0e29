/* A profiling session: the targets, the sampler and the aggregated profile,
 * shared by the commands that sample (record, top). */
#ifndef SESSION_H
#define SESSION_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "profile/profile.h"
#include "python/target.h"
#include "probe/sampler.h"
#include "profile/symbolizer.h"

#define SESSION_MAX_TARGETS SAMPLER_MAX_TARGETS

/* A Python thread as the last thread snapshot saw it. */
struct session_thread {
	uint32_t pid, tid;
	uint64_t tstate;
	uint32_t flags;		/* SAMPLE_ON_CPU, SAMPLE_RUNNABLE */
};

#define SESSION_MAX_THREADS 1024

struct session {
	struct py_target *targets[SESSION_MAX_TARGETS];
	int pidfds[SESSION_MAX_TARGETS];	/* readable when the target exits */
	int ntargets, alive;
	pid_t exited;			/* the last target seen to exit */
	struct sampler *sampler;
	struct symbolizer sym;
	struct profile prof;
	uint32_t ids[PYBPFTOP_MAX_DEPTH];
	double start;			/* session_now() at the start */
	uint64_t start_unix_ns, start_mono_ns;	/* the same instant, for timestamps */
	int idle_timer;			/* --idle: a timerfd at the sampling rate */
	struct session_thread threads[SESSION_MAX_THREADS];	/* session_threads() */
	int nthreads;
	const struct session_opts *opts;
	/* Followed processes seen to fork or exec, not yet Python (or not yet
	 * mapped): retried every few ms for up to PENDING_S seconds. */
	struct { pid_t pid; double since; } pending[SESSION_MAX_TARGETS];
	int npending;
};

struct session_opts {
	const pid_t *pids;
	int npids;
	int hz;			/* 0: no sampling, snapshots only (dump) */
	uint32_t max_depth;
	int verbose;
	int idle;		/* --idle: sample threads off the CPU too */
	int threads;		/* session_threads() will be called */
	int follow;		/* session_follow() will be called */
	/* Where session_threads() sends stacks; NULL: only the table. */
	void (*on_thread)(void *ctx, struct py_target *t, const struct py_sample_hdr *hdr,
			  const uint32_t *frame_ids, const struct py_frame *frames,
			  const uint64_t *addrs);
	void *ctx;
};

/* Check the system and the targets, load and attach. On failure prints one
 * line naming the fix and returns non-zero; session_close() is still due. */
int session_open(struct session *s, const struct session_opts *o);

/* Start profiling one more process: 0, or a PYT_* code with a message in
 * err (run mode, --subprocesses). */
int session_add_target(struct session *s, pid_t pid, char *err, size_t errlen);

/* Profile pid's exec'd programs and, with children, its child processes
 * from their start (needs opts.follow). */
int session_follow(struct session *s, pid_t pid, int children);

/* Wait up to ms (less on a signal or a target's exit), then take in the
 * samples that arrived. */
void session_tick(struct session *s, int ms);

/* Snapshot every Python thread of the targets now: fills s->threads and
 * calls opts.on_thread per thread. Returns 0 or -errno. */
int session_threads(struct session *s);

/* Stop sampling and take in the last samples. */
void session_finish(struct session *s);

void session_close(struct session *s);

double session_now(void);

/* Set by SIGINT and SIGTERM once session_open() has run. */
extern volatile sig_atomic_t session_stop;

#endif /* SESSION_H */
