/* The agent's /metrics (metrics.h): Prometheus' text exposition format
 * 0.0.4, rendered from the atomics at each scrape, and served by
 * libmicrohttpd on loopback only, with a few connections and short
 * timeouts: the page has no authentication, and a scraper (or anyone on
 * the host) must not be able to hold the agent's memory or threads. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "agent/logfmt.h"
#include "agent/metrics.h"
#include "proc/procfs.h"

/* One sample of a counter: its family, and the label that tells it from
 * the family's other samples. Indexed by the enum, so that a counter
 * added there without a row here is a test failure, not a silent gap. */
static const struct counter_row {
	const char *family, *label;
} counter_rows[M_COUNTERS] = {
	[M_SAMPLES] = { "pybpftop_agent_samples_total", NULL },
	[M_SAMPLES_LOST] = { "pybpftop_agent_samples_lost_total", NULL },
	[M_PROCESSES_SEEN] = { "pybpftop_agent_processes_seen_total", NULL },
	[M_PROCESSES_CHECKED] = { "pybpftop_agent_processes_checked_total", NULL },
	[M_WINDOWS_WRITTEN] = { "pybpftop_agent_windows_written_total", NULL },
	[M_WINDOWS_PUSHED] = { "pybpftop_agent_windows_pushed_total", NULL },
	[M_PUSH_RETRIES] = { "pybpftop_agent_push_retries_total", NULL },
	[M_DROPPED_QUEUE_FULL] = { "pybpftop_agent_windows_dropped_total", "reason=\"queue_full\"" },
	[M_DROPPED_REJECTED] = { "pybpftop_agent_windows_dropped_total", "reason=\"rejected\"" },
	[M_DROPPED_TOO_OLD] = { "pybpftop_agent_windows_dropped_total", "reason=\"too_old\"" },
	[M_DROPPED_SHUTDOWN] = { "pybpftop_agent_windows_dropped_total", "reason=\"shutdown\"" },
	[M_DROPPED_SPOOL_FAILED] = { "pybpftop_agent_windows_dropped_total", "reason=\"spool_failed\"" },
	[M_SPOOL_FALLBACK] = { "pybpftop_agent_windows_spool_fallback_total", NULL },
	[M_SPOOL_ROTATED] = { "pybpftop_agent_spool_files_removed_total", NULL },
	[M_ERR_ATTACH] = { "pybpftop_agent_errors_total", "kind=\"attach\"" },
	[M_ERR_SPOOL] = { "pybpftop_agent_errors_total", "kind=\"spool\"" },
	[M_ERR_PUSH] = { "pybpftop_agent_errors_total", "kind=\"push\"" },
	[M_ERR_ENCODE] = { "pybpftop_agent_errors_total", "kind=\"encode\"" },
	[M_ERR_CONFIG] = { "pybpftop_agent_errors_total", "kind=\"config\"" },
};

static const char *const gauge_names[G_GAUGES] = {
	[G_PROCESSES] = "pybpftop_agent_processes",
	[G_QUEUE_BYTES] = "pybpftop_agent_queue_bytes",
	[G_QUEUE_WINDOWS] = "pybpftop_agent_queue_windows",
	[G_SPOOL_BYTES] = "pybpftop_agent_spool_bytes",
};

static const struct {
	const char *name, *help;
} helps[] = {
	{ "pybpftop_agent_samples_total", "Stacks sampled and taken into windows." },
	{ "pybpftop_agent_samples_lost_total", "Samples lost: the ring buffer had no room." },
	{ "pybpftop_agent_processes_seen_total", "Processes found to be CPython since the agent started." },
	{ "pybpftop_agent_processes_checked_total",
	  "Processes looked at (exec events, /proc scans, samples of unknown processes)." },
	{ "pybpftop_agent_windows_written_total", "Windows written to the spool." },
	{ "pybpftop_agent_windows_pushed_total", "Windows accepted by the push backend (2xx)." },
	{ "pybpftop_agent_push_retries_total", "Pushes retried after a 5xx, 408, 429 or a network error." },
	{ "pybpftop_agent_windows_dropped_total",
	  "Windows lost, by reason: queue_full (oldest first, when the push queue was over its bytes), "
	  "rejected (a 4xx other than 408 and 429), too_old (older than an hour), shutdown (still queued "
	  "when SIGTERM's 5 s ran out, no spool), spool_failed (the spool could not take it either)." },
	{ "pybpftop_agent_windows_spool_fallback_total",
	  "Windows whose push finally failed and that went to the spool." },
	{ "pybpftop_agent_spool_files_removed_total", "Spool files removed for --spool-max or --retention." },
	{ "pybpftop_agent_errors_total",
	  "Errors by kind: attach (a CPython process that could not be profiled), spool (a write), push "
	  "(a failed attempt, retried or not), encode (a window), config (a SIGHUP reload refused)." },
	{ "pybpftop_agent_processes", "CPython processes profiled now." },
	{ "pybpftop_agent_queue_bytes", "Bytes of windows waiting to be pushed." },
	{ "pybpftop_agent_queue_windows", "Windows waiting to be pushed." },
	{ "pybpftop_agent_spool_bytes", "Bytes of the files in the spool." },
};

static const char *help_of(const char *name)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (!strcmp(helps[i].name, name))
			return helps[i].help;
	return "";
}

static void header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* What the Prometheus client libraries export as process_*, read as
 * client_golang reads it: /proc/self/stat for CPU and the start, statm
 * for memory, btime from /proc/stat. */
struct self_stats {
	double cpu_seconds, start_time;
	uint64_t rss_bytes, vm_bytes;
	long open_fds, max_fds;
	int have_stat, have_statm, have_start;
};

static double boot_time(void)
{
	char *line = NULL;
	size_t cap = 0;
	double btime = -1;
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return -1;
	/* Line by line: the "intr" line before it is long on big hosts. */
	while (getline(&line, &cap, f) > 0)
		if (!strncmp(line, "btime ", 6)) {
			btime = strtod(line + 6, NULL);
			break;
		}
	free(line);
	fclose(f);
	return btime;
}

static void read_self(struct self_stats *st)
{
	char buf[1024], *p;
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	unsigned long long utime, stime, start;
	unsigned long long size, resident;
	struct rlimit rl;
	DIR *d;

	memset(st, 0, sizeof(*st));
	/* Fields 14, 15 (utime, stime) and 22 (starttime), counted after the
	 * command name's ')', which may hold anything. */
	if (proc_file_read(0, "stat", buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')')) &&
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu",
		   &utime, &stime, &start) == 3 && tick > 0) {
		double btime = boot_time();

		st->cpu_seconds = (double)(utime + stime) / (double)tick;
		st->have_stat = 1;
		if (btime > 0) {
			st->start_time = btime + (double)start / (double)tick;
			st->have_start = 1;
		}
	}
	if (proc_file_read(0, "statm", buf, sizeof(buf)) > 0 &&
	    sscanf(buf, "%llu %llu", &size, &resident) == 2 && page > 0) {
		st->vm_bytes = size * (uint64_t)page;
		st->rss_bytes = resident * (uint64_t)page;
		st->have_statm = 1;
	}
	st->open_fds = -1;
	if ((d = opendir("/proc/self/fd"))) {
		struct dirent *e;

		st->open_fds = 0;
		while ((e = readdir(d)))
			st->open_fds += e->d_name[0] != '.';
		st->open_fds--;		/* the directory's own */
		closedir(d);
	}
	st->max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? (long)rl.rlim_cur : -1;
}

char *metrics_render(const struct agent_metrics *m)
{
	char *page = NULL;
	size_t len = 0;
	struct self_stats st;
	FILE *f = open_memstream(&page, &len);

	if (!f)
		return NULL;
	for (int i = 0; i < M_COUNTERS; i++) {
		const char *family = counter_rows[i].family;
		int seen = !family;	/* a counter with no row: test_metrics says so */

		for (int j = 0; j < i && !seen; j++)
			seen = counter_rows[j].family && !strcmp(counter_rows[j].family, family);
		if (seen)
			continue;	/* printed with its family's first row */
		header(f, family, "counter", help_of(family));
		for (int j = i; j < M_COUNTERS; j++) {
			uint64_t v = atomic_load_explicit(&m->c[j], memory_order_relaxed);

			if (!counter_rows[j].family || strcmp(counter_rows[j].family, family))
				continue;
			if (counter_rows[j].label)
				fprintf(f, "%s{%s} %" PRIu64 "\n", family, counter_rows[j].label, v);
			else
				fprintf(f, "%s %" PRIu64 "\n", family, v);
		}
	}
	for (int i = 0; i < G_GAUGES; i++) {
		header(f, gauge_names[i], "gauge", help_of(gauge_names[i]));
		fprintf(f, "%s %" PRId64 "\n", gauge_names[i],
			atomic_load_explicit(&m->g[i], memory_order_relaxed));
	}
	header(f, "pybpftop_agent_bpf_map_bytes", "gauge",
	       "Bytes of memory the agent's BPF maps hold (as the kernel sizes them, at start).");
	fprintf(f, "pybpftop_agent_bpf_map_bytes %" PRIu64 "\n", m->bpf_map_bytes);

	/* The names and help texts of the client libraries, so that the
	 * dashboards made for them work as they are. */
	read_self(&st);
	if (st.have_stat) {
		header(f, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
		fprintf(f, "process_cpu_seconds_total %.3f\n", st.cpu_seconds);
	}
	if (st.open_fds >= 0) {
		header(f, "process_open_fds", "gauge", "Number of open file descriptors.");
		fprintf(f, "process_open_fds %ld\n", st.open_fds);
	}
	if (st.max_fds >= 0) {
		header(f, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
		fprintf(f, "process_max_fds %ld\n", st.max_fds);
	}
	if (st.have_statm) {
		header(f, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
		fprintf(f, "process_virtual_memory_bytes %" PRIu64 "\n", st.vm_bytes);
		header(f, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
		fprintf(f, "process_resident_memory_bytes %" PRIu64 "\n", st.rss_bytes);
	}
	if (st.have_start) {
		header(f, "process_start_time_seconds", "gauge",
		       "Start time of the process since unix epoch in seconds.");
		fprintf(f, "process_start_time_seconds %.2f\n", st.start_time);
	}
	if (fclose(f)) {
		free(page);
		return NULL;
	}
	return page;
}

/* --- the server --- */

struct metrics_server {
	struct MHD_Daemon *daemon;
	const struct agent_metrics *m;
	int port;
};

/* Small on purpose: a scrape is one short request on loopback. */
#define SERVER_CONNECTIONS 8
#define SERVER_TIMEOUT_S 3
#define SERVER_CONNECTION_MEMORY 16384	/* request line and headers, per connection */

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct metrics_server *s = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *page;

	(void)version, (void)upload, (void)upload_size, (void)con_cls;
	/* Answered at the first call, before any body: a POST's body is
	 * never read into memory. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics here\n");
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "not found: the page is /metrics\n");
	page = metrics_render(s->m);
	if (!page)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	r = MHD_create_response_from_buffer(strlen(page), page, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(page);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* libmicrohttpd's own messages (a connection over the limit, a request
 * too large): a flood of them must not flood the log, so -v only. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	(void)cls;
	if (!logfmt_enabled(LOGFMT_DEBUG))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	logfmt(LOGFMT_DEBUG, "metrics server", "detail", msg, NULL);
}

/* "127.0.0.1:9464" or "[::1]:9464" into sa: 0, or -1 with a message. */
static int parse_addr(const char *addr, struct sockaddr_storage *sa, socklen_t *salen, char *err,
		      size_t errlen)
{
	char host[64];
	const char *colon;
	size_t hostlen;
	char *end;
	long port;
	int v6 = addr[0] == '[';

	if (v6) {
		const char *close = strchr(addr, ']');

		colon = close && close[1] == ':' ? close + 1 : NULL;
		hostlen = close ? (size_t)(close - addr - 1) : 0;
		addr++;
	} else {
		colon = strrchr(addr, ':');
		hostlen = colon ? (size_t)(colon - addr) : 0;
		if (colon && memchr(addr, ':', hostlen))
			colon = NULL;	/* "::1:9464": an IPv6 address needs its brackets */
	}
	if (!colon || !hostlen || hostlen >= sizeof(host)) {
		snprintf(err, errlen, "--metrics %s%s: expected ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464",
			 v6 ? "[" : "", addr);
		return -1;
	}
	memcpy(host, addr, hostlen);
	host[hostlen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535) {
		snprintf(err, errlen, "--metrics: port '%s' is not a number from 0 to 65535", colon + 1);
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1) {
			snprintf(err, errlen, "--metrics: '%s' is not an IPv6 address: use [::1]:%ld", host, port);
			return -1;
		}
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*salen = sizeof(*s6);
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 0;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1) {
			snprintf(err, errlen, "--metrics: '%s' is not an IPv4 address (names are not resolved): "
				 "use 127.0.0.1:%ld", host, port);
			return -1;
		}
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*salen = sizeof(*s4);
		if ((ntohl(s4->sin_addr.s_addr) >> 24) == 127)
			return 0;
	}
	snprintf(err, errlen, "--metrics %s: not a loopback address. /metrics has no authentication, so "
		 "it is served on 127.0.0.0/8 or [::1] only: use 127.0.0.1:%ld, and reach it from "
		 "elsewhere through a proxy or an SSH tunnel", v6 ? addr - 1 : addr, port);
	return -1;
}

struct metrics_server *metrics_serve(const char *addr, const struct agent_metrics *m, char *err,
				     size_t errlen)
{
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	struct metrics_server *s;
	sigset_t all, old;
	int fd, one = 1;

	if (parse_addr(addr, &sa, &salen, err, errlen))
		return NULL;
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "--metrics %s: socket: %s", addr, strerror(errno));
		return NULL;
	}
	/* Our own socket, bound before libmicrohttpd sees it: the address
	 * checked above is the one bound, and port 0 tells its port. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, salen) || listen(fd, SERVER_CONNECTIONS)) {
		int e = errno;

		snprintf(err, errlen, "--metrics %s: %s%s", addr, strerror(e),
			 e == EADDRINUSE ? ": another agent, or another exporter, has that port: choose "
					   "another with --metrics 127.0.0.1:PORT"
			 : e == EADDRNOTAVAIL ? ": this host has no such loopback address" : "");
		close(fd);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		snprintf(err, errlen, "--metrics: out of memory");
		return NULL;
	}
	s->m = m;
	getsockname(fd, (struct sockaddr *)&sa, &salen);
	s->port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
						 : ((struct sockaddr_in *)&sa)->sin_port);
	/* MHD_USE_AUTO: epoll, not select (the agent's descriptors, BPF
	 * maps and perf events, go past FD_SETSIZE). Its thread starts with
	 * every signal blocked, so that SIGTERM and SIGHUP reach the thread
	 * that waits for them, not this one (0.9.75 blocks them itself once
	 * running; older versions did not). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	s->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
				     (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				     0, NULL, NULL, on_request, s,
				     /* first, or the options before it log to stderr */
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_TIMEOUT_S,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONNECTION_MEMORY,
				     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!s->daemon) {
		snprintf(err, errlen, "--metrics %s: libmicrohttpd did not start", addr);
		close(fd);
		free(s);
		return NULL;
	}
	return s;
}

int metrics_server_port(const struct metrics_server *s)
{
	return s ? s->port : 0;
}

void metrics_server_close(struct metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->daemon);	/* closes the listening socket too */
	free(s);
}
