/* The agent's counters, and /metrics: Prometheus' text format on a
 * loopback address, served by libmicrohttpd from a thread of its own.
 * Counters are atomics: the sampling loop and the pusher thread add to
 * them, the server reads them. */
#ifndef AGENT_METRICS_H
#define AGENT_METRICS_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum agent_counter {
	M_SAMPLES,		/* stacks taken into windows */
	M_SAMPLES_LOST,		/* the ring buffer had no room (probe counters) */
	M_PROCESSES_SEEN,	/* processes found to be Python, since start */
	M_PROCESSES_CHECKED,	/* processes looked at (exec, /proc scan, unknown sample) */
	M_WINDOWS_WRITTEN,	/* to the spool */
	M_WINDOWS_PUSHED,	/* accepted by the backend (2xx) */
	M_PUSH_RETRIES,
	/* Windows lost, by reason: */
	M_DROPPED_QUEUE_FULL,	/* oldest first, when the queue was over its bytes */
	M_DROPPED_REJECTED,	/* a 4xx other than 408 and 429 */
	M_DROPPED_TOO_OLD,	/* older than an hour: Pyroscope refuses them */
	M_DROPPED_SHUTDOWN,	/* still queued when SIGTERM's 5 s ran out, and no spool */
	M_DROPPED_SPOOL_FAILED,	/* the spool could not take it either */
	M_SPOOL_FALLBACK,	/* pushes that finally failed and went to the spool */
	M_SPOOL_ROTATED,	/* files removed for --spool-max or --retention */
	/* Errors, by kind: */
	M_ERR_ATTACH,		/* a Python process that could not be profiled */
	M_ERR_SPOOL,		/* a spool write that failed */
	M_ERR_PUSH,		/* a push that failed (network, 5xx, ...), retried or not */
	M_ERR_ENCODE,		/* a window that could not be encoded */
	M_ERR_CONFIG,		/* a SIGHUP reload that was refused */
	M_COUNTERS
};

enum agent_gauge {
	G_PROCESSES,		/* tracked now */
	G_QUEUE_BYTES,		/* windows waiting to be pushed */
	G_QUEUE_WINDOWS,
	G_SPOOL_BYTES,
	G_GAUGES
};

struct agent_metrics {
	_Atomic uint64_t c[M_COUNTERS];
	_Atomic int64_t g[G_GAUGES];
	uint64_t bpf_map_bytes;		/* set once at start */
	double start;			/* session_now() at start */
};

static inline void metric_add(struct agent_metrics *m, enum agent_counter k, uint64_t n)
{
	atomic_fetch_add_explicit(&m->c[k], n, memory_order_relaxed);
}

static inline void gauge_set(struct agent_metrics *m, enum agent_gauge k, int64_t v)
{
	atomic_store_explicit(&m->g[k], v, memory_order_relaxed);
}

static inline void gauge_add(struct agent_metrics *m, enum agent_gauge k, int64_t v)
{
	atomic_fetch_add_explicit(&m->g[k], v, memory_order_relaxed);
}

/* The page: every counter and gauge, with HELP and TYPE, and the agent's
 * own CPU seconds and RSS (from /proc/self). Returns a malloc'd string. */
char *metrics_render(const struct agent_metrics *m);

struct metrics_server;

/* Serves GET /metrics on addr ("127.0.0.1:9464", "[::1]:9464"); refuses
 * an address that is not loopback. NULL with a message in err. */
struct metrics_server *metrics_serve(const char *addr, const struct agent_metrics *m, char *err,
				     size_t errlen);
/* The port bound: the one asked for, or the kernel's choice for port 0. */
int metrics_server_port(const struct metrics_server *s);
void metrics_server_close(struct metrics_server *s);	/* safe on NULL */

#endif /* AGENT_METRICS_H */
