// SPDX-License-Identifier: GPL-2.0
/* CPU sampling: a cpu-clock perf event on every CPU runs this program; it
 * keeps only the profiled processes and sends their Python stacks to user
 * space through a ring buffer. */
#include "py_walker.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* A wakeup per sample costs about 3x the walk itself in a VM, so by default
 * user space polls the ring buffer on a timer instead. */
const volatile bool rb_wakeup = false;

SEC("perf_event")
int sample_cpu(struct bpf_perf_event_data *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct py_sample *s;
	__u64 size;

	s = walk_task_stack(bpf_get_current_task_btf(), pid_tgid >> 32, (__u32)pid_tgid,
			    bpf_get_smp_processor_id(), false);

	if (!s)
		return 0;
	size = sizeof(s->hdr) + (__u64)s->hdr.depth * sizeof(s->frames[0]);
	if (size > sizeof(*s))
		return 0;
	if (bpf_ringbuf_output(&events, s, size,
			       rb_wakeup ? 0 : sample_wakeup(s, bpf_get_smp_processor_id())))
		count(CNT_LOST);
	else
		count(CNT_EMITTED);
	return 0;
}
