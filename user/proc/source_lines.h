/* Source lines of a target's files, read through /proc/PID/root so that a
 * process in a container or chroot shows its own files (py-list style). */
#ifndef SOURCE_LINES_H
#define SOURCE_LINES_H

#include <sys/types.h>

struct source_file;

struct source_lines {
	struct source_file *files;	/* uthash, by (pid, path) */
	/* > 0: the target's root directory, opened while it ran, so that its
	 * files can still be read once it has exited (alloc's report). */
	int root_fd;
};

/* Line `line` (1-based) of `path` as process pid sees it, without its
 * indentation or line end; NULL when the file or line cannot be read. The
 * string lives as long as the cache. */
const char *source_line(struct source_lines *c, pid_t pid, const char *path, int line);

void source_lines_free(struct source_lines *c);

#endif /* SOURCE_LINES_H */
