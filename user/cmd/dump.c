/* `pybpftop dump`: every thread's Python stack, once, py-bt style, with
 * source lines and (--locals) local variables; --json for programs.
 *
 * The target is never stopped, so a running thread's stack may move while
 * it is read. The stacks are taken twice (three times if needed) and a
 * thread whose stack differed between the last two passes is marked as
 * changing, rather than printed as if it were a true picture. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "python/frame_locals.h"
#include "proc/procfs.h"
#include "python/gil.h"
#include "python/repr.h"
#include "profile/session.h"
#include "proc/source_lines.h"
#include "proc/text_escape.h"

static struct dump_env {
	struct cli_common c;
	int locals;
	int json;
} env;

static const char doc[] =
"Print the Python stack of every thread of a running CPython process, once,\n"
"innermost frame last, with source lines (and local variables with --locals).\n"
"The process is not stopped.\n"
"\n"
"EXAMPLES:\n"
"  sudo pybpftop dump -p 1234\n"
"  sudo pybpftop dump -p 1234 --locals\n"
"  sudo pybpftop dump -p 1234 --json | jq '.processes[0].threads[].frames[-1]'\n";

static const struct argp_option options[] = {
	CLI_OPT_PID("Process to dump (may repeat)"),
	{ "locals", OPT_LOCALS, NULL, 0, "Show each frame's local, cell and free variables", 0 },
	{ "json", OPT_JSON, NULL, 0, "Print one JSON document instead of text", 0 },
	{ "verbose", 'v', NULL, 0, "Say how the process was found (-vv: libbpf's messages)", 0 },
	{ 0 },
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case OPT_LOCALS:
		env.locals = 1;
		break;
	case OPT_JSON:
		env.json = 1;
		break;
	default:
		return cli_common_arg(key, arg, state, &env.c);
	}
	return 0;
}

/* One thread as one pass saw it. */
struct thread_stack {
	struct session_target *t;
	uint32_t tid, flags, depth;
	uint64_t tstate;
	int64_t interp_id;		/* its interpreter's PyInterpreterState.id */
	uint32_t *ids;			/* frame ids, innermost first */
	struct py_frame *frames;
	uint64_t *addrs;
	int changing;			/* differed between the last two passes */
};

struct pass {
	struct thread_stack *v;
	int n, cap;
};

static void pass_free(struct pass *p)
{
	for (int i = 0; i < p->n; i++) {
		free(p->v[i].ids);
		free(p->v[i].frames);
		free(p->v[i].addrs);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void on_thread(void *ctx, struct session_target *t, const struct py_sample_hdr *hdr,
		      const uint32_t *ids, const struct py_frame *frames, const uint64_t *addrs)
{
	struct pass *p = *(struct pass **)ctx;
	struct thread_stack *ts;
	size_t d = hdr->depth;

	if (p->n == p->cap) {
		struct thread_stack *v = realloc(p->v, (p->cap = p->cap ? 2 * p->cap : 16) * sizeof(*v));

		if (!v)
			return;
		p->v = v;
	}
	ts = &p->v[p->n];
	*ts = (struct thread_stack){ .t = t, .tid = hdr->tid, .flags = hdr->flags,
				     .depth = hdr->depth, .tstate = hdr->tstate,
				     .interp_id = hdr->interp_id };
	ts->ids = malloc((d ? d : 1) * sizeof(*ids));
	ts->frames = malloc((d ? d : 1) * sizeof(*frames));
	ts->addrs = calloc(d ? d : 1, sizeof(*addrs));
	if (!ts->ids || !ts->frames || !ts->addrs) {
		free(ts->ids);
		free(ts->frames);
		free(ts->addrs);
		return;
	}
	memcpy(ts->ids, ids, d * sizeof(*ids));
	memcpy(ts->frames, frames, d * sizeof(*frames));
	if (addrs)
		memcpy(ts->addrs, addrs, d * sizeof(*addrs));
	p->n++;
}

static const struct thread_stack *find_thread(const struct pass *p, uint32_t tid)
{
	for (int i = 0; i < p->n; i++)
		if (p->v[i].tid == tid)
			return &p->v[i];
	return NULL;
}

static int same_stack(const struct thread_stack *a, const struct thread_stack *b)
{
	if (!a || !b || a->depth != b->depth || a->tstate != b->tstate ||
	    a->interp_id != b->interp_id)
		return 0;
	for (uint32_t i = 0; i < a->depth; i++)
		if (a->frames[i].code != b->frames[i].code ||
		    a->frames[i].lasti != b->frames[i].lasti ||
		    a->addrs[i] != b->addrs[i])
			return 0;
	return 1;
}

/* Marks the threads of `cur` whose stack is not the one `prev` saw;
 * returns how many. */
static int mark_changing(struct pass *cur, const struct pass *prev)
{
	int n = 0;

	for (int i = 0; i < cur->n; i++) {
		cur->v[i].changing = !same_stack(&cur->v[i], find_thread(prev, cur->v[i].tid));
		n += cur->v[i].changing;
	}
	return n;
}

static int by_tid(const void *a, const void *b)
{
	const struct thread_stack *x = a, *y = b;

	return x->t->t.pid != y->t->t.pid ? (x->t->t.pid > y->t->t.pid) - (x->t->t.pid < y->t->t.pid) :
	       (x->tid > y->tid) - (x->tid < y->tid);
}

static const char *thread_state(const struct thread_stack *ts)
{
	if (ts->flags & SAMPLE_ON_CPU)
		return "running";
	if (ts->flags & SAMPLE_RUNNABLE)
		return "runnable";
	return "idle";
}

/* Variables shown per frame, and bytes per value. */
#define FRAME_LOCALS_MAX 256
#define PY_REPR_MAX 2048
/* GILs looked at per process: the main interpreter's and those of the
 * subinterpreters that have their own. */
#define DUMP_MAX_GILS 64

struct printer {
	struct session *s;
	struct source_lines src;
	/* Per target, the thread states holding a GIL. */
	uint64_t gil_holder[SESSION_MAX_TARGETS][DUMP_MAX_GILS];
	int ngil_holders[SESSION_MAX_TARGETS];
	json_t *doc;
};

static int holds_gil(const struct printer *pr, int target, uint64_t tstate)
{
	for (int i = 0; tstate && i < pr->ngil_holders[target]; i++)
		if (pr->gil_holder[target][i] == tstate)
			return 1;
	return 0;
}

static void read_gil_holders(struct printer *pr)
{
	static struct py_gil gils[DUMP_MAX_GILS];

	for (int i = 0; i < pr->s->ntargets; i++) {
		int n = py_gils(&pr->s->targets[i]->t, gils, DUMP_MAX_GILS);

		pr->ngil_holders[i] = 0;
		for (int k = 0; k < n; k++)
			if (gils[k].held == 1)
				pr->gil_holder[i][pr->ngil_holders[i]++] = gils[k].holder;
	}
}

static int target_index(const struct session *s, const struct session_target *t)
{
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i] == t)
			return i;
	return 0;
}

struct local_var {
	const char *name;	/* valid until the next read_locals() */
	const char *kind;
	char repr[PY_REPR_MAX];
};

static const char *kind_name(enum py_local_kind k)
{
	return k == PY_LOCAL_CELL ? "cell" : k == PY_LOCAL_FREE ? "free" : "local";
}

/* The frame's variables, rendered; returns how many (at most max). */
static int read_locals(const struct thread_stack *ts, uint32_t i, struct local_var *out, int max)
{
	static struct py_local v[FRAME_LOCALS_MAX];
	struct py_target *t = &ts->t->t;
	struct py_repr_ctx rc = { &t->mem, &t->v, &t->builtins };
	size_t total = 0;
	int n = py_frame_locals(&t->mem, &t->v, &t->builtins, ts->addrs[i], ts->frames[i].code,
				v, FRAME_LOCALS_MAX, &total);

	if (n > max)
		n = max;
	for (int k = 0; k < n; k++) {
		out[k].name = v[k].name;
		out[k].kind = kind_name(v[k].kind);
		if (v[k].err)
			snprintf(out[k].repr, sizeof(out[k].repr), "<unreadable: %s>", strerror(-v[k].err));
		else if (!v[k].value)
			snprintf(out[k].repr, sizeof(out[k].repr), "<unbound>");
		else
			py_repr(&rc, v[k].value, out[k].repr, sizeof(out[k].repr));
	}
	return n;
}

static void frame_text(struct printer *pr, const struct thread_stack *ts, uint32_t i)
{
	const struct frame_table *ft = &pr->s->frames;
	uint32_t id = frame_table_id(ft, ts->ids[i]);
	const struct ft_frame *f = frame_table_frame_at(ft, id);
	const struct ft_func *fn = frame_table_func_at(ft, f->func);
	const char *line;

	if (id == FRAME_UNKNOWN) {
		printf("  File \"<unknown>\", line ?, in <code object at 0x%llx: unreadable>\n",
		       (unsigned long long)ts->frames[i].code);
		return;
	}
	if (f->line >= 0)
		printf("  File \"%s\", line %d, in %s\n", TEXT_SAFE(fn->file), f->line, TEXT_SAFE(fn->name));
	else
		printf("  File \"%s\", line ?, in %s\n", TEXT_SAFE(fn->file), TEXT_SAFE(fn->name));
	line = f->line >= 0 ? source_line(&pr->src, &ts->t->root, fn->file, f->line) : NULL;
	if (line && *line)
		printf("    %s\n", TEXT_SAFE(line));
	if (env.locals) {
		static struct local_var v[FRAME_LOCALS_MAX];
		int n = read_locals(ts, i, v, FRAME_LOCALS_MAX);

		if (n < 0)
			printf("      <locals unreadable: %s>\n", strerror(-n));
		for (int k = 0; k < n; k++)
			printf("      %s%s = %s\n", TEXT_SAFE(v[k].name),
			       strcmp(v[k].kind, "local") ? (strcmp(v[k].kind, "cell") ? " (free)" : " (cell)") : "",
			       TEXT_SAFE(v[k].repr));
	}
}

/* A JSON string of text a target controls: jansson takes only UTF-8, and
 * drops the field otherwise. */
static json_t *json_text(const char *s)
{
	size_t cap = 3 * strlen(s) + 1;
	char *buf = malloc(cap);
	json_t *j = buf ? json_string(text_utf8(buf, cap, s)) : NULL;

	free(buf);
	return j;
}

static json_t *frame_json(struct printer *pr, const struct thread_stack *ts, uint32_t i)
{
	const struct frame_table *ft = &pr->s->frames;
	uint32_t id = frame_table_id(ft, ts->ids[i]);
	const struct ft_frame *f = frame_table_frame_at(ft, id);
	const struct ft_func *fn = frame_table_func_at(ft, f->func);
	const char *line = f->line >= 0 && id != FRAME_UNKNOWN ?
			   source_line(&pr->src, &ts->t->root, fn->file, f->line) : NULL;
	json_t *j = json_object();

	json_object_set_new(j, "function", id == FRAME_UNKNOWN ? json_null() : json_text(fn->name));
	json_object_set_new(j, "file", id == FRAME_UNKNOWN ? json_null() : json_text(fn->file));
	json_object_set_new(j, "line", f->line >= 0 && id != FRAME_UNKNOWN ? json_integer(f->line) : json_null());
	json_object_set_new(j, "source", line ? json_text(line) : json_null());
	json_object_set_new(j, "code", json_integer((json_int_t)ts->frames[i].code));
	if (env.locals) {
		static struct local_var v[FRAME_LOCALS_MAX];
		int n = read_locals(ts, i, v, FRAME_LOCALS_MAX);
		json_t *arr = json_array();

		if (n < 0)
			json_object_set_new(j, "locals_error", json_string(strerror(-n)));
		for (int k = 0; k < n; k++)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name", v[k].name,
							     "kind", v[k].kind, "repr", v[k].repr));
		json_object_set_new(j, "locals", arr);
	}
	return j;
}

static void thread_out(struct printer *pr, const struct thread_stack *ts, json_t *threads)
{
	char name[64] = "?";
	int gil = holds_gil(pr, target_index(pr->s, ts->t), ts->tstate);
	char interp[48] = "";

	proc_thread_comm(ts->t->t.pid, ts->tid, name, sizeof(name));
	if (threads) {
		json_t *j = json_object(), *frames = json_array();

		json_object_set_new(j, "tid", json_integer(ts->tid));
		json_object_set_new(j, "name", json_text(name));
		json_object_set_new(j, "state", json_string(thread_state(ts)));
		json_object_set_new(j, "gil", json_boolean(gil));
		json_object_set_new(j, "interpreter", json_integer((json_int_t)ts->interp_id));
		json_object_set_new(j, "consistent", json_boolean(!ts->changing));
		json_object_set_new(j, "partial", json_boolean(ts->flags & (SAMPLE_TRUNCATED | SAMPLE_READ_ERROR)));
		for (uint32_t i = ts->depth; i-- > 0;)
			json_array_append_new(frames, frame_json(pr, ts, i));
		json_object_set_new(j, "frames", frames);
		json_array_append_new(threads, j);
		return;
	}
	/* A subinterpreter's thread says which one (its GIL is its
	 * interpreter's); the main interpreter's, as it always did. */
	if (ts->interp_id)
		snprintf(interp, sizeof(interp), ", interpreter %lld", (long long)ts->interp_id);
	printf("Thread %u (%s%s%s): \"%s\"\n", ts->tid, thread_state(ts), interp,
	       gil ? ", holding the GIL" : "", TEXT_SAFE(name));
	if (ts->changing)
		printf("  [the stack changed while it was read: the thread is running; shown as last read]\n");
	if (!ts->depth) {
		printf("  (no Python frames)\n\n");
		return;
	}
	printf("Traceback (most recent call last):\n");
	if (ts->flags & SAMPLE_TRUNCATED)
		printf("  [truncated: the outermost frames are not shown]\n");
	else if (ts->flags & SAMPLE_READ_ERROR)
		printf("  [partial: a frame could not be read; the outer frames are missing]\n");
	for (uint32_t i = ts->depth; i-- > 0;)
		frame_text(pr, ts, i);
	printf("\n");
}

static void dump_out(struct printer *pr, struct pass *p)
{
	struct session *s = pr->s;
	json_t *procs = NULL;

	qsort(p->v, p->n, sizeof(*p->v), by_tid);
	if (env.json) {
		pr->doc = json_object();
		procs = json_array();
		json_object_set_new(pr->doc, "processes", procs);
	}
	for (int k = 0; k < s->ntargets; k++) {
		struct session_target *st = s->targets[k];
		struct py_target *t = &st->t;
		char cmd[1024] = "";
		json_t *threads = NULL;

		proc_cmdline(t->pid, cmd, sizeof(cmd));
		if (procs) {
			json_t *j = json_object();

			threads = json_array();
			json_object_set_new(j, "pid", json_integer(t->pid));
			json_object_set_new(j, "command", json_text(cmd));
			json_object_set_new(j, "python", json_string(t->version));
			json_object_set_new(j, "free_threaded", json_boolean(t->v.free_threaded));
			json_object_set_new(j, "threads", threads);
			json_array_append_new(procs, j);
		} else {
			printf("Process %d: %s\nPython %s%s\n\n", t->pid, TEXT_SAFE(cmd), t->version,
			       t->v.free_threaded ? ", no GIL (free-threaded)" : "");
		}
		for (int i = 0; i < p->n; i++)
			if (p->v[i].t == st)
				thread_out(pr, &p->v[i], threads);
	}
	if (pr->doc) {
		/* JSON may hold C1 controls and DEL raw, which a terminal acts
		 * on: ASCII only makes C1 \u escapes like everything past
		 * ASCII, and DEL, which jansson leaves as it is (and which only a
		 * string can hold), becomes one here. */
		char *text = json_dumps(pr->doc, JSON_INDENT(2) | JSON_ENSURE_ASCII);

		for (const char *c = text; c && *c; c++)
			if (*c == 0x7f)
				fputs("\\u007f", stdout);
			else
				putchar(*c);
		putchar('\n');
		free(text);
		json_decref(pr->doc);
	}
}

int cmd_dump(int argc, char **argv)
{
	static const struct argp argp = { options, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct session *s = calloc(1, sizeof(*s));
	struct pass passes[2] = {}, *current = &passes[0];
	struct printer pr = { .s = s };
	struct session_opts so = {
		.threads = 1,
		.sink = { .stack = on_thread, .ctx = &current },
	};
	int rc = 1, cur = 0, npasses = 0;
	double t0 = session_now(), t1, t2;
	char err[512];

	cli_common_init(&env.c, 0);
	if (!s || argp_parse(&argp, argc, argv, 0, NULL, &env.c)) {
		free(s);
		return 1;
	}
	cli_session_opts(&env.c, &so);
	if (session_open(s, &so, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", TEXT_SAFE(err));
		goto out;
	}
	t1 = session_now();
	read_gil_holders(&pr);
	/* Pass until two in a row agree, three passes at most. */
	for (int n = 0; n < 3; n++) {
		cur = n % 2;
		pass_free(&passes[cur]);
		current = &passes[cur];
		if ((rc = session_snapshot(s))) {
			fprintf(stderr, "pybpftop: cannot read the threads: %s\n", strerror(-rc));
			rc = 1;
			goto out;
		}
		npasses = n + 1;
		if (n && !mark_changing(&passes[cur], &passes[!cur]))
			break;
	}
	rc = 1;
	t2 = session_now();
	if (!py_target_alive(&s->targets[0]->t)) {
		fprintf(stderr, "pybpftop: process %d exited while it was read\n", s->targets[0]->t.pid);
		goto out;
	}
	dump_out(&pr, &passes[cur]);
	fflush(stdout);
	if (env.c.verbose)
		fprintf(stderr, "pybpftop: load and attach %.1f ms, %d passes over %d threads %.1f ms, output %.1f ms\n",
			(t1 - t0) * 1e3, npasses, passes[cur].n, (t2 - t1) * 1e3, (session_now() - t2) * 1e3);
	if (env.c.verbose)
		source_lines_print_stats(&pr.src, stderr);
	rc = 0;
out:
	pass_free(&passes[0]);
	pass_free(&passes[1]);
	source_lines_free(&pr.src);
	session_close(s);
	free(s);
	return rc;
}
