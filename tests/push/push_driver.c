/* The push tests' driver, until the agent is there: N synthetic windows
 * of one made-up process, each a real profile encoded by the pprof writer
 * with the agent's labels, submitted to a pusher (--url) and/or written to
 * a spool (--spool without --url), then pusher_close(now + --deadline);
 * prints every counter as "name value".
 *
 * Each window: thread MainThread (tid 4242) main > work > hot_loop 30
 * samples and main > work 10; thread worker-1 (tid 4243) main > idle_wait
 * 5; at 100 Hz. Labels: service_name=checkout host=testhost pid=4242
 * python_version=3.11.2 seq=I, and --label KEY=VALUE. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agent/push.h"
#include "agent/spool.h"
#include "out/writers.h"
#include "profile/session.h"

#define PID 4242

static const char *const counter_names[M_COUNTERS] = {
	"samples", "samples_lost", "processes_seen", "processes_checked", "windows_written",
	"windows_pushed", "push_retries", "dropped_queue_full", "dropped_rejected",
	"dropped_too_old", "dropped_shutdown", "dropped_spool_failed", "spool_fallback",
	"spool_rotated", "err_attach", "err_spool", "err_push", "err_encode", "err_config",
};
static const char *const gauge_names[G_GAUGES] = {
	"processes", "queue_bytes", "queue_windows", "spool_bytes",
};

static void usage(void)
{
	fprintf(stderr, "usage: push_driver [--url URL] [--format pyroscope|otlp] [--windows N]\n"
		"  [--spool DIR] [--spool-max BYTES] [--retention S] [--queue-max BYTES]\n"
		"  [--deadline S] [--age S] [--user U --password P] [--bearer T] [--org ID]\n"
		"  [--backoff S] [--attempts N] [--timeout S] [--interval S] [--label K=V]...\n"
		"  [--dump FILE] [--pad BYTES] [--also-spool]\n");
	exit(2);
}

struct built {
	struct frame_table ft;
	struct profile prof;
	struct profile_meta meta;
	char *comments[WINDOW_MAX_LABELS];
	struct agent_label labels[WINDOW_MAX_LABELS];
	int nlabels;
	char *pprof;
	size_t pprof_len;
};

static void add_label(struct built *b, const char *k, const char *v)
{
	if (b->nlabels >= WINDOW_MAX_LABELS)
		return;
	snprintf(b->labels[b->nlabels].key, sizeof(b->labels[0].key), "%.63s", k);
	snprintf(b->labels[b->nlabels].value, sizeof(b->labels[0].value), "%.255s", v);
	b->nlabels++;
}

/* One window's profile and its pprof, padded with `pad` bytes of comment
 * (to make windows of a known size for the queue and spool limits). */
static void build(struct built *b, int seq, const struct agent_label *extra, int nextra,
		  uint64_t start_ns, size_t pad)
{
	uint32_t f_main, f_work, f_hot, f_idle;
	char seqs[16];
	FILE *mem;

	memset(b, 0, sizeof(*b));
	if (frame_table_init(&b->ft))
		exit(1);
	f_main = frame_table_frame(&b->ft, frame_table_func(&b->ft, "main", "/srv/app.py", 1), 5);
	f_work = frame_table_frame(&b->ft, frame_table_func(&b->ft, "work", "/srv/app.py", 10), 12);
	f_hot = frame_table_frame(&b->ft, frame_table_func(&b->ft, "hot_loop", "/srv/app.py", 20), 22);
	f_idle = frame_table_frame(&b->ft, frame_table_func(&b->ft, "idle_wait", "/srv/app.py", 30), 31);
	profile_init(&b->prof, &b->ft);
	uint32_t s1[] = { f_hot, f_work, f_main }, s2[] = { f_work, f_main }, s3[] = { f_idle, f_main };

	profile_add(&b->prof, PID, PID, 0, s1, 3, 30);
	profile_add(&b->prof, PID, PID, 0, s2, 2, 10);
	profile_add(&b->prof, PID, PID + 1, 0, s3, 2, 5);
	profile_set_thread_name(&b->prof, PID, PID, "MainThread");
	profile_set_thread_name(&b->prof, PID, PID + 1, "worker-1");

	snprintf(seqs, sizeof(seqs), "%d", seq);
	add_label(b, "service_name", "checkout");
	add_label(b, "host", "testhost");
	add_label(b, "pid", "4242");
	add_label(b, "python_version", "3.11.2");
	for (int i = 0; i < nextra; i++)
		add_label(b, extra[i].key, extra[i].value);
	add_label(b, "seq", seqs);
	for (int i = 0; i < b->nlabels; i++)
		if (asprintf(&b->comments[i], "label %s=%s", b->labels[i].key, b->labels[i].value) < 0)
			exit(1);
	if (pad) {
		char *c = malloc(pad + 1);

		memset(c, 'x', pad);
		c[pad] = '\0';
		b->comments[b->nlabels] = c;
	}
	b->meta = (struct profile_meta){
		.command = "python3 /srv/app.py", .python = "3.11.2", .duration_s = 2, .hz = 100,
		.start_unix_ns = start_ns, .comments = (const char *const *)b->comments,
		.ncomments = b->nlabels + (pad ? 1 : 0), .agent_labels = 1,
	};
	mem = open_memstream(&b->pprof, &b->pprof_len);
	if (!mem || write_pprof(&b->prof, &b->meta, mem)) {
		fprintf(stderr, "push_driver: write_pprof failed\n");
		exit(1);
	}
	fclose(mem);
}

static void unbuild(struct built *b)
{
	profile_free(&b->prof);
	frame_table_free(&b->ft);
	for (int i = 0; i <= b->nlabels && i < WINDOW_MAX_LABELS; i++)
		free(b->comments[i]);
	free(b->pprof);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "url", 1, 0, 'u' }, { "format", 1, 0, 'f' }, { "windows", 1, 0, 'n' },
		{ "spool", 1, 0, 's' }, { "spool-max", 1, 0, 'S' }, { "retention", 1, 0, 'r' },
		{ "queue-max", 1, 0, 'q' }, { "deadline", 1, 0, 'd' }, { "age", 1, 0, 'a' },
		{ "user", 1, 0, 'U' }, { "password", 1, 0, 'P' }, { "bearer", 1, 0, 'b' },
		{ "org", 1, 0, 'o' }, { "backoff", 1, 0, 'B' }, { "attempts", 1, 0, 'A' },
		{ "timeout", 1, 0, 'T' }, { "interval", 1, 0, 'i' }, { "label", 1, 0, 'l' },
		{ "dump", 1, 0, 'D' }, { "pad", 1, 0, 'p' }, { "also-spool", 0, 0, 'W' },
		{ 0, 0, 0, 0 },
	};
	struct push_tuning tune = PUSH_TUNING_DEFAULTS;
	struct agent_config c = { 0 };
	struct agent_metrics m = { 0 };
	struct agent_label extra[AGENT_MAX_LABELS];
	struct spool spool;
	struct pusher *p = NULL;
	const char *spool_dir = NULL, *dump = NULL;
	unsigned long long spool_max = 0;
	double retention = 0, deadline = 4, age = 0, interval = 0, t0;
	int nwin = 1, nextra = 0, opt, have_spool = 0, also_spool = 0;
	size_t pad = 0;
	char err[1024];

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'u': snprintf(c.push_url, sizeof(c.push_url), "%s", optarg); break;
		case 'f': c.push_format = !strcmp(optarg, "otlp") ? PUSH_OTLP : PUSH_PYROSCOPE; break;
		case 'n': nwin = atoi(optarg); break;
		case 's': spool_dir = optarg; break;
		case 'S': spool_max = strtoull(optarg, NULL, 10); break;
		case 'r': retention = atof(optarg); break;
		case 'q': c.queue_max = strtoull(optarg, NULL, 10); break;
		case 'd': deadline = atof(optarg); break;
		case 'a': age = atof(optarg); break;
		case 'U': snprintf(c.basic_user, sizeof(c.basic_user), "%s", optarg); break;
		case 'P': snprintf(c.basic_password, sizeof(c.basic_password), "%s", optarg); break;
		case 'b': snprintf(c.bearer_token, sizeof(c.bearer_token), "%s", optarg); break;
		case 'o': snprintf(c.org_id, sizeof(c.org_id), "%s", optarg); break;
		case 'B': tune.backoff_s = atof(optarg); break;
		case 'A': tune.max_attempts = atoi(optarg); break;
		case 'T': tune.timeout_s = atof(optarg); break;
		case 'i': interval = atof(optarg); break;
		case 'l': {
			char *eq = strchr(optarg, '=');

			if (!eq || nextra >= AGENT_MAX_LABELS)
				usage();
			snprintf(extra[nextra].key, sizeof(extra[0].key), "%.*s", (int)(eq - optarg), optarg);
			snprintf(extra[nextra].value, sizeof(extra[0].value), "%s", eq + 1);
			nextra++;
			break;
		}
		case 'D': dump = optarg; break;
		case 'p': pad = strtoull(optarg, NULL, 10); break;
		case 'W': also_spool = 1; break;	/* as the agent: every window to the spool too */
		default: usage();
		}
	}
	c.verbose = 1;
	if (spool_dir) {
		if (spool_open(&spool, spool_dir, spool_max, retention, &m, err, sizeof(err))) {
			fprintf(stderr, "push_driver: %s\n", err);
			return 1;
		}
		have_spool = 1;
	}
	if (c.push_url[0] && !dump) {
		if (!(p = pusher_open(&c, &m, have_spool ? &spool : NULL, err, sizeof(err)))) {
			fprintf(stderr, "push_driver: %s\n", err);
			return 1;
		}
		pusher_tune(p, &tune);
	}
	struct timespec now;

	for (int i = 1; i <= nwin; i++) {
		struct built b;
		uint64_t start;

		clock_gettime(CLOCK_REALTIME, &now);
		start = (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec - (uint64_t)((age + 2) * 1e9);
		build(&b, i, extra, nextra, start, pad);
		struct window_out w = {
			.profile_type = "process_cpu", .pid = PID, .start_ticks = 777 + i,
			.start_ns = start, .end_ns = start + 2000000000ull,
			.labels = b.labels, .nlabels = b.nlabels,
			.pprof_gz = b.pprof, .pprof_len = b.pprof_len, .prof = &b.prof, .meta = &b.meta,
		};
		if (dump) {
			void *body;
			size_t len;
			int rc = c.push_format == PUSH_OTLP ? otlp_encode(&w, &body, &len) :
				 pyroscope_encode(&w, &body, &len);
			FILE *f = fopen(dump, "w");

			if (rc || !f || fwrite(body, 1, len, f) != len || fclose(f)) {
				fprintf(stderr, "push_driver: encode failed: %s\n", strerror(rc ? -rc : errno));
				return 1;
			}
			free(body);
		} else if (p) {
			if (also_spool && have_spool && spool_write(&spool, &w, err, sizeof(err)))
				fprintf(stderr, "push_driver: %s\n", err);
			if (pusher_submit(p, &w))
				fprintf(stderr, "push_driver: submit %d failed\n", i);
			if (i == 1)	/* what one window takes in the queue */
				printf("first_window_bytes %lld\n", (long long)m.g[G_QUEUE_BYTES]);
		} else if (have_spool) {
			if (spool_write(&spool, &w, err, sizeof(err)))
				fprintf(stderr, "push_driver: %s\n", err);
		}
		unbuild(&b);
		if (interval > 0 && i < nwin)
			usleep((useconds_t)(interval * 1e6));
	}
	t0 = session_now();
	if (p)
		pusher_close(p, t0 + deadline);
	printf("close_seconds %.3f\n", session_now() - t0);
	printf("windows_submitted %d\n", nwin);
	for (int i = 0; i < M_COUNTERS; i++)
		printf("%s %llu\n", counter_names[i], (unsigned long long)m.c[i]);
	for (int i = 0; i < G_GAUGES; i++)
		printf("%s %lld\n", gauge_names[i], (long long)m.g[i]);
	if (have_spool) {
		printf("spool_files %zu\n", spool.nfiles - spool.first);
		printf("spool_index_bytes %llu\n", spool.bytes);
		spool_close(&spool);
	}
	return 0;
}
