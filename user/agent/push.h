/* Sending windows to a profiling backend: Grafana Pyroscope's push API
 * (push.v1.PusherService/Push) or, experimental, OTLP/HTTP profiles. A
 * thread of its own sends (libcurl), so that sampling never waits on the
 * network; the queue between is bounded in bytes, and drops its oldest
 * windows first, counted. Retries back off exponentially with jitter on
 * 5xx, 408 and 429 (Retry-After honoured); other 4xx are dropped; a
 * window older than an hour is not retried (Pyroscope refuses it). A
 * window that finally fails goes to the spool, when there is one. */
#ifndef AGENT_PUSH_H
#define AGENT_PUSH_H

#include <stddef.h>
#include "agent/config.h"
#include "agent/metrics.h"
#include "agent/spool.h"
#include "agent/window.h"

struct pusher;

/* Starts the thread. spool may be NULL. NULL with a message in err. */
struct pusher *pusher_open(const struct agent_config *c, struct agent_metrics *m,
			   struct spool *spool, char *err, size_t errlen);

/* Encodes the window for the backend (on the caller's thread: w->prof is
 * only valid now) and queues it. Never blocks on the network. 0, or
 * -errno (it could not be encoded: counted). */
int pusher_submit(struct pusher *p, const struct window_out *w);

/* SIGHUP: the new URL, credentials and queue size, for the next sends. */
void pusher_reconfigure(struct pusher *p, const struct agent_config *c);

/* Sends what is queued until `deadline` (session_now() seconds), spools
 * what is left (or counts it dropped), stops the thread and frees. */
void pusher_close(struct pusher *p, double deadline);

/* The sender's timing. The defaults are PUSH_TUNING_DEFAULTS; the tests
 * shorten them (pusher_tune, before the first submit). */
struct push_tuning {
	double backoff_s, backoff_max_s;	/* the first retry's delay, and the cap */
	int max_attempts;		/* with a spool: then it goes there */
	double max_age_s;		/* a window older (its end) is not sent */
	double timeout_s, connect_timeout_s;	/* one request */
};
#define PUSH_TUNING_DEFAULTS { 1.0, 60.0, 5, 3600.0, 30.0, 5.0 }
#define PUSH_DEFAULT_QUEUE_MAX (64ull << 20)	/* queue_max 0 */
void pusher_tune(struct pusher *p, const struct push_tuning *t);

/* The encoders, for the tests: the body of one request (malloc'd). */
int pyroscope_encode(const struct window_out *w, void **body, size_t *len);
int otlp_encode(const struct window_out *w, void **body, size_t *len);

#endif /* AGENT_PUSH_H */
