/* The sampler: the BPF skeletons' life cycle in one place, from open to
 * destroy, with a single cleanup path. Two sources feed one ring buffer:
 * cpu-clock perf events (threads on a CPU) and a task iterator that user
 * space runs to snapshot every thread of the targets (dump, --idle). */
#ifndef SAMPLER_H
#define SAMPLER_H

#include <stdint.h>
#include "python/target.h"
#include "pybpftop.h"

#define SAMPLER_MAX_TARGETS PYBPFTOP_MAX_PROCS

struct sampler;

struct sampler_opts {
	int hz;			/* cpu-clock rate; 0: no CPU sampling (dump) */
	int threads;		/* load the thread iterator (sampler_snapshot) */
	uint32_t max_depth;
	int verbose;
	/* Called for each sample, frames innermost first; addrs holds each
	 * frame's address when the sample has SAMPLE_ADDRS, else NULL. */
	void (*on_sample)(void *ctx, const struct py_sample_hdr *hdr,
			  const struct py_frame *frames, const uint64_t *addrs);
	void *ctx;
	/* Run mode, --subprocesses: report execs and forks of followed
	 * processes (sampler_follow) through on_proc_event. */
	int follow;
	void (*on_proc_event)(void *ctx, const struct py_proc_event *e);
};

/* Check what the sampler needs from the system: privileges and BTF.
 * On failure, writes a message naming the fix and returns non-zero. */
int sampler_check_system(char *err, size_t errlen);

/* Load and attach the BPF side for the given processes. */
int sampler_start(struct sampler **out, const struct sampler_opts *opts,
		  struct py_target *const *targets, int ntargets,
		  char *err, size_t errlen);

/* Profile one more process (run mode, --subprocesses). */
int sampler_add_target(struct sampler *s, const struct py_target *t, char *err, size_t errlen);

/* Stop sampling pid (it exec'd and is not known again yet). */
void sampler_remove_target(struct sampler *s, pid_t pid);

/* A target exec'd: hand the BPF side its new layouts. */
int sampler_update_target(struct sampler *s, const struct py_target *t, char *err, size_t errlen);

/* Report pid's execs, and with FOLLOW_CHILDREN its new child processes
 * (recursively): needs opts.follow. */
int sampler_follow(struct sampler *s, pid_t pid, uint32_t flags);

/* A file descriptor that becomes readable when the BPF side wakes user
 * space up: on process events (opts.follow), or per sample
 * (PYBPFTOP_RB_WAKEUP=1, for benchmarks); -1 when it never does. */
int sampler_wakeup_fd(struct sampler *s);

enum snapshot_mode {
	SNAPSHOT_ALL,		/* every Python thread, with frame addresses */
	SNAPSHOT_OFF_CPU,	/* threads not on a CPU, for --idle */
};

/* Walk the Python stack of the targets' threads now, once, into the ring
 * buffer; each sample stands for `weight` sampling periods. Needs
 * opts.threads. Returns 0 or -errno. */
int sampler_snapshot(struct sampler *s, enum snapshot_mode mode, uint32_t weight);

/* Deliver the samples waiting in the ring buffer. */
int sampler_drain(struct sampler *s);

/* Stop sampling (detach the perf events), leaving the buffer to drain. */
void sampler_detach(struct sampler *s);

/* Per-CPU counters, summed over CPUs into total[CNT_MAX]; per_cpu (if not
 * NULL) gets ncpus rows of CNT_MAX. Returns the number of CPUs. */
int sampler_counters(struct sampler *s, uint64_t *total, uint64_t *per_cpu, int max_cpus);

/* The kernel's run statistics of the sampling program (with the sysctl
 * kernel.bpf_stats_enabled=1; zeros otherwise). */
int sampler_prog_stats(struct sampler *s, uint64_t *run_cnt, uint64_t *run_time_ns);

/* Detach and unload everything; safe on NULL. */
void sampler_stop(struct sampler *s);

#endif /* SAMPLER_H */
