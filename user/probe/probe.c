/* What the probes share: the system check, libbpf's messages, the walker's
 * maps, ring-buffer decoding, the targets map and the counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "probe/probe.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int probe_check_system(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) ||
	    !((has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)) ||
	      has_cap(data, CAP_SYS_ADMIN)) || !has_cap(data, CAP_SYS_PTRACE)) {
		snprintf(err, errlen, "permission denied: pybpftop needs root, or CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE: run it with sudo");
		return -EPERM;
	}
	if (access(VMLINUX_BTF, R_OK)) {
		snprintf(err, errlen, "kernel has no BTF (%s: %s): pybpftop needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian's kernels have it)",
			 VMLINUX_BTF, strerror(errno));
		return -ENOENT;
	}
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void probe_log(int verbose)
{
	libbpf_set_print(verbose > 1 ? libbpf_verbose : libbpf_quiet);
}

void *probe_alloc(size_t size, const struct probe_ops *ops, char *err, size_t errlen)
{
	struct probe *p = calloc(1, size);

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->ops = ops;
	p->wakeup_fd = -1;
	return p;
}

int probe_init(struct probe *p, struct bpf_object *obj, const struct probe_sink *sink,
	       char *err, size_t errlen)
{
	struct bpf_map *scratch;

	if (!obj) {
		snprintf(err, errlen, "failed to open the %s' BPF object: %s", p->ops->name,
			 strerror(errno));
		return -errno;
	}
	scratch = bpf_object__find_map_by_name(obj, "scratch");
	p->obj = obj;
	p->sink = *sink;
	p->procs = bpf_object__find_map_by_name(obj, "procs");
	p->counters = bpf_object__find_map_by_name(obj, "counters");
	p->events = bpf_object__find_map_by_name(obj, "events");
	p->known = bpf_object__find_map_by_name(obj, "known_code");
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		snprintf(err, errlen, "cannot count the CPUs: %s", strerror(-p->ncpus));
		return p->ncpus;
	}
	if (!p->procs || !p->counters || !p->events || !p->known || !scratch) {
		snprintf(err, errlen, "the %s' object lacks the walker's maps", p->ops->name);
		return -EINVAL;
	}
	/* One scratch slot per CPU: a sample is too big for the BPF stack. */
	return bpf_map__set_max_entries(scratch, p->ncpus);
}

int probe_share(struct probe *p, const struct probe *owner, char *err, size_t errlen)
{
	static const char *const shared[] = { "procs", "tstate_cache", "known_code", "counters", "events" };

	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		const struct bpf_map *src = bpf_object__find_map_by_name(owner->obj, shared[i]);
		struct bpf_map *dst = bpf_object__find_map_by_name(p->obj, shared[i]);
		int rc = src && dst ? bpf_map__reuse_fd(dst, bpf_map__fd(src)) : -EINVAL;

		if (rc) {
			snprintf(err, errlen, "failed to share the %s map with the %s: %s", shared[i],
				 owner->ops->name, strerror(-rc));
			return rc;
		}
	}
	p->shared = 1;
	return 0;
}

/* A stack record: the header, depth frames, and with SAMPLE_ADDRS as many
 * frame addresses. */
static int on_stack(void *ctx, void *data, size_t len)
{
	struct probe *p = ctx;
	const struct py_sample_hdr *hdr = data;
	const struct py_frame *frames = (const void *)(hdr + 1);
	size_t need;

	if (len < sizeof(*hdr) || hdr->depth > PYBPFTOP_MAX_DEPTH)
		return 0;
	need = sizeof(*hdr) + hdr->depth * sizeof(*frames);
	if (hdr->flags & SAMPLE_ADDRS)
		need += hdr->depth * sizeof(uint64_t);
	if (len < need)
		return 0;
	p->sink.stack(p->sink.ctx, hdr, frames, hdr->flags & SAMPLE_ADDRS ?
		      (const uint64_t *)(frames + hdr->depth) : NULL);
	return 0;
}

/* An allocation record: the event, and for blocks and pages the stack. */
static int on_alloc(void *ctx, void *data, size_t len)
{
	struct probe *p = ctx;
	const struct py_alloc_event *e = data;
	const struct py_sample_hdr *hdr = (const void *)(e + 1);

	if (len < sizeof(*e))
		return 0;
	if (e->kind != ALLOC_EV_BLOCK && e->kind != ALLOC_EV_PAGE) {
		p->sink.alloc(p->sink.ctx, e, NULL, NULL);
		return 0;
	}
	if (len < sizeof(*e) + sizeof(*hdr) || hdr->depth > PYBPFTOP_MAX_DEPTH ||
	    len < sizeof(*e) + sizeof(*hdr) + hdr->depth * sizeof(struct py_frame))
		return 0;
	p->sink.alloc(p->sink.ctx, e, hdr, (const void *)(hdr + 1));
	return 0;
}

int probe_loaded(struct probe *p, int rc, const char *what, enum probe_records records,
		 char *err, size_t errlen)
{
	if (rc) {
		probe_load_error(rc, what, err, errlen);
		return rc;
	}
	/* The ring is read by the probe whose map it is. */
	if (p->shared)
		return 0;
	p->rb = ring_buffer__new(bpf_map__fd(p->events), records == RECORDS_ALLOC ? on_alloc : on_stack,
				 p, NULL);
	if (!p->rb) {
		snprintf(err, errlen, "failed to set up the ring buffer: %s", strerror(errno));
		return -errno;
	}
	/* Samples come without a wakeup, but for those with a code object
	 * not named yet (py_walker.bpf.h sample_wakeup()). */
	p->wakeup_fd = ring_buffer__epoll_fd(p->rb);
	return 0;
}

void probe_know_code(struct probe *p, const struct py_known_code *k)
{
	__u32 slot = py_known_slot(k->addr, k->pid);

	/* A slot two live objects share goes to the last one named: the
	 * other is fingerprinted in the kernel, and named again, as needed. */
	bpf_map__update_elem(p->known, &slot, sizeof(slot), k, sizeof(*k), BPF_ANY);
}

void probe_forget_code(struct probe *p, uint64_t addr, pid_t pid)
{
	struct py_known_code none = { 0 };
	__u32 slot = py_known_slot(addr, (__u32)pid);

	bpf_map__update_elem(p->known, &slot, sizeof(slot), &none, sizeof(none), BPF_ANY);
}

int probe_drain(struct probe *p)
{
	/* consume(), not poll(): samples are sent without a wakeup. */
	return p->rb ? ring_buffer__consume(p->rb) : 0;
}

int probe_put_target(struct probe *p, const struct py_target *t, char *err, size_t errlen)
{
	struct py_proc proc;
	__u32 key = t->pid;
	int rc;

	py_target_bpf_record(t, &proc);
	rc = bpf_map__update_elem(p->procs, &key, sizeof(key), &proc, sizeof(proc), BPF_ANY);
	if (rc)
		snprintf(err, errlen, "failed to register pid %d: %s", key, strerror(-rc));
	return rc;
}

void probe_drop_target(struct probe *p, pid_t pid)
{
	__u32 key = pid;

	bpf_map__delete_elem(p->procs, &key, sizeof(key), 0);
}

void probe_forget_target(struct probe *p, pid_t pid)
{
	__u32 key = pid;

	/* Not there: a shared map's other probe took it out first, or it
	 * never came in. A fork that follow.bpf.c put in and user space then
	 * untook was never counted: hence the floor at 0 (the map's own
	 * size refuses what this count lets through). */
	if (!bpf_map__delete_elem(p->procs, &key, sizeof(key), 0) && p->ntargets > 0)
		p->ntargets--;
}

void probe_load_error(int rc, const char *what, char *err, size_t errlen)
{
	if (rc == -EPERM || rc == -EACCES)
		snprintf(err, errlen, "permission denied loading BPF: run as root or grant CAP_BPF,CAP_PERFMON");
	else
		snprintf(err, errlen, "failed to load the %s: %s (run with -vv for the verifier's log)",
			 what, strerror(-rc));
}

void probe_counters(const struct probe *p, uint64_t *total, uint64_t *per_cpu, int max_cpus)
{
	uint64_t *vals = calloc(p->ncpus, sizeof(*vals));

	memset(total, 0, CNT_MAX * sizeof(*total));
	for (uint32_t c = 0; vals && c < CNT_MAX; c++) {
		if (bpf_map__lookup_elem(p->counters, &c, sizeof(c), vals, p->ncpus * sizeof(*vals), 0))
			continue;
		for (int cpu = 0; cpu < p->ncpus; cpu++) {
			total[c] += vals[cpu];
			if (per_cpu && cpu < max_cpus)
				per_cpu[cpu * CNT_MAX + c] = vals[cpu];
		}
	}
	free(vals);
}

static const char *const counter_names[CNT_MAX] = {
	[CNT_SAMPLES] = "samples",
	[CNT_EMITTED] = "sent",
	[CNT_TRUNCATED] = "truncated",
	[CNT_READ_ERROR] = "read-errors",
	[CNT_NO_THREAD] = "no-thread",
	[CNT_NO_FRAMES] = "no-frames",
	[CNT_LOST] = "lost",
	[CNT_CACHE_MISS] = "tstate-lookups",
	[CNT_THREADS] = "threads-seen",
	[CNT_FAULTS] = "faults",
	[CNT_ALLOC_CALLS] = "allocator-calls",
	[CNT_NESTED] = "nested",
	[CNT_BUSY] = "busy",
	[CNT_PID_REUSED] = "pid-reused",
	[CNT_TLBC_ERROR] = "tlbc-errors",
};

#define MAX_CPUS 256

static void print_row(FILE *out, uint32_t mask, const char *label, const uint64_t *row)
{
	fprintf(out, "\n  %-5s", label);
	for (int c = 0; c < CNT_MAX; c++)
		if (mask & COUNTER(c))
			fprintf(out, " %15llu", (unsigned long long)row[c]);
}

void probe_print_counters(const struct probe *p, uint32_t mask, FILE *out)
{
	static uint64_t per[MAX_CPUS * CNT_MAX];
	uint64_t total[CNT_MAX];

	memset(per, 0, sizeof(per));
	probe_counters(p, total, per, MAX_CPUS);
	fprintf(out, "\nPer-CPU counters:\n  %-5s", "CPU");
	for (int c = 0; c < CNT_MAX; c++)
		if (mask & COUNTER(c))
			fprintf(out, " %15s", counter_names[c]);
	for (int cpu = 0; cpu < p->ncpus && cpu < MAX_CPUS; cpu++) {
		char label[16];

		snprintf(label, sizeof(label), "%d", cpu);
		print_row(out, mask, label, per + cpu * CNT_MAX);
	}
	print_row(out, mask, "all", total);
	fputc('\n', out);
}
