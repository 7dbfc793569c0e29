/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Process events (struct py_proc_event) for user space: forks and execs
 * (follow.bpf.c), and, for the agent, processes the sampler met that are
 * not targets yet (sampler.bpf.c). Both objects declare the maps; user
 * space makes one of each and shares it, so that one ring buffer carries
 * every event in the order they happened. */
#ifndef PROC_EVENTS_BPF_H
#define PROC_EVENTS_BPF_H

#include "pybpftop.h"

/* Events the ring buffer had no room for. */
__u64 lost_events;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 << 10);
} proc_events SEC(".maps");

/* The agent: processes reported, by tgid (struct py_discovered): a pid
 * reused by a newer process is reported again; one still starting (its
 * libraries not all mapped) again every PYBPFTOP_REPORT_NS while it runs,
 * until user space settles it (not Python: looked at once per program
 * it runs, since an exec deletes its entry). LRU: a host runs more
 * processes than this over time, and an evicted one is only looked at
 * again. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct py_discovered);
} discovered SEC(".maps");

/* 0, or -1 when the ring buffer was full (counted). */
static __always_inline int proc_event(__u32 kind, __u32 pid, __u32 ppid, __u64 start_ticks)
{
	struct py_proc_event e = { .time_ns = bpf_ktime_get_ns(), .kind = kind, .pid = pid,
				    .ppid = ppid, .start_ticks = start_ticks };

	/* Rare, and a new process must be seen at once: wake user space. */
	if (bpf_ringbuf_output(&proc_events, &e, sizeof(e), 0)) {
		__sync_fetch_and_add(&lost_events, 1);
		return -1;
	}
	return 0;
}

#endif /* PROC_EVENTS_BPF_H */
