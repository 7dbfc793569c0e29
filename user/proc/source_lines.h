/* Source lines of a target's files, as the target sees them (py-list
 * style): opened through target_open(), in the target's root and as its
 * user, so that a process in a container or chroot shows its own files and
 * nobody is shown a file through us that the target could not read.
 *
 * The cache is fed by names a target chooses, so it has budgets
 * (docs/security.md), each a constant in source_lines.c:
 *   - files are kept by (device, inode): twenty names of one file cost one
 *     entry;
 *   - a file is read only as far as the line asked for (64 KiB at a time),
 *     and never past 4 MiB or 262,144 lines (a realistic source file is
 *     far smaller; the lines past the cap are not shown);
 *   - all files together hold at most 32 MiB (text and line index) and 256
 *     files, the least recently used going first;
 *   - at most 1,024 (root, name) pairs are remembered, each a name of at
 *     most PATH_MAX; older ones are forgotten first;
 *   - a line is shown up to 4,095 bytes.
 * Each refusal and eviction is counted; -v prints the counts. */
#ifndef SOURCE_LINES_H
#define SOURCE_LINES_H

#include <stdint.h>
#include <stdio.h>
#include "proc/target_files.h"

#define SOURCE_LINE_MAX 4096

struct source_file;
struct source_path;

struct source_stats {
	uint64_t files;		/* files read into the cache */
	uint64_t unreadable;	/* names that did not open as a regular file */
	uint64_t cut;		/* files that reached a cap before the line asked for */
	uint64_t evicted;	/* files dropped for the budget or the file limit */
	uint64_t names_forgotten;	/* (root, name) pairs dropped for their limit */
	size_t peak_bytes;	/* the most held at once */
};

struct source_lines {
	struct source_file *files;	/* uthash by (dev, ino), least recently used first */
	struct source_path *paths;	/* uthash by (root, name), oldest first */
	size_t nfiles, npaths, bytes;
	struct source_stats stats;
	char line[SOURCE_LINE_MAX];	/* the line returned last */
};

/* Line `line` (1-based) of `path` as the target whose root is `root` sees
 * it, without its indentation or line end; NULL when root is NULL (no
 * source lines), the name is not an absolute path, or the file or line
 * cannot be read. The string is valid until the next call. */
const char *source_line(struct source_lines *c, struct target_root *root, const char *path,
			int line);

/* One line of the counts, for -v. */
void source_lines_print_stats(const struct source_lines *c, FILE *out);

void source_lines_free(struct source_lines *c);

#endif /* SOURCE_LINES_H */
