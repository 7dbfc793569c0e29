/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The in-kernel CPython stack walker: finds a thread's PyThreadState and
 * walks its frames into a struct py_sample. Shared by every BPF program that
 * records a Python stack (CPU samples, thread snapshots, allocations).
 *
 * Programs that run in the sampled thread read its memory with
 * bpf_probe_read_user(). A sleepable program that visits other threads (the
 * task iterator) defines PY_WALKER_TASK_READS first: reads then go through
 * bpf_copy_from_user_task(), which may fault pages in. */
#ifndef PY_WALKER_BPF_H
#define PY_WALKER_BPF_H

#ifdef PY_WALKER_USERSPACE
/* The walker's replay test builds this file as plain C over recorded
 * memory: its shim stands in for the helpers, the maps and the task. */
#include "bpf_shim.h"
#else
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
/* Settings live in .rodata, set by the loader between open and load. */
#define PY_WALKER_SETTING const volatile
#endif
#include "pybpftop.h"

#ifdef PY_WALKER_TASK_READS
#define read_user(dst, size, addr, task) \
	bpf_copy_from_user_task(dst, size, (const void *)(addr), task, 0)
#else
#define read_user(dst, size, addr, task) \
	bpf_probe_read_user(dst, size, (const void *)(addr))
#endif

/* Frames kept per sample; the loader may lower it (--max-depth). */
PY_WALKER_SETTING __u32 max_depth = PYBPFTOP_MAX_DEPTH;

/* The processes we profile. */
#include "targets.bpf.h"

/* tid -> its PyThreadState and that thread state's interpreter, checked
 * against the thread state's own id and interpreter on every hit, so an
 * entry that went stale is dropped, not trusted. The interpreter's id is
 * kept with it, so that a hit costs no read for it. */
struct tstate_cached {
	__u64 tstate;
	__u64 interp;		/* PyInterpreterState, as tstate->interp says */
	__s64 interp_id;	/* its PyInterpreterState.id */
	__u32 bound;		/* it had the bound_gilstate bit when found */
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct tstate_cached);
} tstate_cache SEC(".maps");

/* The code objects user space has named (include/pybpftop.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PYBPFTOP_KNOWN_SLOTS);
	__type(key, __u32);
	__type(value, struct py_known_code);
} known_code SEC(".maps");

/* Per-CPU scratch space. A sample is too big for the BPF stack and for a
 * per-CPU array value (32 KiB at most), so this is a plain array indexed
 * by CPU; the loader sizes it to the number of possible CPUs. */
struct scratch {
	/* Set while a preemptible program (a uprobe) uses the slot: another
	 * program on this CPU must not write over it meanwhile. */
	__u64 busy;
	__u64 last_wake_ns;	/* see sample_wakeup() */
	/* Room for a program's own record right before the sample, so that
	 * one ring buffer write sends both (alloc.bpf.c). */
	struct py_alloc_event prefix;
	struct py_sample s;
	__u64 addrs[PYBPFTOP_MAX_DEPTH];	/* each frame's own address */
	__u8 buf[PYBPFTOP_READ_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Where the stacks go. User space drains it on a timer: a wakeup per sample
 * costs about 3x the walk itself in a VM. The loader may resize it. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		(*v)++;
}

/* Loads from the scratch window; an offset out of bounds reads as 0 so a
 * bad table can never make the program read outside its buffer. */
static __always_inline __u64 win_u64(const __u8 *buf, __u32 off)
{
	if (off > PYBPFTOP_READ_MAX - 8)
		return 0;
	return *(const __u64 *)(buf + off);
}

static __always_inline __s32 win_s32(const __u8 *buf, __u32 off)
{
	if (off > PYBPFTOP_READ_MAX - 4)
		return -1;
	return *(const __s32 *)(buf + off);
}

static __always_inline int win_read(__u8 *buf, __u32 size, __u64 addr,
				    struct task_struct *task)
{
	if (size == 0 || size > PYBPFTOP_READ_MAX)
		return -1;
	if (read_user(buf, size, addr, task)) {
		count(CNT_READ_ERROR);
		return -1;
	}
	return 0;
}

#ifndef PY_WALKER_USERSPACE
/* The two things the walker asks of the task itself (the replay test's
 * shim gives the values it recorded). Its tid as its own pid namespace
 * sees it: */
static __always_inline __u64 task_ns_tid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	return up.nr;
}

/* ... and its fs base, the thread pointer of x86-64 glibc. */
static __always_inline __u64 task_fsbase(struct task_struct *task)
{
	return BPF_CORE_READ(task, thread.fsbase);
}
#endif

/* The id a PyThreadState carries for a thread: on 3.11+ the native
 * thread id as the target sees it (its own pid namespace), on <=3.10
 * pthread_self(), which on x86-64 glibc is the thread's fs base. */
static __always_inline __u64 thread_key(const struct py_offsets *off,
					struct task_struct *task)
{
	if (off->tstate_native_thread_id != PYBPFTOP_NO_OFFSET)
		return task_ns_tid(task);
	return task_fsbase(task);
}

static __always_inline __u16 tstate_id_off(const struct py_offsets *off)
{
	return off->tstate_native_thread_id != PYBPFTOP_NO_OFFSET ?
		off->tstate_native_thread_id : off->tstate_thread_id;
}

/* Whether the thread state in the window has PyThreadState._status's
 * bound_gilstate bit; 1 where the version has no such bit (<=3.11). */
static __always_inline int tstate_bound(const struct py_offsets *off, const __u8 *buf)
{
	if (off->tstate_status == PYBPFTOP_NO_OFFSET)
		return 1;
	return (win_s32(buf, off->tstate_status) >> (off->status_bound_gilstate & 31)) & 1;
}

/* The thread search: one bounded loop over every interpreter of
 * _PyRuntime.interpreters and every thread state of each, as a state
 * machine (tstate 0: step to the next interpreter), so that the visits
 * stay within PYBPFTOP_MAX_THREADS + PYBPFTOP_MAX_INTERPS in all.
 *
 * An OS thread that entered a subinterpreter (interp.exec(), call(),
 * call_in_thread(); _interpreters.exec, _xxsubinterpreters.run_string)
 * has a thread state in each interpreter it went through, all with its
 * thread id: the one it runs in is the one it activated last. Since 3.12
 * tstate_activate() rebinds the thread's gilstate to the thread state it
 * activates (bind_gilstate_tstate(): the old one loses bound_gilstate, the
 * new one gets it) and deactivating (releasing the GIL) keeps it, so the
 * bit names the current one whether the thread runs or waits. A match
 * without the bit is kept only if no match has it. */
struct scan_ctx {
	struct task_struct *task;	/* whose memory we read */
	const struct py_offsets *off;
	__u64 interp;		/* the interpreter being scanned */
	__u64 tstate;		/* the next candidate in its list, 0: list done */
	__s64 interp_id;
	__u64 want;		/* the id we look for */
	struct tstate_cached found;	/* the match, tstate 0 until one */
	__u64 in_window;	/* the thread state the scratch window holds */
	__u32 key;		/* scratch slot */
	__u32 interps;		/* interpreters entered */
	__u16 id_off, read_size;
};

/* Moves the scan to the next interpreter (the head first); 1 when none. */
static __always_inline long scan_next_interp(struct scan_ctx *c)
{
	const struct py_offsets *off = c->off;
	__u64 next = c->interp;

	if (c->interps && (read_user(&next, sizeof(next), c->interp + off->interp_next, c->task) ||
			   !next))
		return 1;
	if (c->interps >= PYBPFTOP_MAX_INTERPS)
		return 1;
	c->interps++;
	c->interp = next;
	c->interp_id = 0;
	if (read_user(&c->tstate, sizeof(c->tstate), next + off->interp_threads_head, c->task) ||
	    read_user(&c->interp_id, sizeof(c->interp_id), next + off->interp_id, c->task)) {
		count(CNT_READ_ERROR);
		return 1;
	}
	return 0;
}

static long scan_thread(__u32 i, void *arg)
{
	struct scan_ctx *c = arg;
	struct scratch *sc;
	__u64 ts = c->tstate;
	int bound;

	if (!ts)
		return scan_next_interp(c);
	sc = bpf_map_lookup_elem(&scratch, &c->key);
	if (!sc || win_read(sc->buf, c->read_size, ts, c->task))
		return 1;
	c->in_window = ts;
	c->tstate = win_u64(sc->buf, c->off->tstate_next);
	if (win_u64(sc->buf, c->id_off) != c->want)
		return 0;
	bound = tstate_bound(c->off, sc->buf);
	if (!c->found.tstate || bound) {
		c->found.tstate = ts;
		c->found.interp = c->interp;
		c->found.interp_id = c->interp_id;
		c->found.bound = bound;
	}
	return bound;
}

/* The thread's PyThreadState, or 0; *interp_id gets its interpreter's id.
 * On return the scratch window holds its first tstate_read_size bytes. */
static __always_inline __u64 find_tstate(const struct py_proc *proc,
					 struct task_struct *task, __u32 tid,
					 __u32 key, struct scratch *sc, __s64 *interp_id)
{
	const struct py_offsets *off = &proc->off;
	struct scan_ctx c = {
		.task = task,
		.off = off,
		.want = thread_key(off, task),
		.key = key,
		.id_off = tstate_id_off(off),
		.read_size = off->tstate_read_size,
	};
	struct tstate_cached *cached = bpf_map_lookup_elem(&tstate_cache, &tid);

	/* Still this thread's, in the same interpreter, and still the one it
	 * activated last (unless it never had the bit): a thread that entered
	 * a subinterpreter since is looked up again. */
	if (cached) {
		struct tstate_cached e = *cached;

		if (!win_read(sc->buf, c.read_size, e.tstate, task) &&
		    win_u64(sc->buf, c.id_off) == c.want &&
		    win_u64(sc->buf, off->tstate_interp) == e.interp &&
		    (!e.bound || tstate_bound(off, sc->buf))) {
			*interp_id = e.interp_id;
			return e.tstate;
		}
		bpf_map_delete_elem(&tstate_cache, &tid);
	}
	count(CNT_CACHE_MISS);

	if (read_user(&c.interp, sizeof(c.interp), proc->interp_head_addr, task) ||
	    !c.interp) {
		count(CNT_READ_ERROR);
		return 0;
	}
	bpf_loop(PYBPFTOP_MAX_THREADS + PYBPFTOP_MAX_INTERPS, scan_thread, &c, 0);
	if (!c.found.tstate)
		return 0;
	/* The window must hold the match, not the last thread state seen. */
	if (c.in_window != c.found.tstate &&
	    win_read(sc->buf, c.read_size, c.found.tstate, task))
		return 0;
	bpf_map_update_elem(&tstate_cache, &tid, &c.found, BPF_ANY);
	*interp_id = c.found.interp_id;
	return c.found.tstate;
}

struct walk_ctx {
	struct task_struct *task;	/* whose memory we read */
	const struct py_code_fp_fields *fp_fields;
	__u64 frame;		/* next frame to read */
	__u64 last_code;	/* the code object fingerprinted last, and its fingerprint */
	__u32 last_fp;
	__u32 pid;		/* tgid, root pid namespace */
	__u32 key;		/* scratch slot */
	__u32 depth;
	__u32 limit;
	__u32 flags;		/* enum sample_flags */
	__u16 prev_off, code_off, lasti_off, owner_off, adaptive_off, read_size;
	__u16 tlbc_index_off, code_tlbc_off;	/* 0: no thread-local bytecode */
	__u8 lasti_kind, owner_cstack, owner_interp;
};

/* Free-threaded 3.14+: the start of the bytecode copy a frame runs. A
 * thread that specializes code gets its own copy (thread-local
 * bytecode): the frame's tlbc_index picks co_tlbc->entries[index], and
 * instr_ptr points into that copy. Index 0 is co_code_adaptive itself.
 * Everything is read and bounded, as the code object is the target's:
 * 0 when the copy cannot be found (counted). */
#define PY_TLBC_MAX	4096	/* entries: one per thread that ran the code */
static __always_inline __u64 tlbc_copy(const struct walk_ctx *c, const __u8 *buf, __u64 code)
{
	__s32 index;
	__u64 arr = 0, size = 0, entry = 0;

	if (!c->tlbc_index_off || c->tlbc_index_off == PYBPFTOP_NO_OFFSET ||
	    !c->code_tlbc_off || c->code_tlbc_off == PYBPFTOP_NO_OFFSET)
		return code + c->adaptive_off;
	index = win_s32(buf, c->tlbc_index_off);
	if (index == 0)
		return code + c->adaptive_off;
	if (index < 0 || index >= PY_TLBC_MAX ||
	    read_user(&arr, sizeof(arr), code + c->code_tlbc_off, c->task) || !arr ||
	    read_user(&size, sizeof(size), arr, c->task) || (__u64)index >= size ||
	    read_user(&entry, sizeof(entry), arr + 8 + 8 * (__u64)index, c->task) || !entry) {
		count(CNT_TLBC_ERROR);
		return 0;
	}
	return entry;
}

static __always_inline __s32 frame_lasti(const struct walk_ctx *c,
					 const __u8 *buf, __u64 code)
{
	__s32 v;
	__u64 ip, first;

	switch (c->lasti_kind) {
	case LASTI_BYTES:
		v = win_s32(buf, c->lasti_off);
		return v < 0 ? -1 : (__s32)((__u32)v >> 1);
	case LASTI_UNITS:
		return win_s32(buf, c->lasti_off);
	default:
		ip = win_u64(buf, c->lasti_off);
		first = tlbc_copy(c, buf, code);
		if (!first || ip < first || ip - first > 0x7ffffffe)
			return -1;
		return (__s32)((ip - first) >> 1);
	}
}

/* The fingerprint of the code object at `code`, read now, while the frame
 * still runs it (0 when unreadable). The window's frame is done with.
 * A recursion runs one code object in frame after frame: read it once.
 * A code object user space named a while ago and trusts is not read (0):
 * reads are most of the walk's cost. One it has not named, or named with
 * another fingerprint, marks the sample so that it is named soon. */
static __always_inline __u32 code_fp(struct walk_ctx *c, struct scratch *sc, __u64 code)
{
	__u32 size = c->fp_fields->read_size, slot;
	struct py_known_code *k;
	bool known;

	if (code == c->last_code)
		return c->last_fp;
	slot = py_known_slot(code, c->pid);
	k = bpf_map_lookup_elem(&known_code, &slot);
	known = k && k->addr == code && k->pid == c->pid;
	c->last_code = code;
	c->last_fp = 0;
	if (known && k->trusted)
		return 0;
	if (!win_read(sc->buf, size, code, c->task)) {
		__u64 name = py_code_fp_name(sc->buf, size, c->fp_fields), hash = 0;

		if (read_user(&hash, sizeof(hash), name + c->fp_fields->str_hash, c->task))
			hash = 0;
		c->last_fp = py_code_fp(sc->buf, size, c->fp_fields, hash);
	}
	if (!known || k->fp != c->last_fp)
		c->flags |= SAMPLE_NEW_CODE;
	return c->last_fp;
}

static long walk_frame(__u32 i, void *arg)
{
	struct walk_ctx *c = arg;
	struct scratch *sc;
	__u64 code, self = c->frame;
	__s32 lasti;
	__u32 d;
	__u8 owner;

	if (!self)
		return 1;
	sc = bpf_map_lookup_elem(&scratch, &c->key);
	if (!sc)
		return 1;
	if (win_read(sc->buf, c->read_size, self, c->task)) {
		c->flags |= SAMPLE_READ_ERROR;
		return 1;
	}
	/* 3.14 tags f_executable as a _PyStackRef: objects are 8-aligned. */
	code = win_u64(sc->buf, c->code_off) & ~7ULL;
	if (c->owner_off != PYBPFTOP_NO_OFFSET) {
		owner = c->owner_off < PYBPFTOP_READ_MAX ? sc->buf[c->owner_off & (PYBPFTOP_READ_MAX - 1)] : 0;
		/* C-stack shim frames carry no Python code of their own. */
		if (owner == c->owner_cstack || owner == c->owner_interp)
			code = 0;
	}
	c->frame = win_u64(sc->buf, c->prev_off);
	if (!code)
		return 0;
	d = c->depth;
	if (d >= c->limit || d >= PYBPFTOP_MAX_DEPTH) {
		c->flags |= SAMPLE_TRUNCATED;
		return 1;
	}
	lasti = frame_lasti(c, sc->buf, code);
	sc->s.frames[d].code = code;
	sc->s.frames[d].lasti = lasti;
	sc->s.frames[d].code_fp = code_fp(c, sc, code);	/* reuses the window */
	sc->addrs[d] = self;
	c->depth = d + 1;
	return 0;
}

/* Walk the Python stack of `task` (thread tid of process tgid, root pid
 * namespace) into scratch slot `key`. Returns that sample with its header
 * filled (weight 1), or NULL when there is nothing to report (the counters
 * say why); with allow_empty, a thread with no Python frame still gives a
 * sample of depth 0. */
static __always_inline struct py_sample *
walk_task_stack(struct task_struct *task, __u32 tgid, __u32 tid, __u32 key,
		bool allow_empty)
{
	const struct py_proc *proc;
	const struct py_offsets *off;
	struct scratch *sc;
	struct walk_ctx c = {};
	__u64 ts, frame;
	__s64 interp_id = 0;

	bool reused;

	proc = lookup_target(task, tgid, &reused);
	if (reused)
		count(CNT_PID_REUSED);
	if (!proc)
		return NULL;
	off = &proc->off;
	count(CNT_SAMPLES);
	sc = bpf_map_lookup_elem(&scratch, &key);
	if (!sc)
		return NULL;

	ts = find_tstate(proc, task, tid, key, sc, &interp_id);
	if (!ts) {
		count(CNT_NO_THREAD);
		return NULL;
	}
	frame = win_u64(sc->buf, off->tstate_frame);
	if (frame && off->cframe_current_frame != PYBPFTOP_NO_OFFSET) {
		__u64 cframe = frame;

		frame = 0;
		if (read_user(&frame, sizeof(frame),
			      cframe + off->cframe_current_frame, task))
			count(CNT_READ_ERROR);
	}

	c.task = task;
	c.pid = tgid;
	c.fp_fields = &off->code_fp;
	c.frame = frame;
	c.key = key;
	c.limit = max_depth;
	c.prev_off = off->frame_previous;
	c.code_off = off->frame_code;
	c.lasti_off = off->frame_lasti;
	c.owner_off = off->frame_owner;
	c.adaptive_off = off->code_adaptive;
	c.tlbc_index_off = off->frame_tlbc_index;
	c.code_tlbc_off = off->code_tlbc;
	c.read_size = off->frame_read_size;
	c.lasti_kind = off->lasti_kind;
	c.owner_cstack = off->owner_cstack;
	c.owner_interp = off->owner_interpreter;
	/* Shim frames do not count towards the depth, so allow for some. */
	bpf_loop(max_depth + max_depth / 4 + 16, walk_frame, &c, 0);
	if (c.frame && !(c.flags & SAMPLE_READ_ERROR))
		c.flags |= SAMPLE_TRUNCATED;
	if (c.flags & SAMPLE_TRUNCATED)
		count(CNT_TRUNCATED);
	if (!c.depth) {
		count(CNT_NO_FRAMES);
		if (!allow_empty)
			return NULL;
	}

	sc->s.hdr.time_ns = bpf_ktime_get_ns();
	sc->s.hdr.tstate = ts;
	sc->s.hdr.pid = tgid;
	sc->s.hdr.tid = tid;
	sc->s.hdr.cpu = bpf_get_smp_processor_id();
	sc->s.hdr.flags = c.flags;
	sc->s.hdr.depth = c.depth;
	sc->s.hdr.weight = 1;
	sc->s.hdr.interp_id = interp_id;
	return &sc->s;
}

/* The ring buffer flags for sample s: samples go without a wakeup (user
 * space drains on a timer), except one with a code object user space has
 * not named: it may be gone by the next drain, so user space is woken to
 * name it now, at most once per 10 ms per CPU: a code object that shares
 * its table slot with another stays "new", and must not cost a wakeup per
 * sample. */
static __always_inline __u64 sample_wakeup(struct py_sample *s, __u32 key)
{
	struct scratch *sc = bpf_map_lookup_elem(&scratch, &key);
	__u64 now;

	if (!sc || !(s->hdr.flags & SAMPLE_NEW_CODE))
		return BPF_RB_NO_WAKEUP;
	now = s->hdr.time_ns;
	if (now - sc->last_wake_ns < 10000000)
		return BPF_RB_NO_WAKEUP;
	sc->last_wake_ns = now;
	return BPF_RB_FORCE_WAKEUP;
}

#endif /* PY_WALKER_BPF_H */
