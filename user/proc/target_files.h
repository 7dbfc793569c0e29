/* The one way to open a file on a target's behalf: a source file named by
 * its co_filename, its executable or libpython. The target chooses the
 * path, so the path is resolved in the target's own root (a container's,
 * a chroot's), never ours, with the target's own credentials, and only a
 * regular file is taken.
 *
 *   at attach:   target_root_open(&r, pid)   an O_PATH handle on /proc/PID/root,
 *                                            checked against a pidfd
 *   per file:    target_open(&r, path, &st)  openat2(RESOLVE_IN_ROOT |
 *                                            RESOLVE_NO_MAGICLINKS) as the target
 *
 * The handle outlives the target (alloc's report reads its files after it
 * exited), and then the credentials it last had are used. */
#ifndef TARGET_FILES_H
#define TARGET_FILES_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Whom a file is opened as: the target's fsuid, fsgid and supplementary
 * groups, from /proc/PID/status. */
struct target_creds {
	uid_t fsuid;
	gid_t fsgid;
	int ngroups;
	gid_t *groups;
};

struct target_root {
	int fd;			/* O_PATH on the root paths resolve in; -1: none */
	int pidfd;		/* the target, while its credentials are read; -1 */
	pid_t pid;
	long long start_time;		/* proc_start_ticks() */
	unsigned id;		/* tells roots apart in caches keyed by path */
	int as_target;		/* open with creds; else with our own */
	struct target_creds creds;	/* the last ones read while it lived */
};

/* Takes process pid's root: opens a pidfd, reads its start time and
 * credentials, opens /proc/PID/root, then checks that the pidfd is still
 * alive and the start time unchanged, so that the root is that process's
 * and not a reused pid's. 0, or -errno (-ESRCH: it went away). */
int target_root_open(struct target_root *r, pid_t pid);

/* A directory the user chose (alloc show --source-root): paths resolve in
 * it, opened with our own credentials. 0, or -errno. */
int target_root_dir(struct target_root *r, const char *dir);

/* Both are safe to call on a zeroed or closed root. */
void target_root_close(struct target_root *r);
static inline void target_root_none(struct target_root *r)
{
	*r = (struct target_root){ .fd = -1, .pidfd = -1 };
}

/* Opens path (absolute, as the target sees it) in r: O_RDONLY, O_NONBLOCK
 * (a FIFO must not block us), O_NOCTTY, O_CLOEXEC, resolved by openat2
 * with RESOLVE_IN_ROOT (absolute symlinks and ".." stay inside the root)
 * and RESOLVE_NO_MAGICLINKS (no /proc/PID/root/... way out), as the target
 * (see as_target). Only a regular file is kept; st is its fstat. A file
 * descriptor, or -errno: -ENOENT, -EACCES (the target's user could not),
 * -EXDEV/-ELOOP (resolution refused), -EINVAL (not a regular file),
 * -EPERM (we could not take the target's credentials). */
int target_open(struct target_root *r, const char *path, struct stat *st);

/* Opens the very file mapped at [start, end) in process pid, through
 * /proc/PID/map_files (whatever namespace or chroot it is in): a regular
 * file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC; fd or -errno. With
 * our credentials: the target mapped it, and only its symbols are read. */
int target_open_mapped(pid_t pid, uint64_t start, uint64_t end);

/* Whether we read beyond our own user's rights: euid 0, or CAP_DAC_OVERRIDE
 * or CAP_DAC_READ_SEARCH in effect. Then paths from a file someone else
 * wrote (an alloc snapshot) are not opened unless the user says where. */
int target_files_privileged(void);

#endif /* TARGET_FILES_H */
