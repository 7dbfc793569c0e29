// SPDX-License-Identifier: GPL-2.0
/* CPU sampling: a cpu-clock perf event on every CPU runs this program; it
 * keeps only the profiled processes and sends their Python stacks to user
 * space through a ring buffer. */
#include "py_walker.bpf.h"
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* A wakeup per sample costs about 3x the walk itself in a VM, so by default
 * user space polls the ring buffer on a timer instead. */
const volatile bool rb_wakeup = false;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

SEC("perf_event")
int sample_cpu(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct py_sample *s;
	__u64 size;

	s = walk_task_stack(bpf_get_current_task_btf(), pid_tgid >> 32, (__u32)pid_tgid,
			    bpf_get_smp_processor_id(), false);

	if (!s)
		return 0;
	size = sizeof(s->hdr) + (__u64)s->hdr.depth * sizeof(s->frames[0]);
	if (size > sizeof(*s))
		return 0;
	if (bpf_ringbuf_output(&events, s, size, rb_wakeup ? 0 : BPF_RB_NO_WAKEUP))
		count(CNT_LOST);
	else
		count(CNT_EMITTED);
	return 0;
}

/* Following processes (run mode, --subprocesses): user space puts a root
 * process in `followed`; its exec, and with FOLLOW_CHILDREN its new child
 * processes (which inherit the flag), are reported through proc_events so
 * that user space can start profiling them within milliseconds. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* tgid */
	__type(value, __u32);	/* enum follow_flags */
} followed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10);
} proc_events SEC(".maps");

static __always_inline void proc_event(__u32 kind, __u32 pid, __u32 ppid)
{
	struct py_proc_event e = { .time_ns = bpf_ktime_get_ns(), .kind = kind, .pid = pid,
				    .ppid = ppid };

	/* Rare, and a new process must be seen at once: wake user space. */
	if (bpf_ringbuf_output(&proc_events, &e, sizeof(e), 0))
		count(CNT_LOST);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u32 *flags;

	if (ptgid == ctgid)	/* a new thread, not a process */
		return 0;
	flags = bpf_map_lookup_elem(&followed, &ptgid);
	if (!flags || !(*flags & FOLLOW_CHILDREN))
		return 0;
	bpf_map_update_elem(&followed, &ctgid, flags, BPF_ANY);
	proc_event(PROC_FORK, ctgid, ptgid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;

	if (bpf_map_lookup_elem(&followed, &tgid))
		proc_event(PROC_EXEC, tgid, 0);
	return 0;
}
