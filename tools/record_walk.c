/* record_walk: record a walker replay snapshot of a live CPython process
 * (tests/replay/snapshot.h; tools/record-snapshots.sh runs it).
 *
 *   build/record_walk -p PID -t TRUTH.json -b BUILD (-o FILE | -d DIR) [-f]
 *
 * TRUTH.json is what tests/replay/workload.py printed: each thread's stack
 * as the interpreter itself reported it. With every thread of PID stopped
 * (ptrace), this runs the user-space build of bpf/py_walker.bpf.h and the
 * code-object reader against its memory through a reader that keeps every
 * byte they read, checks the walk against the truth, and writes the bytes,
 * the truth and what the kernel says about each thread (its tid in its pid
 * namespace, its fs base). -d DIR names the file VERSION-BUILD.snap. A walk
 * that does not match the truth is not saved unless -f is given. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include "python/code_reader.h"
#include "python/debug_offsets.h"
#include "python/target.h"
#include "compare.h"
#include "snapshot.h"
#include "walker.h"

#define MAX_TASKS 64

struct task {
	pid_t tid;
	uint64_t ns_tid, fsbase;
	int seized;
};

/* A reader that keeps what it read, labelled by who asked. */
struct tee {
	const struct remote_mem *live;
	struct snapshot *snap;
	unsigned what;		/* enum snap_what */
	int err;
};

static int tee_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct tee *t = ctx;
	int rc = remote_read(t->live, addr, buf, len);

	if (!rc && snapshot_add(t->snap, addr, buf, len, t->what))
		t->err = -ENOMEM;
	return rc;
}

/* The last NSpid field: the tid as the thread's own pid namespace sees it,
 * what the BPF walker reads from task->thread_pid. */
static int read_ns_tid(pid_t pid, pid_t tid, uint64_t *out)
{
	char path[64], line[256];
	FILE *f;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *last;

		if (strncmp(line, "NSpid:", 6))
			continue;
		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, '\t');
		*out = strtoull(last ? last + 1 : line + 6, NULL, 10);
		rc = 0;
	}
	fclose(f);
	return rc;
}

/* Stop the thread (it stays stopped until detach) and read its fs base,
 * what the BPF walker reads from task->thread.fsbase. */
static int seize(struct task *t, char *err, size_t errlen)
{
	struct user_regs_struct regs;
	int status;

	if (ptrace(PTRACE_SEIZE, t->tid, 0, 0)) {
		snprintf(err, errlen, "failed to ptrace thread %d: %s: run as root", t->tid, strerror(errno));
		return -1;
	}
	t->seized = 1;
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0) || waitpid(t->tid, &status, __WALL) < 0) {
		snprintf(err, errlen, "failed to stop thread %d: %s", t->tid, strerror(errno));
		return -1;
	}
#if defined(__x86_64__)
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs)) {
		snprintf(err, errlen, "failed to read thread %d's registers: %s", t->tid, strerror(errno));
		return -1;
	}
	t->fsbase = regs.fs_base;
#else
	(void)regs;
	snprintf(err, errlen, "the fs base is an x86-64 notion: record on x86-64");
	return -1;
#endif
	return 0;
}

static int stop_all(pid_t pid, struct task *tasks, int *n, char *err, size_t errlen)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir) {
		snprintf(err, errlen, "cannot list %s: %s", path, strerror(errno));
		return -1;
	}
	*n = 0;
	while ((d = readdir(dir))) {
		struct task *t;

		if (d->d_name[0] == '.')
			continue;
		if (*n == MAX_TASKS) {
			snprintf(err, errlen, "more than %d threads: the workload has 4", MAX_TASKS);
			closedir(dir);
			return -1;
		}
		t = &tasks[(*n)++];
		memset(t, 0, sizeof(*t));
		t->tid = atoi(d->d_name);
		if (read_ns_tid(pid, t->tid, &t->ns_tid)) {
			snprintf(err, errlen, "cannot read thread %d's NSpid", t->tid);
			closedir(dir);
			return -1;
		}
		if (seize(t, err, errlen)) {
			closedir(dir);
			return -1;
		}
	}
	closedir(dir);
	return 0;
}

static void detach_all(struct task *tasks, int n)
{
	for (int i = 0; i < n; i++)
		if (tasks[i].seized)
			ptrace(PTRACE_DETACH, tasks[i].tid, 0, 0);
}

/* The truth names the threads by their native id (gettid() as the target
 * sees it), which is the NSpid the kernel gives. */
static struct task *task_of(struct task *tasks, int n, uint64_t native_id)
{
	for (int i = 0; i < n; i++)
		if (tasks[i].ns_tid == native_id)
			return &tasks[i];
	return NULL;
}

struct options {
	pid_t pid;
	const char *truth, *build, *out, *dir;
	int force;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: record_walk -p PID -t TRUTH.json -b BUILD (-o FILE | -d DIR) [-f]\n"
		   "Records a walker replay snapshot of PID (as root); see tools/record-snapshots.sh.\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "p:t:b:o:d:fh")) != -1) {
		switch (c) {
		case 'p': o->pid = atoi(optarg); break;
		case 't': o->truth = optarg; break;
		case 'b': o->build = optarg; break;
		case 'o': o->out = optarg; break;
		case 'd': o->dir = optarg; break;
		case 'f': o->force = 1; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (o->pid <= 0 || !o->truth || !o->build || !o->out == !o->dir || optind != argc)
		return -1;
	return 0;
}

/* The layout and the walker's record, through the tee so that the bytes
 * py_layout_select() reads (the _Py_DebugOffsets on 3.13+) are kept. */
static int record_layout(struct py_target *t, struct tee *tee, const struct remote_mem *m,
			 struct py_version *v, struct py_proc *proc)
{
	const struct py_version_row *row = py_version_row_find(t->major, t->minor);
	size_t size = row && row->debug_offsets ? py_debug_offsets_size(row->debug_offsets) : 0;
	static uint8_t blob[4096];
	char why[256];

	tee->what = SNAP_RUNTIME;
	/* The whole blob, whatever part of it the layout code reads today. */
	if (size && (size > sizeof(blob) || remote_read(m, t->runtime_addr, blob, size)))
		fprintf(stderr, "record_walk: _Py_DebugOffsets at 0x%llx unreadable\n",
			(unsigned long long)t->runtime_addr);
	if (py_layout_select(m, t->runtime_addr, t->major, t->minor, v, why, sizeof(why))) {
		fprintf(stderr, "record_walk: no layout: %s\n", why);
		return -1;
	}
	printf("layout: %s\n", why);
	t->v = *v;
	py_target_bpf_record(t, proc);
	return 0;
}

/* Walk one thread, name its frames (keeping those reads too), compare. */
static int record_thread(const struct remote_mem *m, struct tee *tee, const struct py_version *v,
			 const struct py_proc *proc, struct snap_thread *st, const struct task *task,
			 pid_t pid)
{
	/* The task's start time is its process's: the walker skips a task
	 * whose start time is not the one its process was recorded with. */
	struct walker_thread wt = { .pid = pid, .tid = task->tid, .ns_tid = task->ns_tid,
				    .fsbase = task->fsbase, .start_ticks = proc->start_ticks };
	struct walker_result w;
	char why[512];
	uint64_t key;

	st->tid = task->tid;
	st->ns_tid = task->ns_tid;
	st->fsbase = task->fsbase;
	key = v->bpf.tstate_native_thread_id != PYBPFTOP_NO_OFFSET ? st->ns_tid : st->fsbase;
	if (key != (v->bpf.tstate_native_thread_id != PYBPFTOP_NO_OFFSET ? st->native_id : st->ident))
		printf("  %s: the kernel's key 0x%llx is not the interpreter's id\n", st->name,
		       (unsigned long long)key);

	tee->what = SNAP_WALK;
	walker_walk(m, proc, &wt, PYBPFTOP_MAX_DEPTH, &w);
	tee->what = SNAP_CODE;
	for (uint32_t i = 0; w.found && i < w.hdr.depth; i++) {
		struct py_code c;

		if (!py_read_code(m, v, w.frames[i].code, &c))
			py_code_free(&c);
	}
	if (!w.found) {
		printf("  %s (tid %d): no thread state found\n", st->name, task->tid);
		return -1;
	}
	if (compare_stack(m, v, &w, st, st->nframes, why, sizeof(why))) {
		printf("  %s (tid %d): does NOT match the truth: %s\n", st->name, task->tid, why);
		return -1;
	}
	/* SAMPLE_NEW_CODE is expected: nothing has named the code objects. */
	if (w.hdr.flags & ~SAMPLE_NEW_CODE) {
		printf("  %s (tid %d): flags 0x%x\n", st->name, task->tid, w.hdr.flags);
		return -1;
	}
	printf("  %s (tid %d, key 0x%llx): %u frames, as the interpreter says\n", st->name,
	       task->tid, (unsigned long long)key, w.hdr.depth);
	return 0;
}

static int load_truth(const char *path, struct snapshot *s, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	const char *version, *sysv, *exe;
	int rc;

	if (!root) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	version = json_string_value(json_object_get(root, "version"));
	sysv = json_string_value(json_object_get(root, "sys_version"));
	exe = json_string_value(json_object_get(root, "executable"));
	if (!version || sscanf(version, "%d.%d", &s->major, &s->minor) != 2) {
		snprintf(err, errlen, "%s: no \"version\"", path);
		json_decref(root);
		return -1;
	}
	snprintf(s->version, sizeof(s->version), "%s", version);
	s->sys_version = strdup(sysv ? sysv : "");
	s->executable = strdup(exe ? exe : "");
	rc = snapshot_parse_threads(root, s, err, errlen);
	json_decref(root);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct snapshot s = {0};
	struct py_target t;
	struct task tasks[MAX_TASKS];
	struct tee tee = {0};
	struct remote_mem m;
	struct py_version v;
	struct py_proc proc;
	char err[512], path[4096];
	int ntasks = 0, bad = 0, rc = 1;

	if (parse_args(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	if (load_truth(o.truth, &s, err, sizeof(err)) || py_target_open(o.pid, &t, err, sizeof(err))) {
		fprintf(stderr, "record_walk: %s\n", err);
		goto out;
	}
	if (t.major != s.major || t.minor != s.minor) {
		fprintf(stderr, "record_walk: pid %d runs %s (by %s), the truth says %s\n",
			o.pid, t.version, t.version_source, s.version);
		goto out;
	}
	snprintf(s.build, sizeof(s.build), "%s", o.build);
	s.pid = (uint32_t)o.pid;
	s.runtime_addr = t.runtime_addr;
	tee = (struct tee){ .live = &t.mem, .snap = &s };
	m = (struct remote_mem){ .read = tee_read, .ctx = &tee };
	printf("pid %d: Python %s (%s), _PyRuntime at 0x%llx in %s\n", o.pid, s.version, o.build,
	       (unsigned long long)t.runtime_addr, t.runtime_file);

	if (stop_all(o.pid, tasks, &ntasks, err, sizeof(err))) {
		fprintf(stderr, "record_walk: %s\n", err);
		goto out;
	}
	if (record_layout(&t, &tee, &m, &v, &proc))
		goto out;
	for (size_t i = 0; i < s.nthreads; i++) {
		struct task *task = task_of(tasks, ntasks, s.threads[i].native_id);

		if (!task) {
			fprintf(stderr, "record_walk: no thread with native id %llu\n",
				(unsigned long long)s.threads[i].native_id);
			goto out;
		}
		bad |= record_thread(&m, &tee, &v, &proc, &s.threads[i], task, o.pid) != 0;
	}
	detach_all(tasks, ntasks);
	ntasks = 0;
	if (tee.err || snapshot_merge(&s, err, sizeof(err))) {
		fprintf(stderr, "record_walk: %s\n", tee.err ? "out of memory" : err);
		goto out;
	}
	if (bad && !o.force) {
		fprintf(stderr, "record_walk: the walk does not match the truth: not saved (-f saves it)\n");
		goto out;
	}
	if (o.dir)
		snprintf(path, sizeof(path), "%s/%s-%s.snap", o.dir, s.version, s.build);
	else
		snprintf(path, sizeof(path), "%s", o.out);
	if (snapshot_save(path, &s, err, sizeof(err))) {
		fprintf(stderr, "record_walk: %s\n", err);
		goto out;
	}
	printf("%s: %zu bytes of memory in %zu ranges\n", path, snapshot_bytes(&s), s.nranges);
	rc = bad;
out:
	detach_all(tasks, ntasks);
	snapshot_free(&s);
	return rc;
}
