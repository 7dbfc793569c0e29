/* What /proc tells of a process: its file-backed mappings, thread names and command line. */
#ifndef PROC_MAPS_H
#define PROC_MAPS_H

#include <stdint.h>
#include <sys/types.h>

struct proc_map {
	uint64_t start, end, offset;
	char *path;		/* as the target sees it (its mount namespace) */
};

struct proc_maps {
	struct proc_map *v;
	size_t n;
};

int proc_maps_read(pid_t pid, struct proc_maps *maps);
void proc_maps_free(struct proc_maps *maps);

/* The lowest mapping of `path` that starts at file offset 0, or NULL. */
const struct proc_map *proc_maps_base(const struct proc_maps *maps, const char *path);

/* /proc/PID/task/TID/comm into buf: 1, or 0 when the thread is gone. */
int proc_thread_comm(uint32_t pid, uint32_t tid, char *buf, size_t len);

/* /proc/PID/cmdline with spaces between the arguments: 1, or 0. */
int proc_cmdline(pid_t pid, char *buf, size_t len);

/* Up to len - 1 bytes of /proc/PID/FILE (pid 0: /proc/self) into buf,
 * then a NUL (the file may hold NULs of its own: cmdline): the number of
 * bytes read, or -errno. Bounded, for files a target writes or sizes. */
ssize_t proc_file_read(pid_t pid, const char *file, char *buf, size_t len);

/* The processes descended from root (children, grandchildren...), from
 * /proc; returns how many were put in out (at most max). */
int proc_descendants(pid_t root, pid_t *out, int max);

/* When pid started: field 22 of /proc/PID/stat, clock ticks since boot;
 * with the pid, what names a process (a pid is reused, this pair is not).
 * -1 when there is no such process. */
long long proc_start_ticks(pid_t pid);

#endif /* PROC_MAPS_H */
