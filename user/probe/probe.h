/* What every BPF probe offers the session that runs it: targets in and
 * out, a drain that hands decoded records to a sink, and a stop. The CPU
 * sampler (probe/sampler.c), the thread iterator (probe/threads.c) and the
 * allocation probes (probe/alloc.c) implement it; the session
 * (profile/session.c) owns targets, following, signals and the loop.
 *
 * Each probe's skeleton goes through one life cycle, in one place: open ->
 * set rodata and map sizes -> share the walker's maps -> load -> attach ->
 * (targets, drains) -> stop -> destroy. */
#ifndef PROBE_H
#define PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <bpf/libbpf.h>
#include "pybpftop.h"
#include "python/target.h"

/* Where a probe's records go, decoded and checked, in the order the kernel
 * wrote them. */
struct probe_sink {
	/* A Python stack (a CPU sample, a thread snapshot): frames innermost
	 * first; addrs holds each frame's address with SAMPLE_ADDRS, else NULL. */
	void (*stack)(void *ctx, const struct py_sample_hdr *hdr, const struct py_frame *frames,
		      const uint64_t *addrs);
	/* An allocation event; hdr and frames are NULL unless it carries the
	 * allocating stack (ALLOC_EV_BLOCK, ALLOC_EV_PAGE). */
	void (*alloc)(void *ctx, const struct py_alloc_event *e, const struct py_sample_hdr *hdr,
		      const struct py_frame *frames);
	void *ctx;
};

struct probe;

struct probe_ops {
	const char *name;
	/* Profile t: 0, or -errno with a message naming the fix. */
	int (*add_target)(struct probe *p, const struct py_target *t, char *err, size_t errlen);
	/* t exec'd: its new layouts (and files, for uprobes). */
	int (*update_target)(struct probe *p, const struct py_target *t, char *err, size_t errlen);
	/* Stop profiling pid (it exited, or exec'd and is not known again yet). */
	void (*remove_target)(struct probe *p, pid_t pid);
	/* Stop the programs; what they sent can still be drained. */
	void (*stop)(struct probe *p);
	/* Detach and unload everything. */
	void (*destroy)(struct probe *p);
	/* The counters (enum counter) its programs bump, as bits: what -v prints. */
	uint32_t counters;
	/* Optional: a line for -v about the programs' own cost. */
	void (*print_stats)(struct probe *p, FILE *out);
};

/* The part every probe shares; each kind embeds it first. */
struct probe {
	const struct probe_ops *ops;
	struct bpf_object *obj;
	struct probe_sink sink;
	/* The walker's maps (py_walker.bpf.h) as this probe's object has them.
	 * A probe opened with probe_share() uses another's, so that one
	 * targets map, one ring buffer and one set of counters serve all. */
	struct bpf_map *procs, *counters, *events, *known;
	int shared;			/* the maps are another probe's (probe_share) */
	struct ring_buffer *rb;		/* NULL when shared */
	int wakeup_fd;			/* readable on a wakeup, or -1 */
	int ncpus;
	int ntargets;
};

/* The walker's table of named code objects (include/pybpftop.h): k is
 * named (and, if k->trusted, not fingerprinted any more); or the object
 * at addr of pid is not known any more. */
void probe_know_code(struct probe *p, const struct py_known_code *k);
void probe_forget_code(struct probe *p, uint64_t addr, pid_t pid);

/* Checks what probes need from the system: privileges and BTF. On failure
 * writes a message naming the fix and returns -errno. */
int probe_check_system(char *err, size_t errlen);

/* libbpf's messages: none, or (verbose > 1) all but its debug ones. */
void probe_log(int verbose);

/* A zeroed probe of `size` bytes (its kind's struct, which starts with
 * struct probe) of kind ops; NULL with a message in err. */
void *probe_alloc(size_t size, const struct probe_ops *ops, char *err, size_t errlen);

/* Fills the common part from the object just opened (NULL: opening it
 * failed, errno says why), before load: the walker's maps by name, the
 * scratch map sized to the CPUs. 0 or -errno with a message. */
int probe_init(struct probe *p, struct bpf_object *obj, const struct probe_sink *sink,
	       char *err, size_t errlen);

/* Before load: use owner's walker maps instead of our own. */
int probe_share(struct probe *p, const struct probe *owner, char *err, size_t errlen);

/* After the skeleton's load returned rc: a message naming the fix if it
 * failed, else the ring buffer (unless shared), whose records are decoded
 * as `records` says. 0 or -errno. */
enum probe_records { RECORDS_STACKS, RECORDS_ALLOC };
int probe_loaded(struct probe *p, int rc, const char *what, enum probe_records records,
		 char *err, size_t errlen);

/* Hands what waits in the ring buffer to the sink. */
int probe_drain(struct probe *p);

/* The walker's record for t in the targets map (what update_target is for
 * most probes); and its removal. */
int probe_put_target(struct probe *p, const struct py_target *t, char *err, size_t errlen);
void probe_drop_target(struct probe *p, pid_t pid);
/* probe_drop_target, and one target fewer in p->ntargets when pid was in
 * the map: a probe's remove_target, so that a long run (the agent) under
 * process churn is not refused once it has seen PYBPFTOP_MAX_PROCS. */
void probe_forget_target(struct probe *p, pid_t pid);

/* A load failure as one line naming the fix. */
void probe_load_error(int rc, const char *what, char *err, size_t errlen);

/* The counters map summed over CPUs into total[CNT_MAX]; per_cpu (if not
 * NULL) gets max_cpus rows of CNT_MAX. */
void probe_counters(const struct probe *p, uint64_t *total, uint64_t *per_cpu, int max_cpus);

/* -v's counter table: one column per counter in mask, one row per CPU and
 * an "all" row. The one printer of counters. */
void probe_print_counters(const struct probe *p, uint32_t mask, FILE *out);

#define COUNTER(c) (1u << (c))
/* What the walker itself counts, in every program that takes a stack. */
#define WALKER_COUNTERS (COUNTER(CNT_SAMPLES) | COUNTER(CNT_EMITTED) | COUNTER(CNT_TRUNCATED) | \
			 COUNTER(CNT_READ_ERROR) | COUNTER(CNT_NO_THREAD) | COUNTER(CNT_NO_FRAMES) | \
			 COUNTER(CNT_LOST) | COUNTER(CNT_CACHE_MISS) | COUNTER(CNT_PID_REUSED) | \
			 COUNTER(CNT_TLBC_ERROR))

#endif /* PROBE_H */
