/* The pusher: a thread that sends queued windows with libcurl, so that
 * the sampling loop never waits on the network.
 *
 * Every window submitted ends in exactly one counter: pushed (2xx),
 * spooled (M_SPOOL_FALLBACK), or dropped by reason (queue full, rejected,
 * too old, shutdown, spool failed); until then it is in the queue gauges.
 *
 * Retries: 5xx, 408, 429 and network errors, after Retry-After when the
 * server sends one, else after an exponential backoff with jitter (half
 * the delay fixed, half random: "equal jitter"), the same window again
 * so that windows arrive in order. With a spool, a window that failed
 * max_attempts times goes there; without one it is retried until it is
 * too old (Pyroscope refuses data older than an hour), while the queue's
 * byte bound drops the oldest behind it, counted.
 *
 * Requests go through a multi handle polled every POLL_MS, so that
 * pusher_close's deadline interrupts a request to a hung server in time:
 * a blocking curl_easy_perform would hold the thread for its whole
 * timeout. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>
#include <sys/random.h>
#include "agent/logfmt.h"
#include "agent/push.h"
#include "profile/session.h"

#define POLL_MS 50
#define MAX_RETRY_AFTER_S 3600.0

struct item {
	struct item *next;
	void *body;
	size_t len;
	void *pprof;		/* for the spool */
	size_t pprof_len;
	char type[32];
	pid_t pid;
	long long start_ticks;
	uint64_t start_ns, end_ns;
	int attempts;
};

/* What a request needs, copied under the lock (SIGHUP may change it). */
struct send_cfg {
	char url[1200];
	enum push_format format;
	char user[256], password[256];
	char bearer[2048];
	char org_id[256];
	int verbose;
};

struct pusher {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int started;
	struct agent_metrics *m;
	struct spool *spool;
	struct send_cfg cfg;
	unsigned long long queue_max;
	struct push_tuning tune;
	struct item *head, *tail;	/* oldest first */
	struct item *inflight;		/* taken from the queue, being sent or waiting to retry */
	unsigned long long bytes;	/* of the queue, not of inflight */
	int stopping;
	double deadline;
	uint64_t rng;
	CURLM *multi;
	struct agent_metrics own_metrics;	/* when the caller gives none */
};

static uint64_t item_bytes(const struct item *it)
{
	return it->len + it->pprof_len;
}

static void item_free(struct item *it)
{
	if (!it)
		return;
	free(it->body);
	free(it->pprof);
	free(it);
}

static uint64_t now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A window is resolved: it leaves the gauges, counted under `counter`. */
static void resolved(struct pusher *p, const struct item *it, enum agent_counter counter)
{
	metric_add(p->m, counter, 1);
	gauge_add(p->m, G_QUEUE_BYTES, -(int64_t)item_bytes(it));
	gauge_add(p->m, G_QUEUE_WINDOWS, -1);
}

/* A window that will not be sent: to the spool if there is one, else
 * dropped as `reason`. Called without the lock: the spool writes and
 * fsyncs. */
static void give_up(struct pusher *p, struct item *it, enum agent_counter reason)
{
	if (p->spool) {
		struct window_out w = {
			.profile_type = it->type, .pid = it->pid, .start_ticks = it->start_ticks,
			.start_ns = it->start_ns, .end_ns = it->end_ns,
			.pprof_gz = it->pprof, .pprof_len = it->pprof_len,
		};
		char err[512];

		/* The agent spools every window itself: most are there already,
		 * and rewriting them (each fsync'd) would cost the time SIGTERM
		 * leaves. */
		if (spool_contains(p->spool, &w)) {
			resolved(p, it, M_SPOOL_FALLBACK);
		} else if (spool_write(p->spool, &w, err, sizeof(err))) {
			logfmt(LOGFMT_ERROR, "push: the spool could not take a window either", "error", err,
			       NULL);
			resolved(p, it, M_DROPPED_SPOOL_FAILED);
		} else {
			resolved(p, it, M_SPOOL_FALLBACK);
		}
	} else {
		resolved(p, it, reason);
	}
	item_free(it);
}

/* Uniform in [0, 1). */
static double jitter(struct pusher *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return (p->rng >> 11) / 9007199254740992.0;
}

/* What the response said, for the retry. */
struct response {
	double retry_after;	/* seconds; < 0 when not given */
};

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
static size_t on_header(char *buf, size_t size, size_t n, void *ctx)
{
	struct response *r = ctx;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	char value[128];

	if (len > sizeof(name) - 1 && !strncasecmp(buf, name, sizeof(name) - 1)) {
		size_t vlen = len - (sizeof(name) - 1);
		char *v = value, *end;
		double secs;

		if (vlen >= sizeof(value))
			vlen = sizeof(value) - 1;
		memcpy(value, buf + sizeof(name) - 1, vlen);
		value[vlen] = '\0';
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\r\n")] = '\0';
		secs = strtod(v, &end);
		if (end != v && !*end && secs >= 0) {
			r->retry_after = secs;
		} else {
			time_t t = curl_getdate(v, NULL);

			if (t != -1)
				r->retry_after = t > time(NULL) ? (double)(t - time(NULL)) : 0;
		}
		if (r->retry_after > MAX_RETRY_AFTER_S)
			r->retry_after = MAX_RETRY_AFTER_S;
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx)
{
	(void)buf;
	(void)ctx;
	return size * n;	/* the response's body says nothing we act on */
}

/* A header line from the config, refused if it would split the request. */
static struct curl_slist *add_header(struct curl_slist *h, const char *name, const char *value)
{
	char line[2400];

	if (!value[0] || strpbrk(value, "\r\n") ||
	    snprintf(line, sizeof(line), "%s: %s", name, value) >= (int)sizeof(line))
		return h;
	struct curl_slist *n = curl_slist_append(h, line);

	return n ? n : h;
}

/* Is the request to be abandoned: the close's deadline has passed. */
static int past_deadline(struct pusher *p)
{
	int stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stopping && session_now() >= p->deadline;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

/* One POST: the HTTP status, 0 for a network error or a timeout, -1 when
 * abandoned at the deadline. */
static long send_once(struct pusher *p, const struct send_cfg *cfg, const struct item *it,
		      double limit_s, struct response *resp)
{
	CURL *e = curl_easy_init();
	struct curl_slist *h = NULL;
	char url[sizeof(cfg->url) + 64];
	long status = 0, timeout_ms = (long)(limit_s * 1000), connect_ms;
	int running = 1, abandoned = 0;
	CURLMsg *msg;
	CURLcode msg_result = CURLE_OK;
	int left;

	if (!e)
		return 0;
	if (timeout_ms < 1)
		timeout_ms = 1;
	connect_ms = (long)(p->tune.connect_timeout_s * 1000);
	if (connect_ms > timeout_ms)
		connect_ms = timeout_ms;
	snprintf(url, sizeof(url), "%s%s", cfg->url,
		 cfg->format == PUSH_OTLP ? "/v1development/profiles" : "/push.v1.PusherService/Push");
	/* Pyroscope's handler is connect-go's: a unary call in the Connect
	 * protocol is a POST of the bare message as application/proto. */
	if (cfg->format == PUSH_OTLP) {
		h = add_header(h, "Content-Type", "application/x-protobuf");
	} else {
		h = add_header(h, "Content-Type", "application/proto");
		h = add_header(h, "Connect-Protocol-Version", "1");
	}
	h = curl_slist_append(h, "Expect:");	/* no 100-continue round trip */
	if (cfg->bearer[0]) {
		char auth[sizeof(cfg->bearer) + 8];

		snprintf(auth, sizeof(auth), "Bearer %s", cfg->bearer);
		h = add_header(h, "Authorization", auth);
	}
	h = add_header(h, "X-Scope-OrgID", cfg->org_id);

	curl_easy_setopt(e, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, it->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "pybpftop-agent");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	if (cfg->user[0] && !cfg->bearer[0]) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, cfg->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, cfg->password);
	}

	curl_multi_add_handle(p->multi, e);
	while (running) {
		if (curl_multi_perform(p->multi, &running) != CURLM_OK)
			break;
		if (!running)
			break;
		if (past_deadline(p)) {
			abandoned = 1;
			break;
		}
		curl_multi_poll(p->multi, NULL, 0, POLL_MS, NULL);
	}
	while ((msg = curl_multi_info_read(p->multi, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == e &&
		    (msg_result = msg->data.result) == CURLE_OK)
			curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (status == 0 && !abandoned) {
		const char *why = msg_result == CURLE_OK ? "no response" : curl_easy_strerror(msg_result);

		logfmt(LOGFMT_WARN, "push failed", "url", url, "error", why, NULL);
	}
	curl_multi_remove_handle(p->multi, e);
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	return abandoned ? -1 : status;
}

static int retryable(long status)
{
	return status == 0 || status == 408 || status == 429 || status >= 500;
}

/* Waits until `until` (session_now() seconds), or the deadline once
 * stopping: 0, or -1 when the deadline came first. Under the lock. */
static int wait_until(struct pusher *p, double until)
{
	for (;;) {
		double now = session_now(), end = until;
		struct timespec ts;

		if (p->stopping && now >= p->deadline)
			return -1;
		if (now >= until)
			return 0;
		if (p->stopping && p->deadline < end)
			end = p->deadline;
		clock_gettime(CLOCK_REALTIME, &ts);
		double d = end - now, t = ts.tv_sec + ts.tv_nsec / 1e9 + d;

		ts.tv_sec = (time_t)t;
		ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
		pthread_cond_timedwait(&p->wake, &p->lock, &ts);
	}
}

static void *pusher_thread(void *arg)
{
	struct pusher *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct item *it = p->inflight;
		struct send_cfg cfg;
		struct response resp = { -1 };
		double limit;
		long status;

		while (!it && !p->head && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		if (!it && !p->head)
			break;		/* stopping, and nothing left */
		if (p->stopping && session_now() >= p->deadline)
			break;		/* pusher_close spools what is left */
		if (!it) {
			it = p->inflight = p->head;
			p->head = it->next;
			if (!p->head)
				p->tail = NULL;
			p->bytes -= item_bytes(it);
		}
		if (now_real_ns() > it->end_ns + (uint64_t)(p->tune.max_age_s * 1e9)) {
			p->inflight = NULL;
			pthread_mutex_unlock(&p->lock);
			give_up(p, it, M_DROPPED_TOO_OLD);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		cfg = p->cfg;
		limit = p->tune.timeout_s;
		if (p->stopping && p->deadline - session_now() < limit)
			limit = p->deadline - session_now();	/* a short timeout near the deadline */
		pthread_mutex_unlock(&p->lock);

		status = send_once(p, &cfg, it, limit, &resp);

		pthread_mutex_lock(&p->lock);
		if (status < 0)
			break;		/* abandoned at the deadline: still in flight */
		it->attempts++;
		if (status >= 200 && status < 300) {
			p->inflight = NULL;
			resolved(p, it, M_WINDOWS_PUSHED);
			item_free(it);
			continue;
		}
		metric_add(p->m, M_ERR_PUSH, 1);
		if (status) {
			char code[24], attempt[16], pid[16];

			snprintf(code, sizeof(code), "%ld", status);
			snprintf(attempt, sizeof(attempt), "%d", it->attempts);
			snprintf(pid, sizeof(pid), "%d", (int)it->pid);
			logfmt(LOGFMT_WARN, "push refused", "status", code, "attempt", attempt, "pid", pid,
			       NULL);
		}
		if (!retryable(status)) {
			p->inflight = NULL;
			resolved(p, it, M_DROPPED_REJECTED);
			item_free(it);
			continue;
		}
		if (p->spool && it->attempts >= p->tune.max_attempts) {
			p->inflight = NULL;
			pthread_mutex_unlock(&p->lock);
			give_up(p, it, M_SPOOL_FALLBACK);
			pthread_mutex_lock(&p->lock);
			continue;
		}
		double delay = p->tune.backoff_s, cap = p->tune.backoff_max_s;

		for (int i = 1; i < it->attempts && delay < cap; i++)
			delay *= 2;
		if (delay > cap)
			delay = cap;
		delay = delay / 2 + jitter(p) * delay / 2;
		if (resp.retry_after >= 0)
			delay = resp.retry_after;
		if (wait_until(p, session_now() + delay))
			break;		/* the deadline: pusher_close spools it */
		metric_add(p->m, M_PUSH_RETRIES, 1);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void copy_config(struct pusher *p, const struct agent_config *c)
{
	size_t n;

	snprintf(p->cfg.url, sizeof(p->cfg.url), "%s", c->push_url);
	/* "http://host:4040/" and "http://host:4040" are the same server. */
	n = strlen(p->cfg.url);
	while (n && p->cfg.url[n - 1] == '/')
		p->cfg.url[--n] = '\0';
	p->cfg.format = c->push_format;
	snprintf(p->cfg.user, sizeof(p->cfg.user), "%s", c->basic_user);
	snprintf(p->cfg.password, sizeof(p->cfg.password), "%s", c->basic_password);
	snprintf(p->cfg.bearer, sizeof(p->cfg.bearer), "%s", c->bearer_token);
	snprintf(p->cfg.org_id, sizeof(p->cfg.org_id), "%s", c->org_id);
	p->cfg.verbose = c->verbose;
	p->queue_max = c->queue_max ? c->queue_max : PUSH_DEFAULT_QUEUE_MAX;
}

struct pusher *pusher_open(const struct agent_config *c, struct agent_metrics *m,
			   struct spool *spool, char *err, size_t errlen)
{
	static const struct push_tuning defaults = PUSH_TUNING_DEFAULTS;
	struct pusher *p;

	if (!c->push_url[0] || (strncmp(c->push_url, "http://", 7) && strncmp(c->push_url, "https://", 8))) {
		snprintf(err, errlen, "--push %s: not an http:// or https:// URL", c->push_url);
		return NULL;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		snprintf(err, errlen, "push: %s", strerror(ENOMEM));
		return NULL;
	}
	p->m = m ? m : &p->own_metrics;
	p->spool = spool;
	p->tune = defaults;
	copy_config(p, c);
	if (getrandom(&p->rng, sizeof(p->rng), 0) != sizeof(p->rng) || !p->rng)
		p->rng = (uint64_t)time(NULL) * 2654435761u | 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(p->multi = curl_multi_init())) {
		snprintf(err, errlen, "push: cannot initialise libcurl");
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	if ((errno = pthread_create(&p->thread, NULL, pusher_thread, p))) {
		snprintf(err, errlen, "push: cannot start its thread: %s", strerror(errno));
		curl_multi_cleanup(p->multi);
		curl_global_cleanup();
		free(p);
		return NULL;
	}
	p->started = 1;
	return p;
}

void pusher_tune(struct pusher *p, const struct push_tuning *t)
{
	pthread_mutex_lock(&p->lock);
	p->tune = *t;
	pthread_mutex_unlock(&p->lock);
}

int pusher_submit(struct pusher *p, const struct window_out *w)
{
	struct item *it = calloc(1, sizeof(*it)), *drop = NULL;
	enum push_format format;
	int rc;

	if (!it) {
		metric_add(p->m, M_ERR_ENCODE, 1);
		return -ENOMEM;
	}
	pthread_mutex_lock(&p->lock);
	format = p->cfg.format;
	pthread_mutex_unlock(&p->lock);
	rc = format == PUSH_OTLP ? otlp_encode(w, &it->body, &it->len) :
	     pyroscope_encode(w, &it->body, &it->len);
	if (!rc && w->pprof_len && !(it->pprof = malloc(w->pprof_len)))
		rc = -ENOMEM;
	if (rc) {
		metric_add(p->m, M_ERR_ENCODE, 1);
		item_free(it);
		return rc;
	}
	memcpy(it->pprof, w->pprof_gz, w->pprof_len);
	it->pprof_len = w->pprof_len;
	snprintf(it->type, sizeof(it->type), "%s", w->profile_type);
	it->pid = w->pid;
	it->start_ticks = w->start_ticks;
	it->start_ns = w->start_ns;
	it->end_ns = w->end_ns;

	gauge_add(p->m, G_QUEUE_BYTES, (int64_t)item_bytes(it));
	gauge_add(p->m, G_QUEUE_WINDOWS, 1);
	pthread_mutex_lock(&p->lock);
	if (item_bytes(it) > p->queue_max) {
		/* Bigger than the whole queue: it alone is dropped. */
		drop = it;
		it = NULL;
	} else {
		/* The oldest go first, until it fits. */
		while (p->head && p->bytes + item_bytes(it) > p->queue_max) {
			struct item *old = p->head;

			p->head = old->next;
			if (!p->head)
				p->tail = NULL;
			p->bytes -= item_bytes(old);
			old->next = drop;
			drop = old;
		}
		if (p->tail)
			p->tail->next = it;
		else
			p->head = it;
		p->tail = it;
		p->bytes += item_bytes(it);
		pthread_cond_signal(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	while (drop) {
		struct item *next = drop->next;

		resolved(p, drop, M_DROPPED_QUEUE_FULL);
		item_free(drop);
		drop = next;
	}
	return 0;
}

void pusher_reconfigure(struct pusher *p, const struct agent_config *c)
{
	pthread_mutex_lock(&p->lock);
	copy_config(p, c);
	pthread_mutex_unlock(&p->lock);
}

void pusher_close(struct pusher *p, double deadline)
{
	struct item *left;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	p->deadline = deadline;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	if (p->started)
		pthread_join(p->thread, NULL);

	/* What the deadline left: the window in flight first (it is the
	 * oldest), then the queue. */
	left = p->inflight;
	if (left)
		left->next = p->head;
	else
		left = p->head;
	p->inflight = p->head = p->tail = NULL;
	while (left) {
		struct item *next = left->next;

		give_up(p, left, M_DROPPED_SHUTDOWN);
		left = next;
	}
	curl_multi_cleanup(p->multi);
	curl_global_cleanup();
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
