/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Definitions shared by the BPF programs and the user-space loader.
 * Only fixed-size __u* types: both sides must agree on every byte. */
#ifndef PYBPFTOP_H
#define PYBPFTOP_H

#ifndef __VMLINUX_H__	/* the BPF side has the types from vmlinux.h */
#include <linux/types.h>
#endif
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define PYBPFTOP_MAX_DEPTH	5000	/* frames kept per sample */
#define PYBPFTOP_MAX_THREADS	4096	/* thread-list entries scanned per lookup */
#define PYBPFTOP_MAX_INTERPS	64	/* interpreters (main + subinterpreters) scanned per lookup */
#define PYBPFTOP_MAX_PROCS	1024	/* processes profiled at once (the agent: a host's) */
#define PYBPFTOP_NO_OFFSET	0xffff	/* field absent in this version */
#define PYBPFTOP_NO_OWNER	0xff	/* no frame owner value to skip */
#define PYBPFTOP_READ_MAX	512	/* bytes read per frame or thread state */
/* Nanoseconds per clock tick of /proc/PID/stat's times: USER_HZ, 100 on
 * x86-64 whatever the kernel's HZ (user space checks _SC_CLK_TCK). */
#define PYBPFTOP_TICK_NS	10000000ULL

/* How a frame records its current instruction. */
enum py_lasti_kind {
	LASTI_BYTES = 0,	/* <=3.9: int f_lasti, a byte offset */
	LASTI_UNITS = 1,	/* 3.10: int f_lasti, in 2-byte code units */
	LASTI_PTR = 2,		/* 3.11+: pointer into co_code_adaptive */
};

/* ob_type, ob_size, co_filename, co_name, co_qualname, co_linetable. */
#define PY_CODE_FP_PTRS	6

/* Offsets the in-kernel walker needs, one record per target process.
 * Field names follow the CPython members they describe. */
struct py_offsets {
	/* _PyRuntimeState.interpreters.head */
	__u16 runtime_interpreters_head;
	/* PyInterpreterState.tstate_head (<=3.10) / .threads.head (3.11+) */
	__u16 interp_threads_head;
	/* PyThreadState */
	__u16 tstate_next;
	__u16 tstate_thread_id;		/* pthread_t, equals fs base on x86-64 glibc */
	__u16 tstate_native_thread_id;	/* 3.11+: gettid() in the target's pid ns */
	/* PyThreadState.frame (<=3.10), .cframe (3.11, 3.12), .current_frame (3.13+) */
	__u16 tstate_frame;
	/* _PyCFrame.current_frame when tstate_frame is a cframe, else NO_OFFSET */
	__u16 cframe_current_frame;
	/* PyFrameObject (<=3.10) or _PyInterpreterFrame (3.11+) */
	__u16 frame_previous;		/* f_back / previous */
	__u16 frame_code;		/* f_code / f_executable */
	__u16 frame_lasti;		/* f_lasti / prev_instr / instr_ptr */
	__u16 frame_owner;		/* owner (3.11+), else NO_OFFSET */
	__u16 code_adaptive;		/* PyCodeObject.co_code_adaptive (3.11+) */
	__u8 lasti_kind;		/* enum py_lasti_kind */
	__u8 owner_cstack;		/* FRAME_OWNED_BY_CSTACK, or NO_OWNER */
	__u8 owner_interpreter;		/* FRAME_OWNED_BY_INTERPRETER (3.14), or NO_OWNER */
	__u8 _pad;
	/* Derived by the loader: bytes read at once to cover the fields above,
	 * so that each frame and thread state costs one read. */
	__u16 frame_read_size;
	__u16 tstate_read_size;
	/* The code object's identity fields (py_code_fp()); code_read_size
	 * bytes from its start cover them all. */
	struct py_code_fp_fields {
		__u16 ptr[PY_CODE_FP_PTRS];	/* 8-byte fields, or NO_OFFSET */
		__u16 firstlineno;		/* int */
		__u16 read_size;
		__u16 name;			/* the str it is shown by: co_qualname, or co_name */
		__u16 str_hash;			/* PyASCIIObject.hash: its cached hash */
	} code_fp;
	/* Free-threaded 3.14+: thread-local bytecode. A frame whose
	 * tlbc_index is not 0 runs the copy co_tlbc->entries[tlbc_index]
	 * (_PyCodeArray { Py_ssize_t size; char *entries[]; }), not
	 * co_code_adaptive. 0 (or NO_OFFSET): no such field (neither can be
	 * at offset 0, where f_executable and ob_refcnt/ob_tid are). */
	__u16 frame_tlbc_index;		/* _PyInterpreterFrame.tlbc_index (int32_t) */
	__u16 code_tlbc;		/* PyCodeObject.co_tlbc (_PyCodeArray *) */
	/* Subinterpreters: the walker follows every interpreter of
	 * _PyRuntime.interpreters, not just the head. */
	__u16 interp_next;		/* PyInterpreterState.next */
	__u16 interp_id;		/* PyInterpreterState.id (int64_t) */
	__u16 tstate_interp;		/* PyThreadState.interp */
	/* PyThreadState._status (3.12+, else NO_OFFSET), a bit field whose
	 * bound_gilstate bit marks the thread state its OS thread activated
	 * last: a thread that entered a subinterpreter has a thread state in
	 * each interpreter, with the same thread id (py_walker.bpf.h). */
	__u16 tstate_status;
	__u8 status_bound_gilstate;	/* that bit's number */
	__u8 _pad2;
};

/* One record per profiled process, keyed by tgid in the procs map. A
 * process is its pid and its start time: a task whose start time differs
 * got the pid after our process exited, and is not sampled under it. */
struct py_proc {
	__u64 interp_head_addr;		/* &_PyRuntime.interpreters.head */
	__u64 start_ticks;		/* field 22 of /proc/PID/stat: clock ticks since boot */
	struct py_offsets off;
};

struct py_frame {
	__u64 code;			/* PyCodeObject address */
	__s32 lasti;			/* instruction index in code units, -1 if none */
	/* py_code_fp() as the walker read it; 0 when it did not (unreadable,
	 * or a trusted known code object) */
	__u32 code_fp;
};

enum sample_flags {
	SAMPLE_TRUNCATED = 1 << 0,	/* more frames than max_depth */
	SAMPLE_READ_ERROR = 1 << 1,	/* a frame read failed mid-walk */
	/* From the thread iterator, not from cpu-clock: */
	SAMPLE_THREAD = 1 << 2,		/* a thread snapshot (dump, --idle) */
	SAMPLE_ON_CPU = 1 << 3,		/* the thread was running on a CPU */
	SAMPLE_RUNNABLE = 1 << 4,	/* ... or waiting for one (TASK_RUNNING) */
	SAMPLE_ADDRS = 1 << 5,		/* depth frame addresses (__u64) follow the frames */
	SAMPLE_NEW_CODE = 1 << 6,	/* a frame's code object is not one user space named */
};

/* Code objects user space has named, by (pid, address), in a
 * direct-mapped table the walker reads: it takes a code object's
 * fingerprint only when its slot does not vouch for it (see
 * user/profile/symbolizer.c). */
#define PYBPFTOP_KNOWN_SLOTS	16384

struct py_known_code {
	__u64 addr;
	__u32 pid;
	__u32 fp;		/* py_code_fp() when it was named */
	/* Named long enough ago (it has lived for a while) that the walker
	 * skips its fingerprint; user space checks it once per drain. */
	__u32 trusted;
	__u32 _pad;
};

static __always_inline __u32 py_known_slot(__u64 addr, __u32 pid)
{
	__u64 h = (addr ^ ((__u64)pid << 40)) * 0x9e3779b97f4a7c15ULL;

	return (__u32)(h >> 32) & (PYBPFTOP_KNOWN_SLOTS - 1);
}

struct py_sample_hdr {
	__u64 time_ns;			/* bpf_ktime_get_ns() */
	__u64 tstate;			/* the thread's PyThreadState */
	__u32 pid;			/* tgid, root pid namespace */
	__u32 tid;			/* root pid namespace */
	__u32 cpu;
	__u32 flags;			/* enum sample_flags */
	__u32 depth;			/* frames that follow, innermost first */
	__u32 weight;			/* sampling periods this sample stands for */
	__s64 interp_id;		/* PyInterpreterState.id: 0 is the main interpreter */
};

struct py_sample {
	struct py_sample_hdr hdr;
	struct py_frame frames[PYBPFTOP_MAX_DEPTH];
};

/* Process events for run mode and --subprocesses. */
enum follow_flags {
	FOLLOW_CHILDREN = 1 << 0,	/* new child processes are followed too */
};

/* A followed process, by tgid: it is that pid only with that start time,
 * so a process that got the pid of one that exited is not followed. */
struct py_followed {
	__u32 flags;			/* enum follow_flags */
	__u32 _pad;
	__u64 start_ticks;		/* as in struct py_proc */
};

enum proc_event_kind {
	PROC_FORK = 1,			/* a followed process forked a new process */
	PROC_EXEC = 2,			/* a followed process called execve (the agent: any process) */
	PROC_UNKNOWN = 3,		/* the agent: the sampler met a process that is not a target */
};

/* The agent's record of a process the sampler reported (proc_events.bpf.h). */
struct py_discovered {
	__u64 start_ticks;
	__u64 reported_ns;		/* the last report, or PYBPFTOP_SETTLED */
};
#define PYBPFTOP_SETTLED	(~0ULL)	/* user space is done with it: no more reports */
#define PYBPFTOP_REPORT_NS	200000000ULL

struct py_proc_event {
	__u64 time_ns;			/* bpf_ktime_get_ns(), as samples have */
	__u32 kind;			/* enum proc_event_kind */
	__u32 pid;			/* tgid, root pid namespace */
	__u32 ppid;			/* the parent, for PROC_FORK */
	__u32 _pad;
	__u64 start_ticks;		/* the process's start time (py_proc); PROC_FORK: the child's */
};

/* Allocation events (alloc.bpf.c). They share one ring buffer, so user
 * space sees them in the order they happened. */
enum alloc_event_kind {
	ALLOC_EV_BLOCK = 1,	/* --exact: a block was allocated; a py_sample follows */
	ALLOC_EV_PAGE = 2,	/* sampled: a page was touched first; a py_sample follows */
	ALLOC_EV_FREE = 3,	/* --exact: the block at addr was freed */
	ALLOC_EV_UNMAP = 4,	/* [addr, addr + size) went back to the kernel */
	ALLOC_EV_MOVE = 5,	/* mremap: [addr, addr + size) moved to addr2, now size2 long */
};

struct py_alloc_event {
	__u32 kind;			/* enum alloc_event_kind */
	__u32 pid;			/* tgid, root pid namespace: whose address space */
	__u64 addr;			/* the block, the page or the range's start */
	/* BLOCK: bytes asked for; PAGE: bytes the sample stands for;
	 * UNMAP, MOVE: the range's length */
	__u64 size;
	__u64 addr2;			/* BLOCK: the block realloc() replaced, or 0; MOVE: new start */
	__u64 size2;			/* MOVE: the new length */
};

/* Per-CPU counters; every failure path in BPF bumps one. */
enum counter {
	CNT_SAMPLES,		/* samples in a profiled process */
	CNT_EMITTED,		/* stacks sent to user space */
	CNT_TRUNCATED,		/* stacks cut at max_depth */
	CNT_READ_ERROR,		/* reads of target memory that failed */
	CNT_NO_THREAD,		/* thread not in the interpreter's thread list */
	CNT_NO_FRAMES,		/* thread state with no Python frame */
	CNT_LOST,		/* ring buffer full */
	CNT_CACHE_MISS,		/* tid -> thread state cache misses */
	CNT_THREADS,		/* threads visited by the thread iterator */
	CNT_FAULTS,		/* page faults of a profiled process (alloc) */
	CNT_ALLOC_CALLS,	/* allocator calls of a profiled process (alloc --exact) */
	CNT_NESTED,		/* ... made inside another probed allocator call */
	CNT_BUSY,		/* scratch slot in use by a preempted program: no stack */
	CNT_PID_REUSED,		/* a task of a target's pid but another start time */
	CNT_TLBC_ERROR,		/* a frame's thread-local bytecode copy unreadable or out of range */
	CNT_MAX,
};

/* A code object's fingerprint: its identity fields (its type and size,
 * the addresses of its file name, name, qualified name and line table,
 * its first line) and the hash of the name it is shown by, mixed into 32
 * bits, never 0. The walker takes it at sample time and user space again
 * when it names the object: a mismatch means the object at that address
 * is not the one that was sampled (freed, its memory reused). The name's
 * hash is there because the addresses are not enough: code compiled in a
 * loop gets its strings, tuples and bytes at the same addresses each time
 * (tests/workloads/code_churn.py), and only their contents differ; a str
 * caches its hash, and the compiler's names have it computed (an -1 still
 * hashes, consistently). `hdr` holds the object's first f->read_size
 * bytes, hdr_len of them valid; a field outside reads as 0; name_hash is
 * the 8 bytes at py_code_fp_name() + f->str_hash, or 0. One function for
 * both sides. */
static __always_inline __u64 py_fp_mix(__u64 h, __u64 x)
{
	/* splitmix64's finaliser over a running xor: every input bit
	 * reaches every output bit. */
	h ^= x;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/* The fields are aligned in the object, not always in a copy of it. */
static __always_inline __u64 py_fp_load64(const __u8 *p)
{
	__u64 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static __always_inline __u32 py_fp_load32(const __u8 *p)
{
	__u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* The address of the str whose hash goes into the fingerprint. */
static __always_inline __u64 py_code_fp_name(const __u8 *hdr, __u32 hdr_len,
					     const struct py_code_fp_fields *f)
{
	__u32 off = f->name;

	return off + 8 <= hdr_len && off <= PYBPFTOP_READ_MAX - 8 ? py_fp_load64(hdr + off) : 0;
}

static __always_inline __u32 py_code_fp(const __u8 *hdr, __u32 hdr_len,
					const struct py_code_fp_fields *f, __u64 name_hash)
{
	__u64 h = 0x7079627066746f70ULL;	/* "pybpftop" */
	__u32 fp;

	for (__u32 i = 0; i < PY_CODE_FP_PTRS; i++) {
		__u32 off = f->ptr[i];

		if (off == PYBPFTOP_NO_OFFSET)
			continue;
		h = py_fp_mix(h, off + 8 <= hdr_len && off <= PYBPFTOP_READ_MAX - 8 ?
			      py_fp_load64(hdr + off) : 0);
	}
	__u32 line_off = f->firstlineno;

	if (line_off + 4 <= hdr_len && line_off <= PYBPFTOP_READ_MAX - 4)
		h = py_fp_mix(h, py_fp_load32(hdr + line_off));
	h = py_fp_mix(h, name_hash);
	fp = (__u32)(h ^ (h >> 32));
	return fp ? fp : 1;
}

#endif /* PYBPFTOP_H */
