/* `pybpftop top`: the live view. This is its batch mode (like `top -b`):
 * a plain-text table every interval, for pipes, logs and CI. */
#include <argp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli_args.h"
#include "commands.h"
#include "session.h"

static struct top_env {
	pid_t pids[SESSION_MAX_TARGETS];
	int npids;
	int hz;
	double interval;
	long iterations;	/* 0: until Ctrl-C */
	int lines;
	int rows;
} env = {
	.hz = 99,
	.interval = 1.0,
	.rows = 20,
};

static const char doc[] =
"Show where a running CPython process spends its time, refreshed every\n"
"interval. Until the full-screen view lands, it prints plain-text tables\n"
"as `top -b` does.\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop top -p 1234 --batch -n 5\n"
"  sudo pybpftop -p 1234 --lines | tee top.log\n";

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Process to watch (may repeat)", 0 },
	{ "rate", 'r', "HZ", 0, "Samples per second per CPU (default 99)", 0 },
	{ "interval", 'i', "SECONDS", 0, "Time between refreshes (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Stop after N refreshes (default: until Ctrl-C)", 0 },
	{ "batch", 'b', NULL, 0, "Plain-text tables (the only mode so far)", 0 },
	{ "lines", 'l', NULL, 0, "One row per line instead of per function", 0 },
	{ "rows", 'R', "N", 0, "Rows per table (default 20)", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		cli_add_pid(arg, env.pids, &env.npids, SESSION_MAX_TARGETS, state);
		break;
	case 'r':
		env.hz = cli_long(arg, 1, 10000, state);
		break;
	case 'i':
		env.interval = cli_seconds(arg, 0.1, 3600, state);
		break;
	case 'n':
		env.iterations = cli_long(arg, 1, 1000000, state);
		break;
	case 'b':
		break;
	case 'l':
		env.lines = 1;
		break;
	case 'R':
		env.rows = cli_long(arg, 1, 10000, state);
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

/* The command line, NULs turned to spaces, at most len - 1 bytes. */
static void read_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n')
			buf[i] = ' ';
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

static int count_threads(pid_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

static void print_refresh(struct session *s)
{
	const struct py_target *t = s->targets[0];
	struct func_count *fc;
	uint64_t total[CNT_MAX];
	uint64_t samples = s->prof.samples;
	uint32_t n;
	char cmd[256];

	sampler_counters(s->sampler, total, NULL, 0);
	read_cmdline(t->pid, cmd, sizeof(cmd));
	printf("pybpftop top - pid %d: %s - Python %s - %d Hz - %.1f s\n", t->pid,
	       cmd[0] ? cmd : t->comm, t->version, env.hz, session_now() - s->start);
	printf("Samples: %llu taken, %llu lost - Threads: %d\n\n",
	       (unsigned long long)samples, (unsigned long long)total[CNT_LOST],
	       count_threads(t->pid));
	printf("%7s %7s %9s %9s  %s\n", "%Own", "%Total", "OwnTime", "TotalTime",
	       env.lines ? "Line" : "Function");
	fc = profile_functions(&s->prof, &s->sym, env.lines, 0, &n);
	for (uint32_t i = 0; fc && samples && i < n && (int)i < env.rows; i++) {
		const struct frame_info *fr = env.lines ? &s->sym.frames[fc[i].id] : NULL;
		const struct func_info *fn = &s->sym.funcs[fr ? fr->func : fc[i].id];

		if (!fc[i].own && !fc[i].total)
			break;
		printf("%6.1f%% %6.1f%% %8.2fs %8.2fs  %s", 100.0 * fc[i].own / samples,
		       100.0 * fc[i].total / samples, (double)fc[i].own / env.hz,
		       (double)fc[i].total / env.hz, fn->name);
		if (fn->file[0])
			printf(" (%s:%d)", fn->file, fr && fr->line >= 0 ? fr->line : fn->firstline);
		putchar('\n');
	}
	free(fc);
	putchar('\n');
	fflush(stdout);
}

int cmd_top(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct session *s = calloc(1, sizeof(*s));
	struct session_opts so = { .pids = env.pids, .max_depth = PYBPFTOP_MAX_DEPTH };
	int rc = 1;

	if (!s)
		return 1;
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL)) {
		free(s);
		return 1;
	}
	so.npids = env.npids;
	so.hz = env.hz;
	if (session_open(s, &so))
		goto out;
	for (long i = 0; !env.iterations || i < env.iterations; i++) {
		session_tick(s, (int)(env.interval * 1000));
		if (session_stop)
			break;
		print_refresh(s);
		if (!s->alive) {
			fprintf(stderr, "pybpftop: process %d exited\n", s->exited);
			break;
		}
	}
	rc = 0;
out:
	session_close(s);
	free(s);
	return rc;
}
