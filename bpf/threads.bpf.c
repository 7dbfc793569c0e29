// SPDX-License-Identifier: GPL-2.0
/* Thread snapshots: a sleepable task iterator, run by user space over the
 * threads of one process, walks the Python stack of every thread, running
 * or not. `dump` takes one pass with frame addresses (for locals); --idle
 * takes a pass per sampling period that keeps only threads that sleep
 * (blocked on a lock, I/O, the GIL or a timer), since cpu-clock already
 * samples the running ones. It shares the procs,
 * tstate_cache, counters and events maps of the sampler object. */
#define PY_WALKER_TASK_READS
#include "py_walker.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before each pass. */
__u32 pass_weight;		/* sampling periods a sample stands for */
bool pass_off_cpu_only;		/* --idle: skip threads on a CPU */
bool pass_addrs;		/* dump: send each frame's address */

SEC("iter.s/task")
int snapshot_threads(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct py_sample *s;
	struct bpf_dynptr ptr;
	__u32 flags = SAMPLE_THREAD, depth, fsize, asize;
	__u32 key = bpf_get_smp_processor_id();
	struct scratch *sc;

	if (!task)
		return 0;
	if (BPF_CORE_READ(task, on_cpu))
		flags |= SAMPLE_ON_CPU;
	if (BPF_CORE_READ(task, __state) == 0)	/* TASK_RUNNING */
		flags |= SAMPLE_RUNNABLE;
	/* A runnable thread is on a CPU or about to be, and cpu-clock charges
	 * it there. Counting run-queue waits would also charge the thread our
	 * own pass preempted, on a busy machine a large bias. */
	if (pass_off_cpu_only && (flags & (SAMPLE_ON_CPU | SAMPLE_RUNNABLE)))
		return 0;
	count(CNT_THREADS);
	s = walk_task_stack(task, BPF_CORE_READ(task, tgid), BPF_CORE_READ(task, pid),
			    key, !pass_off_cpu_only);
	if (!s)
		return 0;
	s->hdr.flags |= flags | (pass_addrs ? SAMPLE_ADDRS : 0);
	s->hdr.weight = pass_weight;
	depth = s->hdr.depth;
	if (depth > PYBPFTOP_MAX_DEPTH)
		return 0;
	fsize = depth * sizeof(s->frames[0]);
	asize = pass_addrs ? depth * sizeof(__u64) : 0;
	sc = bpf_map_lookup_elem(&scratch, &key);
	if (!sc)
		return 0;

	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(s->hdr) + fsize + asize, 0, &ptr)) {
		bpf_ringbuf_discard_dynptr(&ptr, 0);
		count(CNT_LOST);
		return 0;
	}
	bpf_dynptr_write(&ptr, 0, &sc->s.hdr, sizeof(sc->s.hdr), 0);
	if (fsize)
		bpf_dynptr_write(&ptr, sizeof(sc->s.hdr), sc->s.frames, fsize, 0);
	if (asize)
		bpf_dynptr_write(&ptr, sizeof(sc->s.hdr) + fsize, sc->addrs, asize, 0);
	bpf_ringbuf_submit_dynptr(&ptr, 0);
	count(CNT_EMITTED);
	return 0;
}
