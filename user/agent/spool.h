/* The local history: each window a gzipped pprof file in one directory,
 * named "<start unix ms>-<pid>-<start ticks>-<type>.pb.gz" (nothing in the
 * name comes from the target), written through the one output writer
 * (proc/output_file.h), rotated by total size and age. */
#ifndef AGENT_SPOOL_H
#define AGENT_SPOOL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "agent/metrics.h"
#include "agent/window.h"
#include "proc/output_file.h"

struct spool {
	struct output_file dir;
	unsigned long long max_bytes;
	double retention_s;
	struct agent_metrics *m;	/* may be NULL */
	/* What is in it (name, size, start), kept to rotate without a
	 * directory scan per window; budgeted by max_bytes. */
	struct spool_file *files;
	size_t nfiles, cap;
	unsigned long long bytes;
	/* files[first..nfiles) are live, oldest first: the rotation takes
	 * from the front without moving the rest each time. */
	size_t first;
	pthread_mutex_t lock;	/* the pusher's thread writes too */
	int locked_init;
};

/* The index holds at most this many files (about 110 bytes each): past
 * it, the oldest file goes as if past --spool-max. 7 days of 15 s
 * windows is 40320 files per process. */
#define SPOOL_MAX_FILES 65536

/* Opens (creating it, 0700) the directory: 0, or -errno with a message. */
int spool_open(struct spool *s, const char *dir, unsigned long long max_bytes, double retention_s,
	       struct agent_metrics *m, char *err, size_t errlen);
/* New limits (SIGHUP). */
void spool_set_limits(struct spool *s, unsigned long long max_bytes, double retention_s);
/* Writes the window's pprof_gz, then rotates. 0 or -errno. Thread-safe:
 * the pusher's fallback calls it too. */
int spool_write(struct spool *s, const struct window_out *w, char *err, size_t errlen);
/* Whether w's file is in the spool already, whole (its name, its size):
 * the pusher's fallback then need not write it again, when the agent
 * spools every window anyway. */
int spool_contains(struct spool *s, const struct window_out *w);
/* Removes the oldest files past max_bytes, and those past retention. */
void spool_rotate(struct spool *s);
void spool_close(struct spool *s);

/* A file's name, parsed: 0, or -EINVAL for a name that is not one of ours. */
struct spool_name {
	uint64_t start_ms;
	pid_t pid;
	long long start_ticks;
	char type[32];
};
int spool_parse_name(const char *name, struct spool_name *out);
/* The name of w's file. 0, or -ENAMETOOLONG. */
int spool_format_name(char *buf, size_t len, const struct window_out *w);

#endif /* AGENT_SPOOL_H */
