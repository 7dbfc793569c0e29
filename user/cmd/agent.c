/* `pybpftop agent`: every CPython process of the host, all the time. One
 * session in discovery mode finds them (a /proc scan at start, exec
 * events, the sampler's reports of processes it does not know) and drops
 * them when they exit; their samples go into per-process windows, and
 * each window's profiles go to the spool and to the backend. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "agent/config.h"
#include "agent/logfmt.h"
#include "agent/metrics.h"
#include "agent/push.h"
#include "agent/spool.h"
#include "agent/windows.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "proc/text_escape.h"
#include "profile/session.h"

/* Names are forgotten past this much of the frame table's memory
 * (session_reset_names): about 12,000 functions with a frame each
 * (tests/unit/test_profile.c), where a window of a real program holds
 * far fewer, so that code churn keeps the RSS bounded. */
#define AGENT_NAME_BYTES (4u << 20)
/* SIGTERM to exit: the last window is pushed (or spooled) within this. */
#define AGENT_STOP_S 5.0
/* The ring buffers are drained this often (a sample of code not named yet
 * wakes the agent at once): each drain polls every target's pidfd. */
#define AGENT_DRAIN_MS 250

static struct agent_env {
	struct agent_config cfg;
	const char *config;		/* --config */
	int config_given;
	double duration;		/* -d: stop after (tests) */
	int check;			/* --check: the configuration, then exit */
} env;

static volatile sig_atomic_t reload;

enum { OPT_CONFIG = 0x200, OPT_WINDOW, OPT_SPOOL, OPT_NO_SPOOL, OPT_SPOOL_MAX, OPT_RETENTION,
       OPT_PUSH, OPT_PUSH_FORMAT, OPT_LABEL, OPT_AGENT_IDLE, OPT_ALLOC, OPT_METRICS, OPT_CHECK };

static const char doc[] =
"Profile every CPython process of this host, those running now and those\n"
"started later, in containers too, until stopped. Each window (15 s) of\n"
"each process becomes a pprof profile, kept in the spool (history for\n"
"`pybpftop report`) and pushed to Grafana Pyroscope with --push.\n"
"\n"
"The configuration file (--config, default " AGENT_DEFAULT_CONFIG " if present)\n"
"is read first, the options override it; SIGHUP reads it again, SIGTERM\n"
"writes the last window and exits within 5 s. See pybpftop-agent(8).\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop agent                               # spool in /var/lib/pybpftop\n"
"  sudo pybpftop agent --push http://pyroscope:4040 --label env=prod\n"
"  sudo pybpftop report /var/lib/pybpftop --since '2h ago' -o last2h.html\n";

static const struct argp_option options[] = {
	{ "config", OPT_CONFIG, "FILE", 0, "The configuration file (default " AGENT_DEFAULT_CONFIG ")", 0 },
	{ "rate", 'r', "HZ", 0, "Samples per second per CPU (default 19)", 0 },
	{ "window", OPT_WINDOW, "SECONDS", 0, "One profile per process per window (default 15 s)", 0 },
	{ "spool", OPT_SPOOL, "DIR", 0, "Keep the windows in DIR (default /var/lib/pybpftop)", 0 },
	{ "no-spool", OPT_NO_SPOOL, NULL, 0, "Keep no history (with --push)", 0 },
	{ "spool-max", OPT_SPOOL_MAX, "SIZE", 0, "The spool's size, the oldest removed first (default 1G)", 0 },
	{ "retention", OPT_RETENTION, "DURATION", 0, "Remove windows older than this (default 7d)", 0 },
	{ "push", OPT_PUSH, "URL", 0, "Push each window to this Pyroscope server (credentials: the file)", 0 },
	{ "push-format", OPT_PUSH_FORMAT, "FORMAT", 0, "pyroscope (default) or otlp (experimental: OTLP/HTTP profiles)", 0 },
	{ "label", OPT_LABEL, "KEY=VALUE", 0, "A label on every profile (may repeat)", 0 },
	{ "idle", OPT_AGENT_IDLE, NULL, 0, "Wall-clock profiles: threads off the CPU too, under [off-cpu]", 0 },
	{ "alloc", OPT_ALLOC, NULL, 0, "Also a memory profile: bytes allocated per window (page faults, sampled)", 0 },
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0, "Serve Prometheus metrics on this loopback address", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after this long, as on SIGTERM (default: run until stopped)", 0 },
	{ "check", OPT_CHECK, NULL, 0, "Check the configuration and the options, print them, and exit", 0 },
	{ "verbose", 'v', NULL, 0, "Log each process and window (-vv: libbpf's messages too)", 0 },
	{ 0 },
};

/* Applies one command-line option to cfg: used at start and again over
 * the file at each SIGHUP, so that the command line always wins. */
static error_t apply_arg(int key, char *arg, struct argp_state *state)
{
	struct agent_config *c = &env.cfg;

	switch (key) {
	case OPT_CONFIG:
		env.config = arg;
		env.config_given = 1;
		break;
	case 'r':
		c->hz = cli_long(arg, 1, 10000, state);
		break;
	case OPT_WINDOW:
		if (agent_parse_duration(arg, &c->window_s) || c->window_s < 1 || c->window_s > 3600)
			argp_error(state, "--window %s: give 1 s to 1 h (\"15\", \"15s\", \"1m\")", arg);
		break;
	case OPT_SPOOL:
		snprintf(c->spool, sizeof(c->spool), "%s", arg);
		break;
	case OPT_NO_SPOOL:
		c->spool[0] = '\0';
		break;
	case OPT_SPOOL_MAX:
		if (agent_parse_size(arg, &c->spool_max) || c->spool_max < (1u << 20))
			argp_error(state, "--spool-max %s: give a size of 1M or more (\"512M\", \"1G\")", arg);
		break;
	case OPT_RETENTION:
		if (agent_parse_duration(arg, &c->retention_s) || c->retention_s < 60)
			argp_error(state, "--retention %s: give a duration of 1 minute or more (\"7d\", \"12h\")", arg);
		break;
	case OPT_PUSH:
		if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8))
			argp_error(state, "--push %s: give an http:// or https:// URL", arg);
		snprintf(c->push_url, sizeof(c->push_url), "%s", arg);
		break;
	case OPT_PUSH_FORMAT:
		if (!strcmp(arg, "pyroscope"))
			c->push_format = PUSH_PYROSCOPE;
		else if (!strcmp(arg, "otlp"))
			c->push_format = PUSH_OTLP;
		else
			argp_error(state, "--push-format %s: use pyroscope or otlp", arg);
		break;
	case OPT_LABEL:
		if (c->nlabels == AGENT_MAX_LABELS)
			argp_error(state, "--label: at most %d labels", AGENT_MAX_LABELS);
		if (agent_parse_label(arg, &c->labels[c->nlabels]))
			argp_error(state, "--label %s: give KEY=VALUE, KEY a label name ([a-zA-Z_][a-zA-Z0-9_]*, not one of the agent's own)", arg);
		c->nlabels++;
		break;
	case OPT_AGENT_IDLE:
		c->idle = 1;
		break;
	case OPT_ALLOC:
		c->alloc = 1;
		break;
	case OPT_METRICS:
		snprintf(c->metrics, sizeof(c->metrics), "%s", arg);
		break;
	case 'd':
		env.duration = cli_seconds(arg, 0.1, 1e9, state);
		break;
	case OPT_CHECK:
		env.check = 1;
		break;
	case 'v':
		c->verbose++;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The configuration: defaults, the file, then the command line. The file
 * named by --config must exist; the default one may not. */
static int configure(int argc, char **argv, struct agent_config *out, char *err, size_t errlen)
{
	static const struct argp argp = { options, apply_arg, "", doc, NULL, NULL, NULL };
	struct agent_config file;
	int rc;

	/* First pass: --config only (and every option's check). */
	agent_config_defaults(&env.cfg);
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return -EINVAL;
	agent_config_defaults(&file);
	rc = agent_config_load(env.config ? env.config : AGENT_DEFAULT_CONFIG, env.config_given,
			       &file, err, errlen);
	if (rc)
		return rc;
	/* Then the options over the file. */
	env.cfg = file;
	env.check = 0;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return -EINVAL;
	*out = env.cfg;
	return 0;
}

struct agent {
	struct session *s;
	struct agent_config cfg;
	struct windows ws;
	struct spool spool;
	int have_spool;
	struct pusher *push;
	struct agent_metrics m;
	struct metrics_server *metrics;
};

static void on_stack(void *ctx, struct session_target *t, const struct py_sample_hdr *hdr,
		     const uint32_t *ids, const struct py_frame *frames, const uint64_t *addrs)
{
	struct agent *a = ctx;
	struct proc_window *p = windows_find(&a->ws, t->t.pid, t->t.start_ticks);

	(void)frames;
	(void)addrs;
	if (p && !profile_add_sample(&p->cpu, hdr, ids))
		metric_add(&a->m, M_SAMPLES, hdr->weight ? hdr->weight : 1);
}

/* --alloc: a page-fault sample stands for e->size bytes of new memory. */
static void on_alloc(void *ctx, struct session_target *t, const struct py_alloc_event *e,
		     const struct py_sample_hdr *hdr, const uint32_t *ids)
{
	struct agent *a = ctx;
	struct proc_window *p = windows_find(&a->ws, t->t.pid, t->t.start_ticks);

	if (p && hdr && e->kind == ALLOC_EV_PAGE)
		profile_add(&p->mem, hdr->pid, hdr->tid, profile_stack_flags(hdr->flags), ids,
			    hdr->depth, e->size);
}

static void on_target(void *ctx, struct session_target *t, enum session_event what)
{
	struct agent *a = ctx;
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", t->t.pid);
	if (what == TARGET_ADDED) {
		struct proc_window *p = windows_add(&a->ws, t->t.pid, t->t.start_ticks, t->t.version,
						    t->t.cmdline);

		char after[24] = "";

		/* How long after its exec (or its start) it was found. */
		if (t->since > 0)
			snprintf(after, sizeof(after), "%.0f", (session_now() - t->since) * 1e3);
		metric_add(&a->m, M_PROCESSES_SEEN, 1);
		logfmt(LOGFMT_INFO, "profiling", "pid", pid, "python", t->t.version,
		       "service", p ? p->service.service : "", "after_exec_ms", after,
		       "cmdline", t->t.cmdline, NULL);
		return;
	}
	windows_gone(&a->ws, t->t.pid, t->t.start_ticks);
	logfmt(LOGFMT_INFO, what == TARGET_EXEC ? "exec'd" : "exited", "pid", pid, NULL);
}

static void on_refused(void *ctx, pid_t pid, int rc, const char *why)
{
	struct agent *a = ctx;
	char p[16];

	(void)rc;
	snprintf(p, sizeof(p), "%d", pid);
	metric_add(&a->m, M_ERR_ATTACH, 1);
	logfmt(LOGFMT_WARN, "not profiling", "pid", p, "why", why, NULL);
}

static void on_drained(void *ctx)
{
	struct agent *a = ctx;

	for (int i = 0; i < a->ws.nprocs; i++) {
		profile_name_threads(&a->ws.procs[i]->cpu, 0);
		profile_name_threads(&a->ws.procs[i]->mem, 0);
	}
	gauge_set(&a->m, G_PROCESSES, a->s->alive);
	atomic_store(&a->m.c[M_PROCESSES_CHECKED], a->s->checked);
}

/* A finished window: to the spool, and to the backend. */
static void on_window(void *ctx, const struct window_out *w)
{
	struct agent *a = ctx;
	char err[512], pid[16];

	snprintf(pid, sizeof(pid), "%d", w->pid);
	if (a->have_spool && spool_write(&a->spool, w, err, sizeof(err)))
		logfmt(LOGFMT_ERROR, "spool write failed", "pid", pid, "error", err, NULL);
	if (a->push && pusher_submit(a->push, w))
		logfmt(LOGFMT_ERROR, "window not pushed: it could not be encoded", "pid", pid, NULL);
	if (a->cfg.verbose) {
		char bytes[24], samples[24];

		snprintf(bytes, sizeof(bytes), "%zu", w->pprof_len);
		snprintf(samples, sizeof(samples), "%llu", (unsigned long long)w->prof->samples);
		logfmt(LOGFMT_DEBUG, "window", "pid", pid, "type", w->profile_type, "samples", samples,
		       "bytes", bytes, NULL);
	}
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void flush_window(struct agent *a)
{
	uint64_t total[CNT_MAX], errors = 0;

	windows_flush(&a->ws, clock_ns(CLOCK_REALTIME), clock_ns(CLOCK_MONOTONIC), on_window, a,
		      &errors);
	metric_add(&a->m, M_ERR_ENCODE, errors);
	session_counters(a->s, total);
	atomic_store(&a->m.c[M_SAMPLES_LOST], total[CNT_LOST]);
	atomic_store(&a->m.c[M_PROCESSES_CHECKED], a->s->checked);
	gauge_set(&a->m, G_PROCESSES, a->s->alive);
	/* Every profile is written: no frame id is held any more. */
	if (session_reset_names(a->s, AGENT_NAME_BYTES) > 0)
		logfmt(LOGFMT_INFO, "names forgotten (code churn)", NULL);
}

/* The BPF maps' memory, each map once (the probes share some), as the
 * kernel charges it (fdinfo's memlock). */
static uint64_t map_bytes_of(struct bpf_object *obj, uint32_t *seen, int *nseen, int max)
{
	struct bpf_map *map;
	uint64_t bytes = 0;

	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		char path[64], line[128];
		int fd = bpf_map__fd(map), dup = 0;
		FILE *f;

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		for (int i = 0; i < *nseen; i++)
			dup |= seen[i] == info.id;
		if (dup || *nseen == max)
			continue;
		seen[(*nseen)++] = info.id;
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
		if (!(f = fopen(path, "re")))
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned long long v;

			if (sscanf(line, "memlock: %llu", &v) == 1)
				bytes += v;
		}
		fclose(f);
	}
	return bytes;
}

static uint64_t bpf_map_bytes(const struct session *s)
{
	uint32_t seen[256];
	int n = 0;
	uint64_t bytes = 0;

	for (int i = 0; i < s->nprobes; i++)
		bytes += map_bytes_of(s->probes[i]->obj, seen, &n, 256);
	if (s->follow)
		bytes += map_bytes_of(follow_object(s->follow), seen, &n, 256);
	return bytes;
}

/* SIGHUP: what can change without reloading BPF does; the rest is kept,
 * and said so. The window goes on. */
static void reconfigure(struct agent *a, int argc, char **argv)
{
	struct agent_config c;
	char err[1024];

	if (configure(argc, argv, &c, err, sizeof(err))) {
		metric_add(&a->m, M_ERR_CONFIG, 1);
		logfmt(LOGFMT_ERROR, "configuration not reloaded", "error", err, NULL);
		return;
	}
	if (c.hz != a->cfg.hz || c.idle != a->cfg.idle || c.alloc != a->cfg.alloc ||
	    strcmp(c.spool, a->cfg.spool) || strcmp(c.metrics, a->cfg.metrics) ||
	    (!a->push) != !c.push_url[0]) {
		logfmt(LOGFMT_WARN, "rate, idle, alloc, spool, metrics and whether to push need a restart: kept", NULL);
		c.hz = a->cfg.hz;
		c.idle = a->cfg.idle;
		c.alloc = a->cfg.alloc;
		memcpy(c.spool, a->cfg.spool, sizeof(c.spool));
		memcpy(c.metrics, a->cfg.metrics, sizeof(c.metrics));
		if (!a->push)
			c.push_url[0] = '\0';
		else if (!c.push_url[0])
			memcpy(c.push_url, a->cfg.push_url, sizeof(c.push_url));
	}
	a->cfg = c;
	if (a->have_spool)
		spool_set_limits(&a->spool, c.spool_max, c.retention_s);
	if (a->push)
		pusher_reconfigure(a->push, &a->cfg);
	windows_relabel(&a->ws);
	logfmt(LOGFMT_INFO, "configuration reloaded", NULL);
}

static void on_hup(int sig)
{
	(void)sig;
	reload = 1;
}

static void print_config(const struct agent_config *c)
{
	printf("rate %d Hz, window %.0f s, spool %s (max %llu bytes, %.0f s), push %s (%s), idle %d, alloc %d, metrics %s\n",
	       c->hz, c->window_s, c->spool[0] ? c->spool : "none", c->spool_max, c->retention_s,
	       c->push_url[0] ? c->push_url : "none", c->push_format == PUSH_OTLP ? "otlp" : "pyroscope",
	       c->idle, c->alloc, c->metrics[0] ? c->metrics : "none");
	for (int i = 0; i < c->nlabels; i++)
		printf("label %s=%s\n", c->labels[i].key, c->labels[i].value);
	for (int i = 0; i < c->nrules; i++)
		printf("service %s: %s %s\n", c->rules[i].service,
		       (const char *[]){ "comm", "exe", "cmdline", "cgroup" }[c->rules[i].what],
		       c->rules[i].pattern);
}

/* The samples' ring buffer: a second of samples of 1 KiB (50 frames)
 * from every CPU, so five drains can be missed; within 1 to 16 MiB. Its
 * pages are mapped into the agent, and count in its RSS once touched. */
static uint32_t ring_bytes(int hz)
{
	uint64_t want = (uint64_t)hz * libbpf_num_possible_cpus() * 1024;
	uint32_t bytes = 1u << 20;

	while (bytes < want && bytes < (16u << 20))
		bytes <<= 1;
	return bytes;
}

static int agent_open(struct agent *a, struct session_opts *so, struct alloc_probe_opts *ao,
		      char *err, size_t errlen)
{
	int rc;

	a->m.start = session_now();
	windows_init(&a->ws, &a->cfg, &a->s->frames);
	if (a->cfg.spool[0]) {
		if ((rc = spool_open(&a->spool, a->cfg.spool, a->cfg.spool_max, a->cfg.retention_s,
				     &a->m, err, errlen)))
			return rc;
		a->have_spool = 1;
	}
	if (a->cfg.metrics[0] && !(a->metrics = metrics_serve(a->cfg.metrics, &a->m, err, errlen)))
		return -EINVAL;
	*so = (struct session_opts){
		.discover = 1,
		.verbose = a->cfg.verbose > 1 ? a->cfg.verbose : 0,
		.max_depth = PYBPFTOP_MAX_DEPTH,
		.hz = a->cfg.hz,
		.idle = a->cfg.idle,
		.drain_ms = AGENT_DRAIN_MS,
		.ring_bytes = ring_bytes(a->cfg.hz),
		.sink = { .stack = on_stack, .target = on_target, .drained = on_drained,
			  .refused = on_refused, .ctx = a },
	};
	if (a->cfg.alloc) {
		*ao = (struct alloc_probe_opts){ .sample_bytes = 128 << 10, .max_depth = PYBPFTOP_MAX_DEPTH };
		so->alloc = ao;
		so->sink.alloc = on_alloc;
	}
	if ((rc = session_open(a->s, so, err, errlen)))
		return rc;
	/* The windows' clock starts with the session. */
	a->ws.start_ns = clock_ns(CLOCK_REALTIME);
	a->ws.start_mono_ns = clock_ns(CLOCK_MONOTONIC);
	a->m.bpf_map_bytes = bpf_map_bytes(a->s);
	/* Pushes start after the probes: a failure before costs nothing. */
	if (a->cfg.push_url[0] && !(a->push = pusher_open(&a->cfg, &a->m, a->have_spool ? &a->spool : NULL,
							   err, errlen)))
		return -EINVAL;
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	struct agent *a = calloc(1, sizeof(*a));
	struct sigaction hup = { .sa_handler = on_hup };
	struct session_opts so;
	struct alloc_probe_opts ao;
	char err[1024], rate[16], procs[16], bytes[24];
	double next, stop_at = 0;
	int rc = 1;

	if (!a || !(a->s = calloc(1, sizeof(*a->s)))) {
		fprintf(stderr, "pybpftop: out of memory\n");
		free(a);
		return 1;
	}
	if (configure(argc, argv, &a->cfg, err, sizeof(err))) {
		if (err[0])
			fprintf(stderr, "pybpftop: %s\n", err);
		goto out_free;
	}
	if (env.check) {
		print_config(&a->cfg);
		rc = 0;
		goto out_free;
	}
	logfmt_level(a->cfg.verbose ? LOGFMT_DEBUG : LOGFMT_INFO);
	err[0] = '\0';
	if (agent_open(a, &so, &ao, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		goto out;
	}
	sigaction(SIGHUP, &hup, NULL);	/* over the session's: a reload, not an end */
	snprintf(rate, sizeof(rate), "%d", a->cfg.hz);
	snprintf(procs, sizeof(procs), "%d", a->s->alive);
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)a->m.bpf_map_bytes);
	logfmt(LOGFMT_INFO, "started", "rate_hz", rate, "processes", procs,
	       "spool", a->cfg.spool[0] ? a->cfg.spool : "none",
	       "push", a->cfg.push_url[0] ? a->cfg.push_url : "none", "bpf_map_bytes", bytes, NULL);

	next = session_now() + a->cfg.window_s;
	while (!session_over(a->s)) {
		double now = session_now();

		if (env.duration && now - a->s->start >= env.duration)
			break;
		session_tick(a->s, (int)((next - now) * 1000) > 0 && next - now < 0.2 ?
				   (int)((next - now) * 1000) + 1 : 200);
		if (reload) {
			reload = 0;
			reconfigure(a, argc, argv);
		}
		if (session_now() >= next) {
			flush_window(a);
			next += a->cfg.window_s;
			if (next < session_now())	/* a stall: start afresh */
				next = session_now() + a->cfg.window_s;
		}
	}
	/* SIGTERM (or -d): the last samples, the last window, and out. */
	stop_at = session_now() + AGENT_STOP_S - 1.0;	/* BPF out, files closed: 1 s is room */
	session_finish(a->s);
	flush_window(a);
	rc = 0;
out:
	if (a->push)
		pusher_close(a->push, stop_at ? stop_at : session_now() + 1);
	if (a->cfg.verbose)
		session_print_counters(a->s, stderr);
	windows_free(&a->ws);
	session_close(a->s);
	metrics_server_close(a->metrics);
	if (a->have_spool)
		spool_close(&a->spool);
	if (!rc)
		logfmt(LOGFMT_INFO, "stopped", NULL);
out_free:
	free(a->s);
	free(a);
	return rc;
}
