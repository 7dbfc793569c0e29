/* Thread snapshots: bpf/threads.bpf.c, a sleepable task iterator that user
 * space runs over the threads of each target, walks the Python stack of
 * every thread, running or not (dump, --idle, top's thread counts). */
#ifndef THREADS_H
#define THREADS_H

#include "probe/probe.h"

/* Loaded, for no process yet. With share, it uses that probe's targets,
 * ring buffer and counters (a CPU sampler's), so its samples arrive with
 * the sampler's. NULL with a message in err. */
struct probe *threads_open(uint32_t max_depth, const struct probe *share,
			   const struct probe_sink *sink, char *err, size_t errlen);

enum snapshot_mode {
	SNAPSHOT_ALL,		/* every Python thread, with frame addresses */
	SNAPSHOT_OFF_CPU,	/* threads not on a CPU nor runnable, for --idle */
};

/* Walks the targets' threads now, once, into the ring buffer; each sample
 * stands for `weight` sampling periods. 0 or -errno. */
int threads_snapshot(struct probe *p, enum snapshot_mode mode, uint32_t weight);

#endif /* THREADS_H */
