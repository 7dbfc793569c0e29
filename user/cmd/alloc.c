/* `pybpftop alloc`: which Python lines allocate memory and which hold it,
 * in a running process, with tracemalloc's statistics; `alloc diff`
 * compares two snapshots. */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "alloc/heap.h"
#include "alloc/snapshot.h"
#include "alloc/stats.h"
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "out/writers.h"
#include "proc/text_escape.h"
#include "profile/session.h"

#define MAX_FILTERS 32
/* One sample per this much new memory by default: about 8 samples per MiB,
 * enough for a few percent on the lines that matter within seconds, and
 * cheap (a stack walk per sample, none per allocation). */
#define DEFAULT_SAMPLE_BYTES (128 << 10)

static struct alloc_env {
	struct cli_common c;
	int exact;
	unsigned long long sample_bytes;
	struct alloc_query q;
	const char *include[MAX_FILTERS], *exclude[MAX_FILTERS];
	long limit;
	const char *snapshot;
	struct output_file snapshot_out;	/* --snapshot's, open from start-up */
	double snapshot_every;
	int diff_mode;		/* alloc diff OLD NEW */
	int show_mode;		/* alloc show SNAPSHOT */
	const char *diff[2];
	int ndiff;
	const char *source_root;	/* show, diff: where the snapshot's files are */
} env = {
	.sample_bytes = DEFAULT_SAMPLE_BYTES,
	.limit = 10,
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
"  sudo pybpftop alloc --subprocesses -- gunicorn app:app   # and its workers\n"
"  pybpftop alloc show after.json -g filename --include '*/myapp/*'\n"
"  pybpftop alloc diff before.json after.json        # what changed\n"
"  sudo pybpftop alloc show heap.json --source-root /srv/app-root\n"
"\n"
"show and diff quote the source lines of the files a snapshot names, as the\n"
"user running them sees those files. As root they read none unless\n"
"--source-root DIR says where the snapshot's paths resolve (they stay\n"
"inside DIR: \"..\" and symlinks cannot leave it; / for this machine's).\n";

static const struct argp_option options[] = {
	CLI_OPT_PID("Process to profile"),
	CLI_OPT_DURATION,
	{ "exact", OPT_EXACT, NULL, 0, "Probe every allocation and free (slow; needs an interpreter with symbols)", 0 },
	{ "sample-bytes", OPT_SAMPLE_BYTES, "SIZE", 0, "Sampled mode: mean new memory per sample (default 128K; 4K samples every page)", 0 },
	CLI_OPT_FOLLOW("their allocations count with the others'"),
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
	{ "source-root", OPT_SOURCE_ROOT, "DIR", 0, "show, diff: resolve the snapshot's file names in DIR for their "
	  "source lines (as root, none are read without it)", 1 },
	CLI_OPT_OUTPUT(2),
	CLI_OPT_DEPTH(2),
	CLI_OPT_VERBOSE(2),
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
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
	case OPT_SOURCE_ROOT:
		env.source_root = arg;
		break;
	case ARGP_KEY_ARG:
		/* alloc diff OLD NEW, alloc show SNAPSHOT */
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
	case ARGP_KEY_END:
		if (env.diff_mode || env.show_mode) {
			if (env.ndiff != (env.diff_mode ? 2 : 1))
				argp_error(state, env.diff_mode ? "alloc diff needs two snapshot files: OLD NEW" :
					   "alloc show needs a snapshot file");
			if (env.c.npids || env.exact || env.c.output || env.snapshot)
				argp_error(state, "alloc %s reads snapshots: -p, --exact, -o and --snapshot do not apply",
					   env.diff_mode ? "diff" : "show");
			break;
		}
		if (env.snapshot_every && !env.snapshot)
			argp_error(state, "--snapshot-every needs --snapshot FILE");
		if (env.source_root)
			argp_error(state, "--source-root is for alloc show and alloc diff: a live run reads the target's own files");
		return cli_common_arg(key, arg, state, &env.c);
	default:
		return cli_common_arg(key, arg, state, &env.c);
	}
	return 0;
}

/* What a run collects. */
struct run {
	struct session *s;
	struct alloc_heap heap;
	uint64_t oom;
};

static void on_alloc(void *ctx, struct session_target *t, const struct py_alloc_event *e,
		     const struct py_sample_hdr *hdr, const uint32_t *ids)
{
	struct run *r = ctx;
	struct alloc_trace *trace;

	(void)t;
	switch (e->kind) {
	case ALLOC_EV_BLOCK:
	case ALLOC_EV_PAGE:
		trace = alloc_heap_trace(&r->heap, e->pid, profile_stack_flags(hdr->flags), ids,
					 hdr->depth);
		if (!trace || alloc_heap_alloc(&r->heap, trace, e->addr, e->size,
					       e->kind == ALLOC_EV_BLOCK ? e->addr2 : 0))
			r->oom++;
		break;
	case ALLOC_EV_FREE:
		alloc_heap_release(&r->heap, e->pid, e->addr);
		break;
	case ALLOC_EV_UNMAP:
		alloc_heap_unmap(&r->heap, e->pid, e->addr, e->size);
		break;
	case ALLOC_EV_MOVE:
		alloc_heap_move(&r->heap, e->pid, e->addr, e->size, e->addr2, e->size2);
		break;
	}
}

/* An exec replaces the address space, and a child's memory goes with it
 * when it exits; the process we were pointed at keeps what it held at its
 * end, so that a short run reports its heap. */
static void on_target(void *ctx, struct session_target *t, enum session_event what)
{
	struct run *r = ctx;

	if (what == TARGET_EXEC || (what == TARGET_EXITED && t->child))
		alloc_heap_forget(&r->heap, t->t.pid);
	if (what == TARGET_ADDED && env.c.verbose)
		fprintf(stderr, "pybpftop: pid %d: Python %s in %s, %s mode\n", t->t.pid, t->t.version,
			TEXT_SAFE(t->t.runtime_file), env.exact ? "exact" : "sampled");
}

/* -o: a flame graph whose weights are bytes, each process under its name. */
static int write_flame(struct run *r, const struct alloc_snapshot *snap)
{
	struct session *s = r->s;
	struct profile prof;
	struct profile_meta meta = {
		.command = snap->command,
		.python = snap->python,
		.duration_s = snap->duration_s,
		.start_unix_ns = snap->time_unix_ns,
		.unit = "bytes",
		.bytes_type = env.q.allocated ? "alloc_space" : "inuse_space",
	};
	char err[PATH_MAX + 256];
	int rc = 0;

	profile_init(&prof, &s->frames);
	for (int i = 0; i < s->ntargets; i++)
		profile_set_thread_name(&prof, s->targets[i]->t.pid, s->targets[i]->t.pid,
					s->targets[i]->t.comm);
	for (const struct alloc_trace *t = r->heap.traces; t && !rc; t = t->next) {
		uint64_t bytes = env.q.allocated ? t->alloc_size : t->live_size;

		if (bytes)
			rc = profile_add(&prof, t->pid, t->pid, t->flags, t->frames, t->n, bytes);
	}
	if (rc)
		snprintf(err, sizeof(err), "cannot write %s: %s", env.c.output, strerror(-rc));
	else
		rc = writer_write(env.c.writer, &prof, &meta, &env.c.out, err, sizeof(err));
	if (rc)
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
	else
		fprintf(stderr, "pybpftop: wrote a flame graph of %s bytes to %s\n",
			env.q.allocated ? "allocated" : "live", env.c.output);
	profile_free(&prof);
	return rc ? 1 : 0;
}

static void print_header(const struct alloc_snapshot *s, const char *why)
{
	char cur[32], peak[32], all[32], command[200];

	alloc_format_size(cur, sizeof(cur), s->current, 0);
	alloc_format_size(peak, sizeof(peak), s->peak, 0);
	alloc_format_size(all, sizeof(all), s->allocated, 0);
	/* A snapshot's strings are anyone's: the file may come from elsewhere. */
	printf("pybpftop alloc: pid %d (%s), Python %s, %.1f s%s\n", s->pid,
	       text_escape(command, sizeof(command), s->command), TEXT_SAFE(s->python),
	       s->duration_s, why);
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
	const struct py_target *t = &r->s->targets[0]->t;

	*snap = (struct alloc_snapshot){
		.exact = env.exact,
		.pid = t->pid,
		.duration_s = elapsed,
		.time_unix_ns = (uint64_t)time(NULL) * 1000000000ull,
		.command = strdup(t->cmdline),
		.python = strdup(t->version),
	};
	/* What each sample stood for, as the BPF side rounded it. */
	if (!env.exact)
		snap->sample_bytes = r->heap.allocations ? r->heap.allocated / r->heap.allocations :
				     env.sample_bytes;
	if (!snap->command || !snap->python ||
	    alloc_snapshot_from_heap(snap, &r->heap, &r->s->frames)) {
		fprintf(stderr, "pybpftop: out of memory\n");
		alloc_snapshot_free(snap);
		return -ENOMEM;
	}
	return 0;
}

static int fill_snapshot(void *ctx, FILE *out)
{
	return alloc_snapshot_write(ctx, out);
}

/* To --snapshot's file, or to `name` in its directory. */
static int save_snapshot(const struct alloc_snapshot *snap, const char *name)
{
	char err[PATH_MAX + 256];
	int rc = output_file_write(&env.snapshot_out, name, fill_snapshot, (void *)snap, err,
				   sizeof(err));

	if (rc)
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
	else
		fprintf(stderr, "pybpftop: wrote a snapshot to %s%s\n", env.snapshot_out.prefix,
			name ? name : env.snapshot_out.name);
	return rc;
}

/* SIGUSR1, --snapshot-every: FILE.json -> FILE.N.json, beside it. */
static void numbered_snapshot(struct run *r, double elapsed)
{
	static int seq;
	const char *base = env.snapshot_out.name, *dot = strrchr(base, '.');
	struct alloc_snapshot snap;
	char name[NAME_MAX + 32];

	if (!dot || dot == base)
		dot = base + strlen(base);
	snprintf(name, sizeof(name), "%.*s.%d%s", (int)(dot - base), base, ++seq, dot);
	if (take_snapshot(r, elapsed, &snap))
		return;
	save_snapshot(&snap, name);
	alloc_snapshot_free(&snap);
}

static int report(struct run *r, double elapsed, const char *why)
{
	struct source_lines src = { 0 };
	struct alloc_snapshot snap;
	struct alloc_stat *rows;
	size_t n;
	int rc = 0;

	if (take_snapshot(r, elapsed, &snap))
		return 1;
	print_header(&snap, why);
	if (strstr(why, "exited") && !env.q.allocated)
		printf("The process exited, and freed its memory as it did: --allocated shows what it allocated, --snapshot-every what it held.\n");
	rows = alloc_statistics(&snap, &env.q, &n);
	printf("\nTop %s by %s memory:\n", group_name(), env.q.allocated ? "allocated" : "live");
	if (!n)
		printf("(none)\n");
	/* Its files as it saw them, even after it exited. */
	alloc_print(stdout, rows, n, env.limit, &env.q, 0, &src, &r->s->targets[0]->root);
	fflush(stdout);
	if (env.c.verbose)
		source_lines_print_stats(&src, stderr);
	source_lines_free(&src);
	free(rows);
	if (env.snapshot)
		rc = !!save_snapshot(&snap, NULL);
	if (env.c.output)
		rc |= write_flame(r, &snap);
	alloc_snapshot_free(&snap);
	return rc;
}

/* Takes in events until -d, a signal or the end of the targets, saving
 * numbered snapshots as asked. */
static void collect(struct run *r)
{
	struct session *s = r->s;
	double next_snap = s->start + env.snapshot_every;

	while (!session_over(s) && !(env.c.duration && session_now() - s->start >= env.c.duration)) {
		double until = env.c.duration ? s->start + env.c.duration : session_now() + 1;

		if (env.snapshot_every && next_snap < until)
			until = next_snap;
		session_tick(s, (int)((until - session_now()) * 1000) + 1);
		if (session_usr1 || (env.snapshot_every && session_now() >= next_snap)) {
			if (!session_usr1)
				next_snap += env.snapshot_every;
			session_usr1 = 0;
			numbered_snapshot(r, session_now() - s->start);
		}
	}
}

static void warn_losses(const struct run *r)
{
	uint64_t c[CNT_MAX];

	if (env.c.verbose) {
		session_print_counters(r->s, stderr);
		fprintf(stderr, "pybpftop: %llu tracebacks, %llu live blocks, %llu frees of blocks from before the start\n",
			(unsigned long long)r->heap.ntraces, (unsigned long long)r->heap.nblocks,
			(unsigned long long)r->heap.unknown_frees);
	}
	session_counters(r->s, c);
	if (c[CNT_LOST])
		fprintf(stderr, "pybpftop: warning: %llu events were lost (the ring buffer was full): the figures are low\n",
			(unsigned long long)c[CNT_LOST]);
	if (r->oom)
		fprintf(stderr, "pybpftop: warning: out of memory for %llu blocks: the figures are low\n",
			(unsigned long long)r->oom);
}

/* ", until it exited" and the children followed, for the report's header. */
static void end_note(const struct session *s, char *buf, size_t len)
{
	int children = 0;

	for (int i = 0; i < s->ntargets; i++)
		children += s->targets[i]->child;
	snprintf(buf, len, "%s", (s->opts->command ? s->child_done : !s->alive) ? ", until it exited" : "");
	if (children)
		snprintf(buf + strlen(buf), len - strlen(buf), ", with %d child process%s", children,
			 children == 1 ? "" : "es");
}

static int profile_target(void)
{
	struct alloc_probe_opts po = {
		.exact = env.exact,
		.sample_bytes = env.sample_bytes,
		.max_depth = env.c.max_depth,
	};
	struct session *s = calloc(1, sizeof(*s));
	struct run r = { .s = s };
	struct session_opts so = {
		.alloc = &po,
		/* Stacks are named when they are drained, by reading the code
		 * objects: a process that exits takes its code with it, so a
		 * command we run (often short) is drained every few ms. --exact
		 * fills the buffer fast: drain it often too. */
		.drain_ms = env.c.command ? 5 : env.exact ? 10 : 50,
		.usr1 = !!env.snapshot,
		.sink = { .alloc = on_alloc, .target = on_target, .ctx = &r },
	};
	char err[512], why[96];
	double elapsed;
	int rc = 1, code;

	if (!s)
		return 1;
	cli_session_opts(&env.c, &so);
	/* Before any BPF is loaded: files that cannot be written are known now. */
	if ((env.snapshot && cli_output_open(&env.snapshot_out, "--snapshot", env.snapshot)) ||
	    (env.c.output && cli_output_open(&env.c.out, "-o", env.c.output))) {
		free(s);
		output_file_close(&env.snapshot_out);
		return 1;
	}
	alloc_heap_init(&r.heap);
	if (session_open(s, &so, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		goto out;
	}
	collect(&r);
	elapsed = session_now() - s->start;
	session_finish(s);
	warn_losses(&r);
	if (!s->ntargets) {
		fprintf(stderr, "pybpftop: %s never ran Python%s\n", env.c.command[0],
			env.c.subprocesses ? "" : " (if it starts Python processes, add --subprocesses)");
		rc = 0;
		goto out;
	}
	end_note(s, why, sizeof(why));
	rc = report(&r, elapsed, why);
out:
	code = session_close(s);
	output_file_close(&env.snapshot_out);
	output_file_close(&env.c.out);
	alloc_heap_free(&r.heap);
	free(s);
	return rc ? rc : code;
}

/* Where show and diff read the source files a snapshot names. Those names
 * are the words of whoever wrote the snapshot: read as root, they would
 * print any file of the machine. So with root's rights (or capabilities
 * that read past permissions) none is read unless --source-root says
 * where they resolve; a user without them reads them as themself, in /.
 * 0 with *out set (NULL: no source lines), or 1 after a message. */
static int snapshot_sources(struct target_root *root, struct target_root **out)
{
	const char *dir = env.source_root;
	int rc;

	*out = NULL;
	target_root_none(root);
	if (!dir && target_files_privileged()) {
		fprintf(stderr, "pybpftop: source lines not shown: as root, the files a snapshot names are read "
			"only with --source-root DIR (/ for this machine's)\n");
		return 0;
	}
	if ((rc = target_root_dir(root, dir ? dir : "/"))) {
		fprintf(stderr, "pybpftop: cannot open --source-root %s: %s\n", dir, strerror(-rc));
		return 1;
	}
	*out = root;
	return 0;
}

static int show_snapshot(void)
{
	struct source_lines src = { 0 };
	struct target_root sources, *root;
	struct alloc_snapshot snap;
	struct alloc_stat *rows;
	char err[512];
	size_t n;

	if (snapshot_sources(&sources, &root))
		return 1;
	if (alloc_snapshot_read(&snap, env.diff[0], err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		target_root_close(&sources);
		return 1;
	}
	print_header(&snap, "");
	rows = alloc_statistics(&snap, &env.q, &n);
	printf("\nTop %s by %s memory:\n", group_name(), env.q.allocated ? "allocated" : "live");
	if (!n)
		printf("(none)\n");
	alloc_print(stdout, rows, n, env.limit, &env.q, 0, &src, root);
	if (env.c.verbose)
		source_lines_print_stats(&src, stderr);
	source_lines_free(&src);
	target_root_close(&sources);
	free(rows);
	alloc_snapshot_free(&snap);
	return 0;
}

static int diff_snapshots(void)
{
	struct source_lines src = { 0 };
	struct target_root sources, *root;
	struct alloc_snapshot old, new;
	struct alloc_stat *rows;
	char err[512], a[32], b[32], d[32];
	size_t n;

	if (snapshot_sources(&sources, &root))
		return 1;
	if (alloc_snapshot_read(&old, env.diff[0], err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		target_root_close(&sources);
		return 1;
	}
	if (alloc_snapshot_read(&new, env.diff[1], err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		alloc_snapshot_free(&old);
		target_root_close(&sources);
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
	alloc_print(stdout, rows, n, env.limit, &env.q, 1, &src, root);
	if (env.c.verbose)
		source_lines_print_stats(&src, stderr);
	source_lines_free(&src);
	target_root_close(&sources);
	free(rows);
	alloc_snapshot_free(&old);
	alloc_snapshot_free(&new);
	return 0;
}

int cmd_alloc(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, "-p PID [OPTIONS]\n[OPTIONS] -- COMMAND [ARG...]\nshow SNAPSHOT [OPTIONS]\ndiff OLD NEW [OPTIONS]", doc, 0, cli_help_filter, 0 };

	cli_common_init(&env.c, CLI_OUTPUT | CLI_RUN | CLI_ONE_PID | CLI_ALLOC | CLI_DURATION | CLI_FOLLOW);
	if (argp_parse(&argp, argc, argv, 0, NULL, &env.c))
		return 2;
	env.q.include = env.include;
	env.q.exclude = env.exclude;
	return env.diff_mode ? diff_snapshots() : env.show_mode ? show_snapshot() : profile_target();
}
