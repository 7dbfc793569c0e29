/* The CPU sampler: a cpu-clock perf event on every CPU runs
 * bpf/sampler.bpf.c, which walks the Python stack of the targets' threads
 * that are on a CPU. */
#ifndef SAMPLER_H
#define SAMPLER_H

#include "probe/probe.h"

struct sampler_opts {
	int hz;			/* samples per second per CPU */
	uint32_t max_depth;
	int discover;		/* the agent: report processes that are not targets (PROC_UNKNOWN) */
	uint32_t ring_bytes;	/* the ring buffer, a power of 2 of pages; 0: 16 MiB */
};

/* Loaded and attached, for no process yet; NULL with a message in err. */
struct probe *sampler_open(const struct sampler_opts *o, const struct probe_sink *sink,
			   char *err, size_t errlen);

#endif /* SAMPLER_H */
