/* `pybpftop alloc`: which Python lines allocate memory and which hold it,
 * in a running process, with tracemalloc's statistics; `alloc diff`
 * compares two snapshots. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "alloc/heap.h"
#include "probe/alloc.h"
#include "alloc/snapshot.h"
#include "alloc/stats.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "out/writers.h"
#include "proc/procfs.h"
#include "profile/profile.h"
#include "probe/sampler.h"
#include "proc/spawn.h"

#define MAX_FILTERS 32
/* One sample per this much new memory by default: about 8 samples per MiB,
 * enough for a few percent on the lines that matter within seconds, and
 * cheap (a stack walk per sample, none per allocation). */
#define DEFAULT_SAMPLE_BYTES (128 << 10)

static struct alloc_env {
	pid_t pid;
	double duration;
	int exact;
	unsigned long long sample_bytes;
	struct alloc_query q;
	const char *include[MAX_FILTERS], *exclude[MAX_FILTERS];
	long limit;
	const char *snapshot, *output;
	double snapshot_every;
	int format_set;
	enum out_format format;
	long max_depth;
	int verbose;
	int diff_mode;		/* alloc diff OLD NEW */
	int show_mode;		/* alloc show SNAPSHOT */
	const char *diff[2];
	int ndiff;
	char **command;		/* run mode: the command after -- */
} env = {
	.sample_bytes = DEFAULT_SAMPLE_BYTES,
	.limit = 10,
	.max_depth = PYBPFTOP_MAX_DEPTH,
};

static const char doc[] =
"Which Python lines allocate memory, and which hold it, in a running CPython\n"
"process, without restarting it and without tracemalloc in it.\n"
"\n"
"The default mode samples the first touch of new memory (page faults), one\n"
"sample per 128 KiB on average: it costs nothing per allocation, sees memory\n"
"from any allocator, and sizes are estimates (± is a 95% interval).\n"
"--exact probes every allocation and free, as tracemalloc sees them; each\n"
"costs a trap into the kernel, so the program runs many times slower.\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop alloc -p 1234 -d 30                  # what grew in 30 s\n"
"  sudo pybpftop alloc -p 1234 --exact --allocated -g traceback\n"
"  sudo pybpftop alloc -p 1234 -d 60 --snapshot after.json -o heap.html\n"
"  sudo pybpftop alloc --exact -- python3 app.py    # run it, from its start\n"
"  pybpftop alloc show after.json -g filename --include '*/myapp/*'\n"
"  pybpftop alloc diff before.json after.json        # what changed\n";

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Process to profile", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after this long (default: until Ctrl-C or the process exits)", 0 },
	{ "exact", OPT_EXACT, NULL, 0, "Probe every allocation and free (slow; needs an interpreter with symbols)", 0 },
	{ "sample-bytes", OPT_SAMPLE_BYTES, "SIZE", 0, "Sampled mode: mean new memory per sample (default 128K; 4K samples every page)", 0 },
	{ "live", OPT_LIVE, NULL, 0, "Memory still allocated at the end (the default)", 1 },
	{ "allocated", OPT_ALLOCATED, NULL, 0, "Everything allocated during the run, freed or not", 1 },
	{ "group-by", 'g', "KEY", 0, "lineno (default), filename or traceback", 1 },
	{ "include", OPT_INCLUDE, "PATTERN", 0, "Only files matching this fnmatch pattern (may repeat)", 1 },
	{ "exclude", OPT_EXCLUDE, "PATTERN", 0, "Not files matching this pattern (may repeat)", 1 },
	{ "all-frames", OPT_ALL_FRAMES, NULL, 0, "Filters match any frame, not only the innermost", 1 },
	{ "traceback-limit", OPT_TB_LIMIT, "N", 0, "Frames per traceback, innermost first (default: all)", 1 },
	{ "limit", 'n', "N", 0, "Rows printed (default 10; 0: all)", 1 },
	{ "snapshot", OPT_SNAPSHOT, "FILE", 0, "Save a snapshot for `alloc diff` at the end (JSON, docs/alloc-snapshot.md); "
	  "SIGUSR1 to pybpftop saves one now, as FILE with .1, .2... before its extension", 2 },
	{ "snapshot-every", OPT_SNAPSHOT_EVERY, "SECONDS", 0, "Also save a numbered snapshot this often", 2 },
	{ "output", 'o', "FILE", 0, "Write a flame graph of the bytes, in the format its extension names "
	  "(.folded, .html, .speedscope.json, .pb.gz)", 2 },
	{ "format", 'f', "FORMAT", 0, "folded, html, speedscope or pprof (default: from -o's extension)", 2 },
	{ "max-depth", 'D', "FRAMES", 0, "Frames kept per stack (default and most: 5000)", 2 },
	{ "verbose", 'v', NULL, 0, "Print counters (-vv: libbpf's messages too)", 2 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'p':
		if (env.pid)
			argp_error(state, "alloc profiles one process: give -p once");
		env.pid = cli_long(arg, 1, 0x7fffffff, state);
		break;
	case 'd':
		env.duration = cli_seconds(arg, 0.001, 1e9, state);
		break;
	case OPT_EXACT:
		env.exact = 1;
		break;
	case OPT_SAMPLE_BYTES:
		env.sample_bytes = cli_bytes(arg, 4096, 1ull << 40, state);
		break;
	case OPT_LIVE:
		env.q.allocated = 0;
		break;
	case OPT_ALLOCATED:
		env.q.allocated = 1;
		break;
	case 'g':
		if (!strcmp(arg, "lineno") || !strcmp(arg, "line"))
			env.q.group = GROUP_LINENO;
		else if (!strcmp(arg, "filename") || !strcmp(arg, "file"))
			env.q.group = GROUP_FILENAME;
		else if (!strcmp(arg, "traceback"))
			env.q.group = GROUP_TRACEBACK;
		else
			argp_error(state, "unknown --group-by '%s': use lineno, filename or traceback", arg);
		break;
	case OPT_INCLUDE:
	case OPT_EXCLUDE:
		if (env.q.ninclude + env.q.nexclude == MAX_FILTERS)
			argp_error(state, "at most %d filters", MAX_FILTERS);
		if (key == OPT_INCLUDE)
			env.include[env.q.ninclude++] = arg;
		else
			env.exclude[env.q.nexclude++] = arg;
		break;
	case OPT_ALL_FRAMES:
		env.q.all_frames = 1;
		break;
	case OPT_TB_LIMIT:
		env.q.traceback_limit = cli_long(arg, 1, PYBPFTOP_MAX_DEPTH, state);
		break;
	case 'n':
		env.limit = cli_long(arg, 0, 1000000000, state);
		break;
	case OPT_SNAPSHOT:
		env.snapshot = arg;
		break;
	case OPT_SNAPSHOT_EVERY:
		env.snapshot_every = cli_seconds(arg, 0.01, 1e9, state);
		break;
	case 'o':
		env.output = arg;
		break;
	case 'f':
		if (format_parse(arg, &env.format) || env.format == FMT_CHROME)
			argp_error(state, "unknown format '%s': use folded, html, speedscope or pprof", arg);
		env.format_set = 1;
		break;
	case 'D':
		env.max_depth = cli_long(arg, 1, PYBPFTOP_MAX_DEPTH, state);
		break;
	case 'v':
		env.verbose++;
		break;
	case ARGP_KEY_ARG:
		/* alloc diff OLD NEW */
		if (state->arg_num == 0 && !strcmp(arg, "diff"))
			env.diff_mode = 1;
		else if (state->arg_num == 0 && !strcmp(arg, "show"))
			env.show_mode = 1;
		else if ((env.diff_mode && env.ndiff < 2) || (env.show_mode && env.ndiff < 1))
			env.diff[env.ndiff++] = arg;
		else if (!env.diff_mode && !env.show_mode)
			return ARGP_ERR_UNKNOWN;	/* then ARGP_KEY_ARGS: the command */
		else
			argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_ARGS:
		env.command = state->argv + state->next;
		break;
	case ARGP_KEY_END:
		if (env.diff_mode || env.show_mode) {
			if (env.ndiff != (env.diff_mode ? 2 : 1))
				argp_error(state, env.diff_mode ? "alloc diff needs two snapshot files: OLD NEW" :
					   "alloc show needs a snapshot file");
			if (env.pid || env.exact || env.output || env.snapshot)
				argp_error(state, "alloc %s reads snapshots: -p, --exact, -o and --snapshot do not apply",
					   env.diff_mode ? "diff" : "show");
		} else if (!env.pid && !env.command) {
			argp_error(state, "which process? give -p PID, or a command to run after --");
		} else if (env.pid && env.command) {
			argp_error(state, "give -p PID or a command to run, not both");
		} else if (env.snapshot_every && !env.snapshot) {
			argp_error(state, "--snapshot-every needs --snapshot FILE");
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t stop, snap_now;
static pid_t run_child;

/* In run mode a signal sent to pybpftop alone is passed on, and Ctrl-C at
 * the terminal reaches the child anyway: the child decides when to end. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1)
		snap_now = 1;
	else if (run_child <= 0)
		stop = sig;
	else if (si->si_code == SI_USER || si->si_code == SI_QUEUE)
		kill(run_child, sig);
}

/* Run mode: start the command as the user who ran sudo, and wait for its
 * interpreter to be mapped (at its exec for a static build, after the
 * dynamic loader for a shared one). Returns 0 with t filled in. */
#define START_TIMEOUT_S 5.0

static int start_command(struct child *c, struct py_target *t, char *err, size_t errlen)
{
	double start, t0;
	int status;

	if (child_spawn(c, env.command, err, errlen))
		return -1;
	run_child = c->pid;
	if (child_release(c, env.command, err, errlen))
		return -1;
	for (start = now(); now() < start + START_TIMEOUT_S; usleep(2000)) {
		if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
			snprintf(err, errlen, "%s exited (status %d) before its interpreter was found",
				 env.command[0], child_exit_code(status));
			c->pid = -1;
			return -1;
		}
		/* Not yet Python: a shell or a pyenv shim may exec it later. */
		t0 = now();
		if (!py_target_open(c->pid, t, err, errlen)) {
			if (env.verbose)
				fprintf(stderr, "pybpftop: found the interpreter of pid %d %.1f ms after its start (in %.1f ms)\n",
					c->pid, (now() - start) * 1e3, (now() - t0) * 1e3);
			return 0;
		}
	}
	return -1;	/* err says why the last try failed */
}

struct run {
	struct py_target *t;
	struct symbolizer sym;
	struct alloc_heap heap;
	uint32_t ids[PYBPFTOP_MAX_DEPTH];
	uint64_t oom;
	int root_fd;		/* the target's root, for source lines after it exits */
};

static void on_event(void *ctx, const struct py_alloc_event *e, const struct py_sample_hdr *hdr,
		     const struct py_frame *frames)
{
	struct run *r = ctx;
	struct alloc_trace *t;
	uint32_t flags = 0;

	switch (e->kind) {
	case ALLOC_EV_BLOCK:
	case ALLOC_EV_PAGE:
		for (uint32_t i = 0; i < hdr->depth; i++)
			r->ids[i] = symbolizer_frame(&r->sym, r->t, frames[i].code, frames[i].lasti);
		if (hdr->flags & SAMPLE_TRUNCATED)
			flags = STACK_TRUNCATED;
		else if (hdr->flags & SAMPLE_READ_ERROR)
			flags = STACK_PARTIAL;
		t = alloc_heap_trace(&r->heap, hdr->pid, flags, r->ids, hdr->depth);
		if (!t || alloc_heap_alloc(&r->heap, t, e->addr, e->size,
					   e->kind == ALLOC_EV_BLOCK ? e->addr2 : 0))
			r->oom++;
		break;
	case ALLOC_EV_FREE:
		alloc_heap_release(&r->heap, e->addr);
		break;
	case ALLOC_EV_UNMAP:
		alloc_heap_unmap(&r->heap, e->addr, e->size);
		break;
	case ALLOC_EV_MOVE:
		alloc_heap_move(&r->heap, e->addr, e->size, e->addr2, e->size2);
		break;
	}
}

static void print_counters(struct alloc_probe *p, const struct run *r)
{
	uint64_t c[CNT_MAX];

	alloc_probe_counters(p, c);
	fprintf(stderr, "pybpftop: counters: faults=%llu allocator-calls=%llu nested=%llu busy=%llu stacks=%llu sent=%llu lost=%llu truncated=%llu read-errors=%llu no-thread=%llu\n",
		(unsigned long long)c[CNT_FAULTS], (unsigned long long)c[CNT_ALLOC_CALLS],
		(unsigned long long)c[CNT_NESTED], (unsigned long long)c[CNT_BUSY],
		(unsigned long long)c[CNT_SAMPLES],
		(unsigned long long)c[CNT_EMITTED], (unsigned long long)c[CNT_LOST],
		(unsigned long long)c[CNT_TRUNCATED], (unsigned long long)c[CNT_READ_ERROR],
		(unsigned long long)c[CNT_NO_THREAD]);
	fprintf(stderr, "pybpftop: %llu tracebacks, %llu live blocks, %llu frees of blocks from before the start\n",
		(unsigned long long)r->heap.ntraces, (unsigned long long)r->heap.nblocks,
		(unsigned long long)r->heap.unknown_frees);
}

/* -o: a flame graph whose weights are bytes. */
static int write_flame(struct run *r, const struct alloc_snapshot *snap)
{
	struct profile prof;
	struct profile_meta meta = {
		.command = snap->command,
		.python = snap->python,
		.duration_s = snap->duration_s,
		.start_unix_ns = snap->time_unix_ns,
	};
	int rc = 0;

	profile_init(&prof);
	profile_set_thread_name(&prof, r->t->pid, r->t->pid, r->t->comm);
	for (const struct alloc_trace *t = r->heap.traces; t && !rc; t = t->next) {
		uint64_t bytes = env.q.allocated ? t->alloc_size : t->live_size;

		if (bytes)
			rc = profile_add(&prof, t->pid, t->pid, t->flags, t->frames, t->n, bytes);
	}
	if (!rc)
		rc = format_write(env.format_set ? env.format : format_from_path(env.output), &prof,
				  &r->sym, &meta, env.output);
	if (rc)
		fprintf(stderr, "pybpftop: cannot write %s: %s\n", env.output, strerror(-rc));
	else
		fprintf(stderr, "pybpftop: wrote a flame graph of %s bytes to %s\n",
			env.q.allocated ? "allocated" : "live", env.output);
	profile_free(&prof);
	return rc ? 1 : 0;
}

static void print_header(const struct alloc_snapshot *s, const char *why)
{
	char cur[32], peak[32], all[32];

	alloc_format_size(cur, sizeof(cur), s->current, 0);
	alloc_format_size(peak, sizeof(peak), s->peak, 0);
	alloc_format_size(all, sizeof(all), s->allocated, 0);
	printf("pybpftop alloc: pid %d (%.200s), Python %s, %.1f s%s\n", s->pid, s->command,
	       s->python, s->duration_s, why);
	if (s->exact) {
		printf("Exact: every allocation since the start, as tracemalloc counts them.\n");
		printf("Traced memory: current %s, peak %s; allocated during the run: %s in %llu blocks\n",
		       cur, peak, all, (unsigned long long)s->allocations);
	} else {
		char rate[32];

		alloc_format_size(rate, sizeof(rate), s->sample_bytes, 0);
		printf("Sampled: new memory (first-touched pages), one sample per %s on average;\n"
		       "sizes are estimates, ± is a 95%% interval.\n", rate);
		printf("New memory: current %s, peak %s; touched during the run: %s (%llu samples)\n",
		       cur, peak, all, (unsigned long long)s->allocations);
	}
}

static const char *group_name(void)
{
	return env.q.group == GROUP_FILENAME ? "files" :
	       env.q.group == GROUP_TRACEBACK ? "tracebacks" : "lines";
}

static int take_snapshot(struct run *r, double elapsed, struct alloc_snapshot *snap)
{
	*snap = (struct alloc_snapshot){
		.exact = env.exact,
		.pid = r->t->pid,
		.duration_s = elapsed,
		.time_unix_ns = (uint64_t)time(NULL) * 1000000000ull,
		.command = strdup(r->t->cmdline),
		.python = strdup(r->t->version),
	};
	/* What each sample stood for, as the BPF side rounded it. */
	if (!env.exact)
		snap->sample_bytes = r->heap.allocations ? r->heap.allocated / r->heap.allocations :
				     env.sample_bytes;
	if (!snap->command || !snap->python || alloc_snapshot_from_heap(snap, &r->heap, &r->sym)) {
		fprintf(stderr, "pybpftop: out of memory\n");
		alloc_snapshot_free(snap);
		return -ENOMEM;
	}
	return 0;
}

static int save_snapshot(const struct alloc_snapshot *snap, const char *path)
{
	int rc = alloc_snapshot_write(snap, path);

	if (rc)
		fprintf(stderr, "pybpftop: cannot write %s: %s\n", path, strerror(-rc));
	else
		fprintf(stderr, "pybpftop: wrote a snapshot to %s\n", path);
	return rc;
}

/* SIGUSR1, --snapshot-every: FILE.json -> FILE.N.json */
static void numbered_snapshot(struct run *r, double elapsed)
{
	static int seq;
	const char *base = strrchr(env.snapshot, '/'), *dot;
	struct alloc_snapshot snap;
	char path[4096];

	base = base ? base + 1 : env.snapshot;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = base + strlen(base);
	snprintf(path, sizeof(path), "%.*s.%d%s", (int)(dot - env.snapshot), env.snapshot, ++seq, dot);
	if (take_snapshot(r, elapsed, &snap))
		return;
	save_snapshot(&snap, path);
	alloc_snapshot_free(&snap);
}

static int report(struct run *r, double elapsed, const char *why)
{
	struct alloc_snapshot snap;
	struct alloc_stat *rows;
	size_t n;
	int rc = 0;

	if (take_snapshot(r, elapsed, &snap))
		return 1;
	print_header(&snap, why);
	if (*why && !env.q.allocated)
		printf("The process exited, and freed its memory as it did: --allocated shows what it allocated, --snapshot-every what it held.\n");
	rows = alloc_statistics(&snap, &env.q, &n);
	printf("\nTop %s by %s memory:\n", group_name(), env.q.allocated ? "allocated" : "live");
	if (!n)
		printf("(none)\n");
	alloc_print(stdout, rows, n, env.limit, &env.q, 0, r->root_fd);
	fflush(stdout);
	free(rows);
	if (env.snapshot)
		rc = !!save_snapshot(&snap, env.snapshot);
	if (env.output)
		rc |= write_flame(r, &snap);
	alloc_snapshot_free(&snap);
	return rc;
}

/* The target's root directory, kept open so that its files can be read
 * after it exits; -1 if it cannot be opened. */
static int open_root(pid_t pid)
{
	char root[64];

	snprintf(root, sizeof(root), "/proc/%d/root", pid);
	return open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Take in events until -d, a signal or the target's exit (then returns
 * the report's note on it), saving numbered snapshots as asked. */
static const char *collect(struct run *r, struct alloc_probe *probe, int pidfd, double *elapsed)
{
	double start = now(), next_snap = start + env.snapshot_every;
	const char *why = "";

	while (!stop && (!env.duration || now() - start < env.duration)) {
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		/* Stacks are named when they are drained, by reading the code
		 * objects: a process that exits takes its code with it, so a
		 * command we run (often short) is drained every few ms. --exact
		 * fills the buffer fast: drain it often too. */
		int ms = env.command ? 5 : env.exact ? 10 : 50;

		if (env.duration && (env.duration - (now() - start)) * 1000 < ms)
			ms = (env.duration - (now() - start)) * 1000 + 1;
		if (poll(&pfd, 1, ms) > 0 && pfd.revents) {
			why = ", until it exited";
			break;
		}
		alloc_probe_drain(probe);
		symbolizer_new_epoch(&r->sym);
		if (snap_now || (env.snapshot_every && now() >= next_snap)) {
			snap_now = 0;
			next_snap += env.snapshot_every;
			numbered_snapshot(r, now() - start);
		}
	}
	*elapsed = now() - start;
	return why;
}

static void warn_losses(struct alloc_probe *probe, const struct run *r)
{
	uint64_t c[CNT_MAX];

	if (env.verbose)
		print_counters(probe, r);
	alloc_probe_counters(probe, c);
	if (c[CNT_LOST])
		fprintf(stderr, "pybpftop: warning: %llu events were lost (the ring buffer was full): the figures are low\n",
			(unsigned long long)c[CNT_LOST]);
	if (r->oom)
		fprintf(stderr, "pybpftop: warning: out of memory for %llu blocks: the figures are low\n",
			(unsigned long long)r->oom);
}

static int profile_target(void)
{
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };
	struct child child = { .pid = -1 };
	struct alloc_probe_opts po = {
		.exact = env.exact,
		.sample_bytes = env.sample_bytes,
		.max_depth = env.max_depth,
		.verbose = env.verbose,
		.on_event = on_event,
	};
	struct alloc_probe *probe = NULL;
	struct run r = {};
	char err[512];
	const char *why = "";
	double elapsed;
	int pidfd = -1, rc = 1;

	if (!env.command && kill(env.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "pybpftop: no process with pid %d: check the pid (ps -C python3 -o pid,cmd)\n", env.pid);
		return 1;
	}
	if (sampler_check_system(err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		return 1;
	}
	symbolizer_init(&r.sym);
	alloc_heap_init(&r.heap);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!(r.t = calloc(1, sizeof(*r.t))))
		goto fail;
	/* A pid is checked first, so that bad input gets its own message. */
	if (!env.command && py_target_open(env.pid, r.t, err, sizeof(err)))
		goto fail;
	po.ctx = &r;
	if (alloc_probe_start(&probe, &po, err, sizeof(err)))
		goto fail;
	if (env.command && start_command(&child, r.t, err, sizeof(err)))
		goto fail;
	env.pid = r.t->pid;
	r.root_fd = open_root(r.t->pid);
	if (!proc_cmdline(r.t->pid, r.t->cmdline, sizeof(r.t->cmdline)))
		snprintf(r.t->cmdline, sizeof(r.t->cmdline), "%s", r.t->comm);
	if (env.snapshot)
		sigaction(SIGUSR1, &sa, NULL);
	pidfd = syscall(SYS_pidfd_open, env.pid, 0);
	if (alloc_probe_add_target(probe, r.t, err, sizeof(err)))
		goto fail;
	if (env.verbose)
		fprintf(stderr, "pybpftop: pid %d: Python %s in %s, %s mode\n", r.t->pid, r.t->version,
			r.t->runtime_file, env.exact ? "exact" : "sampled");
	why = collect(&r, probe, pidfd, &elapsed);
	alloc_probe_detach(probe);
	alloc_probe_drain(probe);
	warn_losses(probe, &r);
	rc = report(&r, elapsed, why);
	goto out;
fail:
	fprintf(stderr, "pybpftop: %s\n", err);
out:
	alloc_probe_stop(probe);
	if (pidfd >= 0)
		close(pidfd);
	if (r.root_fd > 0)
		close(r.root_fd);
	alloc_heap_free(&r.heap);
	symbolizer_free(&r.sym);
	free(r.t);
	if (child.pid > 0) {
		int status;

		/* -d ended the profile first: the child decides when to end. */
		if (waitpid(child.pid, &status, 0) == child.pid && !rc)
			rc = child_exit_code(status);
	}
	return rc;
}

static int show_snapshot(void)
{
	struct alloc_snapshot snap;
	struct alloc_stat *rows;
	char err[512];
	size_t n;

	if (alloc_snapshot_read(&snap, env.diff[0], err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		return 1;
	}
	print_header(&snap, "");
	rows = alloc_statistics(&snap, &env.q, &n);
	printf("\nTop %s by %s memory:\n", group_name(), env.q.allocated ? "allocated" : "live");
	if (!n)
		printf("(none)\n");
	alloc_print(stdout, rows, n, env.limit, &env.q, 0, 0);
	free(rows);
	alloc_snapshot_free(&snap);
	return 0;
}

static int diff_snapshots(void)
{
	struct alloc_snapshot old, new;
	struct alloc_stat *rows;
	char err[512], a[32], b[32], d[32];
	size_t n;

	if (alloc_snapshot_read(&old, env.diff[0], err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		return 1;
	}
	if (alloc_snapshot_read(&new, env.diff[1], err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		alloc_snapshot_free(&old);
		return 1;
	}
	if (old.exact != new.exact)
		fprintf(stderr, "pybpftop: warning: comparing an exact snapshot with a sampled one\n");
	alloc_format_size(a, sizeof(a), old.current, 0);
	alloc_format_size(b, sizeof(b), new.current, 0);
	alloc_format_size(d, sizeof(d), (double)new.current - old.current, 1);
	printf("pybpftop alloc diff: %s -> %s\n", env.diff[0], env.diff[1]);
	printf("%s memory: %s -> %s (%s)\n", new.exact ? "Traced" : "New", a, b, d);
	rows = alloc_compare(&old, &new, &env.q, &n);
	printf("\nTop differences by %s, %s memory:\n", group_name(),
	       env.q.allocated ? "allocated" : "live");
	if (!n)
		printf("(none)\n");
	alloc_print(stdout, rows, n, env.limit, &env.q, 1, 0);
	free(rows);
	alloc_snapshot_free(&old);
	alloc_snapshot_free(&new);
	return 0;
}

int cmd_alloc(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, "-p PID [OPTIONS]\n[OPTIONS] -- COMMAND [ARG...]\nshow SNAPSHOT [OPTIONS]\ndiff OLD NEW [OPTIONS]", doc, 0, 0, 0 };
	int err = argp_parse(&argp, argc, argv, 0, NULL, NULL);

	if (err)
		return 2;
	env.q.include = env.include;
	env.q.exclude = env.exclude;
	return env.diff_mode ? diff_snapshots() : env.show_mode ? show_snapshot() : profile_target();
}
