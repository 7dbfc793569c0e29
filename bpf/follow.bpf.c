// SPDX-License-Identifier: GPL-2.0
/* Following processes (run mode, --subprocesses): user space puts a root
 * process in `followed`; its exec, and with FOLLOW_CHILDREN its new child
 * processes (which inherit the flag), are reported through proc_events so
 * that user space can start profiling them within milliseconds. An object
 * of its own, loaded beside whichever probes the session runs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "pybpftop.h"

char LICENSE[] SEC("license") = "GPL";

/* The agent: every exec on the host is reported, and every fork of a
 * target is one, without a root process to follow. */
const volatile bool follow_all = false;

/* The walker's targets, shared with the probes: a fork is a copy of its
 * parent, layouts included, so the child is sampled from its first
 * instruction rather than once user space has looked at it. */
#include "targets.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);	/* tgid */
	__type(value, struct py_followed);
} followed SEC(".maps");

/* The followed record of task's process, if it is that process. */
static __always_inline struct py_followed *followed_of(struct task_struct *task, __u32 tgid)
{
	struct py_followed *f = bpf_map_lookup_elem(&followed, &tgid);

	return f && f->start_ticks == task_start_ticks(task) ? f : NULL;
}

#include "proc_events.bpf.h"

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct py_followed *f, kid;
	struct py_proc *proc, copy;
	bool reused;

	if (ptgid == ctgid)	/* a new thread, not a process */
		return 0;
	proc = lookup_target(parent, ptgid, &reused);
	if (follow_all && !proc)	/* the agent: not Python, or not known yet */
		return 0;
	f = follow_all ? NULL : followed_of(parent, ptgid);
	if (!follow_all && (!f || !(f->flags & FOLLOW_CHILDREN)))
		return 0;
	if (f) {
		kid = *f;
		kid.start_ticks = task_start_ticks(child);
		bpf_map_update_elem(&followed, &ctgid, &kid, BPF_ANY);
	}
	if (proc) {
		copy = *proc;
		copy.start_ticks = task_start_ticks(child);
		bpf_map_update_elem(&procs, &ctgid, &copy, BPF_NOEXIST);
	}
	proc_event(PROC_FORK, ctgid, ptgid, task_start_ticks(child));
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;

	if (follow_all) {
		bpf_map_delete_elem(&discovered, &tgid);
		proc_event(PROC_EXEC, tgid, 0, task_start_ticks(p));
	} else if (followed_of(p, tgid))
		proc_event(PROC_EXEC, tgid, 0, 0);
	return 0;
}
