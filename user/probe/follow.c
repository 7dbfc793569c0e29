/* The fork and exec programs' skeleton: open -> load -> attach -> drain ->
 * destroy. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "proc/procfs.h"
#include "probe/follow.h"
#include "probe/probe.h"
#include "follow.skel.h"

struct follow {
	struct follow_bpf *skel;
	struct ring_buffer *rb;
	void (*on_event)(void *ctx, const struct py_proc_event *e);
	void *ctx;
};

static int on_record(void *ctx, void *data, size_t len)
{
	struct follow *f = ctx;

	if (len >= sizeof(struct py_proc_event))
		f->on_event(f->ctx, data);
	return 0;
}

/* Before load: use the sampler's process events and its record of the
 * processes it reported (the agent), if it has them. */
static int share_events(struct follow *f, const struct probe *probes)
{
	static const char *const names[] = { "proc_events", "discovered" };
	int rc = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !rc; i++) {
		struct bpf_map *src = bpf_object__find_map_by_name(probes->obj, names[i]);
		struct bpf_map *dst = bpf_object__find_map_by_name(f->skel->obj, names[i]);

		if (src && dst)
			rc = bpf_map__reuse_fd(dst, bpf_map__fd(src));
	}
	return rc;
}

struct follow *follow_open(void (*on_event)(void *ctx, const struct py_proc_event *e), void *ctx,
			   const struct probe *probes, int all, char *err, size_t errlen)
{
	struct follow *f = calloc(1, sizeof(*f));
	int rc;

	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->on_event = on_event;
	f->ctx = ctx;
	if (!(f->skel = follow_bpf__open())) {
		snprintf(err, errlen, "failed to open the BPF object: %s", strerror(errno));
		goto fail;
	}
	if (probes && ((rc = bpf_map__reuse_fd(f->skel->maps.procs, bpf_map__fd(probes->procs))) ||
		       (rc = share_events(f, probes)))) {
		snprintf(err, errlen, "failed to share the targets map: %s", strerror(-rc));
		goto fail;
	}
	f->skel->rodata->follow_all = all;
	if ((rc = follow_bpf__load(f->skel))) {
		probe_load_error(rc, "programs that follow processes", err, errlen);
		goto fail;
	}
	f->rb = ring_buffer__new(bpf_map__fd(f->skel->maps.proc_events), on_record, f, NULL);
	if (!f->rb || (rc = follow_bpf__attach(f->skel))) {
		snprintf(err, errlen, "failed to follow processes: %s", strerror(errno));
		goto fail;
	}
	return f;
fail:
	follow_close(f);
	return NULL;
}

int follow_add(struct follow *f, pid_t pid, uint32_t flags)
{
	struct py_followed v = { .flags = flags, .start_ticks = (__u64)proc_start_ticks(pid) };
	__u32 key = pid;

	if ((long long)v.start_ticks < 0)
		return -ESRCH;
	return bpf_map__update_elem(f->skel->maps.followed, &key, sizeof(key), &v, sizeof(v), BPF_ANY);
}

void follow_settle(struct follow *f, pid_t pid, long long start_ticks)
{
	struct py_discovered v = { .start_ticks = start_ticks, .reported_ns = PYBPFTOP_SETTLED };
	__u32 key = pid;

	bpf_map__update_elem(f->skel->maps.discovered, &key, sizeof(key), &v, sizeof(v), BPF_ANY);
}

void follow_remove(struct follow *f, pid_t pid)
{
	__u32 key = pid;

	bpf_map__delete_elem(f->skel->maps.followed, &key, sizeof(key), 0);
}

int follow_fd(const struct follow *f)
{
	return ring_buffer__epoll_fd(f->rb);
}

void follow_drain(struct follow *f)
{
	ring_buffer__consume(f->rb);
}

uint64_t follow_lost(const struct follow *f)
{
	return f->skel->bss->lost_events;
}

struct bpf_object *follow_object(const struct follow *f)
{
	return f->skel->obj;
}

void follow_close(struct follow *f)
{
	if (!f)
		return;
	ring_buffer__free(f->rb);
	follow_bpf__destroy(f->skel);
	free(f);
}
