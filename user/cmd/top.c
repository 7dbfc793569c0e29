/* `pybpftop top`: the live view. Full screen with ncurses on a terminal;
 * plain-text tables every interval (like `top -b`) with --batch or when
 * stdout is not a terminal, for pipes, logs and CI.
 *
 * top runs as long as its target, whose stacks it keeps: a target that
 * makes endless distinct stacks (new code objects, new lines, deep random
 * recursion) would grow the table without end. It holds at most
 * TOP_MAX_STACKS = 50,000 unique stacks and TOP_MAX_BYTES = 32 MiB of
 * them (a 5,000-frame stack is 20 KB: about 1,600 of those); past either,
 * the rarest stacks go (profile_set_budget), the header counts them, and
 * the view of all threads keeps their samples. */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <unistd.h>
#include <curses.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "proc/procfs.h"
#include "proc/text_escape.h"
#include "python/gil.h"
#include "profile/session.h"

static struct top_env {
	struct cli_common c;
	double interval;
	long iterations;	/* 0: until Ctrl-C */
	int lines;
	int rows;
	int batch;
} env = {
	.interval = 1.0,
	.rows = 20,
};

static const char doc[] =
"Show where a running CPython process spends its time, refreshed every\n"
"interval: %Own and %Total over the last interval, OwnTime and TotalTime\n"
"since the start (or the last reset). Keys: 1-4 sort by a column, l lines\n"
"or functions, t next thread, r reset, p pause the display, q quit.\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop top -p 1234 --batch -n 5\n"
"  sudo pybpftop -p 1234 --lines | tee top.log\n";

static const struct argp_option options[] = {
	CLI_OPT_PID("Process to profile (may repeat)"),
	CLI_OPT_RATE,
	{ "interval", 'i', "SECONDS", 0, "Time between refreshes (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "Stop after N refreshes (default: until Ctrl-C)", 0 },
	{ "batch", 'b', NULL, 0, "Plain-text tables, also chosen when stdout is not a terminal", 0 },
	{ "lines", 'l', NULL, 0, "One row per line instead of per function", 0 },
	{ "rows", 'R', "N", 0, "Rows per table (default 20)", 0 },
	CLI_OPT_IDLE("count threads that sleep or wait too"),
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		env.interval = cli_seconds(arg, 0.1, 3600, state);
		break;
	case 'n':
		env.iterations = cli_long(arg, 1, 1000000, state);
		break;
	case 'b':
		env.batch = 1;
		break;
	case 'l':
		env.lines = 1;
		break;
	case 'R':
		env.rows = cli_long(arg, 1, 10000, state);
		break;
	default:
		return cli_common_arg(key, arg, state, &env.c);
	}
	return 0;
}

/* A Python thread as the last snapshot saw it. */
struct thread_seen {
	uint32_t tid;
	uint64_t tstate;
	uint32_t flags;		/* SAMPLE_ON_CPU, SAMPLE_RUNNABLE */
};

#define MAX_THREADS 1024
#define TOP_MAX_STACKS 50000
#define TOP_MAX_BYTES (32ull << 20)

/* What the view shows, and the counts of the previous refresh, so that the
 * percentages cover the last interval and the times the whole run. */
struct view {
	int sort;		/* 0 %Own, 1 %Total, 2 OwnTime, 3 TotalTime */
	int lines;		/* rows per line, not per function */
	uint32_t tid;		/* the thread shown, 0 for all */
	char thread_name[80];
	int paused;
	uint64_t *prev_own, *prev_total, prev_samples;
	uint32_t prev_n;
	double threads_at;	/* when the thread states were last taken */
	struct profile prof;
	struct thread_seen threads[MAX_THREADS];
	int nthreads;
};

struct row {
	uint32_t id;
	uint64_t own, total;	/* since the start */
	double pown, ptotal;	/* % of the last interval */
};

static int sort_key;

static int by_column(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double kx, ky;

	switch (sort_key) {
	case 0: kx = x->pown; ky = y->pown; break;
	case 1: kx = x->ptotal; ky = y->ptotal; break;
	case 2: kx = x->own; ky = y->own; break;
	default: kx = x->total; ky = y->total; break;
	}
	if (kx != ky)
		return kx < ky ? 1 : -1;
	return (x->total < y->total) - (x->total > y->total);
}

static void view_forget(struct view *v)
{
	free(v->prev_own);
	free(v->prev_total);
	v->prev_own = v->prev_total = NULL;
	v->prev_n = 0;
	v->prev_samples = 0;
}

/* The rows to show, sorted; *n rows, *samples counted in total. A refresh
 * (`commit`) makes these counts the base of the next interval; a redraw
 * after a key press does not. With no new sample, or no base yet, the
 * percentages cover the whole run. */
static struct row *view_rows(struct view *v, uint32_t *n, uint64_t *samples, int commit)
{
	struct func_count *fc = profile_thread_functions(&v->prof, v->tid, v->lines, 0, n, samples);
	struct row *rows = calloc(*n ? *n : 1, sizeof(*rows));
	uint64_t *own = calloc(*n ? *n : 1, sizeof(*own));
	uint64_t *total = calloc(*n ? *n : 1, sizeof(*total));
	uint64_t dsamples = *samples - (v->prev_samples < *samples ? v->prev_samples : 0);
	int base = dsamples != *samples;

	if (!fc || !rows || !own || !total) {
		free(fc);
		free(rows);
		free(own);
		free(total);
		*n = 0;
		return NULL;
	}
	for (uint32_t i = 0; i < *n; i++) {
		uint32_t id = fc[i].id;
		uint64_t po = base && id < v->prev_n ? v->prev_own[id] : 0;
		uint64_t pt = base && id < v->prev_n ? v->prev_total[id] : 0;

		rows[i] = (struct row){ id, fc[i].own, fc[i].total, 0, 0 };
		/* One thread's counts drop when its stacks are evicted. */
		if (dsamples) {
			rows[i].pown = 100.0 * (fc[i].own > po ? fc[i].own - po : 0) / dsamples;
			rows[i].ptotal = 100.0 * (fc[i].total > pt ? fc[i].total - pt : 0) / dsamples;
		}
		if (id < *n) {
			own[id] = fc[i].own;
			total[id] = fc[i].total;
		}
	}
	free(fc);
	if (commit) {
		view_forget(v);
		v->prev_own = own;
		v->prev_total = total;
		v->prev_n = *n;
		v->prev_samples = *samples;
	} else {
		free(own);
		free(total);
	}
	sort_key = v->sort;
	qsort(rows, *n, sizeof(*rows), by_column);
	return rows;
}

static const struct ft_func *row_func(const struct view *v, const struct row *r, int *line)
{
	const struct frame_table *ft = v->prof.frames;
	const struct ft_func *fn = v->lines ? frame_table_func_of(ft, r->id) :
				   frame_table_func_at(ft, r->id);

	*line = v->lines ? frame_table_line(ft, r->id) : fn->firstline;
	return fn;
}

/* The tid of the thread whose state is tstate, or 0. */
static int tid_of_tstate(const struct view *v, uint64_t tstate)
{
	for (int i = 0; tstate && i < v->nthreads; i++)
		if (v->threads[i].tstate == tstate)
			return v->threads[i].tid;
	return 0;
}

/* "Threads: 5 (1 running, 4 idle) - GIL: held by 1234": from a snapshot of
 * every thread, taken at most once per refresh interval. Subinterpreters
 * with their own GIL (3.12+) add theirs: "GILs: 3, held by 1234 1240, 1
 * free". */
static void thread_summary(struct session *s, struct view *v, char *buf, size_t len)
{
	static struct py_gil gils[16];
	int running = 0, ngils, nheld = 0, nfree = 0;
	size_t n;

	if (session_now() - v->threads_at >= env.interval * 0.9) {
		v->nthreads = 0;
		session_snapshot(s);
		v->threads_at = session_now();
	}
	ngils = py_gils(&s->targets[0]->t, gils, 16);
	for (int i = 0; i < v->nthreads; i++)
		running += !!(v->threads[i].flags & (SAMPLE_ON_CPU | SAMPLE_RUNNABLE));
	snprintf(buf, len, "Threads: %d (%d running, %d idle) - ", v->nthreads, running,
		 v->nthreads - running);
	n = strlen(buf);
	if (ngils == 1 && gils[0].held == PY_GIL_NONE) {
		snprintf(buf + n, len - n, "no GIL (free-threaded)");
		return;
	}
	if (ngils <= 1) {
		int gil = ngils < 1 ? -1 : gils[0].held, tid = gil == 1 ? tid_of_tstate(v, gils[0].holder) : 0;

		if (gil == 1 && tid)
			snprintf(buf + n, len - n, "GIL: held by %d", tid);
		else
			snprintf(buf + n, len - n, "GIL: %s", gil < 0 ? "unknown" : gil == 0 ? "free" : "held");
		return;
	}
	snprintf(buf + n, len - n, "GILs: %d", ngils);
	for (int i = 0; i < ngils; i++) {
		int tid = gils[i].held == 1 ? tid_of_tstate(v, gils[i].holder) : 0;

		nfree += gils[i].held == 0;
		if (gils[i].held != 1)
			continue;
		n = strlen(buf);
		if (tid)
			snprintf(buf + n, len - n, "%s%d", nheld ? " " : ", held by ", tid);
		else
			snprintf(buf + n, len - n, "%s?", nheld ? " " : ", held by ");
		nheld++;
	}
	n = strlen(buf);
	snprintf(buf + n, len - n, ", %d free", nfree);
}

static void header(struct session *s, struct view *v, char *l1, char *l2, size_t len)
{
	const struct py_target *t = &s->targets[0]->t;
	const struct profile *prof = &v->prof;
	uint64_t total[CNT_MAX];
	char cmd[160], threads[160], idle[64] = "", evicted[64] = "";

	session_counters(s, total);
	if (!proc_cmdline(t->pid, cmd, sizeof(cmd)))
		snprintf(cmd, sizeof(cmd), "%s", t->comm);
	thread_summary(s, v, threads, sizeof(threads));
	if (env.c.idle)
		snprintf(idle, sizeof(idle), " (%.0f%% on CPU, %.0f%% off)",
			 100.0 * (prof->samples - prof->off_cpu) / (prof->samples ? prof->samples : 1),
			 100.0 * prof->off_cpu / (prof->samples ? prof->samples : 1));
	snprintf(l1, len, "pybpftop top - pid %d: %s - Python %s - %d Hz%s - %.1f s", t->pid,
		 TEXT_SAFE(cmd), t->version, env.c.hz, env.c.idle ? " wall-clock" : "", session_now() - s->start);
	if (prof->evicted_stacks)
		snprintf(evicted, sizeof(evicted), ", %llu rare stacks evicted",
			 (unsigned long long)prof->evicted_stacks);
	snprintf(l2, len, "Samples: %llu taken%s, %llu lost%s - %s%s%s",
		 (unsigned long long)prof->samples, idle, (unsigned long long)total[CNT_LOST],
		 evicted, threads, v->tid ? " - showing " : "", v->tid ? v->thread_name : "");
}

static void format_row(char *buf, size_t len, const struct view *v, const struct row *r)
{
	int line;
	const struct ft_func *fn = row_func(v, r, &line);
	double hz = env.c.hz;

	if (fn->file[0])
		snprintf(buf, len, "%6.1f%% %6.1f%% %8.2fs %8.2fs  %s (%s:%d)", r->pown, r->ptotal,
			 r->own / hz, r->total / hz, TEXT_SAFE(fn->name), TEXT_SAFE(fn->file), line);
	else
		snprintf(buf, len, "%6.1f%% %6.1f%% %8.2fs %8.2fs  %s", r->pown, r->ptotal,
			 r->own / hz, r->total / hz, TEXT_SAFE(fn->name));
}

#define COLUMNS "   %%Own  %%Total   OwnTime TotalTime  "

static void print_refresh(struct session *s, struct view *v)
{
	char l1[512], l2[512], buf[1024];
	uint64_t samples;
	uint32_t n;
	struct row *rows = view_rows(v, &n, &samples, 1);

	header(s, v, l1, l2, sizeof(l1));
	printf("%s\n%s\n\n" COLUMNS "%s\n", l1, l2, v->lines ? "Line" : "Function");
	for (uint32_t i = 0; rows && i < n && (int)i < env.rows; i++) {
		if (!rows[i].own && !rows[i].total)
			break;
		format_row(buf, sizeof(buf), v, &rows[i]);
		puts(buf);
	}
	free(rows);
	putchar('\n');
	fflush(stdout);
}

static void draw_screen(struct session *s, struct view *v, int commit)
{
	static const char *names[] = { "%Own", "%Total", "OwnTime", "TotalTime" };
	char l1[512], l2[512], buf[1024];
	uint64_t samples;
	uint32_t n;
	struct row *rows = view_rows(v, &n, &samples, commit);
	int h = LINES, w = COLS;

	erase();
	header(s, v, l1, l2, sizeof(l1));
	mvaddnstr(0, 0, l1, w);
	mvaddnstr(1, 0, l2, w);
	attron(A_REVERSE);
	snprintf(buf, sizeof(buf), COLUMNS "%-*s", w > 38 ? w - 38 : 1,
		 v->lines ? "Line" : "Function");
	mvaddnstr(3, 0, buf, w);
	attroff(A_REVERSE);
	for (uint32_t i = 0; rows && i < n && (int)i < h - 6; i++) {
		if (!rows[i].own && !rows[i].total)
			break;
		format_row(buf, sizeof(buf), v, &rows[i]);
		mvaddnstr(4 + i, 0, buf, w);
	}
	snprintf(buf, sizeof(buf), "sort: %s%s | 1-4 sort  l %s  t thread  r reset  p %s  q quit",
		 names[v->sort], v->paused ? " | PAUSED" : "", v->lines ? "functions" : "lines",
		 v->paused ? "resume" : "pause");
	mvaddnstr(h - 1, 0, buf, w);
	refresh();
	free(rows);
}

/* Move the thread filter to the next thread seen, in tid order, then back
 * to all. By tid, not by position: threads seen later join the list. */
static void next_thread(struct view *v)
{
	struct profile_thread th[256];
	int n = profile_threads(&v->prof, th, 256), i = 0;

	while (i < n && th[i].tid <= v->tid)
		i++;
	v->tid = i < n ? th[i].tid : 0;
	snprintf(v->thread_name, sizeof(v->thread_name), "%s (%u)", i < n ? TEXT_SAFE(th[i].name) : "",
		 v->tid);
	view_forget(v);
}

/* The full-screen loop; returns when q is pressed, a signal arrives or
 * every target has exited. */
static void run_screen(struct session *s, struct view *v)
{
	double next = session_now() + env.interval;
	long drawn = 0;

	/* ncursesw draws UTF-8 names as characters only in a UTF-8 locale (in
	 * "C" they come out as M-x). What reaches it is escaped already: curses
	 * would act on a newline or a tab in a name. */
	setlocale(LC_CTYPE, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(0);
	draw_screen(s, v, 1);
	while (!session_stop && s->alive) {
		int key;

		session_tick(s, 100);
		while ((key = getch()) != ERR) {
			switch (key) {
			case 'q':
				goto out;
			case '1': case '2': case '3': case '4':
				v->sort = key - '1';
				break;
			case 'l':
				v->lines = !v->lines;
				view_forget(v);
				break;
			case 't':
				next_thread(v);
				break;
			case 'r':
				profile_free(&v->prof);
				view_forget(v);
				break;
			case 'p':
				v->paused = !v->paused;
				break;
			case KEY_RESIZE:
				break;
			default:
				continue;
			}
			/* Keys act at once, on the counts so far. */
			draw_screen(s, v, 0);
		}
		if (!v->paused && session_now() >= next) {
			draw_screen(s, v, 1);
			next += env.interval;
			if (env.iterations && ++drawn >= env.iterations)
				break;
		}
	}
out:
	endwin();
}

/* CPU samples go into the profile; a snapshot's threads into the table
 * the header counts. */
static void on_stack(void *ctx, struct session_target *t, const struct py_sample_hdr *hdr,
		     const uint32_t *ids, const struct py_frame *frames, const uint64_t *addrs)
{
	struct view *v = ctx;

	(void)t;
	(void)frames;
	(void)addrs;
	if (!(hdr->flags & SAMPLE_ADDRS)) {
		profile_add_sample(&v->prof, hdr, ids);
		return;
	}
	if (v->nthreads < MAX_THREADS)
		v->threads[v->nthreads++] = (struct thread_seen){
			hdr->tid, hdr->tstate, hdr->flags & (SAMPLE_ON_CPU | SAMPLE_RUNNABLE) };
}

static void on_drained(void *ctx)
{
	profile_name_threads(&((struct view *)ctx)->prof, 0);
}

int cmd_top(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct session *s = calloc(1, sizeof(*s));
	struct view *v = calloc(1, sizeof(*v));
	struct session_opts so = {
		.threads = 1,
		.sink = { .stack = on_stack, .drained = on_drained, .ctx = v },
	};
	char err[512];
	int rc = 1;

	cli_common_init(&env.c, CLI_RATE | CLI_IDLE);
	if (!s || !v || argp_parse(&argp, argc, argv, 0, NULL, &env.c))
		goto out;
	cli_session_opts(&env.c, &so);
	so.hz = env.c.hz;
	v->lines = env.lines;
	profile_init(&v->prof, &s->frames);
	profile_set_budget(&v->prof, TOP_MAX_STACKS, TOP_MAX_BYTES);
	if (session_open(s, &so, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		goto close;
	}
	if (!env.batch && isatty(STDOUT_FILENO)) {
		run_screen(s, v);
	} else {
		for (long i = 0; !env.iterations || i < env.iterations; i++) {
			session_tick(s, (int)(env.interval * 1000));
			if (session_stop)
				break;
			print_refresh(s, v);
			if (!s->alive)
				break;
		}
	}
	if (!s->alive)
		fprintf(stderr, "pybpftop: process %d exited\n", s->exited);
	rc = 0;
close:
	view_forget(v);
	profile_free(&v->prof);
	session_close(s);
out:
	free(s);
	free(v);
	return rc;
}
