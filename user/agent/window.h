/* One finished window of one process, as the sinks (the spool, the
 * pusher) take it: the profile, its labels and its pprof encoding. */
#ifndef AGENT_WINDOW_H
#define AGENT_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "agent/config.h"
#include "profile/profile.h"

/* service_name, host, pid, python_version, container_id and the --labels. */
#define WINDOW_MAX_LABELS (AGENT_MAX_LABELS + 8)

struct window_out {
	/* Pyroscope's __name__: "process_cpu", "wall" (--idle) or "memory"
	 * (--alloc). */
	const char *profile_type;
	pid_t pid;
	long long start_ticks;		/* with pid, the process */
	uint64_t start_ns, end_ns;	/* wall clock (CLOCK_REALTIME) */
	const struct agent_label *labels;
	int nlabels;
	/* The gzipped pprof: the labels are in it too, as comments
	 * "label KEY=VALUE", so a spooled file is whole by itself. */
	const void *pprof_gz;
	size_t pprof_len;
	/* For encoders that build their own message (OTLP): valid only
	 * during the call that is given the window. */
	const struct profile *prof;
	const struct profile_meta *meta;
};

#endif /* AGENT_WINDOW_H */
