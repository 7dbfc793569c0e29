/* The one way pybpftop writes a file (-o, alloc's --snapshot and its
 * numbered snapshots), safe in a directory another user controls.
 *
 * The directory is opened when the options are read, so that a missing or
 * unwritable one fails before anything is recorded. A file is written to a
 * new temporary name in that directory (O_CREAT | O_EXCL | O_NOFOLLOW),
 * flushed, fsync'd and renamed over the name given: a symbolic link
 * someone else planted there is replaced, never followed, and what it
 * points to is left alone; on an error only the temporary file is removed,
 * never a name the user gave. A character device or FIFO there (a copy of
 * /dev/full), or what a link made by root or the owner leads to
 * (/dev/stdout), is written to directly: no rename, no removal, and only a
 * regular file truncated, as fopen() would. Under sudo the file belongs to the user who ran sudo, and each
 * step runs with that user's file-system identity, so that the kernel
 * allows only what that user could do: a directory only root may write is
 * refused at start-up.
 *
 * Errors carry the real errno and a message naming the path. */
#ifndef OUTPUT_FILE_H
#define OUTPUT_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include "proc/sudo_user.h"

struct output_file {
	char *path;		/* as the user gave it, for messages */
	char *prefix;		/* path up to its last '/' included, or "" */
	char *name;		/* its last component, in dir_fd */
	int dir_fd;		/* the directory (O_PATH), held from start-up; -1 when closed */
	struct sudo_user owner;	/* under sudo: whose the file is */
	gid_t *groups;		/* the owner's supplementary groups, and ours, */
	int ngroups;		/* to switch between them around each step */
	gid_t *own_groups;
	int nown_groups;
};

/* At start-up: opens path's directory and checks that it can take the
 * file (or that a device or FIFO at path can be written), as the owner.
 * 0, or -errno with "PATH: directory DIR: <strerror>" or "PATH: <strerror>"
 * in err. */
int output_file_open(struct output_file *o, const char *path, char *err, size_t errlen);

/* Writes the file `name` of o's directory (NULL: o's own name): fill
 * writes its content to out and returns 0 or -errno. 0, or -errno (the
 * first write error's when there was one) with "cannot write PATH: ..."
 * in err. */
int output_file_write(const struct output_file *o, const char *name,
		      int (*fill)(void *ctx, FILE *out), void *ctx, char *err, size_t errlen);

/* Also on a zeroed struct, and twice. */
void output_file_close(struct output_file *o);

#endif /* OUTPUT_FILE_H */
