/* `pybpftop record`: sample a running CPython process, write folded stacks
 * or print a summary. */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "commands.h"
#include "profile.h"
#include "sampler.h"
#include "symbolizer.h"

#define MAX_TARGETS 16
/* How often the ring buffer is drained: samples are sent without wakeups.
 * 16 MiB holds 100 ms of 50-frame stacks at 999 Hz on 1,000 CPUs. */
#define POLL_MS 100

static struct record_env {
	pid_t pids[MAX_TARGETS];
	int npids;
	double duration;	/* seconds; 0 = until Ctrl-C */
	int hz;
	const char *output;
	int verbose;
	long max_depth;
} env = {
	.hz = 99,
	.max_depth = PYBPFTOP_MAX_DEPTH,
};

static const char doc[] =
"Sample the Python stacks of a running CPython process.\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop record -p 1234                # until Ctrl-C, then a summary\n"
"  sudo pybpftop record -p 1234 -d 10 -o out.folded\n"
"  flamegraph.pl out.folded > out.svg          # or inferno, or speedscope\n";

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Process to profile (may repeat)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after this long (default: until Ctrl-C)", 0 },
	{ "rate", 'r', "HZ", 0, "Samples per second per CPU (default 99)", 0 },
	{ "output", 'o', "FILE", 0, "Write folded stacks to FILE", 0 },
	{ "max-depth", 'D', "FRAMES", 0, "Frames kept per stack (default and most: 5000)", 0 },
	{ "verbose", 'v', NULL, 0, "Print counters (-vv: libbpf's messages too)", 0 },
	{ 0 },
};

static long parse_long(const char *arg, long min, long max, struct argp_state *state)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		argp_error(state, "'%s' is not a number between %ld and %ld", arg, min, max);
	return v;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'p':
		if (env.npids == MAX_TARGETS)
			argp_error(state, "at most %d processes", MAX_TARGETS);
		env.pids[env.npids++] = parse_long(arg, 1, 0x7fffffff, state);
		break;
	case 'd':
		errno = 0;
		env.duration = strtod(arg, &end);
		if (errno || end == arg || *end || env.duration <= 0)
			argp_error(state, "'%s' is not a positive number of seconds", arg);
		break;
	case 'r':
		env.hz = parse_long(arg, 1, 10000, state);
		break;
	case 'o':
		env.output = arg;
		break;
	case 'D':
		env.max_depth = parse_long(arg, 1, PYBPFTOP_MAX_DEPTH, state);
		break;
	case 'v':
		env.verbose++;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!env.npids)
			argp_error(state, "which process? give -p PID");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct recording {
	struct py_target *targets[MAX_TARGETS];
	int ntargets;
	struct symbolizer sym;
	struct profile prof;
	uint32_t ids[PYBPFTOP_MAX_DEPTH];
	uint64_t received;
};

static void on_sample(void *ctx, const struct py_sample_hdr *hdr, const struct py_frame *frames)
{
	struct recording *r = ctx;
	struct py_target *t = NULL;
	uint32_t flags = 0;

	for (int i = 0; i < r->ntargets; i++)
		if ((uint32_t)r->targets[i]->pid == hdr->pid)
			t = r->targets[i];
	if (!t)
		return;
	for (uint32_t i = 0; i < hdr->depth; i++)
		r->ids[i] = symbolizer_frame(&r->sym, t, frames[i].code, frames[i].lasti);
	if (hdr->flags & SAMPLE_TRUNCATED)
		flags |= STACK_TRUNCATED;
	else if (hdr->flags & SAMPLE_READ_ERROR)
		flags |= STACK_PARTIAL;
	profile_add(&r->prof, hdr->pid, hdr->tid, flags, r->ids, hdr->depth, 1);
	r->received++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *counter_names[CNT_MAX] = {
	[CNT_SAMPLES] = "samples",
	[CNT_EMITTED] = "sent",
	[CNT_TRUNCATED] = "truncated",
	[CNT_READ_ERROR] = "read-errors",
	[CNT_NO_THREAD] = "no-thread",
	[CNT_NO_FRAMES] = "no-frames",
	[CNT_LOST] = "lost",
	[CNT_CACHE_MISS] = "tstate-lookups",
};

static void print_counters(struct sampler *s, const struct symbolizer *sym)
{
	uint64_t total[CNT_MAX], per[256 * CNT_MAX] = {}, runs, ns;
	int n = sampler_counters(s, total, per, 256);

	fprintf(stderr, "\nPer-CPU counters:\n  %-5s", "CPU");
	for (int c = 0; c < CNT_MAX; c++)
		fprintf(stderr, " %14s", counter_names[c]);
	for (int cpu = 0; cpu < n && cpu < 256; cpu++) {
		fprintf(stderr, "\n  %-5d", cpu);
		for (int c = 0; c < CNT_MAX; c++)
			fprintf(stderr, " %14llu", (unsigned long long)per[cpu * CNT_MAX + c]);
	}
	fprintf(stderr, "\n  %-5s", "all");
	for (int c = 0; c < CNT_MAX; c++)
		fprintf(stderr, " %14llu", (unsigned long long)total[c]);
	if (!sampler_prog_stats(s, &runs, &ns) && runs)
		fprintf(stderr, "\nBPF program: %llu runs, %.0f ns per run, %.0f ns per Python sample\n",
			(unsigned long long)runs, (double)ns / runs,
			total[CNT_SAMPLES] ? (double)ns / total[CNT_SAMPLES] : 0.0);
	else
		fprintf(stderr, "\nBPF program: no run statistics (sysctl kernel.bpf_stats_enabled=1 gives them)\n");
	fprintf(stderr, "Symbolizer: %llu code objects read, %llu unreadable, %llu found reused\n",
		(unsigned long long)sym->code_reads, (unsigned long long)sym->code_errors,
		(unsigned long long)sym->reused);
}

/* Wait up to ms for a signal, a target's exit or (wake_fd >= 0) a sample;
 * returns the pid that exited, or 0. */
static pid_t wait_tick(const int *pidfds, const struct recording *r, int wake_fd, int ms)
{
	struct pollfd pfd[MAX_TARGETS + 1];
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	int n = r->ntargets;

	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = pidfds[i], .events = POLLIN };
	pfd[n] = (struct pollfd){ .fd = wake_fd, .events = POLLIN };
	if (ppoll(pfd, n + 1, &ts, NULL) > 0)
		for (int i = 0; i < n; i++)
			if (pfd[i].revents)
				return r->targets[i]->pid;
	return 0;
}

int cmd_record(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct recording *r = calloc(1, sizeof(*r));
	struct sampler *s = NULL;
	struct sampler_opts so = {};
	int pidfds[MAX_TARGETS], rc = 1, alive;
	pid_t exited = 0;
	double start, elapsed;
	char err[512];
	struct sigaction sa = { .sa_handler = on_signal };

	if (!r)
		return 1;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		goto out;
	for (int i = 0; i < MAX_TARGETS; i++)
		pidfds[i] = -1;
	symbolizer_init(&r->sym);
	profile_init(&r->prof);

	/* Cheap checks first, so each bad input gets its own message. */
	for (int i = 0; i < env.npids; i++) {
		if (kill(env.pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "pybpftop: no process with pid %d: check the pid (ps -C python3 -o pid,cmd)\n", env.pids[i]);
			goto out;
		}
	}
	if (sampler_check_system(err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		goto out;
	}
	for (int i = 0; i < env.npids; i++) {
		struct py_target *t = calloc(1, sizeof(*t));

		if (!t)
			goto out;
		r->targets[r->ntargets++] = t;
		if (py_target_open(env.pids[i], t, err, sizeof(err))) {
			fprintf(stderr, "pybpftop: %s\n", err);
			goto out;
		}
		if (env.verbose)
			fprintf(stderr, "pybpftop: pid %d: Python %s (found by %s), _PyRuntime at 0x%llx in %s\n",
				t->pid, t->version, t->version_source,
				(unsigned long long)t->runtime_addr, t->runtime_file);
		/* A pidfd tells us the moment the target exits. */
		pidfds[i] = syscall(SYS_pidfd_open, t->pid, 0);
	}

	so.hz = env.hz;
	so.max_depth = env.max_depth;
	so.verbose = env.verbose;
	so.on_sample = on_sample;
	so.ctx = r;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (sampler_start(&s, &so, r->targets, r->ntargets, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		goto out;
	}
	fprintf(stderr, "pybpftop: sampling pid %d (Python %s) at %d Hz%s\n", r->targets[0]->pid,
		r->targets[0]->version, env.hz, env.duration ? "" : "; Ctrl-C to stop");

	start = now();
	alive = r->ntargets;
	while (!stop_signal && alive) {
		pid_t gone = wait_tick(pidfds, r, sampler_wakeup_fd(s), POLL_MS);

		sampler_drain(s);
		symbolizer_new_epoch(&r->sym);
		profile_name_threads(&r->prof, 0);
		if (gone) {
			exited = gone;
			for (int i = 0; i < r->ntargets; i++)
				if (r->targets[i]->pid == gone && pidfds[i] >= 0) {
					close(pidfds[i]);
					pidfds[i] = -1;
					alive--;
				}
		}
		if (env.duration && now() - start >= env.duration)
			break;
	}
	elapsed = now() - start;
	sampler_detach(s);
	profile_name_threads(&r->prof, 1);
	sampler_drain(s);
	if (exited)
		fprintf(stderr, "pybpftop: process %d exited after %.1f s; writing what was collected\n",
			exited, elapsed);

	if (env.output) {
		FILE *f = fopen(env.output, "w");

		if (!f || profile_write_folded(&r->prof, &r->sym, f)) {
			fprintf(stderr, "pybpftop: cannot write %s: %s\n", env.output, strerror(errno));
			if (f)
				fclose(f);
			goto out;
		}
		fclose(f);
		fprintf(stderr, "pybpftop: wrote %llu stacks (%llu samples) to %s\n",
			(unsigned long long)r->prof.nstacks, (unsigned long long)r->prof.samples,
			env.output);
	} else {
		uint64_t total[CNT_MAX];

		sampler_counters(s, total, NULL, 0);
		printf("pybpftop: %llu samples of pid %d (Python %s) in %.1f s at %d Hz; %llu lost\n",
		       (unsigned long long)r->prof.samples, r->targets[0]->pid,
		       r->targets[0]->version, elapsed, env.hz,
		       (unsigned long long)total[CNT_LOST]);
		profile_print_top(&r->prof, &r->sym, stdout, 20);
	}
	if (env.verbose)
		print_counters(s, &r->sym);
	rc = 0;
out:
	sampler_stop(s);
	for (int i = 0; i < r->ntargets; i++) {
		if (pidfds[i] >= 0)
			close(pidfds[i]);
		free(r->targets[i]);
	}
	symbolizer_free(&r->sym);
	profile_free(&r->prof);
	free(r);
	return rc;
}
