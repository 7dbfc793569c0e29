/* The agent's windows: for each process, the samples of the current
 * window (CPU or wall-clock, and with --alloc the bytes allocated), its
 * labels, and at the window's end one window_out per profile for the
 * sinks. A process that exited is flushed with the window it ended in,
 * then forgotten. */
#ifndef AGENT_WINDOWS_H
#define AGENT_WINDOWS_H

#include <stdint.h>
#include <sys/types.h>
#include "agent/config.h"
#include "agent/service.h"
#include "agent/window.h"
#include "profile/profile.h"

/* Each profile of a window holds at most this many distinct stacks and
 * bytes of them (profile_set_budget: the rarest go first, and are
 * counted in the totals still). */
#define WINDOW_MAX_STACKS 20000
#define WINDOW_MAX_BYTES (8u << 20)

struct proc_window {
	pid_t pid;
	long long start_ticks;
	char python[24];
	char cmdline[512];
	struct service_info service;
	struct agent_label labels[WINDOW_MAX_LABELS];
	int nlabels;
	struct profile cpu;	/* CPU samples, or wall-clock ones with --idle */
	struct profile mem;	/* --alloc: bytes allocated */
	int gone;		/* exited or exec'd: flushed once more, then freed */
};

struct windows {
	const struct agent_config *cfg;
	const struct frame_table *frames;	/* the session's */
	char host[256];
	struct proc_window **procs;
	int nprocs, cap;
	uint64_t start_ns, start_mono_ns;	/* the current window's start */
};

/* For each window a sink gets every non-empty profile. */
typedef void (*window_sink)(void *ctx, const struct window_out *w);

void windows_init(struct windows *ws, const struct agent_config *cfg,
		  const struct frame_table *frames);
void windows_free(struct windows *ws);

/* A process to profile (session's TARGET_ADDED): its labels are made now.
 * Its old window, if the pid ran another program, stays until flushed. */
struct proc_window *windows_add(struct windows *ws, pid_t pid, long long start_ticks,
				const char *python, const char *cmdline);
struct proc_window *windows_find(struct windows *ws, pid_t pid, long long start_ticks);
/* It exited, or exec'd: flushed with this window, then forgotten. */
void windows_gone(struct windows *ws, pid_t pid, long long start_ticks);

/* The labels again (SIGHUP: new rules, new --labels). */
void windows_relabel(struct windows *ws);

/* Ends the window at now (CLOCK_REALTIME and CLOCK_MONOTONIC ns): each
 * profile with samples is encoded and given to sink, then emptied; gone
 * processes are freed. Returns the windows given. */
int windows_flush(struct windows *ws, uint64_t now_ns, uint64_t now_mono_ns, window_sink sink,
		  void *ctx, uint64_t *encode_errors);

#endif /* AGENT_WINDOWS_H */
