/* The CPU sampler: open -> set rodata and map sizes -> load -> fill maps ->
 * attach -> poll -> destroy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probe/bpf_common.h"
#include "probe/sampler.h"
#include "sampler.skel.h"
#include "threads.skel.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

struct sampler {
	struct sampler_bpf *skel;
	struct threads_bpf *threads;	/* the task iterator, if asked for */
	struct bpf_link *iters[SAMPLER_MAX_TARGETS];	/* one per target */
	int niters;
	int ntargets;
	struct bpf_link *fork_link, *exec_link;	/* opts.follow */
	struct ring_buffer *rb;
	struct ring_buffer *rb_proc;	/* opts.follow: process events */
	struct bpf_link **links;
	int *pfds;
	int ncpus;
	struct sampler_opts opts;
};

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int sampler_check_system(char *err, size_t errlen)
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

static int on_event(void *ctx, void *data, size_t len)
{
	struct sampler *s = ctx;
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
	s->opts.on_sample(s->opts.ctx, hdr, frames, hdr->flags & SAMPLE_ADDRS ?
			  (const uint64_t *)(frames + hdr->depth) : NULL);
	return 0;
}

static int on_proc_event(void *ctx, void *data, size_t len)
{
	struct sampler *s = ctx;

	if (len >= sizeof(struct py_proc_event) && s->opts.on_proc_event)
		s->opts.on_proc_event(s->opts.ctx, data);
	return 0;
}

int sampler_follow(struct sampler *s, pid_t pid, uint32_t flags)
{
	__u32 key = pid;

	if (!s->skel || !s->fork_link)
		return -EINVAL;
	return bpf_map__update_elem(s->skel->maps.followed, &key, sizeof(key), &flags,
				    sizeof(flags), BPF_ANY);
}

static int open_perf_event(int cpu, int hz)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		/* No PMU in VMs: the software clock works everywhere. */
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		/* cpu-clock counts nanoseconds: a fixed period gives an exact rate. */
		.sample_period = 1000000000ull / hz,
	};

	return syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* The shared maps: the sampler object's, or the iterator object's own when
 * there is no CPU sampling (dump). */
#define SHARED_MAP(s, name) ((s)->skel ? (s)->skel->maps.name : (s)->threads->maps.name)

/* With CPU sampling, the iterator object shares the sampler's maps, so its
 * samples arrive in the same ring buffer and it sees the same processes. */
static int load_threads(struct sampler *s, char *err, size_t errlen)
{
	struct threads_bpf *t = threads_bpf__open();
	int rc;

	s->threads = t;
	if (!t) {
		snprintf(err, errlen, "failed to open the thread iterator: %s", strerror(errno));
		return -errno;
	}
	t->rodata->max_depth = s->opts.max_depth;
	bpf_map__set_max_entries(t->maps.scratch, s->ncpus);
	if (s->skel && (
	    (rc = bpf_map__reuse_fd(t->maps.procs, bpf_map__fd(s->skel->maps.procs))) ||
	    (rc = bpf_map__reuse_fd(t->maps.tstate_cache, bpf_map__fd(s->skel->maps.tstate_cache))) ||
	    (rc = bpf_map__reuse_fd(t->maps.counters, bpf_map__fd(s->skel->maps.counters))) ||
	    (rc = bpf_map__reuse_fd(t->maps.events, bpf_map__fd(s->skel->maps.events))))) {
		snprintf(err, errlen, "failed to share the sampler's maps: %s", strerror(-rc));
		return rc;
	}
	rc = threads_bpf__load(t);
	if (rc) {
		snprintf(err, errlen, "failed to load the thread iterator: %s (it needs Linux 6.1 or later; -vv shows the verifier's log)",
			 strerror(-rc));
		return rc;
	}
	return 0;
}

int sampler_snapshot(struct sampler *s, enum snapshot_mode mode, uint32_t weight)
{
	char buf[64];
	int rc = 0;

	if (!s->threads)
		return -EINVAL;
	s->threads->bss->pass_weight = weight;
	s->threads->bss->pass_off_cpu_only = mode == SNAPSHOT_OFF_CPU;
	s->threads->bss->pass_addrs = mode == SNAPSHOT_ALL;
	for (int i = 0; i < s->niters; i++) {
		int fd = bpf_iter_create(bpf_link__fd(s->iters[i]));
		ssize_t n;

		if (fd < 0) {
			rc = -errno;
			continue;
		}
		/* The program writes to the ring buffer, not to the file:
		 * reading runs it over every thread and returns 0 bytes. */
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			;
		if (n < 0)
			rc = -errno;
		close(fd);
	}
	return rc;
}

int sampler_update_target(struct sampler *s, const struct py_target *t, char *err, size_t errlen)
{
	struct py_proc proc;
	__u32 key = t->pid;
	int rc;

	py_target_bpf_record(t, &proc);
	rc = bpf_map__update_elem(SHARED_MAP(s, procs), &key, sizeof(key), &proc, sizeof(proc),
				      BPF_ANY);

	if (rc)
		snprintf(err, errlen, "failed to register pid %d: %s", key, strerror(-rc));
	return rc;
}

void sampler_remove_target(struct sampler *s, pid_t pid)
{
	__u32 key = pid;

	bpf_map__delete_elem(SHARED_MAP(s, procs), &key, sizeof(key), 0);
}

int sampler_add_target(struct sampler *s, const struct py_target *t, char *err, size_t errlen)
{
	struct py_proc proc;
	__u32 key = t->pid;
	int rc;

	if (s->ntargets == SAMPLER_MAX_TARGETS) {
		snprintf(err, errlen, "too many processes: at most %d", SAMPLER_MAX_TARGETS);
		return -E2BIG;
	}
	py_target_bpf_record(t, &proc);
	rc = bpf_map__update_elem(SHARED_MAP(s, procs), &key, sizeof(key), &proc, sizeof(proc), BPF_ANY);
	if (rc) {
		snprintf(err, errlen, "failed to register pid %d: %s", key, strerror(-rc));
		return rc;
	}
	if (s->threads) {
		union bpf_iter_link_info info = { .task.pid = t->pid };
		LIBBPF_OPTS(bpf_iter_attach_opts, io, .link_info = &info,
			    .link_info_len = sizeof(info));
		struct bpf_link *link = bpf_program__attach_iter(s->threads->progs.snapshot_threads, &io);

		if (!link) {
			rc = -errno;
			snprintf(err, errlen, "failed to attach the thread iterator to pid %d: %s",
				 t->pid, strerror(errno));
			return rc;
		}
		s->iters[s->niters++] = link;
	}
	s->ntargets++;
	return 0;
}

int sampler_start(struct sampler **out, const struct sampler_opts *opts,
		  struct py_target *const *targets, int ntargets,
		  char *err, size_t errlen)
{
	struct sampler *s = calloc(1, sizeof(*s));
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	int rc, attached = 0;
	const char *wake = getenv("PYBPFTOP_RB_WAKEUP");

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->opts = *opts;
	if (!opts->hz && !opts->threads) {
		free(s);
		return -EINVAL;
	}
	bpf_shared_log(opts->verbose);

	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0) {
		snprintf(err, errlen, "cannot count the CPUs: %s", strerror(-s->ncpus));
		rc = s->ncpus;
		goto fail;
	}
	/* dump loads the iterator object alone: each object parses the
	 * kernel's BTF, 40 ms here, most of dump's start-up. */
	if (opts->hz) {
		s->skel = sampler_bpf__open_opts(&oo);
		if (!s->skel) {
			rc = -errno;
			snprintf(err, errlen, "failed to open the BPF object: %s", strerror(errno));
			goto fail;
		}
		s->skel->rodata->max_depth = opts->max_depth;
		bpf_program__set_autoload(s->skel->progs.on_fork, opts->follow);
		bpf_program__set_autoload(s->skel->progs.on_exec, opts->follow);
		/* Bench only: measures what a wakeup per sample costs. */
		s->skel->rodata->rb_wakeup = wake && *wake == '1';
		bpf_map__set_max_entries(s->skel->maps.scratch, s->ncpus);

		rc = sampler_bpf__load(s->skel);
		if (rc) {
			if (rc == -EPERM || rc == -EACCES)
				snprintf(err, errlen, "permission denied loading BPF: run as root or grant CAP_BPF,CAP_PERFMON");
			else
				snprintf(err, errlen, "failed to load the BPF programs: %s (run with -vv for the verifier's log)", strerror(-rc));
			goto fail;
		}
	}
	if (opts->threads) {
		rc = load_threads(s, err, errlen);
		if (rc)
			goto fail;
	}
	for (int i = 0; i < ntargets; i++) {
		rc = sampler_add_target(s, targets[i], err, errlen);
		if (rc)
			goto fail;
	}

	s->rb = ring_buffer__new(bpf_map__fd(SHARED_MAP(s, events)), on_event, s, NULL);
	if (s->rb && opts->follow && s->skel) {
		s->rb_proc = ring_buffer__new(bpf_map__fd(s->skel->maps.proc_events), on_proc_event, s, NULL);
		rc = s->rb_proc ? 0 : -errno;
		if (!rc && (!(s->fork_link = bpf_program__attach(s->skel->progs.on_fork)) ||
			    !(s->exec_link = bpf_program__attach(s->skel->progs.on_exec))))
			rc = -errno;
		if (rc) {
			snprintf(err, errlen, "failed to follow processes: %s", strerror(-rc));
			goto fail;
		}
	}
	s->links = calloc(s->ncpus, sizeof(*s->links));
	s->pfds = malloc(s->ncpus * sizeof(*s->pfds));
	if (!s->rb || !s->links || !s->pfds) {
		rc = -ENOMEM;
		snprintf(err, errlen, "failed to set up the ring buffer");
		goto fail;
	}
	for (int cpu = 0; cpu < s->ncpus; cpu++)
		s->pfds[cpu] = -1;
	for (int cpu = 0; opts->hz && cpu < s->ncpus; cpu++) {
		s->pfds[cpu] = open_perf_event(cpu, opts->hz);
		if (s->pfds[cpu] < 0) {
			if (errno == ENODEV)	/* possible but offline CPU */
				continue;
			rc = -errno;
			snprintf(err, errlen, "failed to open the cpu-clock event on CPU %d: %s%s", cpu,
				 strerror(errno), errno == EACCES || errno == EPERM ?
				 ": run as root or grant CAP_PERFMON" : "");
			goto fail;
		}
		s->links[cpu] = bpf_program__attach_perf_event(s->skel->progs.sample_cpu, s->pfds[cpu]);
		if (!s->links[cpu]) {
			rc = -errno;
			snprintf(err, errlen, "failed to attach to CPU %d: %s", cpu, strerror(errno));
			goto fail;
		}
		attached++;
	}
	if (opts->hz && !attached) {
		rc = -ENODEV;
		snprintf(err, errlen, "no online CPU to sample");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	sampler_stop(s);
	return rc ? rc : -EINVAL;
}

int sampler_wakeup_fd(struct sampler *s)
{
	return s->skel && (s->skel->rodata->rb_wakeup || s->fork_link) ? ring_buffer__epoll_fd(s->rb) : -1;
}

int sampler_drain(struct sampler *s)
{
	/* Process events first: a sample taken before an exec must be known
	 * as such before it is symbolised (session.c). consume(), not poll():
	 * samples are sent without a wakeup. */
	if (s->rb_proc)
		ring_buffer__consume(s->rb_proc);
	return ring_buffer__consume(s->rb);
}

void sampler_detach(struct sampler *s)
{
	if (!s || !s->links || !s->pfds)
		return;
	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		bpf_link__destroy(s->links[cpu]);
		s->links[cpu] = NULL;
		if (s->pfds[cpu] >= 0)
			close(s->pfds[cpu]);
		s->pfds[cpu] = -1;
	}
}

int sampler_counters(struct sampler *s, uint64_t *total, uint64_t *per_cpu, int max_cpus)
{
	bpf_shared_counters(SHARED_MAP(s, counters), s->ncpus, total, per_cpu, max_cpus);
	return s->ncpus;
}

int sampler_prog_stats(struct sampler *s, uint64_t *run_cnt, uint64_t *run_time_ns)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int err = s->skel ? bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.sample_cpu),
						   &info, &len) : -EINVAL;

	*run_cnt = err ? 0 : info.run_cnt;
	*run_time_ns = err ? 0 : info.run_time_ns;
	return err;
}

void sampler_stop(struct sampler *s)
{
	if (!s)
		return;
	sampler_detach(s);
	bpf_link__destroy(s->fork_link);
	bpf_link__destroy(s->exec_link);
	for (int i = 0; i < s->niters; i++)
		bpf_link__destroy(s->iters[i]);
	threads_bpf__destroy(s->threads);
	ring_buffer__free(s->rb);
	ring_buffer__free(s->rb_proc);
	sampler_bpf__destroy(s->skel);
	free(s->links);
	free(s->pfds);
	free(s);
}
