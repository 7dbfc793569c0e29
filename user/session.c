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
#include "proc_maps.h"
#include "session.h"

/* How often the ring buffer is drained: samples are sent without wakeups.
 * 16 MiB holds 100 ms of 50-frame stacks at 999 Hz on 1,000 CPUs. */
#define POLL_MS 100

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
	if (!t)
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
	for (int i = 0; i < o->npids && i < SESSION_MAX_TARGETS; i++) {
		struct py_target *t = calloc(1, sizeof(*t));

		if (!t)
			return 1;
		s->targets[s->ntargets++] = t;
		if (py_target_open(o->pids[i], t, err, sizeof(err))) {
			fprintf(stderr, "pybpftop: %s\n", err);
			return 1;
		}
		if (o->verbose)
			fprintf(stderr, "pybpftop: pid %d: Python %s (found by %s), _PyRuntime at 0x%llx in %s\n",
				t->pid, t->version, t->version_source,
				(unsigned long long)t->runtime_addr, t->runtime_file);
		/* Kept for the output files' titles, for after it exits. */
		if (!proc_cmdline(t->pid, t->cmdline, sizeof(t->cmdline)))
			snprintf(t->cmdline, sizeof(t->cmdline), "%s", t->comm);
		/* A pidfd tells us the moment the target exits. */
		s->pidfds[i] = syscall(SYS_pidfd_open, t->pid, 0);
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (sampler_start(&s->sampler, &so, s->targets, s->ntargets, err, sizeof(err))) {
		fprintf(stderr, "pybpftop: %s\n", err);
		return 1;
	}
	if (o->idle && (s->idle_timer = idle_timer_open(o->hz)) < 0) {
		fprintf(stderr, "pybpftop: cannot create a timer for --idle: %s\n", strerror(errno));
		return 1;
	}
	s->alive = s->ntargets;
	s->start = session_now();
	{
		struct timespec rt, mt;

		clock_gettime(CLOCK_REALTIME, &rt);
		clock_gettime(CLOCK_MONOTONIC, &mt);
		s->start_unix_ns = rt.tv_sec * 1000000000ull + rt.tv_nsec;
		s->start_mono_ns = mt.tv_sec * 1000000000ull + mt.tv_nsec;
	}
	return 0;
}

void session_tick(struct session *s, int ms)
{
	struct pollfd pfd[SESSION_MAX_TARGETS + 2];
	int n = s->ntargets, wait = ms < POLL_MS ? ms : POLL_MS;
	double until = session_now() + ms / 1000.0;

	do {
		struct timespec ts = { wait / 1000, (wait % 1000) * 1000000L };

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
