/* `pybpftop record`: sample running CPython processes, or run a command
 * and sample it (`-- CMD...`), then write a profile or print a summary. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "out/writers.h"
#include "proc/procfs.h"
#include "profile/session.h"
#include "proc/spawn.h"

static struct record_env {
	struct cli_target target;
	double duration;	/* seconds; 0 = until Ctrl-C */
	const char *output;
	int verbose;
	long max_depth;
	int idle;
	int format_set;
	enum out_format format;
	int subprocesses;
	char **command;		/* run mode: the command after -- */
} env = {
	.target.hz = 99,
	.max_depth = PYBPFTOP_MAX_DEPTH,
};

static const char doc[] =
"Sample the Python stacks of running CPython processes (-p), or run a\n"
"command and sample it from its start until it exits (-- CMD ...).\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop record -o app.html -- python3 app.py --its-args\n"
"  sudo pybpftop record -p 1234 --subprocesses -o workers.speedscope.json\n"
"  sudo pybpftop record -p 1234                # until Ctrl-C, then a summary\n"
"  sudo pybpftop record -p 1234 -d 10 -o out.folded\n"
"  flamegraph.pl out.folded > out.svg          # or inferno, or speedscope\n";

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Process to profile (may repeat)", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after this long (default: until Ctrl-C)", 0 },
	{ "rate", 'r', "HZ", 0, "Samples per second per CPU (default 99)", 0 },
	{ "output", 'o', "FILE", 0, "Write the profile to FILE, in the format its extension names: "
	  ".folded/.txt, .html/.svg, .speedscope.json, .pb.gz (pprof), .trace.json (chrome)", 0 },
	{ "format", 'f', "FORMAT", 0, "folded, html, speedscope, pprof or chrome (default: from -o's extension)", 0 },
	{ "max-depth", 'D', "FRAMES", 0, "Frames kept per stack (default and most: 5000)", 0 },
	{ "idle", OPT_IDLE, NULL, 0, "Wall-clock time: also sample threads that are off the CPU "
	  "(sleeping, blocked on a lock or I/O, waiting for the GIL); their stacks get an [off-cpu] frame", 0 },
	{ "subprocesses", 's', NULL, 0, "Follow child processes too, forked or exec'd, started before or "
	  "after attach; each gets a root frame `name (pid)`", 0 },
	{ "verbose", 'v', NULL, 0, "Print counters (-vv: libbpf's messages too)", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'd':
		env.duration = cli_seconds(arg, 0.001, 1e9, state);
		break;
	case 'o':
		env.output = arg;
		break;
	case 'f':
		if (format_parse(arg, &env.format))
			argp_error(state, "unknown format '%s': use folded, html, speedscope, pprof or chrome", arg);
		env.format_set = 1;
		break;
	case 'D':
		env.max_depth = cli_long(arg, 1, PYBPFTOP_MAX_DEPTH, state);
		break;
	case 'v':
		env.verbose++;
		break;
	case OPT_IDLE:
		env.idle = 1;
		break;
	case 's':
		env.subprocesses = 1;
		break;
	case ARGP_KEY_ARG:
		return ARGP_ERR_UNKNOWN;	/* then ARGP_KEY_ARGS: the command */
	case ARGP_KEY_ARGS:
		env.command = state->argv + state->next;
		break;
	case ARGP_KEY_END:
		if (!env.command && !env.target.npids)
			argp_error(state, "which process? give -p PID, or a command to run after --");
		if (env.command && env.target.npids)
			argp_error(state, "give -p PID or a command to run, not both");
		break;
	default:
		return cli_target_arg(key, arg, state, &env.target);
	}
	return 0;
}

/* The sampler's counters: those after CNT_THREADS are alloc's. */
#define NCOUNTERS (CNT_THREADS + 1)

static const char *counter_names[NCOUNTERS] = {
	[CNT_SAMPLES] = "samples",
	[CNT_EMITTED] = "sent",
	[CNT_TRUNCATED] = "truncated",
	[CNT_READ_ERROR] = "read-errors",
	[CNT_NO_THREAD] = "no-thread",
	[CNT_NO_FRAMES] = "no-frames",
	[CNT_LOST] = "lost",
	[CNT_CACHE_MISS] = "tstate-lookups",
	[CNT_THREADS] = "threads-seen",
};

static void print_counters(struct sampler *s, const struct symbolizer *sym)
{
	uint64_t total[CNT_MAX], per[256 * CNT_MAX] = {}, runs, ns;
	int n = sampler_counters(s, total, per, 256);

	fprintf(stderr, "\nPer-CPU counters:\n  %-5s", "CPU");
	for (int c = 0; c < NCOUNTERS; c++)
		fprintf(stderr, " %14s", counter_names[c]);
	for (int cpu = 0; cpu < n && cpu < 256; cpu++) {
		fprintf(stderr, "\n  %-5d", cpu);
		for (int c = 0; c < NCOUNTERS; c++)
			fprintf(stderr, " %14llu", (unsigned long long)per[cpu * CNT_MAX + c]);
	}
	fprintf(stderr, "\n  %-5s", "all");
	for (int c = 0; c < NCOUNTERS; c++)
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

static pid_t run_child;

/* Run mode: Ctrl-C at the terminal reaches the child too (same process
 * group); a signal sent to pybpftop alone is passed on. Either way the
 * child decides when to end, and the profile is written when it has. */
static void forward_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (run_child > 0 && (si->si_code == SI_USER || si->si_code == SI_QUEUE))
		kill(run_child, sig);
}

/* Starts env.command with the sampler already loaded, so that it is
 * profiled from its first Python frame: the session follows the child and
 * attaches as soon as its interpreter is mapped. */
static int run_command(struct session *s, struct child *c)
{
	struct sigaction sa = { .sa_sigaction = forward_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	char err[512];

	if (child_spawn(c, env.command, err, sizeof(err)))
		goto fail;
	run_child = c->pid;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (session_follow(s, c->pid, env.subprocesses)) {
		snprintf(err, sizeof(err), "cannot follow pid %d", c->pid);
		goto fail;
	}
	if (child_release(c, env.command, err, sizeof(err)))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "pybpftop: %s\n", err);
	return -1;
}

/* Writes -o's file, or prints the summary: 0, or 1 when the file fails. */
static int write_output(struct session *s, double elapsed)
{
	if (env.output) {
		char cmd[1024] = "";
		struct profile_meta meta = {
			.command = cmd,
			.python = s->ntargets ? s->targets[0]->version : "",
			.duration_s = elapsed,
			.hz = env.target.hz,
			.idle = env.idle,
			.start_unix_ns = s->start_unix_ns,
			.start_mono_ns = s->start_mono_ns,
		};
		int err;

		for (int i = 0; i < s->ntargets; i++) {
			size_t n = strlen(cmd);

			snprintf(cmd + n, sizeof(cmd) - n, "%s%.400s (pid %d)", n ? ", " : "",
				 s->targets[i]->cmdline, s->targets[i]->pid);
		}
		err = format_write(env.format, &s->prof, &s->sym, &meta, env.output);
		if (err) {
			fprintf(stderr, "pybpftop: cannot write %s as %s: %s\n", env.output,
				format_name(env.format), strerror(-err));
			return 1;
		}
		fprintf(stderr, "pybpftop: wrote %llu stacks (%llu samples) to %s (%s)\n",
			(unsigned long long)s->prof.nstacks, (unsigned long long)s->prof.samples,
			env.output, format_name(env.format));
	} else {
		uint64_t total[CNT_MAX];

		sampler_counters(s->sampler, total, NULL, 0);
		printf("pybpftop: %llu samples of %d process%s", (unsigned long long)s->prof.samples,
		       s->ntargets, s->ntargets == 1 ? "" : "es");
		for (int i = 0; i < s->ntargets && i < 4; i++)
			printf("%s pid %d (Python %s)", i ? "," : "", s->targets[i]->pid,
			       s->targets[i]->version);
		printf("%s in %.1f s at %d Hz; %llu lost\n", s->ntargets > 4 ? ", ..." : "",
		       elapsed, env.target.hz, (unsigned long long)total[CNT_LOST]);
		if (env.idle)
			printf("pybpftop: wall-clock time: %.1f%% on CPU, %.1f%% off CPU (sleeping, blocked or waiting)\n",
			       100.0 * (s->prof.samples - s->prof.off_cpu) / (s->prof.samples ? s->prof.samples : 1),
			       100.0 * s->prof.off_cpu / (s->prof.samples ? s->prof.samples : 1));
		profile_print_top(&s->prof, &s->sym, stdout, 20);
	}
	return 0;
}

/* --subprocesses with -p: follow the targets' new children from now on,
 * and take the children they already have. */
static void follow_existing(struct session *s)
{
	int n = s->ntargets;
	char err[512];

	for (int i = 0; i < n; i++)
		session_follow(s, s->targets[i]->pid, 1);
	for (int i = 0; i < n; i++) {
		pid_t kids[SESSION_MAX_TARGETS];
		int k = proc_descendants(s->targets[i]->pid, kids, SESSION_MAX_TARGETS);

		for (int j = 0; j < k; j++) {
			session_follow(s, kids[j], 1);
			if (session_add_target(s, kids[j], err, sizeof(err)) && env.verbose)
				fprintf(stderr, "pybpftop: not following pid %d: %s\n", kids[j], err);
		}
	}
}

int cmd_record(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, "[-- COMMAND [ARG...]]", doc,
					  NULL, NULL, NULL };
	struct session *s = calloc(1, sizeof(*s));
	struct session_opts so = { .pids = env.target.pids };
	struct child child = { .pid = -1 };
	int status = 0, reaped = 0;
	double elapsed;
	int rc = 1;

	if (!s)
		return 1;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL)) {
		free(s);
		return 1;
	}
	so.npids = env.target.npids;
	so.hz = env.target.hz;
	so.max_depth = env.max_depth;
	so.verbose = env.verbose;
	so.idle = env.idle;
	so.follow = env.subprocesses || env.command;
	if (env.output && !env.format_set)
		env.format = format_from_path(env.output);
	if (session_open(s, &so))
		goto out;
	profile_keep_timeline(&s->prof, format_needs_timeline(env.format));
	s->prof.process_frames = env.subprocesses || s->ntargets > 1;
	if (env.command) {
		if (run_command(s, &child))
			goto out;
		fprintf(stderr, "pybpftop: running %s (pid %d) at %d Hz%s\n", env.command[0], child.pid,
			env.target.hz, env.idle ? ", idle threads too" : "");
	} else {
		if (env.subprocesses)
			follow_existing(s);
		fprintf(stderr, "pybpftop: sampling pid %d (Python %s)%s at %d Hz%s%s\n",
			s->targets[0]->pid, s->targets[0]->version,
			env.subprocesses ? " and its children" : "", env.target.hz,
			env.idle ? ", idle threads too" : "", env.duration ? "" : "; Ctrl-C to stop");
	}

	for (;;) {
		if (env.duration && session_now() - s->start >= env.duration)
			break;
		if (env.command) {
			if (waitpid(child.pid, &status, WNOHANG) == child.pid) {
				reaped = 1;
				break;
			}
		} else if (session_stop || !s->alive) {
			break;
		}
		session_tick(s, 100);
	}
	elapsed = session_now() - s->start;
	session_finish(s);
	if (s->exited && !env.command)
		fprintf(stderr, "pybpftop: process %d exited after %.1f s; writing what was collected\n",
			s->exited, elapsed);
	if (env.command && !s->ntargets)
		fprintf(stderr, "pybpftop: %s never ran Python%s\n", env.command[0],
			env.subprocesses ? "" : " (if it starts Python processes, add --subprocesses)");
	rc = write_output(s, elapsed);
	if (env.verbose)
		print_counters(s->sampler, &s->sym);
out:
	session_close(s);
	free(s);
	if (child.pid > 0) {
		/* -d ended the recording first: the child decides when to end. */
		if (!reaped && waitpid(child.pid, &status, 0) == child.pid)
			reaped = 1;
		if (reaped && !rc)
			rc = child_exit_code(status);
	}
	return rc;
}
