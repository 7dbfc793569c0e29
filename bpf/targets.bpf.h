/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The targets map: the processes we profile, by tgid in the root pid
 * namespace, with the layouts their walk needs. The walker reads it;
 * follow.bpf.c copies a parent's record to its fork. User space makes one
 * map of it and shares it between the objects. */
#ifndef TARGETS_BPF_H
#define TARGETS_BPF_H

#include "pybpftop.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PYBPFTOP_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct py_proc);
} procs SEC(".maps");

#ifndef PY_WALKER_USERSPACE
#include <bpf/bpf_core_read.h>

/* When the process of `task` started, in the unit of /proc/PID/stat's
 * field 22 (which is what user space registered): the same boot-time
 * clock, divided down to clock ticks. */
static __always_inline __u64 task_start_ticks(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime) / PYBPFTOP_TICK_NS;
}
#endif

/* The record of process tgid if `task`, one of its threads, is that
 * process: a pid reused by a process started since is not. NULL for both,
 * and *reused says which. */
static __always_inline struct py_proc *lookup_target(struct task_struct *task, __u32 tgid,
						     bool *reused)
{
	struct py_proc *proc = bpf_map_lookup_elem(&procs, &tgid);

	*reused = proc && task_start_ticks(task) != proc->start_ticks;
	return *reused ? NULL : proc;
}

#endif /* TARGETS_BPF_H */
