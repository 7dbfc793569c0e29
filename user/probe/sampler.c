/* The CPU sampler's skeleton: open -> rodata and map sizes -> load ->
 * attach a perf event per CPU -> drain -> destroy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include "probe/sampler.h"
#include "sampler.skel.h"

struct sampler {
	struct probe base;
	struct sampler_bpf *skel;
	struct bpf_link **links;	/* per CPU */
	int *pfds;
};

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

static int add_target(struct probe *p, const struct py_target *t, char *err, size_t errlen)
{
	int rc;

	if (p->ntargets == PYBPFTOP_MAX_PROCS) {
		snprintf(err, errlen, "too many processes: at most %d", PYBPFTOP_MAX_PROCS);
		return -E2BIG;
	}
	if (!(rc = probe_put_target(p, t, err, errlen)))
		p->ntargets++;
	return rc;
}


static void stop(struct probe *p)
{
	struct sampler *s = (struct sampler *)p;

	for (int cpu = 0; s->links && s->pfds && cpu < p->ncpus; cpu++) {
		bpf_link__destroy(s->links[cpu]);
		s->links[cpu] = NULL;
		if (s->pfds[cpu] >= 0)
			close(s->pfds[cpu]);
		s->pfds[cpu] = -1;
	}
}

static void destroy(struct probe *p)
{
	struct sampler *s = (struct sampler *)p;

	stop(p);
	ring_buffer__free(p->rb);
	sampler_bpf__destroy(s->skel);
	free(s->links);
	free(s->pfds);
	free(s);
}

/* The kernel's run statistics (with kernel.bpf_stats_enabled=1). */
static void print_stats(struct probe *p, FILE *out)
{
	struct sampler *s = (struct sampler *)p;
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	uint64_t total[CNT_MAX];

	probe_counters(p, total, NULL, 0);
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.sample_cpu), &info, &len) &&
	    info.run_cnt)
		fprintf(out, "BPF program: %llu runs, %.0f ns per run, %.0f ns per Python sample\n",
			(unsigned long long)info.run_cnt, (double)info.run_time_ns / info.run_cnt,
			total[CNT_SAMPLES] ? (double)info.run_time_ns / total[CNT_SAMPLES] : 0.0);
	else
		fprintf(out, "BPF program: no run statistics (sysctl kernel.bpf_stats_enabled=1 gives them)\n");
}

static const struct probe_ops sampler_ops = {
	.name = "CPU sampler",
	.add_target = add_target,
	.update_target = probe_put_target,
	.remove_target = probe_forget_target,
	.stop = stop,
	.destroy = destroy,
	.counters = WALKER_COUNTERS,
	.print_stats = print_stats,
};

static int attach(struct sampler *s, int hz, char *err, size_t errlen)
{
	int ncpus = s->base.ncpus, attached = 0;

	s->links = calloc(ncpus, sizeof(*s->links));
	s->pfds = malloc(ncpus * sizeof(*s->pfds));
	if (!s->links || !s->pfds) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int cpu = 0; cpu < ncpus; cpu++)
		s->pfds[cpu] = -1;
	for (int cpu = 0; cpu < ncpus; cpu++) {
		s->pfds[cpu] = open_perf_event(cpu, hz);
		if (s->pfds[cpu] < 0) {
			if (errno == ENODEV)	/* possible but offline CPU */
				continue;
			snprintf(err, errlen, "failed to open the cpu-clock event on CPU %d: %s%s", cpu,
				 strerror(errno), errno == EACCES || errno == EPERM ?
				 ": run as root or grant CAP_PERFMON" : "");
			return -errno;
		}
		s->links[cpu] = bpf_program__attach_perf_event(s->skel->progs.sample_cpu, s->pfds[cpu]);
		if (!s->links[cpu]) {
			snprintf(err, errlen, "failed to attach to CPU %d: %s", cpu, strerror(errno));
			return -errno;
		}
		attached++;
	}
	if (!attached) {
		snprintf(err, errlen, "no online CPU to sample");
		return -ENODEV;
	}
	return 0;
}

struct probe *sampler_open(const struct sampler_opts *o, const struct probe_sink *sink,
			   char *err, size_t errlen)
{
	struct sampler *s = probe_alloc(sizeof(*s), &sampler_ops, err, errlen);
	const char *wake = getenv("PYBPFTOP_RB_WAKEUP");

	if (!s)
		return NULL;
	s->skel = sampler_bpf__open();
	if (probe_init(&s->base, s->skel ? s->skel->obj : NULL, sink, err, errlen))
		goto fail;
	s->skel->rodata->max_depth = o->max_depth;
	s->skel->rodata->discover = o->discover;
	if (o->ring_bytes)
		bpf_map__set_max_entries(s->skel->maps.events, o->ring_bytes);
	/* Bench only: a wakeup per sample costs about 3x the walk in a VM, so
	 * by default user space drains on a timer; this measures that cost. */
	s->skel->rodata->rb_wakeup = wake && *wake == '1';
	if (probe_loaded(&s->base, sampler_bpf__load(s->skel), "CPU sampler", RECORDS_STACKS,
			 err, errlen) || attach(s, o->hz, err, errlen))
		goto fail;
	return &s->base;
fail:
	destroy(&s->base);
	return NULL;
}
