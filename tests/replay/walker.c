/* bpf/py_walker.bpf.h compiled as plain C (see bpf_shim.h), with its maps
 * as small tables: one process, a handful of cached thread states, one
 * scratch slot and the counters. */
#include <stdio.h>
#include <string.h>
#include "walker.h"

#define PY_WALKER_USERSPACE
/* The BPF callbacks' signatures are fixed by bpf_loop(): their index
 * argument is unused, and -Wextra would say so. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "py_walker.bpf.h"
#pragma GCC diagnostic pop

#define CACHE_SLOTS 64

static struct {
	__u32 tgid;
	int set;
	struct py_proc val;
} proc_slot;

static struct {
	__u32 tid;
	int used;
	struct tstate_cached val;
} cache[CACHE_SLOTS];
static unsigned cache_next;	/* the slot to evict when all are used */

static struct py_known_code known[PYBPFTOP_KNOWN_SLOTS];
static struct scratch scratch_slot;
static __u64 counter_vals[CNT_MAX];

static int map_is(const void *map, const void *decl)
{
	return map == decl;
}

static void *bpf_map_lookup_elem(void *map, const void *key)
{
	__u32 k = *(const __u32 *)key;

	if (map_is(map, &procs))
		return proc_slot.set && proc_slot.tgid == k ? &proc_slot.val : NULL;
	if (map_is(map, &tstate_cache)) {
		for (unsigned i = 0; i < CACHE_SLOTS; i++)
			if (cache[i].used && cache[i].tid == k)
				return &cache[i].val;
		return NULL;
	}
	if (map_is(map, &scratch))
		return k == 0 ? &scratch_slot : NULL;
	if (map_is(map, &known_code))
		return k < PYBPFTOP_KNOWN_SLOTS ? &known[k] : NULL;
	if (map_is(map, &counters))
		return k < CNT_MAX ? &counter_vals[k] : NULL;
	return NULL;
}

static long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)
{
	__u32 k = *(const __u32 *)key;
	struct tstate_cached *v;

	if (!map_is(map, &tstate_cache) || flags != BPF_ANY)
		return -EINVAL;
	v = bpf_map_lookup_elem(map, key);
	if (!v) {
		unsigned i = cache_next++ % CACHE_SLOTS;	/* an LRU map evicts too */

		cache[i].used = 1;
		cache[i].tid = k;
		v = &cache[i].val;
	}
	memcpy(v, value, sizeof(*v));
	return 0;
}

static long bpf_map_delete_elem(void *map, const void *key)
{
	__u32 k = *(const __u32 *)key;

	if (!map_is(map, &tstate_cache))
		return -EINVAL;
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].used && cache[i].tid == k) {
			cache[i].used = 0;
			return 0;
		}
	return -ENOENT;
}

void walker_reset(void)
{
	memset(cache, 0, sizeof(cache));
	memset(known, 0, sizeof(known));
	cache_next = 0;
}

void walker_know(const struct py_known_code *k)
{
	known[py_known_slot(k->addr, k->pid)] = *k;
}

void walker_walk(const struct remote_mem *m, const struct py_proc *proc,
		 const struct walker_thread *th, uint32_t depth_limit,
		 struct walker_result *out)
{
	struct task_struct task = { .mem = m, .ns_tid = th->ns_tid, .fsbase = th->fsbase,
				    .start_ticks = th->start_ticks };
	struct py_sample *s;

	proc_slot.tgid = th->pid;
	proc_slot.val = *proc;
	proc_slot.set = 1;
	memset(counter_vals, 0, sizeof(counter_vals));
	memset(&scratch_slot, 0, sizeof(scratch_slot));
	max_depth = depth_limit;
	/* allow_empty, as the thread iterator has it: a thread state found
	 * with no frame still answers, so "not found" means the scan failed. */
	s = walk_task_stack(&task, th->pid, th->tid, 0, true);

	memset(out, 0, sizeof(*out));
	out->found = s != NULL;
	if (s)
		out->hdr = s->hdr;
	out->frames = scratch_slot.s.frames;
	out->addrs = scratch_slot.addrs;
	memcpy(out->counters, counter_vals, sizeof(out->counters));
}
