/* `pybpftop report DIR`: the agent's local history (its spool of pprof
 * windows) merged over a time range, a service or pids, into one profile:
 * a summary, or any output format. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agent/history.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "out/writers.h"
#include "proc/text_escape.h"

/* Long-only options, past cli.h's. */
enum { OPT_SINCE = 0x200, OPT_UNTIL, OPT_SERVICE, OPT_TYPE };

/* What the merged profile may hold: past it, the rarest stacks are
 * evicted and counted (profile_set_budget), so that a month of windows
 * cannot take the host's memory. */
#define REPORT_MAX_BYTES (512ull << 20)

static struct report_env {
	struct cli_common c;
	const char *dir;
	const char *since_arg, *until_arg;
	struct history_filter f;
	const char *type_arg;
	int top;
} env;

static const char doc[] =
"Merge the windows the agent wrote to its spool DIR (agent --spool DIR)\n"
"over a time range, services or processes into one profile: a summary\n"
"of where the time went, or a file in any format (-o, -f).\n"
"\n"
"WHEN: 2026-12-02T03:00:00Z (RFC 3339); '2026-12-02 03:00[:SS]', 03:00\n"
"or 2026-12-02 (local time); unix seconds; now; or a time ago: -2h,\n"
"'2h ago', 30m, 1h30m, 7d (units s, m, h, d, w). A window is in the\n"
"range when it starts in [--since, --until).\n"
"\n"
"-f FORMAT without -o (or -o -) writes to standard output. Files of DIR\n"
"that are not windows, links, files too big or corrupt are skipped and\n"
"counted (a warning), never followed.\n"
"\n"
"EXAMPLES:\n"
"  pybpftop report /var/lib/pybpftop             # all of it, a summary\n"
"  pybpftop report DIR --since 03:00 --until 03:15 -o 3am.html\n"
"  pybpftop report DIR --since 2h --service web -f folded | flamegraph.pl\n"
"  pybpftop report DIR --pid 1234 -o 1234.pb.gz\n"
"  go tool pprof -top 1234.pb.gz\n"
"  pybpftop report DIR --type memory --since 1d -o alloc.html\n";

static const struct argp_option options[] = {
	{ "since", OPT_SINCE, "WHEN", 0, "Windows that start at WHEN or later (default: the oldest)", 0 },
	{ "until", OPT_UNTIL, "WHEN", 0, "Windows that start before WHEN (default: now and later)", 0 },
	{ "service", OPT_SERVICE, "NAME", 0, "Windows of this service_name only (exactly)", 0 },
	{ "pid", 'p', "PID", 0, "Windows of this process only (may repeat)", 0 },
	{ "type", OPT_TYPE, "TYPE", 0, "cpu (the default: process_cpu windows), wall (--idle's) or "
	  "memory (--alloc's, bytes)", 0 },
	{ "top", 'n', "N", 0, "Functions the summary lists (default 20)", 0 },
	CLI_OPT_OUTPUT(0),
	{ 0 },
};

static const struct { const char *arg, *file_type; } types[] = {
	{ "cpu", "process_cpu" }, { "process_cpu", "process_cpu" },
	{ "wall", "wall" }, { "memory", "memory" },
};

static uint64_t when(const char *arg, struct argp_state *state)
{
	uint64_t ms;

	if (history_parse_when(arg, time(NULL), &ms))
		argp_error(state, "'%s' is not a time: give 2026-12-02T03:00:00Z, '2026-12-02 03:00', "
			   "unix seconds, or a time ago such as 2h", arg);
	return ms;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_SINCE:
		env.since_arg = arg;
		env.f.since_ms = when(arg, state);
		break;
	case OPT_UNTIL:
		env.until_arg = arg;
		env.f.until_ms = when(arg, state);
		break;
	case OPT_SERVICE:
		env.f.service = arg;
		break;
	case 'p':
		if (env.f.npids == HISTORY_MAX_PIDS)
			argp_error(state, "at most %d processes", HISTORY_MAX_PIDS);
		env.f.pids[env.f.npids++] = cli_long(arg, 1, 0x7fffffff, state);
		break;
	case OPT_TYPE:
		env.type_arg = arg;
		env.f.type = NULL;
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(arg, types[i].arg))
				env.f.type = types[i].file_type;
		if (!env.f.type)
			argp_error(state, "unknown type '%s': use cpu, wall or memory", arg);
		break;
	case 'n':
		env.top = cli_long(arg, 1, 100000, state);
		break;
	case 'o':
	case 'f':
		return cli_common_arg(key, arg, state, &env.c);
	case ARGP_KEY_ARG:
		if (env.dir)
			argp_error(state, "unexpected argument '%s': give one directory", arg);
		env.dir = arg;
		break;
	case ARGP_KEY_END:
		if (!env.dir)
			argp_error(state, "which directory? give the agent's spool, such as /var/lib/pybpftop");
		if (env.f.until_ms && env.f.until_ms <= env.f.since_ms)
			argp_error(state, "--until must be later than --since");
		if (env.c.output && !strcmp(env.c.output, "-"))
			env.c.output = NULL;	/* standard output */
		if (env.c.output && !env.c.writer)
			env.c.writer = writer_for_path(env.c.output);
		if (env.c.writer && env.c.writer->timeline)
			argp_error(state, "%s needs every sample's time, which windows do not keep: use "
				   "folded, html, speedscope or pprof", env.c.writer->name);
		if (env.c.writer && !strcmp(env.f.type, "memory") && !env.c.writer->alloc)
			argp_error(state, "%s cannot hold a memory profile", env.c.writer->name);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* "2026-12-02 03:00:00 UTC", local time. */
static const char *time_text(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)t);
	return buf;
}

/* What was asked, for the message that nothing matched. */
static void print_filter(FILE *out)
{
	fprintf(out, "%s windows", env.f.type);
	if (env.since_arg)
		fprintf(out, " since %s", env.since_arg);
	if (env.until_arg)
		fprintf(out, " until %s", env.until_arg);
	if (env.f.service)
		fprintf(out, " of service %s", TEXT_SAFE(env.f.service));
	for (int i = 0; i < env.f.npids; i++)
		fprintf(out, "%s%d", i ? "," : " of pid ", env.f.pids[i]);
}

static void print_skipped(const struct history_stats *st)
{
	uint64_t n = st->foreign + st->not_regular + st->too_big + st->corrupt;

	if (!n)
		return;
	fprintf(stderr, "pybpftop: warning: skipped %llu file%s of %s: %llu not a window's name, "
		"%llu links or not regular files, %llu over %u MiB, %llu unreadable or corrupt (first: %s)\n",
		(unsigned long long)n, n == 1 ? "" : "s", TEXT_SAFE(env.dir),
		(unsigned long long)st->foreign, (unsigned long long)st->not_regular,
		(unsigned long long)st->too_big, HISTORY_MAX_FILE_BYTES >> 20,
		(unsigned long long)st->corrupt, st->first_skipped);
}

static void print_summary(const struct history_stats *st, const struct profile *prof, int bytes)
{
	char from[64], to[64];

	printf("pybpftop: %llu window%s of %d process%s from %s to %s (%.1f min): %llu %s",
	       (unsigned long long)st->windows, st->windows == 1 ? "" : "s",
	       st->nprocs + (st->more_procs > 0), st->nprocs == 1 && !st->more_procs ? "" : "es",
	       time_text(st->first_ms, from, sizeof(from)), time_text(st->end_ms, to, sizeof(to)),
	       (st->end_ms - st->first_ms) / 60000.0, (unsigned long long)prof->samples,
	       bytes ? "bytes" : "samples");
	if (!bytes && st->period)
		printf(" at %llu Hz%s", (unsigned long long)(1000000000ull / st->period),
		       st->mixed_periods ? " (and other rates)" : "");
	printf("\n");
	if (!strcmp(env.f.type, "wall"))
		printf("pybpftop: wall-clock time: %.1f%% on CPU, %.1f%% off CPU (sleeping, blocked or waiting)\n",
		       100.0 * (prof->samples - prof->off_cpu) / (prof->samples ? prof->samples : 1),
		       100.0 * prof->off_cpu / (prof->samples ? prof->samples : 1));
	for (int i = 0; i < st->nprocs && i < 20; i++)
		printf("  pid %-8u %-24s %6llu window%s %10llu %s\n", st->procs[i].pid,
		       TEXT_SAFE(st->procs[i].service[0] ? st->procs[i].service : "-"),
		       (unsigned long long)st->procs[i].windows, st->procs[i].windows == 1 ? " " : "s",
		       (unsigned long long)st->procs[i].samples, bytes ? "bytes" : "samples");
	if (st->nprocs > 20 || st->more_procs)
		printf("  ... and %llu more processes\n",
		       (unsigned long long)(st->nprocs - (st->nprocs > 20 ? 20 : st->nprocs) + st->more_procs));
	profile_print_top(prof, stdout, env.top);
}

static int write_output(const struct history_stats *st, const struct profile *prof, int bytes)
{
	char cmd[1024], from[64], to[64], err[PATH_MAX + 256];
	struct profile_meta meta = {
		.command = cmd,
		.python = st->python,
		.duration_s = (st->end_ms - st->first_ms) / 1000.0,
		.hz = st->period && !bytes ? (int)(1000000000ull / st->period) : 0,
		.idle = !strcmp(env.f.type, "wall"),
		.start_unix_ns = st->first_ms * 1000000ull,
		.unit = bytes ? "bytes" : NULL,
		.bytes_type = bytes ? "alloc_space" : NULL,
	};
	int rc;

	snprintf(cmd, sizeof(cmd), "report %.200s: %llu windows of %d processes, %s to %s",
		 env.dir, (unsigned long long)st->windows, st->nprocs,
		 time_text(st->first_ms, from, sizeof(from)), time_text(st->end_ms, to, sizeof(to)));
	if (!env.c.output) {
		rc = env.c.writer->write(prof, &meta, stdout);
		if (rc) {
			fprintf(stderr, "pybpftop: cannot write to standard output: %s\n", strerror(-rc));
			return 1;
		}
		return 0;
	}
	if (writer_write(env.c.writer, prof, &meta, &env.c.out, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s (%s)\n", err, env.c.writer->name);
		return 1;
	}
	fprintf(stderr, "pybpftop: wrote %llu stacks (%llu %s) of %llu windows to %s (%s)\n",
		(unsigned long long)prof->nstacks, (unsigned long long)prof->samples,
		bytes ? "bytes" : "samples", (unsigned long long)st->windows, env.c.output,
		env.c.writer->name);
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, "DIR", doc, NULL, cli_help_filter, NULL };
	struct history_stats *st = calloc(1, sizeof(*st));
	struct frame_table ft;
	struct profile prof;
	char err[PATH_MAX + 256];
	int rc = 1, bytes;

	memset(&env, 0, sizeof(env));
	cli_common_init(&env.c, CLI_OUTPUT);
	env.f.type = "process_cpu";
	env.top = 20;
	if (!st || argp_parse(&argp, argc, argv, 0, NULL, &env.c)) {
		free(st);
		return 1;
	}
	bytes = !strcmp(env.f.type, "memory");
	if (env.c.output && cli_output_open(&env.c.out, "-o", env.c.output)) {
		free(st);
		return 1;
	}
	if (frame_table_init(&ft)) {
		fprintf(stderr, "pybpftop: out of memory\n");
		goto out_ft;
	}
	profile_init(&prof, &ft);
	profile_set_budget(&prof, 0, REPORT_MAX_BYTES);
	if (history_read(env.dir, &env.f, &prof, &ft, st, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		goto out;
	}
	print_skipped(st);
	if (!st->windows) {
		fprintf(stderr, "pybpftop: no windows in %s match: ", TEXT_SAFE(env.dir));
		print_filter(stderr);
		fprintf(stderr, " (%llu entries in the directory, %llu windows outside the filter)\n",
			(unsigned long long)st->entries, (unsigned long long)st->outside);
		goto out;
	}
	if (st->truncated)
		fprintf(stderr, "pybpftop: warning: %llu stacks deeper than %d frames were cut\n",
			(unsigned long long)st->truncated, PYBPFTOP_MAX_DEPTH);
	if (ft.over_budget)
		fprintf(stderr, "pybpftop: warning: %llu functions and frames past the frame table's budget "
			"are shown as [unknown]\n", (unsigned long long)ft.over_budget);
	if (prof.evicted_stacks)
		fprintf(stderr, "pybpftop: warning: over %llu MiB of stacks: the %llu rarest (%llu %s) "
			"are counted per function only\n", REPORT_MAX_BYTES >> 20,
			(unsigned long long)prof.evicted_stacks, (unsigned long long)prof.evicted_samples,
			bytes ? "bytes" : "samples");
	if (env.c.writer)
		rc = write_output(st, &prof, bytes);
	else {
		print_summary(st, &prof, bytes);
		rc = 0;
	}
out:
	profile_free(&prof);
	frame_table_free(&ft);
out_ft:
	output_file_close(&env.c.out);
	free(st);
	return rc;
}
