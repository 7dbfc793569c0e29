/* A profiling session: targets, probes, following, signals and the loop,
 * with one clean-up. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include "probe/sampler.h"
#include "probe/threads.h"
#include "proc/procfs.h"
#include "proc/text_escape.h"
#include "profile/session.h"

/* How often the probes are drained: samples are sent without wakeups.
 * 16 MiB holds 100 ms of 50-frame stacks at 999 Hz on 1,000 CPUs. */
#define POLL_MS 100
/* A followed process that is not Python this long after its exec is not
 * going to be (a shell, say); its own children are still followed. */
#define PENDING_S 2.0
#define PENDING_RETRY_MS 2
/* Following processes: the ring buffer's wakeups were seen to arrive only
 * with the next drain, so drain often enough to attach a new process
 * within a few tens of milliseconds. */
#define FOLLOW_POLL_MS 10
/* The agent: a process is looked at DISCOVER_DELAY_S after its exec (the
 * dynamic loader has mapped its libraries by then, nearly always), and
 * while it is not Python, every DISCOVER_AGAIN_S until DISCOVER_SECOND_S
 * after it (an interpreter loaded with dlopen, uwsgi's plugin); one whose
 * dynamic loader has not mapped its libraries yet (a loaded machine) every
 * DISCOVER_DELAY_S until it has, for up to DISCOVER_LOADING_S; a CPython
 * process whose look fails is tried again, sooner at first, for PENDING_S. */
#define DISCOVER_DELAY_S 0.02
#define DISCOVER_AGAIN_S 0.2
#define DISCOVER_SECOND_S 1.0
#define DISCOVER_LOADING_S 30.0
#define DISCOVER_TRIES 8

volatile sig_atomic_t session_stop, session_usr1;
static pid_t run_child;

double session_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* In run mode a signal sent to pybpftop alone is passed on, and Ctrl-C at
 * the terminal reaches the child anyway (same process group): the child
 * decides when to end, and what was collected is written when it has. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1)
		session_usr1 = 1;
	else if (run_child <= 0)
		session_stop = sig;
	else if (si->si_code == SI_USER || si->si_code == SI_QUEUE)
		kill(run_child, sig);
}

static void catch_signals(int usr1)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO | SA_RESTART };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (usr1)
		sigaction(SIGUSR1, &sa, NULL);
}

static struct session_target *target_of(const struct session *s, pid_t pid)
{
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i]->t.pid == pid)
			return s->targets[i];
	return NULL;
}

/* The target a record of pid belongs to. A fork is sampled from its start
 * (follow.bpf.c gives it its parent's record), so its first samples may
 * come before the fork's event was taken in: take the events in first. */
static struct session_target *target_of_record(struct session *s, uint32_t pid)
{
	struct session_target *t = target_of(s, pid);

	if (!t && s->follow) {
		follow_drain(s->follow);
		t = target_of(s, pid);
	}
	return t;
}

/* The same, or NULL when the record cannot be named: taken before an
 * exec, the code it names is gone. */
static struct session_target *namable(struct session *s, uint32_t pid, uint64_t time_ns)
{
	struct session_target *t = target_of_record(s, pid);

	return t && !t->stale && time_ns >= t->exec_ns ? t : NULL;
}

/* In session.h. */
uint32_t session_name_frames(struct session *s, struct session_target *t, uint32_t n,
			     const struct py_frame **frames, const uint64_t **addrs)
{
	const struct py_frame *f = *frames;
	const uint64_t *a = addrs ? *addrs : NULL;
	uint32_t kept = 0;
	int dropped = 0;

	symbolizer_check_stack(&s->sym, &t->t, f, n);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = symbolizer_frame(&s->sym, &t->t, f[i].code, f[i].code_fp, f[i].lasti);

		if (id == SYMBOLIZER_INCOMPLETE) {
			if (!dropped) {	/* the first: copy those before it */
				memcpy(s->kept, f, kept * sizeof(*f));
				if (a)
					memcpy(s->kept_addrs, a, kept * sizeof(*a));
				dropped = 1;
			}
			continue;
		}
		if (dropped) {
			s->kept[kept] = f[i];
			if (a)
				s->kept_addrs[kept] = a[i];
		}
		s->ids[kept++] = id;
	}
	if (dropped) {
		*frames = s->kept;
		if (a)
			*addrs = s->kept_addrs;
	}
	return kept;
}

static void on_stack(void *ctx, const struct py_sample_hdr *hdr, const struct py_frame *frames,
		     const uint64_t *addrs)
{
	struct session *s = ctx;
	struct session_target *t = namable(s, hdr->pid, hdr->time_ns);
	struct py_sample_hdr h;

	if (!t || !s->opts->sink.stack)
		return;
	h = *hdr;
	h.depth = session_name_frames(s, t, hdr->depth, &frames, addrs ? &addrs : NULL);
	if (hdr->interp_id)	/* a subinterpreter's: profile_add_sample() finds it */
		frame_table_interpreter(&s->frames, hdr->interp_id);
	s->opts->sink.stack(s->opts->sink.ctx, t, &h, s->ids, frames, addrs);
}

static void on_alloc(void *ctx, const struct py_alloc_event *e, const struct py_sample_hdr *hdr,
		     const struct py_frame *frames)
{
	struct session *s = ctx;
	struct session_target *t = target_of_record(s, e->pid);
	struct py_sample_hdr h;

	if (!t || !s->opts->sink.alloc)
		return;
	if (hdr) {
		if (!namable(s, e->pid, hdr->time_ns))
			return;
		h = *hdr;
		h.depth = session_name_frames(s, t, hdr->depth, &frames, NULL);
		hdr = &h;
	}
	s->opts->sink.alloc(s->opts->sink.ctx, t, e, hdr, hdr ? s->ids : NULL);
}

static void tell(struct session *s, struct session_target *t, enum session_event what)
{
	if (s->opts->sink.target)
		s->opts->sink.target(s->opts->sink.ctx, t, what);
}

/* --idle: a timer at the sampling rate drives the off-CPU passes. */
static int idle_timer_open(int hz)
{
	long ns = 1000000000L / hz;
	struct itimerspec its = { { ns / 1000000000L, ns % 1000000000L },
				  { ns / 1000000000L, ns % 1000000000L } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void idle_pass(struct session *s)
{
	uint64_t periods = 0;

	/* Missed periods (a slow pass, a busy CPU) are charged to the next
	 * one, so wall time adds up even when the timer slips. */
	if (read(s->idle_timer, &periods, sizeof(periods)) != sizeof(periods) || !periods)
		return;
	threads_snapshot(s->threads, SNAPSHOT_OFF_CPU, periods > UINT32_MAX ? UINT32_MAX : periods);
}

static void drain(struct session *s)
{
	for (int i = 0; i < s->nprobes; i++)
		probe_drain(s->probes[i]);
}

int session_snapshot(struct session *s)
{
	int rc;

	if (!s->threads)
		return -EINVAL;
	rc = threads_snapshot(s->threads, SNAPSHOT_ALL, 1);
	drain(s);
	symbolizer_new_epoch(&s->sym);
	return rc;
}

/* The walker's table of named code objects, which the probes share. */
static void know_code(void *ctx, const struct py_known_code *k)
{
	struct session *s = ctx;

	if (s->nprobes)
		probe_know_code(s->probes[0], k);
}

static void forget_code(void *ctx, uint64_t addr, pid_t pid)
{
	struct session *s = ctx;

	if (s->nprobes)
		probe_forget_code(s->probes[0], addr, pid);
}

/* The session's side of a new target: its pidfd (a pidfd tells us the
 * moment it exits) and its root (its files stay readable after). NULL,
 * with a message, when there is no room or it is gone. */
static struct session_target *target_new(struct session *s, pid_t pid, int child, char *err,
					 size_t errlen)
{
	struct session_target *t;

	if (s->ntargets == SESSION_MAX_TARGETS) {
		snprintf(err, errlen, "too many processes: at most %d", SESSION_MAX_TARGETS);
		return NULL;
	}
	if (!(t = calloc(1, sizeof(*t)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->pidfd = syscall(SYS_pidfd_open, pid, 0);
	/* Without it (it is gone already), no file of its is read. */
	if (target_root_open(&t->root, pid))
		target_root_none(&t->root);
	t->child = child;
	t->since = s->since;
	return t;
}

static void target_free(struct session_target *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	target_root_close(&t->root);
	free(t);
}

static void target_keep(struct session *s, struct session_target *t)
{
	s->targets[s->ntargets++] = t;
	s->alive++;
}

/* Inspects pid and keeps it as a target, not yet in the probes. */
static int open_target(struct session *s, pid_t pid, int child, char *err, size_t errlen)
{
	struct session_target *t = target_new(s, pid, child, err, errlen);
	int rc;

	if (!t)
		return -E2BIG;
	if ((rc = py_target_open(pid, &t->t, err, errlen))) {
		target_free(t);
		return rc;
	}
	/* The pidfd, taken first, still names a live process: so the pid was
	 * that process's all along, and what was read (its root, its layout,
	 * its start time) is of one process. EPERM (another user's process,
	 * and no CAP_KILL: the systemd unit grants none) says it is alive. */
	if (t->pidfd < 0 ||
	    (syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) && errno != EPERM)) {
		snprintf(err, errlen, "no process with pid %d: it exited while it was inspected", pid);
		target_free(t);
		return -ESRCH;
	}
	if (s->opts->verbose)
		fprintf(stderr, "pybpftop: pid %d: Python %s (found by %s), _PyRuntime at 0x%llx in %s, layout from %s\n",
			pid, t->t.version, t->t.version_source, (unsigned long long)t->t.runtime_addr,
			TEXT_SAFE(t->t.runtime_file), TEXT_SAFE(t->t.layout_source));
	/* Kept for the output files' titles, for after it exits. */
	if (!proc_cmdline(pid, t->t.cmdline, sizeof(t->t.cmdline)))
		snprintf(t->t.cmdline, sizeof(t->t.cmdline), "%s", t->t.comm);
	target_keep(s, t);
	return 0;
}

static void forget_last_target(struct session *s)
{
	target_free(s->targets[--s->ntargets]);
	s->targets[s->ntargets] = NULL;
	s->alive--;
}

/* Takes pid out of every probe (it exited, exec'd, or was not taken). */
static void detach_pid(struct session *s, pid_t pid)
{
	for (int i = 0; i < s->nprobes; i++)
		s->probes[i]->ops->remove_target(s->probes[i], pid);
}

/* Adds t to every probe, or to none. */
static int attach_target(struct session *s, struct session_target *t, char *err, size_t errlen)
{
	int rc = 0;

	for (int i = 0; i < s->nprobes && !rc; i++)
		rc = s->probes[i]->ops->add_target(s->probes[i], &t->t, err, errlen);
	if (rc) {
		detach_pid(s, t->t.pid);
		return rc;
	}
	tell(s, t, TARGET_ADDED);
	return 0;
}

/* Starts profiling one more process (found by following). */
static int add_target(struct session *s, pid_t pid, char *err, size_t errlen)
{
	int rc;

	if (target_of(s, pid))
		return 0;
	/* Run mode's command is the user's, not a child of theirs. */
	if ((rc = open_target(s, pid, pid != s->child.pid, err, errlen)))
		return rc;
	if ((rc = attach_target(s, s->targets[s->ntargets - 1], err, errlen)))
		forget_last_target(s);
	return rc;
}

/* Inspects an exec'd target again: 0 once it is known (and sampled) again. */
static int retarget(struct session *s, struct session_target *t, char *err, size_t errlen)
{
	struct py_target fresh;
	int rc = py_target_open(t->t.pid, &fresh, err, errlen);

	if (rc)
		return rc;
	if (!proc_cmdline(fresh.pid, fresh.cmdline, sizeof(fresh.cmdline)))
		snprintf(fresh.cmdline, sizeof(fresh.cmdline), "%s", t->t.cmdline);
	t->t = fresh;
	t->t.mem = remote_mem_pid(&t->t.mem_pid);	/* it pointed into `fresh` */
	for (int i = 0; i < s->nprobes && !rc; i++)
		rc = s->probes[i]->ops->update_target(s->probes[i], &t->t, err, errlen);
	if (!rc) {
		t->stale = 0;
		tell(s, t, TARGET_ADDED);
	}
	return rc;
}

/* since: when the kernel saw the fork or exec (CLOCK_MONOTONIC, s). */
static void pending_add(struct session *s, pid_t pid, double since)
{
	for (int i = 0; i < s->npending; i++)
		if (s->pending[i].pid == pid) {
			s->pending[i].since = since;
			return;
		}
	if (s->npending < SESSION_MAX_TARGETS)
		s->pending[s->npending++] = (typeof(s->pending[0])){ pid, since };
}

/* A fork of a target is a copy of it, layouts and code objects included:
 * it is taken at once, as BPF has (follow.bpf.c), without a look at /proc. */
static int adopt_fork(struct session *s, const struct session_target *parent, pid_t pid,
		      uint64_t start_ticks, char *err, size_t errlen)
{
	struct session_target *t = target_new(s, pid, 1, err, errlen);
	int rc;

	if (!t)
		return -E2BIG;
	/* Gone already: nothing to sample, and its pid may be anyone's (the
	 * pidfd then names another process, which started later). */
	if (t->pidfd < 0 || proc_start_ticks(pid) != (long long)start_ticks) {
		snprintf(err, errlen, "pid %d exited", pid);
		target_free(t);
		return -ESRCH;
	}
	t->t = parent->t;
	t->t.pid = t->t.mem_pid = pid;
	t->t.start_ticks = (long long)start_ticks;
	t->t.mem = remote_mem_pid(&t->t.mem_pid);
	target_keep(s, t);
	if ((rc = attach_target(s, s->targets[s->ntargets - 1], err, errlen)))
		forget_last_target(s);
	return rc;
}

/* The agent: pid (started at ticks, 0 if unknown), which exec'd at
 * `since` (session_now() seconds), is to be looked at `delay` seconds from
 * now. An exec starts afresh; a report of one queued already changes
 * nothing. */
static void queue_add(struct session *s, pid_t pid, long long ticks, double since, double delay,
		      int exec)
{
	for (int i = 0; i < s->nqueue; i++)
		if (s->queue[i].pid == pid) {
			if (exec)
				s->queue[i] = (typeof(s->queue[0])){ pid, ticks, session_now() + delay, since, 0 };
			return;
		}
	if (s->nqueue == SESSION_MAX_QUEUED) {
		s->queue_full++;	/* the sampler reports it again when it runs */
		return;
	}
	s->queue[s->nqueue++] = (typeof(s->queue[0])){ pid, ticks, session_now() + delay, since, 0 };
}

/* When a process started, on session_now()'s clock, from its start time
 * in clock ticks since boot. */
static double started_at(long long ticks)
{
	struct timespec boot, mono;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ticks / (double)sysconf(_SC_CLK_TCK) - (boot.tv_sec - mono.tv_sec) -
	       (boot.tv_nsec - mono.tv_nsec) / 1e9;
}

static void forget_target(struct session *s, struct session_target *t);

/* The agent's verdict on a process: no more looks, no more reports of it
 * from the sampler until it execs. */
static void settle(struct session *s, pid_t pid, long long ticks)
{
	if (s->follow && ticks)
		follow_settle(s->follow, pid, ticks);
}

/* The agent: looks at queued process i. Returns 1 when it is to be
 * looked at again (its entry updated), 0 when it is done. A process that
 * is not Python while it is young (its dynamic loader may not have
 * mapped libpython yet, a plugin may load it) is looked at again every
 * DISCOVER_AGAIN_S until DISCOVER_SECOND_S after its exec. */
static int discover_one(struct session *s, int i)
{
	typeof(s->queue[0]) *q = &s->queue[i];
	struct session_target *t = target_of(s, q->pid);
	double now = session_now();
	char err[512];
	int rc;

	if (q->ticks && proc_start_ticks(q->pid) != q->ticks)
		return 0;	/* gone, and its pid maybe someone else's */
	if (t && !t->stale && !t->exited)
		return 0;
	s->checked++;
	if ((rc = discover_candidate(s->disc, q->pid)) == DISCOVER_LOADING) {
		if (now - q->since < DISCOVER_LOADING_S) {
			q->due = now + DISCOVER_DELAY_S;
			q->tries++;
			return 1;
		}
		rc = 0;
	}
	if (rc <= 0) {
		if (!rc && now - q->since < DISCOVER_SECOND_S) {
			q->due = now + DISCOVER_AGAIN_S < q->since + DISCOVER_SECOND_S ?
				 now + DISCOVER_AGAIN_S : q->since + DISCOVER_SECOND_S;
			q->tries++;
			return 1;
		}
		if (!rc)
			settle(s, q->pid, q->ticks);
		if (t && t->stale)	/* it exec'd into something else */
			forget_target(s, t);
		return 0;
	}
	s->since = q->since;
	rc = t && t->stale ? retarget(s, t, err, sizeof(err)) :
	     t ? -EEXIST : add_target(s, q->pid, err, sizeof(err));
	if (!rc) {
		s->since = 0;
		s->found++;
		if (s->opts->verbose)
			fprintf(stderr, "pybpftop: found pid %d (%s), %.1f ms after its exec\n", q->pid,
				TEXT_SAFE(target_of(s, q->pid)->t.cmdline), (now - q->since) * 1e3);
		return 0;
	}
	s->since = 0;
	if (rc == -ESRCH || rc == -EEXIST)
		return 0;
	if (rc != -E2BIG && q->tries < DISCOVER_TRIES && now - q->since < PENDING_S) {
		q->due = now + 0.005 * (1 << q->tries);
		q->tries++;
		return 1;
	}
	s->refused++;
	settle(s, q->pid, q->ticks);
	if (s->opts->sink.refused)
		s->opts->sink.refused(s->opts->sink.ctx, q->pid, rc, err);
	if (t && t->stale)
		forget_target(s, t);
	return 0;
}

static void discover_due(struct session *s)
{
	double now = session_now();

	for (int i = 0; i < s->nqueue;) {
		if (s->queue[i].due > now || discover_one(s, i)) {
			i++;
			continue;
		}
		s->queue[i] = s->queue[--s->nqueue];
	}
}

/* The agent, at start: every process running now, each looked at once. */
static void discover_running(struct session *s)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	while (d && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		/* Running already: no wait. */
		long long ticks = proc_start_ticks(pid);

		queue_add(s, pid, ticks, started_at(ticks), 0, 0);
		if (s->nqueue == SESSION_MAX_QUEUED)
			discover_due(s);
	}
	if (d)
		closedir(d);
	discover_due(s);
}

static void on_proc_event(void *ctx, const struct py_proc_event *e)
{
	struct session *s = ctx;
	struct session_target *t = target_of(s, e->pid), *parent = target_of(s, e->ppid);
	char err[512];

	if (e->kind == PROC_FORK && !t && parent && !parent->stale && !parent->exited) {
		if (!adopt_fork(s, parent, e->pid, e->start_ticks, err, sizeof(err))) {
			if (s->opts->verbose)
				fprintf(stderr, "pybpftop: following pid %d (%s, a fork of %d), %.1f ms after its fork or exec was seen\n",
					e->pid, TEXT_SAFE(parent->t.cmdline), e->ppid,
					(session_now() - e->time_ns / 1e9) * 1e3);
			return;
		}
		/* BPF took it: untake it, and look at it the usual way. */
		detach_pid(s, e->pid);
	}

	/* A target that exec'd runs another program: its layouts and code
	 * objects are gone, and samples from before cannot be named. */
	if (e->kind == PROC_EXEC && t) {
		detach_pid(s, e->pid);
		symbolizer_forget(&s->sym, e->pid);
		t->exec_ns = e->time_ns;
		t->stale = 1;
		tell(s, t, TARGET_EXEC);
	}
	if (s->opts->discover) {
		if (e->kind == PROC_EXEC)
			queue_add(s, e->pid, e->start_ticks, e->time_ns / 1e9, DISCOVER_DELAY_S, 1);
		else if (!target_of(s, e->pid))	/* PROC_UNKNOWN, or a fork BPF could not take */
			queue_add(s, e->pid, e->start_ticks, started_at(e->start_ticks), 0, 0);
		return;
	}
	pending_add(s, e->pid, e->time_ns / 1e9);
}

/* Tries the pending processes again; drops those that exited or that are
 * still not Python after PENDING_S. */
static void pending_retry(struct session *s)
{
	char err[512];

	for (int i = 0; i < s->npending;) {
		pid_t pid = s->pending[i].pid;
		struct session_target *t = target_of(s, pid);
		int rc = t && t->stale ? retarget(s, t, err, sizeof(err)) :
			 add_target(s, pid, err, sizeof(err));

		if (!rc && s->opts->verbose)
			fprintf(stderr, "pybpftop: following pid %d (%s), %.1f ms after its fork or exec was seen\n",
				pid, TEXT_SAFE(target_of(s, pid)->t.cmdline), (session_now() - s->pending[i].since) * 1e3);
		if (rc && rc != -ESRCH && session_now() - s->pending[i].since < PENDING_S) {
			i++;
			continue;
		}
		if (rc && rc != -ESRCH && s->opts->verbose)
			fprintf(stderr, "pybpftop: not following pid %d: %s\n", pid, TEXT_SAFE(err));
		s->pending[i] = s->pending[--s->npending];
	}
}

/* --subprocesses with -p: follow the targets' new children from now on,
 * and take the children they already have. */
static void follow_existing(struct session *s)
{
	int n = s->ntargets;
	char err[512];

	for (int i = 0; i < n; i++)
		follow_add(s->follow, s->targets[i]->t.pid, FOLLOW_CHILDREN);
	for (int i = 0; i < n; i++) {
		pid_t kids[SESSION_MAX_TARGETS];
		int k = proc_descendants(s->targets[i]->t.pid, kids, SESSION_MAX_TARGETS);

		for (int j = 0; j < k; j++) {
			follow_add(s->follow, kids[j], FOLLOW_CHILDREN);
			if (add_target(s, kids[j], err, sizeof(err)) && s->opts->verbose)
				fprintf(stderr, "pybpftop: not following pid %d: %s\n", kids[j], TEXT_SAFE(err));
		}
	}
}

/* Run mode: the probes are loaded before the command starts, so that it
 * is profiled from its first Python frame: the child waits on a pipe, is
 * followed, then execs; the session attaches once its interpreter is mapped. */
static int run_command(struct session *s, char *err, size_t errlen)
{
	char **argv = s->opts->command;
	int rc;

	if ((rc = child_spawn(&s->child, argv, err, errlen)))
		return rc;
	run_child = s->child.pid;
	if ((rc = follow_add(s->follow, s->child.pid, s->opts->subprocesses ? FOLLOW_CHILDREN : 0))) {
		snprintf(err, errlen, "cannot follow pid %d: %s", s->child.pid, strerror(-rc));
		/* It must not run unprofiled, nor wait for a go that never comes. */
		kill(s->child.pid, SIGKILL);
		waitpid(s->child.pid, NULL, 0);
		s->child.pid = run_child = -1;
		return rc;
	}
	if ((rc = child_release(&s->child, argv, err, errlen))) {
		s->child.pid = run_child = -1;
		return rc;
	}
	return 0;
}

static int open_probes(struct session *s, char *err, size_t errlen)
{
	const struct session_opts *o = s->opts;
	struct probe_sink sink = { on_stack, on_alloc, s };
	struct probe *p;

	probe_log(o->verbose);
	if (o->hz) {
		struct sampler_opts so = { .hz = o->hz, .max_depth = o->max_depth, .discover = o->discover,
					  .ring_bytes = o->ring_bytes };

		if (!(p = sampler_open(&so, &sink, err, errlen)))
			return -EINVAL;
		s->probes[s->nprobes++] = p;
	}
	/* dump loads the iterator alone: each object parses the kernel's
	 * BTF, 40 ms here, most of dump's start-up. */
	if (o->threads || o->idle) {
		if (!(p = threads_open(o->max_depth, s->nprobes ? s->probes[0] : NULL, &sink, err, errlen)))
			return -EINVAL;
		s->probes[s->nprobes++] = s->threads = p;
	}
	if (o->alloc) {
		if (!(p = alloc_probe_open(o->alloc, &sink, err, errlen)))
			return -EINVAL;
		s->probes[s->nprobes++] = p;
	}
	if (o->command || o->subprocesses || o->discover) {
		if (!(s->follow = follow_open(on_proc_event, s, s->nprobes ? s->probes[0] : NULL,
					      o->discover, err, errlen)))
			return -EINVAL;
	}
	if (o->idle && (s->idle_timer = idle_timer_open(o->hz)) < 0) {
		snprintf(err, errlen, "cannot create a timer for --idle: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int session_open(struct session *s, const struct session_opts *o, char *err, size_t errlen)
{
	struct timespec rt, mt;
	int rc;

	memset(s, 0, sizeof(*s));
	s->opts = o;
	s->idle_timer = -1;
	s->child.pid = -1;
	session_stop = session_usr1 = 0;
	if ((rc = frame_table_init(&s->frames))) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	symbolizer_init(&s->sym, &s->frames);
	s->sym.known = (struct symbolizer_known){ know_code, forget_code, s };

	/* Cheap checks first, so that each bad input gets its own message. */
	for (int i = 0; i < o->npids; i++)
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			snprintf(err, errlen, "no process with pid %d: check the pid (ps -C python3 -o pid,cmd)",
				 o->pids[i]);
			return -ESRCH;
		}
	if ((rc = probe_check_system(err, errlen)))
		return rc;
	for (int i = 0; i < o->npids; i++)
		if ((rc = open_target(s, o->pids[i], 0, err, errlen)))
			return rc;
	catch_signals(o->usr1);
	if ((rc = open_probes(s, err, errlen)))
		return rc;
	for (int i = 0; i < s->ntargets; i++)
		if ((rc = attach_target(s, s->targets[i], err, errlen)))
			return rc;
	if (o->command && (rc = run_command(s, err, errlen)))
		return rc;
	if (o->subprocesses && !o->command)
		follow_existing(s);
	if (o->discover) {
		if (!(s->disc = calloc(1, sizeof(*s->disc)))) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		discover_running(s);
	}
	s->start = session_now();
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	s->start_unix_ns = rt.tv_sec * 1000000000ull + rt.tv_nsec;
	s->start_mono_ns = mt.tv_sec * 1000000000ull + mt.tv_nsec;
	return 0;
}

static void target_exited(struct session *s, struct session_target *t)
{
	s->exited = t->t.pid;
	close(t->pidfd);
	t->pidfd = -1;
	t->exited = 1;
	s->alive--;
	/* Its pid may be handed to another process: out of every map and
	 * cache now, once its last samples are named. */
	detach_pid(s, t->t.pid);
	if (s->follow)
		follow_remove(s->follow, t->t.pid);
	drain(s);
	symbolizer_forget(&s->sym, t->t.pid);
	tell(s, t, TARGET_EXITED);
}

/* The agent: a target is forgotten once it exited (its sink has had
 * TARGET_EXITED), or exec'd into something that is not Python: a host
 * runs processes without end, and their pids come round again. */
static void forget_target(struct session *s, struct session_target *t)
{
	int i;

	if (!t->exited) {
		t->exited = 1;
		s->alive--;
		detach_pid(s, t->t.pid);
		symbolizer_forget(&s->sym, t->t.pid);
		tell(s, t, TARGET_EXITED);
	}
	for (i = 0; i < s->ntargets && s->targets[i] != t; i++)
		;
	if (i == s->ntargets)
		return;
	target_free(t);
	s->targets[i] = s->targets[--s->ntargets];
	s->targets[s->ntargets] = NULL;
}

static void reap_exited(struct session *s)
{
	for (int i = 0; i < s->ntargets;)
		if (s->targets[i]->exited)
			forget_target(s, s->targets[i]);
		else
			i++;
}

int session_reset_names(struct session *s, size_t max_bytes)
{
	if (frame_table_bytes(&s->frames) <= max_bytes)
		return 0;
	for (int i = 0; i < s->ntargets; i++)
		symbolizer_forget(&s->sym, s->targets[i]->t.pid);
	symbolizer_free(&s->sym);
	frame_table_free(&s->frames);
	malloc_trim(0);		/* glibc keeps freed memory otherwise: RSS would not drop */
	if (frame_table_init(&s->frames))
		return -ENOMEM;
	symbolizer_init(&s->sym, &s->frames);
	s->sym.known = (struct symbolizer_known){ know_code, forget_code, s };
	return 1;
}

void session_tick(struct session *s, int ms)
{
	struct pollfd pfd[SESSION_MAX_TARGETS + SESSION_MAX_PROBES + 2];
	int poll_ms = s->opts->drain_ms ? s->opts->drain_ms : POLL_MS;
	double until = session_now() + ms / 1000.0;

	/* The agent does not wait on a child's first instructions: new
	 * processes wake it (the ring buffer's wakeup), and 100 ms is soon
	 * enough for the rest. */
	if (s->follow && !s->opts->discover && poll_ms > FOLLOW_POLL_MS)
		poll_ms = FOLLOW_POLL_MS;
	do {
		double left = (until - session_now()) * 1000;
		int w = s->npending ? PENDING_RETRY_MS : poll_ms < left ? poll_ms : left > 0 ? (int)left + 1 : 0;
		struct timespec ts;

		for (int i = 0; i < s->nqueue; i++) {
			double due = (s->queue[i].due - session_now()) * 1000;

			if (due < w)
				w = due > 0 ? (int)due + 1 : 0;
		}
		ts = (struct timespec){ w / 1000, (w % 1000) * 1000000L };
		int n = 0, nt = s->ntargets;

		for (int i = 0; i < nt; i++)
			pfd[n++] = (struct pollfd){ .fd = s->targets[i]->pidfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->idle_timer, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = s->follow ? follow_fd(s->follow) : -1, .events = POLLIN };
		/* A sample whose code object is not named yet wakes us: it
		 * may be gone by the next tick. */
		for (int i = 0; i < s->nprobes; i++)
			pfd[n++] = (struct pollfd){ .fd = s->probes[i]->wakeup_fd, .events = POLLIN };
		if (ppoll(pfd, n, &ts, NULL) > 0) {
			if (pfd[nt].revents)
				idle_pass(s);
			for (int i = 0; i < nt; i++)
				if (pfd[i].revents && !s->targets[i]->exited)
					target_exited(s, s->targets[i]);
		}
		/* Process events first: a sample taken before an exec must be
		 * known as such before it is named. */
		if (s->follow)
			follow_drain(s->follow);
		drain(s);
		if (s->npending)
			pending_retry(s);
		if (s->nqueue)
			discover_due(s);
		if (s->opts->discover)
			reap_exited(s);
		symbolizer_new_epoch(&s->sym);
		if (s->opts->sink.drained)
			s->opts->sink.drained(s->opts->sink.ctx);
		if (s->child.pid > 0 && !s->child_done &&
		    waitpid(s->child.pid, &s->child_status, WNOHANG) == s->child.pid)
			s->child_done = 1;
	} while (!session_over(s) && session_now() < until && !session_usr1);
}

int session_over(const struct session *s)
{
	if (s->opts->command)
		return s->child_done || s->child.pid <= 0;
	if (s->opts->discover)		/* the agent runs with no target too */
		return session_stop;
	return session_stop || !s->alive;
}

void session_finish(struct session *s)
{
	if (s->idle_timer >= 0)
		idle_pass(s);
	for (int i = 0; i < s->nprobes; i++)
		s->probes[i]->ops->stop(s->probes[i]);
	if (s->follow)
		follow_drain(s->follow);
	drain(s);
	if (s->opts->sink.drained)
		s->opts->sink.drained(s->opts->sink.ctx);
}

void session_counters(const struct session *s, uint64_t *total)
{
	memset(total, 0, CNT_MAX * sizeof(*total));
	/* The probes share probes[0]'s counters, or run alone. */
	if (s->nprobes)
		probe_counters(s->probes[0], total, NULL, 0);
}

void session_print_counters(const struct session *s, FILE *out)
{
	uint32_t mask = 0;

	if (!s->nprobes)
		return;
	for (int i = 0; i < s->nprobes; i++)
		mask |= s->probes[i]->ops->counters;
	probe_print_counters(s->probes[0], mask, out);
	for (int i = 0; i < s->nprobes; i++)
		if (s->probes[i]->ops->print_stats)
			s->probes[i]->ops->print_stats(s->probes[i], out);
	if (s->follow)
		fprintf(out, "Process events lost: %llu\n", (unsigned long long)follow_lost(s->follow));
	if (s->disc)
		fprintf(out, "Discovery: %llu looks at processes, %llu found Python, %llu refused, %llu not queued (queue full); "
			"executables: %llu looked up, %llu cached, %llu ELF files read\n",
			(unsigned long long)s->checked, (unsigned long long)s->found,
			(unsigned long long)s->refused, (unsigned long long)s->queue_full,
			(unsigned long long)s->disc->lookups, (unsigned long long)s->disc->hits,
			(unsigned long long)s->disc->elf_reads);
	fprintf(out, "Symbolizer: %llu code objects read, %llu unreadable, %llu found reused, "
		"%llu gone before they were named, %llu incomplete frames left out; "
		"%zu cached (%zu KiB), %llu evicted; "
		"trusted ones checked: %llu in batches, %llu alone; "
		"frame table: %u functions, %u frames, %llu refused for its budget\n",
		(unsigned long long)s->sym.code_reads, (unsigned long long)s->sym.code_errors,
		(unsigned long long)s->sym.reused, (unsigned long long)s->sym.vanished,
		(unsigned long long)s->sym.incomplete, s->sym.ncodes, s->sym.bytes >> 10, (unsigned long long)s->sym.evicted,
		(unsigned long long)s->sym.batched_checks, (unsigned long long)s->sym.single_checks,
		s->frames.nfuncs, s->frames.nframes, (unsigned long long)s->frames.over_budget);
}

int session_close(struct session *s)
{
	int code = 0;

	for (int i = 0; i < s->nprobes; i++)
		s->probes[i]->ops->destroy(s->probes[i]);
	follow_close(s->follow);
	if (s->idle_timer >= 0)
		close(s->idle_timer);
	for (int i = 0; i < s->ntargets; i++)
		target_free(s->targets[i]);
	free(s->disc);
	symbolizer_free(&s->sym);
	frame_table_free(&s->frames);
	/* -d ended the profile first: the child decides when to end. */
	if (s->child.pid > 0 && !s->child_done &&
	    waitpid(s->child.pid, &s->child_status, 0) == s->child.pid)
		s->child_done = 1;
	if (s->child.pid > 0 && s->child_done)
		code = child_exit_code(s->child_status);
	run_child = 0;
	memset(s, 0, sizeof(*s));
	return code;
}
