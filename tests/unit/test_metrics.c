/* /metrics: every counter and gauge on the page once, with its HELP and
 * TYPE; the process_* figures of this process; the server on loopback
 * only, its answers, and its limits against idle and oversized clients.
 *
 *   test_metrics           the checks
 *   test_metrics --print   the page of a set of counters, for promtool */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "agent/metrics.h"

static double now_s(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Distinct values, so that each sample on the page says which it is. */
static void fill(struct agent_metrics *m)
{
	memset(m, 0, sizeof(*m));
	for (int k = 0; k < M_COUNTERS; k++)
		metric_add(m, k, 1000003ull * (k + 1));
	for (int k = 0; k < G_GAUGES; k++)
		gauge_set(m, k, 7000 + k);
	gauge_add(m, G_PROCESSES, 5);	/* 7005 */
	m->bpf_map_bytes = 123456789;
}

/* The value of the sample named exactly `name` (with its labels), or -1. */
static double sample(const char *page, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = page; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

static int count(const char *page, const char *s)
{
	int n = 0;

	for (const char *p = page; (p = strstr(p, s)); p++)
		n++;
	return n;
}

/* The format's rules, as a scraper reads them: every sample's family has
 * one HELP and one TYPE, before its samples, and its samples together. */
static void check_format(const char *page)
{
	char family[128] = "", seen[64][128];
	int nseen = 0, samples = 0;

	CHECK(page && *page && page[strlen(page) - 1] == '\n');
	for (const char *p = page; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[1024], name[128];

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		if (!strncmp(line, "# HELP ", 7)) {
			CHECK(sscanf(line + 7, "%127s", family) == 1);
			for (int i = 0; i < nseen; i++)
				CHECK(strcmp(seen[i], family), "%s twice", family);
			if (nseen < 64)
				snprintf(seen[nseen++], sizeof(seen[0]), "%s", family);
			CHECK(strlen(line) > 8 + strlen(family), "%s has no help text", family);
		} else if (!strncmp(line, "# TYPE ", 7)) {
			char type[32];

			CHECK(sscanf(line + 7, "%127s %31s", name, type) == 2 && !strcmp(name, family) &&
			      (!strcmp(type, "counter") || !strcmp(type, "gauge")), "%s", line);
			CHECK(strcmp(type, "counter") || strstr(name, "_total"), "counter %s", name);
		} else {
			double v;
			char *end;

			CHECK(sscanf(line, "%127[^{ ]", name) == 1 && !strcmp(name, family),
			      "sample %s outside its family %s", line, family);
			v = strtod(strchr(line, ' ') ? strchr(line, ' ') + 1 : "", &end);
			CHECK(*end == '\0' && v >= 0, "%s", line);
			samples++;
		}
		p = nl ? nl + 1 : NULL;
	}
	CHECK(samples >= M_COUNTERS + G_GAUGES + 1, "%d samples", samples);
}

/* An HTTP exchange with the server: the whole answer, until it closes. */
static char *http(int family, int port, const char *request, size_t reqlen)
{
	struct sockaddr_storage sa = { 0 };
	socklen_t salen;
	struct timeval tv = { 5, 0 };
	size_t len = 0, cap = 1 << 20;
	char *out = malloc(cap);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t r;

	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons((uint16_t)port);
		salen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4->sin_port = htons((uint16_t)port);
		salen = sizeof(*s4);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, salen) || write(fd, request, reqlen) != (ssize_t)reqlen) {
		close(fd);
		free(out);
		return NULL;
	}
	while (len + 1 < cap && (r = read(fd, out + len, cap - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(fd);
	return out;
}

static char *get(int port, const char *request)
{
	return http(AF_INET, port, request, strlen(request));
}

static int status_of(const char *resp)
{
	int status = -1;

	if (!resp || sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	return status;
}

/* A client that connects and says nothing (without waiting, with
 * nonblock: past the listen backlog the kernel makes connect() retry). */
static int connect_idle(int port, int nonblock)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && !(nonblock && errno == EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void refused(const char *addr, const char *want)
{
	struct agent_metrics m = { 0 };
	char err[512] = "";
	struct metrics_server *s = metrics_serve(addr, &m, err, sizeof(err));

	CHECK(!s && strstr(err, want), "--metrics %s: %s (wanted \"%s\")", addr, s ? "served" : err, want);
	metrics_server_close(s);
}

static int threads(void)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

static void burn_cpu(double seconds)
{
	double t0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
	volatile uint64_t x = 1;

	while (now_s(CLOCK_PROCESS_CPUTIME_ID) - t0 < seconds)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ull + 1;
}

int main(int argc, char **argv)
{
	struct agent_metrics m;
	struct metrics_server *s;
	char err[512], name[160], *page, *resp;
	double cpu0, v;
	int port;

	fill(&m);
	if (argc > 1 && !strcmp(argv[1], "--print")) {
		page = metrics_render(&m);
		fputs(page ? page : "", stdout);
		free(page);
		return page ? 0 : 1;
	}

	/* --- the page --- */
	page = metrics_render(&m);
	check_format(page);
	CHECK(sample(page, "pybpftop_agent_samples_total") == 1000003.0 * (M_SAMPLES + 1));
	CHECK(sample(page, "pybpftop_agent_samples_lost_total") == 1000003.0 * (M_SAMPLES_LOST + 1));
	CHECK(sample(page, "pybpftop_agent_windows_dropped_total{reason=\"queue_full\"}") ==
	      1000003.0 * (M_DROPPED_QUEUE_FULL + 1));
	CHECK(sample(page, "pybpftop_agent_windows_dropped_total{reason=\"spool_failed\"}") ==
	      1000003.0 * (M_DROPPED_SPOOL_FAILED + 1));
	CHECK(sample(page, "pybpftop_agent_errors_total{kind=\"attach\"}") == 1000003.0 * (M_ERR_ATTACH + 1));
	CHECK(sample(page, "pybpftop_agent_errors_total{kind=\"config\"}") == 1000003.0 * (M_ERR_CONFIG + 1));
	CHECK(sample(page, "pybpftop_agent_processes") == 7005);
	CHECK(sample(page, "pybpftop_agent_queue_bytes") == 7000 + G_QUEUE_BYTES);
	CHECK(sample(page, "pybpftop_agent_bpf_map_bytes") == 123456789);
	/* Each counter and gauge once: none left out, none twice. */
	for (int k = 0; k < M_COUNTERS; k++) {
		snprintf(name, sizeof(name), " %llu\n", 1000003ull * (k + 1));
		CHECK(count(page, name) == 1, "counter %d's value %s appears %d times", k, name + 1,
		      count(page, name));
	}
	for (int k = 0; k < G_GAUGES; k++) {
		snprintf(name, sizeof(name), " %d\n", 7000 + k + (k == G_PROCESSES ? 5 : 0));
		CHECK(count(page, name) == 1, "gauge %d appears %d times", k, count(page, name));
	}
	/* This process's own figures, as client libraries name them. */
	v = sample(page, "process_resident_memory_bytes");
	CHECK(v > 100e3 && v < 1e9, "rss %.0f", v);
	CHECK(sample(page, "process_virtual_memory_bytes") >= v);
	v = sample(page, "process_start_time_seconds");
	CHECK(v > now_s(CLOCK_REALTIME) - 120 && v <= now_s(CLOCK_REALTIME) + 1, "start %.2f, now %.2f", v,
	      now_s(CLOCK_REALTIME));
	CHECK(sample(page, "process_open_fds") >= 3);
	CHECK(sample(page, "process_max_fds") >= 64);
	cpu0 = sample(page, "process_cpu_seconds_total");
	CHECK(cpu0 >= 0);
	free(page);
	burn_cpu(0.3);
	page = metrics_render(&m);
	v = sample(page, "process_cpu_seconds_total");
	CHECK(v - cpu0 >= 0.25 && v - cpu0 < 1, "0.3 s of CPU burnt: %.3f -> %.3f", cpu0, v);
	free(page);

	/* --- the addresses --- */
	refused("0.0.0.0:9464", "not a loopback address");
	refused("0.0.0.0:9464", "127.0.0.1:9464");		/* the fix */
	refused("10.1.2.3:9464", "not a loopback address");
	refused("[::]:9464", "not a loopback address");
	refused("[2001:db8::1]:9464", "not a loopback address");
	refused("[::ffff:127.0.0.1]:9464", "not a loopback address");
	refused("localhost:9464", "use 127.0.0.1:9464");
	refused("127.0.0.1", "expected ADDR:PORT");
	refused("127.0.0.1:", "not a number");
	refused("127.0.0.1:70000", "not a number");
	refused("127.0.0.1:-1", "not a number");
	refused("127.0.0.1:9464x", "not a number");
	refused("::1:9464", "expected ADDR:PORT");
	refused("[::1", "expected ADDR:PORT");
	refused("[::1]9464", "expected ADDR:PORT");
	refused("", "expected ADDR:PORT");
	refused(":9464", "expected ADDR:PORT");

	/* --- serving --- */
	fill(&m);
	s = metrics_serve("127.0.0.1:0", &m, err, sizeof(err));
	CHECK(s, "%s", err);
	if (!s)
		CHECK_DONE("metrics");
	port = metrics_server_port(s);
	CHECK(port > 0 && port < 65536, "port %d", port);
	{
		char addr[64];

		snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
		refused(addr, "Address already in use");
		refused(addr, "choose another");
	}

	/* The server's thread blocks the signals the agent waits for. */
	{
		int others = 0, blocked = 0;
		DIR *d = opendir("/proc/self/task");
		struct dirent *e;

		while (d && (e = readdir(d))) {
			char path[300], line[256];
			unsigned long long mask = 0;
			FILE *f;

			if (e->d_name[0] == '.' || atoi(e->d_name) == getpid())
				continue;
			others++;
			snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f))
				if (sscanf(line, "SigBlk: %llx", &mask) == 1)
					break;
			if (f)
				fclose(f);
			blocked += (mask & (1ull << (SIGTERM - 1))) && (mask & (1ull << (SIGHUP - 1))) &&
				   (mask & (1ull << (SIGINT - 1)));
		}
		if (d)
			closedir(d);
		CHECK(others >= 1 && blocked == others, "%d other threads, %d blocking SIGTERM, SIGHUP, SIGINT",
		      others, blocked);
	}

	resp = get(port, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(resp) == 200, "%.200s", resp ? resp : "no answer");
	CHECK(resp && strstr(resp, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
	      "%.300s", resp ? resp : "");
	page = resp ? strstr(resp, "\r\n\r\n") : NULL;
	if (page) {
		check_format(page + 4);
		CHECK(sample(page + 4, "pybpftop_agent_samples_total") == 1000003.0 * (M_SAMPLES + 1));
	}
	free(resp);
	/* Live: the page is rendered at each scrape. */
	metric_add(&m, M_SAMPLES, 42);
	gauge_set(&m, G_QUEUE_BYTES, 0);
	resp = get(port, "GET /metrics HTTP/1.0\r\n\r\n");
	page = resp ? strstr(resp, "\r\n\r\n") : NULL;
	CHECK(page && sample(page, "pybpftop_agent_samples_total") == 1000003.0 * (M_SAMPLES + 1) + 42 &&
	      sample(page, "pybpftop_agent_queue_bytes") == 0, "%.300s", page ? page : "no page");
	free(resp);

	resp = get(port, "GET /metrics?x=1 HTTP/1.0\r\n\r\n");
	CHECK(status_of(resp) == 200, "%.100s", resp ? resp : "");
	free(resp);
	resp = get(port, "HEAD /metrics HTTP/1.0\r\n\r\n");
	CHECK(status_of(resp) == 200 && !strstr(resp, "pybpftop_agent"), "%.300s", resp ? resp : "");
	free(resp);
	resp = get(port, "GET / HTTP/1.0\r\n\r\n");
	CHECK(status_of(resp) == 404, "%.100s", resp ? resp : "");
	free(resp);
	resp = get(port, "GET /metrics/../etc/passwd HTTP/1.0\r\n\r\n");
	CHECK(status_of(resp) == 404, "%.100s", resp ? resp : "");
	free(resp);
	resp = get(port, "POST /metrics HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello");
	CHECK(status_of(resp) == 405 && strstr(resp, "\r\nAllow: GET, HEAD\r\n"), "%.200s", resp ? resp : "");
	free(resp);
	resp = get(port, "DELETE /metrics HTTP/1.0\r\n\r\n");
	CHECK(status_of(resp) == 405, "%.100s", resp ? resp : "");
	free(resp);
	/* A request larger than a connection's memory: refused, not kept. */
	{
		size_t n = 64 * 1024;
		char *big = malloc(n + 64);

		memcpy(big, "GET /metrics HTTP/1.0\r\nX-Big: ", 30);
		memset(big + 30, 'a', n);
		memcpy(big + 30 + n, "\r\n\r\n", 4);
		resp = http(AF_INET, port, big, n + 34);
		CHECK(!resp || status_of(resp) == -1 || status_of(resp) >= 400, "%.100s", resp);
		free(resp);
		free(big);
	}

	/* Idle clients cost the agent no thread and no memory past the
	 * connection limit (one polling thread serves them all); once they
	 * go, the page is served at once; half a request is dropped after
	 * the timeout (3 s). */
	{
		int idle[32], nidle = 0, threads0 = threads(), threads1;
		double t;

		for (int i = 0; i < 32; i++)
			if ((idle[i] = connect_idle(port, 1)) >= 0)
				nidle++;
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		threads1 = threads();
		CHECK(nidle > 8 && threads1 == threads0, "%d idle clients: %d threads, %d before", nidle,
		      threads1, threads0);
		for (int i = 0; i < 32; i++)
			if (idle[i] >= 0)
				close(idle[i]);
		t = now_s(CLOCK_MONOTONIC);
		resp = get(port, "GET /metrics HTTP/1.0\r\n\r\n");
		t = now_s(CLOCK_MONOTONIC) - t;
		CHECK(status_of(resp) == 200 && t < 2, "after the idle clients: %.100s in %.2f s",
		      resp ? resp : "no answer", t);
		free(resp);
		{
			int fd = connect_idle(port, 0);
			char c;
			struct timeval tv = { 10, 0 };

			t = now_s(CLOCK_MONOTONIC);
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			CHECK(fd >= 0 && write(fd, "GET /met", 8) == 8);
			CHECK(read(fd, &c, 1) <= 0);
			t = now_s(CLOCK_MONOTONIC) - t;
			CHECK(t >= 2 && t < 6, "half a request was dropped after %.1f s", t);
			close(fd);
		}
	}

	metrics_server_close(s);
	resp = get(port, "GET /metrics HTTP/1.0\r\n\r\n");
	CHECK(!resp, "still answering after close: %.100s", resp);
	free(resp);
	metrics_server_close(NULL);

	/* The rest of 127.0.0.0/8, and IPv6's loopback. */
	s = metrics_serve("127.0.0.2:0", &m, err, sizeof(err));
	CHECK(s, "127.0.0.2: %s", err);
	metrics_server_close(s);
	s = metrics_serve("[::1]:0", &m, err, sizeof(err));
	if (!s) {
		SKIP("[::1]: %s", err);
	} else {
		resp = http(AF_INET6, metrics_server_port(s), "GET /metrics HTTP/1.0\r\n\r\n", 25);
		CHECK(status_of(resp) == 200, "[::1]: %.100s", resp ? resp : "no answer");
		free(resp);
		metrics_server_close(s);
	}
	CHECK_DONE("metrics");
}
