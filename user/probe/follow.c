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

struct follow *follow_open(void (*on_event)(void *ctx, const struct py_proc_event *e), void *ctx,
			   const struct probe *probes, char *err, size_t errlen)
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
	if (probes && (rc = bpf_map__reuse_fd(f->skel->maps.procs, bpf_map__fd(probes->procs)))) {
		snprintf(err, errlen, "failed to share the targets map: %s", strerror(-rc));
		goto fail;
	}
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

void follow_close(struct follow *f)
{
	if (!f)
		return;
	ring_buffer__free(f->rb);
	follow_bpf__destroy(f->skel);
	free(f);
}
