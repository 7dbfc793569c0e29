// SPDX-License-Identifier: GPL-2.0
/* CPU sampling: a cpu-clock perf event on every CPU runs this program; it
 * keeps only the profiled processes and sends their Python stacks to user
 * space through a ring buffer. */
#include "py_walker.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* A wakeup per sample costs about 3x the walk itself in a VM, so by default
 * user space polls the ring buffer on a timer instead. */
const volatile bool rb_wakeup = false;

/* The agent: a process that is not a target is reported once (per
 * program it runs: an exec forgets it), so that a Python process whose
 * exec was missed, or that became Python late (an embedded interpreter,
 * a plugin loaded with dlopen), is found by its first samples. */
const volatile bool discover = false;

#include "proc_events.bpf.h"

static __always_inline void discover_process(struct task_struct *task, __u32 tgid)
{
	struct py_discovered *seen, d;
	__u64 now;

	if (!tgid || !BPF_CORE_READ(task, mm) || bpf_map_lookup_elem(&procs, &tgid))
		return;
	d.start_ticks = task_start_ticks(task);
	seen = bpf_map_lookup_elem(&discovered, &tgid);
	now = bpf_ktime_get_ns();
	if (seen && seen->start_ticks == d.start_ticks &&
	    (seen->reported_ns == PYBPFTOP_SETTLED || now - seen->reported_ns < PYBPFTOP_REPORT_NS))
		return;
	d.reported_ns = now;
	/* Marked only once reported: a full ring buffer is tried again. */
	if (!proc_event(PROC_UNKNOWN, tgid, 0, d.start_ticks))
		bpf_map_update_elem(&discovered, &tgid, &d, BPF_ANY);
}

SEC("perf_event")
int sample_cpu(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct py_sample *s;
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 size;

	s = walk_task_stack(task, pid_tgid >> 32, (__u32)pid_tgid, bpf_get_smp_processor_id(), false);

	if (!s) {
		if (discover)
			discover_process(task, pid_tgid >> 32);
		return 0;
	}
	size = sizeof(s->hdr) + (__u64)s->hdr.depth * sizeof(s->frames[0]);
	if (size > sizeof(*s))
		return 0;
	if (bpf_ringbuf_output(&events, s, size,
			       rb_wakeup ? 0 : sample_wakeup(s, bpf_get_smp_processor_id())))
		count(CNT_LOST);
	else
		count(CNT_EMITTED);
	return 0;
}
