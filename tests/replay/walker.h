/* bpf/py_walker.bpf.h, the one stack walker, run in user space over any
 * struct remote_mem: the recorded memory of a snapshot (the replay test)
 * or a live process (tools/record_walk.c, which records what it reads). */
#ifndef REPLAY_WALKER_H
#define REPLAY_WALKER_H

#include <stdint.h>
#include <linux/types.h>
#include "pybpftop.h"
#include "proc/remote_mem.h"

/* A thread as the kernel describes it to the walker. */
struct walker_thread {
	uint32_t pid, tid;		/* root pid namespace */
	uint64_t ns_tid;		/* its tid in its own pid namespace */
	uint64_t fsbase;		/* thread.fsbase */
	uint64_t start_ticks;		/* its process's start time, as the kernel has it */
};

struct walker_result {
	int found;			/* the walker returned a sample */
	struct py_sample_hdr hdr;	/* valid when found */
	const struct py_frame *frames;	/* hdr.depth frames, innermost first */
	const __u64 *addrs;		/* each frame's own address */
	uint64_t counters[CNT_MAX];	/* bumped during this walk */
};

/* Forget the thread-state cache and the known code objects (as a new
 * program load would). */
void walker_reset(void);

/* Put k in the walker's table of known code objects (probe_know_code). */
void walker_know(const struct py_known_code *k);

/* Walk thread th of the process described by proc, reading m, keeping at
 * most max_depth frames (the loader's --max-depth). The frames stay valid
 * until the next walk. */
void walker_walk(const struct remote_mem *m, const struct py_proc *proc,
		 const struct walker_thread *th, uint32_t max_depth,
		 struct walker_result *out);

#endif /* REPLAY_WALKER_H */
