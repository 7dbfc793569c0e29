/* What bpf/py_walker.bpf.h needs from the kernel, for its user-space build
 * (PY_WALKER_USERSPACE, tests/replay/walker.c): the helpers it calls, the
 * map declaration macros and a task. The maps' lookups are defined in
 * walker.c, which sees the map variables the header declares.
 *
 * Each helper does what the kernel's does as far as the walker can tell:
 * a failed read zeroes its destination, bpf_loop() refuses more than
 * BPF_MAX_LOOPS iterations and stops when the callback returns 1. */
#ifndef BPF_SHIM_H
#define BPF_SHIM_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <linux/bpf.h>		/* enum bpf_map_type, BPF_ANY */
#include <linux/types.h>
#include "proc/remote_mem.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* libbpf's map declaration macros (bpf_helpers.h): each member only carries
 * a type, so a map variable is a small struct of pointers whose address
 * names the map. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define SEC(name)

/* Settings are plain variables here, so that the test can lower them. */
#define PY_WALKER_SETTING static

/* The task being walked: the memory its process had when it was recorded,
 * and what the kernel said about the thread then. */
struct task_struct {
	const struct remote_mem *mem;
	__u64 ns_tid;		/* its tid in its own pid namespace */
	__u64 fsbase;		/* thread.fsbase */
	__u64 start_ticks;	/* its process's start time (targets.bpf.h) */
};

static inline __u64 task_start_ticks(struct task_struct *task)
{
	return task->start_ticks;
}

static inline __u64 task_ns_tid(struct task_struct *task)
{
	return task->ns_tid;
}

static inline __u64 task_fsbase(struct task_struct *task)
{
	return task->fsbase;
}

/* The walker reads "another task's" memory: the recorded one. */
#define PY_WALKER_TASK_READS

static inline long bpf_copy_from_user_task(void *dst, __u32 size, const void *addr,
					   struct task_struct *task, __u64 flags)
{
	int rc = flags ? -EINVAL : remote_read(task->mem, (__u64)(unsigned long)addr, dst, size);

	if (rc)
		memset(dst, 0, size);
	return rc;
}

#define BPF_MAX_LOOPS (1 << 23)

static inline long bpf_loop(__u32 nr_loops, long (*fn)(__u32 i, void *ctx), void *ctx,
			    __u64 flags)
{
	__u32 i;

	if (flags)
		return -EINVAL;
	if (nr_loops > BPF_MAX_LOOPS)
		return -E2BIG;
	for (i = 0; i < nr_loops; i++)
		if (fn(i, ctx))
			return i + 1;
	return i;
}

/* The replay has no clock and one CPU: samples are compared, not timed. */
static inline __u64 bpf_ktime_get_ns(void)
{
	return 0;
}

static inline __u32 bpf_get_smp_processor_id(void)
{
	return 0;
}

/* Defined in walker.c, over its small tables. */
static void *bpf_map_lookup_elem(void *map, const void *key);
static long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags);
static long bpf_map_delete_elem(void *map, const void *key);

#endif /* BPF_SHIM_H */
