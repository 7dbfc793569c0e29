// SPDX-License-Identifier: GPL-2.0
/* Allocation profiling (pybpftop alloc). Two modes; user space loads the
 * programs of one of them.
 *
 * Sampled (the default): the first touch of a new page of memory is a page
 * fault, so faults track new resident memory whatever allocated it
 * (pymalloc arenas, malloc, mmap), at no cost per allocation. A random
 * subset of the target's faults, one per `sample_bytes` on average, gets
 * its Python stack walked. Memory going back to the kernel (munmap, madvise,
 * brk, mremap) is reported as ranges, so user space can drop the samples
 * that fell in them: what remains is the live view.
 *
 * Exact (--exact): uprobes on CPython's allocator API (PyObject_*, PyMem_*,
 * PyMem_Raw*), a Python stack per allocation and an event per free, as
 * tracemalloc sees them. Each hit is a trap into the kernel, tens of
 * microseconds in a VM: this mode is for finding a leak, not for always-on.
 */
#include "py_walker.bpf.h"
#include <bpf/bpf_tracing.h>
/* libbpf 1.1 (Debian 12) has no BPF_UPROBE: BPF_KPROBE is the same for uprobes. */

char LICENSE[] SEC("license") = "GPL";

_Static_assert(__builtin_offsetof(struct scratch, s) ==
	       __builtin_offsetof(struct scratch, prefix) + sizeof(struct py_alloc_event),
	       "the event header must sit right before the sample");

/* Sampled mode: a fault is sampled when a 32-bit random number is below
 * sample_threshold (2^32 samples every fault); each sample then stands for
 * sample_bytes bytes, 4096 / probability. */
const volatile __u64 sample_threshold = 1ULL << 32;
const volatile __u64 sample_bytes = 4096;

/* Whether the current process, tgid, is one we profile. */
static __always_inline bool profiled(__u32 tgid)
{
	bool reused;

	return lookup_target(bpf_get_current_task_btf(), tgid, &reused) != NULL;
}

static __always_inline void emit_small(const struct py_alloc_event *e)
{
	if (bpf_ringbuf_output(&events, (void *)e, sizeof(*e), BPF_RB_NO_WAKEUP))
		count(CNT_LOST);
}

/* An allocation event with no stack: a thread with no Python frame (or none
 * we could find) still counts towards the totals. */
static __always_inline void emit_bare(__u32 kind, __u64 addr, __u64 size, __u64 addr2,
				      __u32 tgid, __u32 tid, __u32 cpu)
{
	struct {
		struct py_alloc_event e;
		struct py_sample_hdr h;
	} bare = {
		.e = { .kind = kind, .pid = tgid, .addr = addr, .size = size, .addr2 = addr2 },
		.h = { .time_ns = bpf_ktime_get_ns(), .pid = tgid, .tid = tid, .cpu = cpu, .weight = 1 },
	};

	if (bpf_ringbuf_output(&events, &bare, sizeof(bare), BPF_RB_NO_WAKEUP))
		count(CNT_LOST);
	else
		count(CNT_EMITTED);
}

/* An allocation event with the current thread's Python stack. Uprobe
 * programs can be preempted (they run under RCU with migration disabled,
 * not with preemption off), so the CPU's scratch slot is claimed first; a
 * program that finds it claimed sends its event without a stack. */
static __always_inline void emit_with_stack(__u32 kind, __u64 addr, __u64 size, __u64 addr2)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid, cpu = bpf_get_smp_processor_id();
	struct scratch *sc;
	struct py_sample *s;
	__u64 len;

	sc = bpf_map_lookup_elem(&scratch, &cpu);
	if (!sc)
		return;
	if (__sync_lock_test_and_set(&sc->busy, 1)) {
		count(CNT_BUSY);
		emit_bare(kind, addr, size, addr2, tgid, tid, cpu);
		return;
	}
	s = walk_task_stack(bpf_get_current_task_btf(), tgid, tid, cpu, true);
	if (!s) {
		emit_bare(kind, addr, size, addr2, tgid, tid, cpu);
		goto out;
	}
	sc->prefix = (struct py_alloc_event){ .kind = kind, .pid = tgid, .addr = addr, .size = size,
					      .addr2 = addr2 };
	len = sizeof(sc->prefix) + sizeof(sc->s.hdr) + (__u64)sc->s.hdr.depth * sizeof(sc->s.frames[0]);
	if (len > sizeof(sc->prefix) + sizeof(sc->s))
		goto out;
	if (bpf_ringbuf_output(&events, &sc->prefix, len, sample_wakeup(s, cpu)))
		count(CNT_LOST);
	else
		count(CNT_EMITTED);
out:
	*(volatile __u64 *)&sc->busy = 0;
}

/* ---- sampled mode: page faults and memory given back ---- */

static __always_inline int on_fault(__u64 address)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!profiled(tgid))
		return 0;
	count(CNT_FAULTS);
	if ((__u64)bpf_get_prandom_u32() >= sample_threshold)
		return 0;
	emit_with_stack(ALLOC_EV_PAGE, address & ~4095ULL, sample_bytes, 0);
	return 0;
}

/* x86 error code bits: a write (2) to a page not present (1 clear) is new
 * memory; so is a write to a present read-only page (1 set) when that page
 * is the shared zero page or a copy-on-write one. Reads of never-written
 * anonymous memory map the zero page and cost nothing, so they are not
 * counted; nor are faults on file pages (code), which are reads. */
#define PF_WRITE 2

SEC("tp_btf/page_fault_user")
int BPF_PROG(fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return error_code & PF_WRITE ? on_fault(address) : 0;
}

/* The kernel writing to user memory (read() into a new buffer) faults the
 * page in on the process's behalf. */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(fault_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	if (!(error_code & PF_WRITE) || address >= (1ULL << 47))
		return 0;
	return on_fault(address);
}

static __always_inline void range_event(__u32 kind, __u64 addr, __u64 len, __u64 addr2,
					__u64 len2)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct py_alloc_event e = { .kind = kind, .pid = tgid, .addr = addr, .size = len,
				    .addr2 = addr2, .size2 = len2 };

	if (profiled(tgid) && len)
		emit_small(&e);
}

#define NR_BRK 12
#define NR_MUNMAP 11
#define NR_MREMAP 25
#define NR_MADVISE 28
#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTNEED_LOCKED 24

/* The raw syscall tracepoints run for every system call on the machine
 * (fentry and kprobes on the syscall functions are not available on every
 * kernel, and were not on ours): the syscall number is tested first, so
 * the other calls cost a compare. */
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	__u64 want, cur, start;
	long advice;

	switch (id) {
	case NR_MUNMAP:
		range_event(ALLOC_EV_UNMAP, regs->di, regs->si, 0, 0);
		break;
	case NR_MADVISE:
		advice = regs->dx;
		if (advice == MADV_DONTNEED || advice == MADV_FREE || advice == MADV_REMOVE ||
		    advice == MADV_DONTNEED_LOCKED)
			range_event(ALLOC_EV_UNMAP, regs->di, regs->si, 0, 0);
		break;
	case NR_BRK:
		task = bpf_get_current_task_btf();
		want = regs->di;
		cur = BPF_CORE_READ(task, mm, brk);
		start = BPF_CORE_READ(task, mm, start_brk);
		/* brk(0) asks where the break is; only a shrink frees memory. */
		if (want >= start && want < cur)
			range_event(ALLOC_EV_UNMAP, want, cur - want, 0, 0);
		break;
	}
	return 0;
}

/* mremap() is reported once done, with where the range went. On x86-64
 * the saved registers still hold the arguments at exit. */
SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	if (regs->orig_ax != NR_MREMAP || (ret < 0 && ret > -4096))
		return 0;
	range_event(ALLOC_EV_MOVE, regs->di, regs->si, ret, regs->dx);
	return 0;
}

/* ---- --exact: the allocator API ---- */

/* A call in progress per thread. CPython's allocators call one another
 * (PyObject_Malloc falls back to PyMem_RawMalloc for large blocks); only the
 * outermost call counts, as tracemalloc's reentrancy guard has it. A call
 * is inner when it starts below the outermost one's stack pointer, or at it
 * (a tail call: `jmp PyMem_RawMalloc`). */
struct call {
	__u64 sp;		/* the outermost call's stack pointer at entry; 0: none */
	__u64 size;
	__u64 old;		/* realloc: the block it replaces */
	__u64 free_ptr, free_sp;	/* the last free() seen, to skip the inner one */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);	/* tid */
	__type(value, struct call);
} calls SEC(".maps");

static __always_inline int call_enter(struct pt_regs *ctx, __u64 size, __u64 old)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	__u64 sp = PT_REGS_SP(ctx);
	struct call *c, fresh = { .sp = sp, .size = size, .old = old };

	if (!profiled(pid_tgid >> 32))
		return 0;
	count(CNT_ALLOC_CALLS);
	c = bpf_map_lookup_elem(&calls, &tid);
	if (c && c->sp && sp <= c->sp) {
		count(CNT_NESTED);
		return 0;
	}
	if (c) {
		c->sp = sp;
		c->size = size;
		c->old = old;
	} else {
		bpf_map_update_elem(&calls, &tid, &fresh, BPF_ANY);
	}
	return 0;
}

static __always_inline int call_exit(struct pt_regs *ctx, __u64 ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &tid);
	__u64 size, old;

	/* The outermost call returns above the stack pointer it entered with
	 * (its return address is popped); inner calls return below it. After
	 * a tail call both return there: the first return clears the call. */
	if (!c || !c->sp || PT_REGS_SP(ctx) <= c->sp)
		return 0;
	size = c->size;
	old = c->old;
	c->sp = 0;
	/* A failed realloc() leaves the old block in place. */
	if (ret)
		emit_with_stack(ALLOC_EV_BLOCK, ret, size, old);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(malloc_enter, __u64 size)
{
	return call_enter(ctx, size, 0);
}

SEC("uprobe")
int BPF_KPROBE(calloc_enter, __u64 nelem, __u64 elsize)
{
	return call_enter(ctx, nelem * elsize, 0);
}

SEC("uprobe")
int BPF_KPROBE(realloc_enter, __u64 ptr, __u64 size)
{
	return call_enter(ctx, size, ptr);
}

SEC("uretprobe")
int BPF_KRETPROBE(alloc_exit, __u64 ret)
{
	return call_exit(ctx, ret);
}

SEC("uprobe")
int BPF_KPROBE(free_enter, __u64 ptr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid, tgid = pid_tgid >> 32;
	struct py_alloc_event e = { .kind = ALLOC_EV_FREE, .pid = tgid, .addr = ptr };
	__u64 sp = PT_REGS_SP(ctx);
	struct call *c, fresh = { .free_ptr = ptr, .free_sp = sp };

	if (!ptr || !profiled(tgid))
		return 0;
	count(CNT_ALLOC_CALLS);
	c = bpf_map_lookup_elem(&calls, &tid);
	/* Inside realloc() (its BLOCK event says what it freed), or the
	 * inner free() of the same block (PyObject_Free -> PyMem_RawFree). */
	if (c && ((c->sp && sp <= c->sp) || (ptr == c->free_ptr && sp <= c->free_sp))) {
		count(CNT_NESTED);
		return 0;
	}
	if (c) {
		c->free_ptr = ptr;
		c->free_sp = sp;
	} else {
		bpf_map_update_elem(&calls, &tid, &fresh, BPF_ANY);
	}
	emit_small(&e);
	return 0;
}
