/* The walker's replay test: bpf/py_walker.bpf.h, built as plain C, walks
 * the recorded memory of every snapshot in a directory, and each stack it
 * finds must be the one the interpreter itself reported, frame for frame.
 *
 *   build/test_replay [DIR]     (default tests/replay/snapshots)
 *
 * The layout comes from py_layout_select() over the recorded image, so the
 * built-in tables and the _Py_DebugOffsets parser are what is tested. Each
 * snapshot must also fail when it should: a clobbered frame link and
 * another version's layout must not give the truth. Every supported
 * version must have a snapshot. Needs no root and no interpreter. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "python/target.h"
#include "python/versions.h"
#include "compare.h"
#include "snapshot.h"
#include "walker.h"
#include "../unit/check.h"

#define MAX_SNAPSHOTS 64


/* The layout of 3.minor for the image, and the walker's record, as the
 * live path builds them. */
static int layout_for(const struct snapshot *s, int minor, struct py_version *v,
		      struct py_proc *proc, char *why, size_t whylen)
{
	struct remote_mem m = snapshot_mem(s);
	static struct py_target t;

	if (py_layout_select(&m, s->runtime_addr, s->major, minor, v, why, whylen))
		return -1;
	memset(&t, 0, sizeof(t));
	t.runtime_addr = s->runtime_addr;
	t.v = *v;
	py_target_bpf_record(&t, proc);
	return 0;
}

static struct walker_thread thread_of(const struct snapshot *s, const struct snap_thread *t)
{
	return (struct walker_thread){ .pid = s->pid, .tid = t->tid, .ns_tid = t->ns_tid,
				       .fsbase = t->fsbase };
}

/* Walk thread t; 0 when it gives the truth's first n frames, with flags. */
static int walk_matches(struct snapshot *s, const struct py_version *v, const struct py_proc *proc,
			const struct snap_thread *t, uint32_t limit, size_t n,
			struct walker_result *w, char *why, size_t whylen)
{
	struct walker_thread wt = thread_of(s, t);
	struct remote_mem m = snapshot_mem(s);

	walker_walk(&m, proc, &wt, limit, w);
	return compare_stack(&m, v, w, t, n, why, whylen);
}

/* Every thread to the truth, twice: by the thread-list scan, then through
 * the tid -> thread state cache. Returns how many are not the list head. */
static int check_threads(struct snapshot *s, const struct py_version *v, const struct py_proc *proc)
{
	struct remote_mem m = snapshot_mem(s);
	uint64_t interp = 0, head = 0;
	int not_head = 0;
	char why[512];

	if (remote_read(&m, proc->interp_head_addr, &interp, 8) ||
	    remote_read(&m, interp + v->bpf.interp_threads_head, &head, 8))
		CHECK(0, "the thread list's head is not in the image");
	walker_reset();
	for (size_t i = 0; i < s->nthreads; i++) {
		const struct snap_thread *t = &s->threads[i];
		struct walker_result w;
		int ok, cached;

		ok = !walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why));
		not_head += w.found && w.hdr.tstate != head;
		if (!ok) {
			CHECK(0, "%s: %s", t->name, why);
			continue;
		}
		/* Its interpreter, as the sample header says it. */
		if (w.hdr.interp_id != t->interp_id) {
			CHECK(0, "%s: interpreter %lld, the truth says %lld", t->name,
			      (long long)w.hdr.interp_id, (long long)t->interp_id);
			continue;
		}
		/* No code object is known yet: each is new to user space. */
		if (w.hdr.flags != SAMPLE_NEW_CODE || w.counters[CNT_READ_ERROR] || w.counters[CNT_CACHE_MISS] != 1) {
			CHECK(0, "%s: flags 0x%x, %llu read errors, %llu cache misses (want 0x%x, 0, 1)",
			       t->name, w.hdr.flags, (unsigned long long)w.counters[CNT_READ_ERROR],
			       (unsigned long long)w.counters[CNT_CACHE_MISS], SAMPLE_NEW_CODE);
			continue;
		}
		/* Named now, as the symbolizer tells the walker. */
		for (uint32_t f = 0; f < w.hdr.depth; f++)
			walker_know(&(struct py_known_code){ .addr = w.frames[f].code, .pid = s->pid,
							     .fp = w.frames[f].code_fp });
		cached = !walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why));
		if (!cached || w.counters[CNT_CACHE_MISS] || w.hdr.flags || w.hdr.interp_id != t->interp_id) {
			CHECK(0, "%s: through the cache, its code known: %s (flags 0x%x)", t->name,
			       cached ? "the cache missed or a code object was new" : why, w.hdr.flags);
			continue;
		}
		CHECK(1, "%s: %zu frames, as the interpreter said (scan%s, then cache)", t->name,
		       t->nframes, w.hdr.tstate == head ? ": the list head" : " past the list head");
	}
	return not_head;
}

/* --max-depth below the stack: exactly that many frames, and flagged; at
 * the stack's own depth: all of them, not flagged. */
static void check_depth_limit(struct snapshot *s, const struct py_version *v, const struct py_proc *proc)
{
	const struct snap_thread *t = &s->threads[0];
	uint32_t limit = (uint32_t)t->nframes - 5;
	struct walker_result w;
	char why[512];
	int ok;

	ok = !walk_matches(s, v, proc, t, limit, limit, &w, why, sizeof(why));
	CHECK(ok && (w.hdr.flags & ~SAMPLE_NEW_CODE) == SAMPLE_TRUNCATED && w.counters[CNT_TRUNCATED] == 1,
	       "max_depth %u: SAMPLE_TRUNCATED with the first %u frames%s%s (flags 0x%x)", limit, limit,
	       ok ? "" : ": ", ok ? "" : why, w.hdr.flags);
	limit = (uint32_t)t->nframes;
	ok = !walk_matches(s, v, proc, t, limit, limit, &w, why, sizeof(why));
	CHECK(ok && !(w.hdr.flags & ~SAMPLE_NEW_CODE), "max_depth %u (the stack's depth): every frame, not truncated%s%s (flags 0x%x)",
	       limit, ok ? "" : ": ", ok ? "" : why, w.hdr.flags);
}

/* Frame 0's link to its caller pointed past frame 1: the walk must not
 * give the truth any more (and must give it again once repaired). */
static void check_clobbered_link(struct snapshot *s, const struct py_version *v, const struct py_proc *proc)
{
	const struct snap_thread *t = &s->threads[0];
	struct walker_result w;
	uint64_t frame0, frame2, old;
	char why[512];
	int caught;

	walker_reset();
	if (walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why)) ||
	    w.hdr.depth < 3) {
		CHECK(0, "clobbered link: the clean walk already fails");
		return;
	}
	frame0 = w.addrs[0];
	frame2 = w.addrs[2];
	if (snapshot_poke(s, frame0 + v->bpf.frame_previous, &frame2, 8, &old)) {
		CHECK(0, "clobbered link: frame 0 at 0x%llx is not in the image", (unsigned long long)frame0);
		return;
	}
	caught = walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why)) != 0;
	CHECK(caught, "frame 0's previous pointed at frame 2: %s%s", caught ? "caught: " : "NOT caught",
	       caught ? why : "");
	snapshot_poke(s, frame0 + v->bpf.frame_previous, &old, 8, NULL);
	CHECK(!walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why)),
	       "repaired, it walks to the truth again");
}

/* Code objects user space trusts are not fingerprinted (code_fp 0), and
 * are not new; those it named with another fingerprint are new again. */
static void check_known_code(struct snapshot *s, const struct py_version *v, const struct py_proc *proc)
{
	const struct snap_thread *t = &s->threads[0];
	struct walker_thread wt = thread_of(s, t);
	struct remote_mem m = snapshot_mem(s);
	struct walker_result w;
	uint32_t unread = 0, n;
	char why[512];

	walker_reset();
	if (walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why))) {
		CHECK(0, "known code: the clean walk already fails: %s", why);
		return;
	}
	n = w.hdr.depth;
	for (uint32_t f = 0; f < n; f++)
		walker_know(&(struct py_known_code){ .addr = w.frames[f].code, .pid = s->pid,
						     .fp = w.frames[f].code_fp, .trusted = 1 });
	walker_walk(&m, proc, &wt, PYBPFTOP_MAX_DEPTH, &w);
	for (uint32_t f = 0; f < w.hdr.depth; f++)
		unread += !w.frames[f].code_fp;
	CHECK(w.found && w.hdr.depth == n && unread == n && !(w.hdr.flags & SAMPLE_NEW_CODE),
	      "trusted code objects: %u of %u frames not fingerprinted, flags 0x%x", unread, n, w.hdr.flags);
	walker_know(&(struct py_known_code){ .addr = w.frames[0].code, .pid = s->pid, .fp = 12345 });
	walker_walk(&m, proc, &wt, PYBPFTOP_MAX_DEPTH, &w);
	CHECK(w.found && w.frames[0].code_fp && (w.hdr.flags & SAMPLE_NEW_CODE),
	      "a code object named with another fingerprint: read, and new (flags 0x%x)", w.hdr.flags);
}

/* A process that got the pid after ours exited: the same memory image,
 * but a task whose process started at another time. It must give no
 * sample, and be counted. */
static void check_reused_pid(struct snapshot *s, const struct py_version *v, const struct py_proc *proc)
{
	struct walker_thread wt = thread_of(s, &s->threads[0]);
	struct remote_mem m = snapshot_mem(s);
	struct walker_result w;

	(void)v;
	walker_reset();
	wt.start_ticks = proc->start_ticks + 1;
	walker_walk(&m, proc, &wt, PYBPFTOP_MAX_DEPTH, &w);
	CHECK(!w.found && w.counters[CNT_PID_REUSED] == 1 && !w.counters[CNT_SAMPLES],
	      "a task of the pid started later: no sample, counted as pid-reused (found %d, counted %llu)",
	      w.found, (unsigned long long)w.counters[CNT_PID_REUSED]);
}

/* Frame 0's code object replaced by another at the same address (its
 * first line changed): the walker's fingerprint must change with it, so
 * that the name cached for the old object is not used. */
static void check_code_replaced(struct snapshot *s, const struct py_version *v, const struct py_proc *proc)
{
	const struct snap_thread *t = &s->threads[0];
	struct walker_result w;
	uint64_t code;
	uint32_t fp, line, old;
	char why[512];

	walker_reset();
	if (walk_matches(s, v, proc, t, PYBPFTOP_MAX_DEPTH, t->nframes, &w, why, sizeof(why))) {
		CHECK(0, "code replaced: the clean walk already fails: %s", why);
		return;
	}
	code = w.frames[0].code;
	fp = w.frames[0].code_fp;
	if (snapshot_poke(s, code + v->user.code_firstlineno, &(uint32_t){ 0 }, 4, &old)) {
		CHECK(0, "code replaced: frame 0's code object is not in the image");
		return;
	}
	line = old + 1000;
	snapshot_poke(s, code + v->user.code_firstlineno, &line, 4, NULL);
	{
		struct walker_thread wt = thread_of(s, t);
		struct remote_mem m = snapshot_mem(s);

		walker_walk(&m, proc, &wt, PYBPFTOP_MAX_DEPTH, &w);
	}
	CHECK(w.found && w.frames[0].code == code && w.frames[0].code_fp != fp && w.frames[0].code_fp,
	      "frame 0's code object changed in place: its fingerprint 0x%08x became 0x%08x", fp,
	      w.found ? w.frames[0].code_fp : 0);
	snapshot_poke(s, code + v->user.code_firstlineno, &old, 4, NULL);
}

/* The nearest other minor whose walker offsets differ: the walk with its
 * layout must not give the truth for any thread. */
static void check_wrong_layout(struct snapshot *s, const struct py_version *right)
{
	struct py_version v;
	struct py_proc proc;
	char why[512], lwhy[256];

	for (int d = 1; d <= 30; d++) {
		for (int sign = -1; sign <= 1; sign += 2) {
			int minor = s->minor + sign * d;
			const char *first = "";
			int caught = 0;

			if (minor < 0 || layout_for(s, minor, &v, &proc, lwhy, sizeof(lwhy)) ||
			    !memcmp(&v.bpf, &right->bpf, sizeof(v.bpf)))
				continue;
			walker_reset();
			why[0] = '\0';
			for (size_t i = 0; i < s->nthreads; i++) {
				struct walker_result w;
				char one[512];

				if (walk_matches(s, &v, &proc, &s->threads[i], PYBPFTOP_MAX_DEPTH,
						 s->threads[i].nframes, &w, one, sizeof(one))) {
					if (!caught++) {
						first = s->threads[i].name;
						snprintf(why, sizeof(why), "%s", one);
					}
				}
			}
			CHECK(caught == (int)s->nthreads, "the 3.%d layout (%s): %d of %zu threads caught; %s: %s",
			       minor, lwhy, caught, s->nthreads, first, why);
			return;
		}
	}
	CHECK(0, "no other minor has a different layout to try");
}

/* 3.13+: the layout above came through the target's _Py_DebugOffsets.
 * With its cookie clobbered, py_layout_select() falls back to the built-in
 * table (a free-threaded build's own), which must walk every thread to the
 * truth as well. */
static void check_builtin_table(struct snapshot *s)
{
	static const char bad[8] = "clobber!";
	char old[8], why[512], lwhy[256];
	struct py_version v;
	struct py_proc proc;
	int ok = 0;

	if (s->minor < 13)
		return;
	if (snapshot_poke(s, s->runtime_addr, bad, sizeof(bad), old)) {
		CHECK(0, "no _Py_DebugOffsets at &_PyRuntime in the image");
		return;
	}
	if (layout_for(s, s->minor, &v, &proc, lwhy, sizeof(lwhy))) {
		CHECK(0, "without its _Py_DebugOffsets: no layout: %s", lwhy);
	} else {
		/* A free-threaded build's blob still says so at byte 16, and
		 * its own built-in table is taken, never the default build's. */
		if (s->free_threaded)
			CHECK(v.free_threaded, "the cookie clobbered, %s: not the free-threaded table", lwhy);
		walker_reset();
		why[0] = '\0';
		for (size_t i = 0; i < s->nthreads; i++) {
			struct walker_result w;
			char one[512];

			if (!walk_matches(s, &v, &proc, &s->threads[i], PYBPFTOP_MAX_DEPTH,
					  s->threads[i].nframes, &w, one, sizeof(one)))
				ok++;
			else if (!*why)
				snprintf(why, sizeof(why), "%s", one);
		}
		CHECK(ok == (int)s->nthreads, "the _Py_DebugOffsets cookie clobbered, %s: %d of %zu threads walk to the truth%s%s",
		       lwhy, ok, s->nthreads, *why ? "; " : "", why);
	}
	snapshot_poke(s, s->runtime_addr, old, sizeof(old), NULL);
}

/* With subinterpreters (workload_subinterp.py): the main interpreter's
 * thread is found only past them, through PyInterpreterState.next, and a
 * subinterpreter's thread, which has a thread state in the main
 * interpreter too with its thread id, only through the bound_gilstate
 * bit: without either, the walk must not give the truth. */
static void check_interpreters(struct snapshot *s, const struct py_version *v,
			       const struct py_proc *proc)
{
	const struct snap_thread *main_t = NULL, *sub_t = NULL;
	struct py_proc broken;
	struct walker_result w;
	char why[512];

	for (size_t i = 0; i < s->nthreads; i++) {
		if (!s->threads[i].interp_id && !main_t)
			main_t = &s->threads[i];
		if (s->threads[i].interp_id && !sub_t)
			sub_t = &s->threads[i];
	}
	if (!sub_t)
		return;		/* one interpreter: nothing more to check */
	CHECK(main_t, "a main interpreter's thread besides the subinterpreters'");
	if (!main_t)
		return;
	walker_reset();
	broken = *proc;
	broken.off.interp_next = PYBPFTOP_NO_OFFSET;	/* the head interpreter only */
	CHECK(walk_matches(s, v, &broken, main_t, PYBPFTOP_MAX_DEPTH, main_t->nframes, &w,
			   why, sizeof(why)) != 0,
	      "%s: not found in the head interpreter alone", main_t->name);
	/* main_t ran code in a subinterpreter of its own first: on 3.12 that
	 * one keeps a thread state with main_t's id, scanned first. 3.13+
	 * leave none behind (_interpreters.create() and exec() delete the
	 * thread states they make), so there the bit has nothing to tell
	 * apart here. */
	if (v->minor != 12)
		goto with_bit;
	walker_reset();
	broken = *proc;
	broken.off.tstate_status = PYBPFTOP_NO_OFFSET;	/* no bound_gilstate bit */
	CHECK(walk_matches(s, v, &broken, main_t, PYBPFTOP_MAX_DEPTH, main_t->nframes, &w,
			   why, sizeof(why)) != 0,
	      "%s: without the bound_gilstate bit, not the thread state it runs in", main_t->name);
with_bit:
	walker_reset();
	CHECK(!walk_matches(s, v, proc, sub_t, PYBPFTOP_MAX_DEPTH, sub_t->nframes, &w, why, sizeof(why)) &&
	      w.hdr.interp_id == sub_t->interp_id,
	      "%s: in interpreter %lld, with the bit%s%s", sub_t->name, (long long)sub_t->interp_id,
	      *why ? ": " : "", why);
}

static void check_snapshot(const char *dir, const char *name, int *minors_seen)
{
	char path[4096], err[512], why[256];
	struct snapshot s;
	struct py_version v;
	struct py_proc proc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	printf("%s\n", name);
	if (snapshot_load(path, &s, err, sizeof(err))) {
		CHECK(0, "%s", err);
		return;
	}
	if (layout_for(&s, s.minor, &v, &proc, why, sizeof(why))) {
		CHECK(0, "Python %s: no layout: %s", s.version, why);
		snapshot_free(&s);
		return;
	}
	s.free_threaded = v.free_threaded;
	printf("  Python %s (%s), %s; %zu bytes recorded\n", s.version, s.build, why, snapshot_bytes(&s));
	if (s.major == 3 && s.minor >= 0 && s.minor <= 30)
		minors_seen[s.minor]++;
	if (!check_threads(&s, &v, &proc))
		CHECK(0, "every recorded thread is the list head: the scan is not tested");
	check_depth_limit(&s, &v, &proc);
	check_clobbered_link(&s, &v, &proc);
	check_reused_pid(&s, &v, &proc);
	check_known_code(&s, &v, &proc);
	check_code_replaced(&s, &v, &proc);
	check_wrong_layout(&s, &v);
	check_builtin_table(&s);
	check_interpreters(&s, &v, &proc);
	snapshot_free(&s);
}

/* Free-threaded 3.14t, thread-local bytecode, on a synthetic image (no
 * 3.14 source builds here, so there is no live 3.14t to record): a thread
 * whose frames run private copies of their code's bytecode. Frame i's
 * instr_ptr points into co_tlbc->entries[tlbc_index]; its instruction
 * offset, and with it the line (the line table is the same for every
 * copy), must be taken against that copy. The layout is the built-in
 * 3.14t table (user/python/versions.c). */
#define TLBC_RUNTIME	0x100000ULL
#define TLBC_INTERP	0x200000ULL
#define TLBC_TSTATE	0x300000ULL
#define TLBC_FRAMES	0x400000ULL	/* 4 frames, 0x100 apart */
#define TLBC_CODE_A	0x500000ULL	/* its copies at +0x1000, +0x2000 */
#define TLBC_CODE_B	0x600000ULL
#define TLBC_ARR_A	0x700000ULL
#define TLBC_ARR_B	0x700100ULL

struct tlbc_image {
	struct snapshot s;
	struct py_version v;
	struct py_proc proc;
};

static void put_at(struct snapshot *s, uint64_t addr, const void *p, size_t n)
{
	CHECK(!snapshot_poke(s, addr, p, n, NULL), "synthetic image: 0x%llx is mapped",
	      (unsigned long long)addr);
}

static void put_u64(struct snapshot *s, uint64_t addr, uint64_t v)
{
	put_at(s, addr, &v, 8);
}

/* Frame `i`: runs `code` (its f_executable tagged with `tag`), copy
 * `index` of its bytecode, at instruction `lasti` of that copy; calls
 * nothing, is called by frame i + 1. */
static void tlbc_frame(struct tlbc_image *im, int i, uint64_t code, uint64_t tag, int32_t index,
		       uint64_t copy, int lasti, uint8_t owner)
{
	const struct py_offsets *o = &im->v.bpf;
	uint64_t f = TLBC_FRAMES + 0x100 * (uint64_t)i;

	put_u64(&im->s, f + o->frame_code, code | tag);
	put_u64(&im->s, f + o->frame_previous, i < 3 ? f + 0x100 : 0);
	put_u64(&im->s, f + o->frame_lasti, copy + 2 * (uint64_t)lasti);
	put_at(&im->s, f + o->frame_tlbc_index, &index, 4);
	put_at(&im->s, f + o->frame_owner, &owner, 1);
}

static int tlbc_image(struct tlbc_image *im)
{
	static uint8_t zero[0x3000];
	const uint64_t regions[][2] = {
		{ TLBC_RUNTIME, 0x1000 }, { TLBC_INTERP, 0x3000 }, { TLBC_TSTATE, 0x400 },
		{ TLBC_FRAMES, 0x400 }, { TLBC_CODE_A, 0x3000 }, { TLBC_CODE_B, 0x3000 },
		{ TLBC_ARR_A, 0x200 },
	};
	const struct py_offsets *o;
	struct py_target t;
	char err[256];

	memset(im, 0, sizeof(*im));
	if (py_layout_builtin(3, 14, 1, &im->v)) {
		CHECK(0, "no built-in 3.14t table");
		return -1;
	}
	o = &im->v.bpf;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		snapshot_add(&im->s, regions[i][0], zero, regions[i][1], SNAP_WALK);
	if (snapshot_merge(&im->s, err, sizeof(err))) {
		CHECK(0, "synthetic image: %s", err);
		return -1;
	}
	im->s.pid = 4242;
	im->s.major = 3;
	im->s.minor = 14;
	im->s.runtime_addr = TLBC_RUNTIME;
	put_u64(&im->s, TLBC_RUNTIME + o->runtime_interpreters_head, TLBC_INTERP);
	put_u64(&im->s, TLBC_INTERP + o->interp_threads_head, TLBC_TSTATE);
	put_u64(&im->s, TLBC_TSTATE + o->tstate_native_thread_id, 777);
	put_u64(&im->s, TLBC_TSTATE + o->tstate_frame, TLBC_FRAMES);
	/* co_tlbc: A has three copies (0 is co_code_adaptive), B two */
	put_u64(&im->s, TLBC_CODE_A + o->code_tlbc, TLBC_ARR_A);
	put_u64(&im->s, TLBC_ARR_A, 3);
	put_u64(&im->s, TLBC_ARR_A + 8, TLBC_CODE_A + o->code_adaptive);
	put_u64(&im->s, TLBC_ARR_A + 16, TLBC_CODE_A + 0x1000);
	put_u64(&im->s, TLBC_ARR_A + 24, TLBC_CODE_A + 0x2000);
	put_u64(&im->s, TLBC_CODE_B + o->code_tlbc, TLBC_ARR_B);
	put_u64(&im->s, TLBC_ARR_B, 2);
	put_u64(&im->s, TLBC_ARR_B + 8, TLBC_CODE_B + o->code_adaptive);
	put_u64(&im->s, TLBC_ARR_B + 16, TLBC_CODE_B + 0x1000);
	/* innermost first: A in copy 2, A in copy 0 (co_code_adaptive),
	 * B in copy 1 with a deferred reference (Py_TAG_DEFERRED, 1), and
	 * the entry frame (FRAME_OWNED_BY_INTERPRETER), which is skipped */
	tlbc_frame(im, 0, TLBC_CODE_A, 0, 2, TLBC_CODE_A + 0x2000, 10, 0);
	tlbc_frame(im, 1, TLBC_CODE_A, 0, 0, TLBC_CODE_A + o->code_adaptive, 4, 0);
	tlbc_frame(im, 2, TLBC_CODE_B, 1, 1, TLBC_CODE_B + 0x1000, 7, 0);
	tlbc_frame(im, 3, 0x1000, 1, 0, 0, 0, o->owner_interpreter);
	memset(&t, 0, sizeof(t));
	t.runtime_addr = TLBC_RUNTIME;
	t.v = im->v;
	py_target_bpf_record(&t, &im->proc);
	return 0;
}

static void tlbc_walk(struct tlbc_image *im, const struct py_proc *proc, struct walker_result *w)
{
	struct walker_thread wt = { .pid = im->s.pid, .tid = 4243, .ns_tid = 777 };
	struct remote_mem m = snapshot_mem(&im->s);

	walker_reset();
	walker_walk(&m, proc, &wt, PYBPFTOP_MAX_DEPTH, w);
}

static void check_tlbc_synthetic(void)
{
	static struct tlbc_image im;
	struct walker_result w;
	struct py_proc plain;
	int32_t bad = 5;
	const struct py_offsets *o;

	printf("3.14t thread-local bytecode (synthetic image)\n");
	if (tlbc_image(&im))
		return;
	o = &im.v.bpf;
	tlbc_walk(&im, &im.proc, &w);
	CHECK(w.found && w.hdr.depth == 3 &&
	      w.frames[0].code == TLBC_CODE_A && w.frames[0].lasti == 10 &&
	      w.frames[1].code == TLBC_CODE_A && w.frames[1].lasti == 4 &&
	      w.frames[2].code == TLBC_CODE_B && w.frames[2].lasti == 7 &&
	      !w.counters[CNT_TLBC_ERROR],
	      "copies 2, 0 and 1 of two code objects: instructions 10, 4, 7 (got depth %u: %d %d %d, %llu tlbc errors)",
	      w.found ? w.hdr.depth : 0, w.found && w.hdr.depth > 0 ? w.frames[0].lasti : -2,
	      w.found && w.hdr.depth > 1 ? w.frames[1].lasti : -2,
	      w.found && w.hdr.depth > 2 ? w.frames[2].lasti : -2,
	      (unsigned long long)w.counters[CNT_TLBC_ERROR]);
	/* The walk that ignores tlbc_index (as for a default build) takes
	 * the offsets against co_code_adaptive: wrong for frames 0 and 2. */
	plain = im.proc;
	plain.off.frame_tlbc_index = 0;
	tlbc_walk(&im, &plain, &w);
	CHECK(w.found && w.hdr.depth == 3 && w.frames[0].lasti != 10 && w.frames[1].lasti == 4 &&
	      w.frames[2].lasti != 7,
	      "without the copies: frames 0 and 2 are not at 10 and 7 (got %d, %d): the test can fail",
	      w.found ? w.frames[0].lasti : -2, w.found && w.hdr.depth > 2 ? w.frames[2].lasti : -2);
	/* An index past co_tlbc->size: no instruction, counted, the walk goes on. */
	put_at(&im.s, TLBC_FRAMES + o->frame_tlbc_index, &bad, 4);
	tlbc_walk(&im, &im.proc, &w);
	CHECK(w.found && w.hdr.depth == 3 && w.frames[0].lasti == -1 && w.frames[1].lasti == 4 &&
	      w.frames[2].lasti == 7 && w.counters[CNT_TLBC_ERROR] == 1,
	      "tlbc_index 5 of 3 copies: lasti -1 and one tlbc error (got %d, %llu)",
	      w.found ? w.frames[0].lasti : -2, (unsigned long long)w.counters[CNT_TLBC_ERROR]);
	bad = 2;
	put_at(&im.s, TLBC_FRAMES + o->frame_tlbc_index, &bad, 4);
	/* co_tlbc pointing at nothing mapped */
	put_u64(&im.s, TLBC_CODE_B + o->code_tlbc, 0xdead0000ULL);
	tlbc_walk(&im, &im.proc, &w);
	CHECK(w.found && w.hdr.depth == 3 && w.frames[0].lasti == 10 && w.frames[2].lasti == -1 &&
	      w.counters[CNT_TLBC_ERROR] == 1,
	      "co_tlbc unreadable: that frame's lasti -1, counted (got %d, %llu)",
	      w.found && w.hdr.depth > 2 ? w.frames[2].lasti : -2,
	      (unsigned long long)w.counters[CNT_TLBC_ERROR]);
	snapshot_free(&im.s);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/replay/snapshots";
	int minors_seen[31] = {0};
	char *names[MAX_SNAPSHOTS];
	size_t n = 0;
	struct dirent *d;
	DIR *dh = opendir(dir);

	CHECK(dh, "cannot open %s: pass the snapshot directory", dir);
	if (!dh)
		CHECK_DONE("walker replay");
	while ((d = readdir(dh)) && n < MAX_SNAPSHOTS) {
		size_t len = strlen(d->d_name);

		if (len > 5 && !strcmp(d->d_name + len - 5, ".snap"))
			names[n++] = strdup(d->d_name);
	}
	closedir(dh);
	qsort(names, n, sizeof(names[0]), by_name);
	for (size_t i = 0; i < n; i++) {
		check_snapshot(dir, names[i], minors_seen);
		free(names[i]);
	}

	check_tlbc_synthetic();

	printf("supported versions\n");
	for (int minor = 0; minor <= 30; minor++) {
		if (!py_version_find(3, minor))
			continue;
		CHECK(minors_seen[minor] > 0, "3.%d: %d snapshot%s%s", minor, minors_seen[minor],
		       minors_seen[minor] == 1 ? "" : "s",
		       minors_seen[minor] ? "" : ": record one with tools/record-snapshots.sh (docs/adding-a-version.md)");
	}
	CHECK(n > 0, "no snapshot in %s", dir);
	printf("%zu snapshots\n", n);
	CHECK_DONE("walker replay");
}
