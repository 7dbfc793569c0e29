/* Following processes (bpf/follow.bpf.c): the execs of chosen processes,
 * and the new child processes of those followed with FOLLOW_CHILDREN,
 * reported as they happen. The session uses it for run mode and
 * --subprocesses, whatever probes it runs. */
#ifndef FOLLOW_H
#define FOLLOW_H

#include <stdint.h>
#include <sys/types.h>
#include "pybpftop.h"

struct follow;

struct probe;

/* Loaded and attached: on_event gets each fork and exec of followed
 * processes; with `all` (the agent), every exec on the host, every fork of
 * a target, and the sampler's PROC_UNKNOWN events. It shares the walker's
 * targets map with `probes` (if not NULL): a forked child of a target is
 * sampled from its start, with its parent's layouts. NULL with a message
 * in err. */
struct follow *follow_open(void (*on_event)(void *ctx, const struct py_proc_event *e), void *ctx,
			   const struct probe *probes, int all, char *err, size_t errlen);

/* Follow pid (the process it names now) from now on (flags: enum
 * follow_flags). 0 or -errno. */
int follow_add(struct follow *f, pid_t pid, uint32_t flags);

/* The agent: no more PROC_UNKNOWN of pid (started at start_ticks) until
 * it execs: it is not Python, or cannot be profiled. */
void follow_settle(struct follow *f, pid_t pid, long long start_ticks);

/* Stop following pid (it exited). */
void follow_remove(struct follow *f, pid_t pid);

/* Readable when events wait (the programs wake user space: they are rare). */
int follow_fd(const struct follow *f);

/* Hands the waiting events to on_event. */
void follow_drain(struct follow *f);

/* Events lost because the ring buffer was full. */
uint64_t follow_lost(const struct follow *f);

/* Its BPF object (what the agent counts of map memory). */
struct bpf_object *follow_object(const struct follow *f);

/* Detach and unload; safe on NULL. */
void follow_close(struct follow *f);

#endif /* FOLLOW_H */
