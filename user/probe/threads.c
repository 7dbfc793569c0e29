/* The thread iterator's skeleton: open -> rodata -> share the sampler's
 * maps -> load -> an iterator link per target -> passes -> destroy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "probe/threads.h"
#include "threads.skel.h"

struct threads {
	struct probe base;
	struct threads_bpf *skel;
	/* One iterator link per target, filtered to its threads by the kernel. */
	struct { pid_t pid; struct bpf_link *link; } iters[PYBPFTOP_MAX_PROCS];
	int niters;
};

static int add_target(struct probe *p, const struct py_target *t, char *err, size_t errlen)
{
	struct threads *th = (struct threads *)p;
	union bpf_iter_link_info info = { .task.pid = t->pid };
	LIBBPF_OPTS(bpf_iter_attach_opts, io, .link_info = &info, .link_info_len = sizeof(info));
	struct bpf_link *link;
	int rc;

	if (th->niters == PYBPFTOP_MAX_PROCS) {
		snprintf(err, errlen, "too many processes: at most %d", PYBPFTOP_MAX_PROCS);
		return -E2BIG;
	}
	if ((rc = probe_put_target(p, t, err, errlen)))
		return rc;
	link = bpf_program__attach_iter(th->skel->progs.snapshot_threads, &io);
	if (!link) {
		rc = -errno;
		snprintf(err, errlen, "failed to attach the thread iterator to pid %d: %s", t->pid,
			 strerror(errno));
		return rc;
	}
	th->iters[th->niters].pid = t->pid;
	th->iters[th->niters++].link = link;
	p->ntargets++;
	return 0;
}


/* The target's iterator link goes with it: kept, every process that ever
 * came and went would hold a link (a file descriptor) and a slot. The map
 * entry is shared with the sampler, which may have taken it out first. */
static void remove_target(struct probe *p, pid_t pid)
{
	struct threads *th = (struct threads *)p;

	probe_drop_target(p, pid);
	for (int i = 0; i < th->niters; i++) {
		if (th->iters[i].pid != pid)
			continue;
		bpf_link__destroy(th->iters[i].link);
		th->iters[i] = th->iters[--th->niters];
		p->ntargets--;
		return;
	}
}

/* An exec keeps the pid, and so the link; but the session takes an
 * exec'd target out of every probe before it looks at it again, and that
 * took the link too. */
static int update_target(struct probe *p, const struct py_target *t, char *err, size_t errlen)
{
	struct threads *th = (struct threads *)p;

	for (int i = 0; i < th->niters; i++)
		if (th->iters[i].pid == t->pid)
			return probe_put_target(p, t, err, errlen);
	return add_target(p, t, err, errlen);
}

static void stop(struct probe *p)
{
	(void)p;	/* passes run only when asked for */
}

static void destroy(struct probe *p)
{
	struct threads *th = (struct threads *)p;

	for (int i = 0; i < th->niters; i++)
		bpf_link__destroy(th->iters[i].link);
	ring_buffer__free(p->rb);
	threads_bpf__destroy(th->skel);
	free(th);
}

static const struct probe_ops threads_ops = {
	.name = "thread iterator",
	.add_target = add_target,
	.update_target = update_target,
	.remove_target = remove_target,
	.stop = stop,
	.destroy = destroy,
	.counters = WALKER_COUNTERS | COUNTER(CNT_THREADS),
};

int threads_snapshot(struct probe *p, enum snapshot_mode mode, uint32_t weight)
{
	struct threads *th = (struct threads *)p;
	char buf[64];
	int rc = 0;

	th->skel->bss->pass_weight = weight;
	th->skel->bss->pass_off_cpu_only = mode == SNAPSHOT_OFF_CPU;
	th->skel->bss->pass_addrs = mode == SNAPSHOT_ALL;
	for (int i = 0; i < th->niters; i++) {
		int fd = bpf_iter_create(bpf_link__fd(th->iters[i].link));
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

struct probe *threads_open(uint32_t max_depth, const struct probe *share,
			   const struct probe_sink *sink, char *err, size_t errlen)
{
	struct threads *th = probe_alloc(sizeof(*th), &threads_ops, err, errlen);

	if (!th)
		return NULL;
	th->skel = threads_bpf__open();
	if (probe_init(&th->base, th->skel ? th->skel->obj : NULL, sink, err, errlen) ||
	    (share && probe_share(&th->base, share, err, errlen)))
		goto fail;
	th->skel->rodata->max_depth = max_depth;
	if (probe_loaded(&th->base, threads_bpf__load(th->skel),
			 "thread iterator (it needs Linux 6.1 or later)", RECORDS_STACKS, err, errlen))
		goto fail;
	return &th->base;
fail:
	destroy(&th->base);
	return NULL;
}
