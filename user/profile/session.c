/* A profiling session: targets, sampler and profile, with one clean-up. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include "proc/procfs.h"
#include "profile/session.h"

/* How often the ring buffer is drained: samples are sent without wakeups.
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

volatile sig_atomic_t session_stop;

static void on_signal(int sig)
{
	session_stop = sig;
}

double session_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_sample(void *ctx, const struct py_sample_hdr *hdr,
		      const struct py_frame *frames, const uint64_t *addrs)
{
	struct session *s = ctx;
	struct py_target *t = NULL;
	uint32_t flags = 0;

	for (int i = 0; i < s->ntargets; i++)
		if ((uint32_t)s->targets[i]->pid == hdr->pid)
			t = s->targets[i];
	/* Taken before an exec: the code it names is gone. */
	if (!t || t->stale || hdr->time_ns < t->exec_ns)
		return;
	for (uint32_t i = 0; i < hdr->depth; i++)
		s->ids[i] = symbolizer_frame(&s->sym, t, frames[i].code, frames[i].lasti);
	/* A snapshot of every thread (session_threads), not a sample. */
	if (hdr->flags & SAMPLE_ADDRS) {
		if (s->nthreads < SESSION_MAX_THREADS)
			s->threads[s->nthreads++] = (struct session_thread){
				hdr->pid, hdr->tid, hdr->tstate,
				hdr->flags & (SAMPLE_ON_CPU | SAMPLE_RUNNABLE) };
		if (s->opts->on_thread)
			s->opts->on_thread(s->opts->ctx, t, hdr, s->ids, frames, addrs);
		return;
	}
	if (hdr->flags & SAMPLE_TRUNCATED)
		flags |= STACK_TRUNCATED;
	else if (hdr->flags & SAMPLE_READ_ERROR)
		flags |= STACK_PARTIAL;
	if (hdr->flags & SAMPLE_THREAD)
		flags |= STACK_OFF_CPU;
	profile_add_at(&s->prof, hdr->pid, hdr->tid, flags, s->ids, hdr->depth, hdr->weight,
		       hdr->time_ns);
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
	sampler_snapshot(s->sampler, SNAPSHOT_OFF_CPU, periods > UINT32_MAX ? UINT32_MAX : periods);
}

int session_threads(struct session *s)
{
	int rc;

	s->nthreads = 0;
	rc = sampler_snapshot(s->sampler, SNAPSHOT_ALL, 1);
	sampler_drain(s->sampler);
	symbolizer_new_epoch(&s->sym);
	return rc;
}

/* Inspects pid and keeps it as a target (not yet in the sampler). */
static int open_target(struct session *s, pid_t pid, char *err, size_t errlen)
{
	struct py_target *t;
	int rc;

	if (s->ntargets == SESSION_MAX_TARGETS) {
		snprintf(err, errlen, "too many processes: at most %d", SESSION_MAX_TARGETS);
		return PYT_UNSUPPORTED;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return PYT_NO_ACCESS;
	}
	rc = py_target_open(pid, t, err, errlen);
	if (rc) {
		free(t);
		return rc;
	}
	if (s->opts->verbose)
		fprintf(stderr, "pybpftop: pid %d: Python %s (found by %s), _PyRuntime at 0x%llx in %s, layout from %s\n",
			t->pid, t->version, t->version_source,
			(unsigned long long)t->runtime_addr, t->runtime_file, t->layout_source);
	/* Kept for the output files' titles, for after it exits. */
	if (!proc_cmdline(t->pid, t->cmdline, sizeof(t->cmdline)))
		snprintf(t->cmdline, sizeof(t->cmdline), "%s", t->comm);
	profile_set_process_name(&s->prof, t->pid, t->comm);
	/* A pidfd tells us the moment the target exits. */
	s->pidfds[s->ntargets] = syscall(SYS_pidfd_open, t->pid, 0);
	s->targets[s->ntargets++] = t;
	s->alive++;
	return 0;
}

int session_add_target(struct session *s, pid_t pid, char *err, size_t errlen)
{
	int rc;

	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i]->pid == pid)
			return 0;
	rc = open_target(s, pid, err, errlen);
	if (rc)
		return rc;
	rc = sampler_add_target(s->sampler, s->targets[s->ntargets - 1], err, errlen);
	if (rc) {
		/* Keep the arrays dense: forget the target again. */
		s->ntargets--;
		s->alive--;
		if (s->pidfds[s->ntargets] >= 0)
			close(s->pidfds[s->ntargets]);
		s->pidfds[s->ntargets] = -1;
		free(s->targets[s->ntargets]);
		s->targets[s->ntargets] = NULL;
		return PYT_NO_ACCESS;
	}
	return 0;
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

static struct py_target *target_of(struct session *s, pid_t pid)
{
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i]->pid == pid)
			return s->targets[i];
	return NULL;
}

/* Inspects an exec'd target again: 0 once it is known (and sampled) again. */
static int retarget(struct session *s, struct py_target *t, char *err, size_t errlen)
{
	struct py_target fresh = {};
	int rc = py_target_open(t->pid, &fresh, err, errlen);

	if (rc)
		return rc;
	if (!proc_cmdline(fresh.pid, fresh.cmdline, sizeof(fresh.cmdline)))
		snprintf(fresh.cmdline, sizeof(fresh.cmdline), "%s", t->cmdline);
	fresh.exec_ns = t->exec_ns;
	*t = fresh;
	t->mem = remote_mem_pid(&t->mem_pid);	/* it pointed into `fresh` */
	profile_set_process_name(&s->prof, t->pid, t->comm);
	return sampler_update_target(s->sampler, t, err, errlen) ? PYT_NO_ACCESS : 0;
}

static void on_proc_event(void *ctx, const struct py_proc_event *e)
{
	struct session *s = ctx;
	struct py_target *t = target_of(s, e->pid);

	/* A target that exec'd runs another program: its layouts and code
	 * objects are gone, and samples from before cannot be named. */
	if (e->kind == PROC_EXEC && t) {
		sampler_remove_target(s->sampler, t->pid);
		symbolizer_forget(&s->sym, t->pid);
		t->exec_ns = e->time_ns;
		t->stale = 1;
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
		struct py_target *t = target_of(s, pid);
		int rc = t && t->stale ? retarget(s, t, err, sizeof(err)) :
			 session_add_target(s, pid, err, sizeof(err));

		if (!rc && t)
			t->stale = 0;
		if (!rc && s->opts->verbose)
			fprintf(stderr, "pybpftop: following pid %d (%s), %.1f ms after its fork or exec was seen\n",
				pid, target_of(s, pid)->cmdline, (session_now() - s->pending[i].since) * 1e3);
		if (rc && rc != PYT_NO_PROCESS && session_now() - s->pending[i].since < PENDING_S) {
			i++;
			continue;
		}
		if (rc && rc != PYT_NO_PROCESS && s->opts->verbose)
			fprintf(stderr, "pybpftop: not following pid %d: %s\n", pid, err);
		s->pending[i] = s->pending[--s->npending];
	}
}

int session_follow(struct session *s, pid_t pid, int children)
{
	return sampler_follow(s->sampler, pid, children ? FOLLOW_CHILDREN : 0);
}

int session_open(struct session *s, const struct session_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sampler_opts so = {
		.hz = o->hz,
		.threads = o->idle || o->threads,
		.max_depth = o->max_depth,
		.verbose = o->verbose,
		.on_sample = on_sample,
		.ctx = s,
		.follow = o->follow,
		.on_proc_event = on_proc_event,
	};
	char err[512];

	memset(s, 0, sizeof(*s));
	s->opts = o;
	s->idle_timer = -1;
	for (int i = 0; i < SESSION_MAX_TARGETS; i++)
		s->pidfds[i] = -1;
	symbolizer_init(&s->sym);
	profile_init(&s->prof);

	/* Cheap checks first, so each bad input gets its own message. */
	for (int i = 0; i < o->npids; i++) {
		if (kill(o->pids[i], 0) && errno == ESRCH) {
			fprintf(stderr, "pybpftop: no process with pid %d: check the pid (ps -C python3 -o pid,cmd)\n", o->pids[i]);
			return 1;
		}
	}
	if (sampler_check_system(err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		return 1;
	}
	for (int i = 0; i < o->npids && i < SESSION_MAX_TARGETS; i++)
		if (open_target(s, o->pids[i], err, sizeof(err)))
			goto fail;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (sampler_start(&s->sampler, &so, s->targets, s->ntargets, err, sizeof(err)))
		goto fail;
	if (o->idle && (s->idle_timer = idle_timer_open(o->hz)) < 0) {
		snprintf(err, sizeof(err), "cannot create a timer for --idle: %s", strerror(errno));
		goto fail;
	}
	s->start = session_now();
	{
		struct timespec rt, mt;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &mt);
		s->start_unix_ns = rt.tv_sec * 1000000000ull + rt.tv_nsec;
		s->start_mono_ns = mt.tv_sec * 1000000000ull + mt.tv_nsec;
	}
	return 0;
fail:
	fprintf(stderr, "pybpftop: %s\n", err);
	return 1;
}

void session_tick(struct session *s, int ms)
{
	struct pollfd pfd[SESSION_MAX_TARGETS + 2];
	int n = s->ntargets, poll_ms = s->opts->follow ? FOLLOW_POLL_MS : POLL_MS;
	int wait = ms < poll_ms ? ms : poll_ms;
	double until = session_now() + ms / 1000.0;

	do {
		int w = s->npending ? PENDING_RETRY_MS : wait;
		struct timespec ts = { w / 1000, (w % 1000) * 1000000L };

		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = s->pidfds[i], .events = POLLIN };
		/* Only set when benchmarking a wakeup per sample. */
		pfd[n] = (struct pollfd){ .fd = sampler_wakeup_fd(s->sampler), .events = POLLIN };
		pfd[n + 1] = (struct pollfd){ .fd = s->idle_timer, .events = POLLIN };
		if (ppoll(pfd, n + 2, &ts, NULL) > 0) {
			if (pfd[n + 1].revents)
				idle_pass(s);
			for (int i = 0; i < n; i++) {
				if (!pfd[i].revents)
					continue;
				s->exited = s->targets[i]->pid;
				close(s->pidfds[i]);
				s->pidfds[i] = -1;
				s->alive--;
			}
		}
		sampler_drain(s->sampler);
		if (s->npending)
			pending_retry(s);
		symbolizer_new_epoch(&s->sym);
		profile_name_threads(&s->prof, 0);
	} while (!session_stop && s->alive && session_now() < until);
}

void session_finish(struct session *s)
{
	if (s->idle_timer >= 0)
		idle_pass(s);
	sampler_detach(s->sampler);
	profile_name_threads(&s->prof, 1);
	sampler_drain(s->sampler);
}

void session_close(struct session *s)
{
	sampler_stop(s->sampler);
	if (s->idle_timer >= 0)
		close(s->idle_timer);
	for (int i = 0; i < s->ntargets; i++) {
		if (s->pidfds[i] >= 0)
			close(s->pidfds[i]);
		free(s->targets[i]);
	}
	symbolizer_free(&s->sym);
	profile_free(&s->prof);
	memset(s, 0, sizeof(*s));
}
