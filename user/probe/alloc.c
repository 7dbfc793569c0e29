/* The BPF side of `pybpftop alloc`: one object, two sets of programs.
 * Sampled mode's programs filter by process in BPF and are attached at
 * open; --exact's uprobes are attached per target, to its own allocator. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe/alloc.h"
#include "alloc.skel.h"
#include "proc/elf_image.h"
#include "proc/procfs.h"
#include "proc/target_files.h"

#define PAGE 4096ull
#define SAMPLED_LINKS 4
#define EXACT_LINKS 5		/* per target: malloc, calloc, realloc, free, returns */

struct alloc_probe {
	struct probe base;
	struct alloc_bpf *skel;
	int exact;
	struct bpf_link *links[SAMPLED_LINKS];	/* sampled mode */
	/* --exact: each target's uprobe_multi links, filtered to its pid */
	struct { pid_t pid; int fds[EXACT_LINKS]; } exact_links[PYBPFTOP_MAX_PROCS];
	int nexact;
};

/* The allocator API, in the three domains tracemalloc traces. */
static const struct {
	const char *name;
	int kind;		/* 0 malloc, 1 calloc, 2 realloc, 3 free */
} api[] = {
	{ "PyObject_Malloc", 0 }, { "PyObject_Calloc", 1 }, { "PyObject_Realloc", 2 }, { "PyObject_Free", 3 },
	{ "PyMem_Malloc", 0 }, { "PyMem_Calloc", 1 }, { "PyMem_Realloc", 2 }, { "PyMem_Free", 3 },
	{ "PyMem_RawMalloc", 0 }, { "PyMem_RawCalloc", 1 }, { "PyMem_RawRealloc", 2 }, { "PyMem_RawFree", 3 },
};
#define NAPI (sizeof(api) / sizeof(api[0]))

/* Whether uprobes on the API see every allocation. A stripped, LTO-built
 * interpreter (Debian's, most distributions') inlines pymalloc into its
 * callers: PyObject_Malloc then sees a few percent of the calls (measured
 * on Debian's python3.11: 2 of ~50 per loop, docs/alloc-research.md). The
 * allocator's own symbol is our sign that the build is not like that.
 * Fills offs[i] with api[i]'s file offset. */
static int find_api(const struct proc_map *m, pid_t pid, const char *file, uint64_t *offs,
		    char *err, size_t errlen)
{
	struct elf_image img;
	uint64_t addr;
	int rc = elf_image_open(&img, target_open_mapped(pid, m->start, m->end));

	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s", file, strerror(-rc));
		return rc;
	}
	for (size_t i = 0; i < NAPI; i++)
		if (elf_image_symbol(&img, api[i].name, &addr) ||
		    elf_image_file_offset(&img, addr, &offs[i])) {
			snprintf(err, errlen, "--exact: %s has no symbol %s, so its allocator cannot be probed; use the default sampled mode",
				 file, api[i].name);
			rc = -ENOENT;
			goto out;
		}
	if (elf_image_symbol(&img, "_PyObject_Malloc", &addr)) {
		snprintf(err, errlen, "--exact: %s is stripped (no symbol _PyObject_Malloc). Distributions build it with LTO, which inlines the allocator into its callers (in Debian's python3.11 PyObject_Malloc sees about 4%% of allocations), so probes would miss most of them. Use the default sampled mode, or run the program under a build with symbols (python3.X-dbg, a pyenv build)",
			 file);
		rc = -ENOENT;
	}
out:
	elf_image_close(&img);
	return rc;
}

/* Linux 6.6's uprobe_multi links: one per program, and filtered by process
 * in the kernel. Perf-event uprobes with a pid fire for that one thread
 * only on recent kernels, and without a pid they would trap in every
 * process that maps the file. libbpf 1.1 (Debian 12) predates uprobe_multi,
 * so the syscall is made here; the layout is union bpf_attr's link_create. */
#define ATTACH_UPROBE_MULTI 48		/* BPF_TRACE_UPROBE_MULTI */
#define UPROBE_MULTI_RETURN 1		/* BPF_F_UPROBE_MULTI_RETURN */

struct link_create_uprobe_multi {
	__u32 prog_fd, target_fd, attach_type, flags;
	__u64 path, offsets, ref_ctr_offsets, cookies;
	__u32 cnt, multi_flags, pid, _pad;
};

static int uprobe_multi(struct bpf_program *prog, const char *path, const uint64_t *offs,
			uint32_t cnt, int ret, pid_t pid)
{
	struct link_create_uprobe_multi a = {
		.prog_fd = bpf_program__fd(prog),
		.attach_type = ATTACH_UPROBE_MULTI,
		.path = (uintptr_t)path,
		.offsets = (uintptr_t)offs,
		.cnt = cnt,
		.multi_flags = ret ? UPROBE_MULTI_RETURN : 0,
		.pid = pid,
	};
	int fd = syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));

	return fd < 0 ? -errno : fd;
}

static int attach_exact(struct alloc_probe *p, const struct py_target *t, int *fds,
			char *err, size_t errlen)
{
	struct alloc_bpf *s = p->skel;
	struct bpf_program *enter[] = { s->progs.malloc_enter, s->progs.calloc_enter,
					s->progs.realloc_enter, s->progs.free_enter };
	char path[PATH_MAX + 32];
	uint64_t offs[NAPI], kind_offs[NAPI], ret_offs[NAPI];
	uint32_t nret = 0;
	struct proc_maps maps = {};
	const struct proc_map *m;
	int rc;

	/* Through the target's own mapping of the file: the path in its maps
	 * may not resolve from here (a chroot, a container). */
	if ((rc = proc_maps_read(t->pid, &maps)) || !(m = proc_maps_base(&maps, t->runtime_file))) {
		snprintf(err, errlen, "cannot find %s in /proc/%d/maps", t->runtime_file, t->pid);
		proc_maps_free(&maps);
		return rc ? rc : -ENOENT;
	}
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", t->pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	rc = find_api(m, t->pid, t->runtime_file, offs, err, errlen);
	proc_maps_free(&maps);
	if (rc)
		return rc;
	for (int kind = 0; kind < 5 && !rc; kind++) {
		uint32_t n = 0;

		for (size_t i = 0; i < NAPI; i++)
			if (api[i].kind == kind)
				kind_offs[n++] = offs[i];
			else if (kind == 4 && api[i].kind != 3)	/* returns of allocations */
				ret_offs[nret++] = offs[i];
		rc = kind < 4 ? uprobe_multi(enter[kind], path, kind_offs, n, 0, t->pid) :
				uprobe_multi(s->progs.alloc_exit, path, ret_offs, nret, 1, t->pid);
		if (rc >= 0) {
			fds[kind] = rc;
			rc = 0;
		}
	}
	if (rc)
		snprintf(err, errlen, "failed to attach uprobes to the allocator in %s: %s%s", t->runtime_file,
			 strerror(-rc), rc == -EINVAL || rc == -EOPNOTSUPP ?
			 " (--exact needs Linux 6.6 or later, for uprobe_multi links)" : "");
	return rc;
}

static int attach_sampled(struct alloc_probe *p, char *err, size_t errlen)
{
	struct alloc_bpf *s = p->skel;
	struct bpf_program *progs[SAMPLED_LINKS] = { s->progs.fault_user, s->progs.fault_kernel,
						     s->progs.sys_enter, s->progs.sys_exit };

	for (size_t i = 0; i < SAMPLED_LINKS; i++) {
		int rc = (p->links[i] = bpf_program__attach(progs[i])) ? 0 : -errno;

		if (rc) {
			snprintf(err, errlen, "failed to attach %s: %s (it needs an x86-64 kernel with BTF, Linux 5.5 or later)",
				 bpf_program__name(progs[i]), strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* The slot of pid's --exact links, or NULL. */
static int *exact_fds(struct alloc_probe *p, pid_t pid)
{
	for (int i = 0; i < p->nexact; i++)
		if (p->exact_links[i].pid == pid)
			return p->exact_links[i].fds;
	return NULL;
}

static void detach_exact(struct alloc_probe *p, pid_t pid)
{
	for (int i = 0; i < p->nexact; i++) {
		if (p->exact_links[i].pid != pid)
			continue;
		for (int k = 0; k < EXACT_LINKS; k++)
			if (p->exact_links[i].fds[k] >= 0)
				close(p->exact_links[i].fds[k]);
		p->exact_links[i] = p->exact_links[--p->nexact];
		return;
	}
}

static int add_target(struct probe *base, const struct py_target *t, char *err, size_t errlen)
{
	struct alloc_probe *p = (struct alloc_probe *)base;
	int rc, *fds;

	if (!exact_fds(p, t->pid) && base->ntargets == PYBPFTOP_MAX_PROCS) {
		snprintf(err, errlen, "too many processes: at most %d", PYBPFTOP_MAX_PROCS);
		return -E2BIG;
	}
	if ((rc = probe_put_target(base, t, err, errlen)))
		return rc;
	base->ntargets++;
	if (!p->exact)
		return 0;
	/* An exec'd target maps another binary: probe that one. */
	detach_exact(p, t->pid);
	p->exact_links[p->nexact].pid = t->pid;
	fds = p->exact_links[p->nexact++].fds;
	for (int k = 0; k < EXACT_LINKS; k++)
		fds[k] = -1;
	rc = attach_exact(p, t, fds, err, errlen);
	if (rc) {
		detach_exact(p, t->pid);
		probe_drop_target(base, t->pid);
		base->ntargets--;
	}
	return rc;
}

static int update_target(struct probe *base, const struct py_target *t, char *err, size_t errlen)
{
	base->ntargets--;
	return add_target(base, t, err, errlen);
}

static void remove_target(struct probe *base, pid_t pid)
{
	probe_forget_target(base, pid);
	detach_exact((struct alloc_probe *)base, pid);
}

static void stop(struct probe *base)
{
	struct alloc_probe *p = (struct alloc_probe *)base;

	for (int i = 0; i < SAMPLED_LINKS; i++) {
		bpf_link__destroy(p->links[i]);
		p->links[i] = NULL;
	}
	while (p->nexact)
		detach_exact(p, p->exact_links[0].pid);
}

static void destroy(struct probe *base)
{
	struct alloc_probe *p = (struct alloc_probe *)base;

	stop(base);
	ring_buffer__free(base->rb);
	alloc_bpf__destroy(p->skel);
	free(p);
}

static const struct probe_ops alloc_ops = {
	.name = "allocation probes",
	.add_target = add_target,
	.update_target = update_target,
	.remove_target = remove_target,
	.stop = stop,
	.destroy = destroy,
	.counters = WALKER_COUNTERS | COUNTER(CNT_FAULTS) | COUNTER(CNT_ALLOC_CALLS) |
		    COUNTER(CNT_NESTED) | COUNTER(CNT_BUSY),
};

struct probe *alloc_probe_open(const struct alloc_probe_opts *o, const struct probe_sink *sink,
			       char *err, size_t errlen)
{
	struct alloc_probe *p = probe_alloc(sizeof(*p), &alloc_ops, err, errlen);
	struct bpf_program *prog;

	if (!p)
		return NULL;
	p->exact = o->exact;
	p->skel = alloc_bpf__open();
	if (probe_init(&p->base, p->skel ? p->skel->obj : NULL, sink, err, errlen))
		goto fail;
	p->skel->rodata->max_depth = o->max_depth;
	if (!o->exact) {
		/* Each fault is a 4 KiB page: sample it with probability
		 * 4096 / sample_bytes, and let each sample stand for the
		 * inverse, computed back from the rounded threshold. */
		double prob = o->sample_bytes > PAGE ? (double)PAGE / o->sample_bytes : 1.0;
		uint64_t thr = (uint64_t)(prob * 4294967296.0 + 0.5);

		p->skel->rodata->sample_threshold = thr ? thr : 1;
		p->skel->rodata->sample_bytes = (uint64_t)(PAGE * 4294967296.0 / (thr ? thr : 1) + 0.5);
	}
	/* --exact sends an event per call: room for a busy second. */
	if (o->exact)
		bpf_map__set_max_entries(p->skel->maps.events, 64 << 20);
	bpf_object__for_each_program(prog, p->skel->obj) {
		int exact_prog = bpf_program__type(prog) == BPF_PROG_TYPE_KPROBE;

		bpf_program__set_autoload(prog, exact_prog == !!o->exact);
		if (exact_prog)
			bpf_program__set_expected_attach_type(prog, ATTACH_UPROBE_MULTI);
	}
	if (probe_loaded(&p->base, alloc_bpf__load(p->skel), "allocation probes", RECORDS_ALLOC,
			 err, errlen))
		goto fail;
	/* The sampled mode's programs filter by process: attach them now, so
	 * that a target started by run mode is seen from its first fault. */
	if (!o->exact && attach_sampled(p, err, errlen))
		goto fail;
	return &p->base;
fail:
	destroy(&p->base);
	return NULL;
}
