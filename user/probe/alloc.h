/* The BPF side of `pybpftop alloc` (bpf/alloc.bpf.c): page faults and the
 * memory given back (sampled mode), or uprobes on the allocator API of each
 * target (--exact). Its records are allocation events (probe_sink.alloc). */
#ifndef ALLOC_PROBE_H
#define ALLOC_PROBE_H

#include "probe/probe.h"

struct alloc_probe_opts {
	int exact;		/* uprobes on the allocator API, else page-fault sampling */
	uint64_t sample_bytes;	/* sampled mode: mean bytes of new memory per sample */
	uint32_t max_depth;
};

/* Loaded, and in sampled mode attached, for no process yet. Adding a
 * target under --exact attaches to its allocator, and fails with the
 * reason when its build cannot be probed (stripped, LTO). NULL with a
 * message in err. */
struct probe *alloc_probe_open(const struct alloc_probe_opts *o, const struct probe_sink *sink,
			       char *err, size_t errlen);

#endif /* ALLOC_PROBE_H */
