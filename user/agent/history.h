/* The local history read back (`pybpftop report`): the spool's windows
 * that pass a filter (time range, service, pid, profile type), merged
 * into one profile, file by file, one file in memory at a time.
 *
 * The directory could hold anything: only names spool_parse_name()
 * takes are read, only regular files (never a symbolic link: O_NOFOLLOW),
 * at most HISTORY_MAX_FILE_BYTES each, through the bounded pprof reader.
 * Everything else is skipped and counted, never fatal. */
#ifndef AGENT_HISTORY_H
#define AGENT_HISTORY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include "out/pprof_read.h"
#include "profile/frame_table.h"
#include "profile/profile.h"

#define HISTORY_MAX_FILE_BYTES	(64u << 20)	/* gzipped; 256 MiB once inflated */
#define HISTORY_MAX_PIDS	64
#define HISTORY_MAX_PROCESSES	1024		/* listed one by one; more are counted */

struct history_filter {
	uint64_t since_ms, until_ms;	/* window starts in [since, until); until 0: no end */
	const char *service;		/* service_name, exactly; NULL: any */
	pid_t pids[HISTORY_MAX_PIDS];	/* none: any */
	int npids;
	const char *type;		/* the file name's: process_cpu, wall or memory */
};

/* A process (pid and start time) the windows came from. */
struct history_process {
	uint32_t pid;
	long long start_ticks;
	char service[64];
	uint64_t windows, samples;
};

struct history_stats {
	uint64_t entries;		/* names in the directory */
	uint64_t windows, samples;	/* read in */
	uint64_t outside;		/* ours, but not what the filter asks for */
	uint64_t first_ms, end_ms;	/* from the first window's start to the last one's end */
	/* Skipped: a name that is not ours, a link or anything but a regular
	 * file, too big, or unreadable or corrupt. */
	uint64_t foreign, not_regular, too_big, corrupt;
	char first_skipped[512];	/* "NAME: why", of the first */
	uint64_t truncated;		/* stacks cut at the depth cap */
	uint64_t period;		/* the first window's; */
	int mixed_periods;		/* 1 if another's differs */
	char python[32];		/* the first window's */
	struct history_process procs[HISTORY_MAX_PROCESSES];
	int nprocs;
	uint64_t more_procs;		/* past HISTORY_MAX_PROCESSES */
};

/* Adds the windows of dir that pass f to p (frame table ft), oldest
 * first, and names its processes after their service. 0 (even with
 * nothing read: see st), or -errno when dir cannot be read, with a message
 * in err. */
int history_read(const char *dir, const struct history_filter *f, struct profile *p,
		 struct frame_table *ft, struct history_stats *st, char *err, size_t errlen);

/* "2026-12-02T03:00:00Z" (RFC 3339), "2026-12-02 03:00[:SS]" (local
 * time), "2026-12-02" (local midnight), "03:00" (today, local), unix
 * seconds ("1764644400"), "now", or a time before now: "-2h", "2h ago",
 * "30m", "1h30m", "7d" (units s, m, h, d, w). 0 with *ms, or -EINVAL. */
int history_parse_when(const char *s, time_t now, uint64_t *ms);

#endif /* AGENT_HISTORY_H */
