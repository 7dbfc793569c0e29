/* The BPF side of `pybpftop alloc`: open -> configure -> load -> register
 * the target -> attach the programs of one mode -> drain -> destroy. */
#ifndef ALLOC_PROBE_H
#define ALLOC_PROBE_H

#include <stdint.h>
#include "python/target.h"
#include "pybpftop.h"

struct alloc_probe;

struct alloc_probe_opts {
	int exact;		/* uprobes on the allocator API, else page-fault sampling */
	uint64_t sample_bytes;	/* sampled mode: mean bytes of new memory per sample */
	uint32_t max_depth;
	int verbose;
	/* Called per event in the order they happened. hdr and frames are
	 * NULL unless the event carries a stack (ALLOC_EV_BLOCK, _PAGE). */
	void (*on_event)(void *ctx, const struct py_alloc_event *e,
			 const struct py_sample_hdr *hdr, const struct py_frame *frames);
	void *ctx;
};

/* Load (and in sampled mode attach, for no process yet). On failure
 * writes one line naming the fix into err, and leaves nothing attached. */
int alloc_probe_start(struct alloc_probe **out, const struct alloc_probe_opts *o,
		      char *err, size_t errlen);

/* Profile target t (--exact: attach the uprobes to its allocator). On
 * failure writes one line naming the fix or the missing symbol into err. */
int alloc_probe_add_target(struct alloc_probe *p, const struct py_target *t, char *err, size_t errlen);

/* Deliver the events waiting in the ring buffer. */
int alloc_probe_drain(struct alloc_probe *p);

/* Stop the probes, leaving the buffer to drain. */
void alloc_probe_detach(struct alloc_probe *p);

/* Per-CPU counters summed into total[CNT_MAX]. */
void alloc_probe_counters(struct alloc_probe *p, uint64_t *total);

/* Detach and unload everything; safe on NULL. */
void alloc_probe_stop(struct alloc_probe *p);

#endif /* ALLOC_PROBE_H */
