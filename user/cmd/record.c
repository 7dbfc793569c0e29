/* `pybpftop record`: sample running CPython processes, or run a command
 * and sample it (`-- CMD...`), then write a profile or print a summary. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "out/writers.h"
#include "proc/procfs.h"
#include "proc/text_escape.h"
#include "profile/session.h"

static struct record_env {
	struct cli_common c;
} env;

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
	CLI_OPT_PID("Process to profile (may repeat)"),
	CLI_OPT_DURATION,
	CLI_OPT_RATE,
	CLI_OPT_OUTPUT(0),
	CLI_OPT_DEPTH(0),
	CLI_OPT_IDLE("also sample threads that are off the CPU (sleeping, blocked on a lock or I/O, "
		     "waiting for the GIL); their stacks get an [off-cpu] frame"),
	CLI_OPT_FOLLOW("each gets a root frame `name (pid)`"),
	CLI_OPT_VERBOSE(0),
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	return cli_common_arg(key, arg, state, &env.c);
}

/* Every stack goes into the profile, named and timed. */
static void on_stack(void *ctx, struct session_target *t, const struct py_sample_hdr *hdr,
		     const uint32_t *ids, const struct py_frame *frames, const uint64_t *addrs)
{
	(void)t;
	(void)frames;
	(void)addrs;
	profile_add_sample(ctx, hdr, ids);
}

static void on_target(void *ctx, struct session_target *t, enum session_event what)
{
	if (what == TARGET_ADDED)
		profile_set_process_name(ctx, t->t.pid, t->t.comm);
}

static void on_drained(void *ctx)
{
	profile_name_threads(ctx, 0);
}

/* Writes -o's file, or prints the summary: 0, or 1 when the file fails. */
static int write_output(struct session *s, struct profile *prof, double elapsed)
{
	if (env.c.output) {
		char cmd[1024] = "";
		struct profile_meta meta = {
			.command = cmd,
			.python = s->ntargets ? s->targets[0]->t.version : "",
			.duration_s = elapsed,
			.hz = env.c.hz,
			.idle = env.c.idle,
			.start_unix_ns = s->start_unix_ns,
			.start_mono_ns = s->start_mono_ns,
		};
		char err[PATH_MAX + 256];

		for (int i = 0; i < s->ntargets; i++) {
			size_t n = strlen(cmd);

			snprintf(cmd + n, sizeof(cmd) - n, "%s%.400s (pid %d)", n ? ", " : "",
				 s->targets[i]->t.cmdline, s->targets[i]->t.pid);
		}
		if (writer_write(env.c.writer, prof, &meta, &env.c.out, err, sizeof(err))) {
			fprintf(stderr, "pybpftop: %s (%s)\n", err, env.c.writer->name);
			return 1;
		}
		fprintf(stderr, "pybpftop: wrote %llu stacks (%llu samples) to %s (%s)\n",
			(unsigned long long)prof->nstacks, (unsigned long long)prof->samples,
			env.c.output, env.c.writer->name);
	} else {
		uint64_t total[CNT_MAX];

		session_counters(s, total);
		printf("pybpftop: %llu samples of %d process%s", (unsigned long long)prof->samples,
		       s->ntargets, s->ntargets == 1 ? "" : "es");
		for (int i = 0; i < s->ntargets && i < 4; i++)
			printf("%s pid %d (Python %s)", i ? "," : "", s->targets[i]->t.pid,
			       s->targets[i]->t.version);
		printf("%s in %.1f s at %d Hz; %llu lost\n", s->ntargets > 4 ? ", ..." : "",
		       elapsed, env.c.hz, (unsigned long long)total[CNT_LOST]);
		if (env.c.idle)
			printf("pybpftop: wall-clock time: %.1f%% on CPU, %.1f%% off CPU (sleeping, blocked or waiting)\n",
			       100.0 * (prof->samples - prof->off_cpu) / (prof->samples ? prof->samples : 1),
			       100.0 * prof->off_cpu / (prof->samples ? prof->samples : 1));
		profile_print_top(prof, stdout, 20);
	}
	return 0;
}

int cmd_record(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, "[-- COMMAND [ARG...]]", doc,
					  NULL, cli_help_filter, NULL };
	struct session *s = calloc(1, sizeof(*s));
	struct profile prof;
	struct session_opts so = {
		.sink = { .stack = on_stack, .target = on_target, .drained = on_drained, .ctx = &prof },
	};
	char err[512];
	double elapsed;
	int rc = 1, code;

	cli_common_init(&env.c, CLI_RATE | CLI_OUTPUT | CLI_RUN | CLI_DURATION | CLI_FOLLOW | CLI_IDLE);
	if (!s || argp_parse(&argp, argc, argv, 0, NULL, &env.c)) {
		free(s);
		return 1;
	}
	/* Before any BPF is loaded: a file that cannot be written is known now. */
	if (env.c.output && cli_output_open(&env.c.out, "-o", env.c.output)) {
		free(s);
		return 1;
	}
	cli_session_opts(&env.c, &so);
	so.hz = env.c.hz;
	/* Its frame ids are the session's: ready before the first sample. */
	profile_init(&prof, &s->frames);
	if (session_open(s, &so, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		goto out;
	}
	profile_keep_timeline(&prof, env.c.writer && env.c.writer->timeline);
	prof.process_frames = env.c.subprocesses || s->ntargets > 1;
	if (env.c.command)
		fprintf(stderr, "pybpftop: running %s (pid %d) at %d Hz%s\n", env.c.command[0],
			s->child.pid, env.c.hz, env.c.idle ? ", idle threads too" : "");
	else
		fprintf(stderr, "pybpftop: sampling pid %d (Python %s)%s at %d Hz%s%s\n",
			s->targets[0]->t.pid, s->targets[0]->t.version,
			env.c.subprocesses ? " and its children" : "", env.c.hz,
			env.c.idle ? ", idle threads too" : "", env.c.duration ? "" : "; Ctrl-C to stop");

	while (!session_over(s) && !(env.c.duration && session_now() - s->start >= env.c.duration))
		session_tick(s, 100);
	elapsed = session_now() - s->start;
	session_finish(s);
	profile_name_threads(&prof, 1);
	if (s->exited && !env.c.command)
		fprintf(stderr, "pybpftop: process %d exited after %.1f s; writing what was collected\n",
			s->exited, elapsed);
	if (env.c.command && !s->ntargets)
		fprintf(stderr, "pybpftop: %s never ran Python%s\n", env.c.command[0],
			env.c.subprocesses ? "" : " (if it starts Python processes, add --subprocesses)");
	rc = write_output(s, &prof, elapsed);
	if (env.c.verbose)
		session_print_counters(s, stderr);
out:
	profile_free(&prof);
	code = session_close(s);
	output_file_close(&env.c.out);
	free(s);
	return rc ? rc : code;
}
