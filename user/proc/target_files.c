/* Opening files on a target's behalf: in its root, as its user.
 *
 * Credentials. A file is opened with the target's fsuid, fsgid and
 * supplementary groups (the fs fields of /proc/PID/status's Uid: and Gid:,
 * and its Groups:), so that what the target's user may not read is not
 * shown to anyone through us: root's DAC override goes when the fsuid is
 * not 0. setfsuid() and setfsgid() act on the calling thread only; glibc's
 * setgroups() changes every thread of the process (it broadcasts), so the
 * raw syscall is made, which sets this thread's groups alone. Everything is
 * put back before target_open() returns, and a failure to put it back
 * aborts: going on as the wrong user is worse than stopping. The
 * credentials are read again at each open while the target lives (it may
 * have dropped privileges since attach), and the pidfd confirms that what
 * was read is the target's and not a reused pid's; after it exits, the last
 * ones read stand. If they cannot be taken (no CAP_SETUID/CAP_SETGID) and
 * are not already ours, nothing is opened. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "proc/procfs.h"
#include "proc/target_files.h"

#define OPEN_FLAGS (O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
#define GROUPS_MAX 65536	/* the kernel's NGROUPS_MAX */

static unsigned next_root_id = 1;

static void creds_free(struct target_creds *c)
{
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
}

/* The fs ids and groups of pid: 0, or -errno. */
static int read_creds(pid_t pid, struct target_creds *c)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int seen = 0, rc = 0;
	unsigned long r, e, s, fs;
	FILE *f;

	*c = (struct target_creds){ 0 };
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (!(f = fopen(path, "re")))
		return -errno;
	while (getline(&line, &cap, f) > 0 && !rc) {
		if (sscanf(line, "Uid: %lu %lu %lu %lu", &r, &e, &s, &fs) == 4) {
			c->fsuid = fs;
			seen |= 1;
		} else if (sscanf(line, "Gid: %lu %lu %lu %lu", &r, &e, &s, &fs) == 4) {
			c->fsgid = fs;
			seen |= 2;
		} else if (!strncmp(line, "Groups:", 7)) {
			char *p = line + 7, *end;
			int room = 0;

			seen |= 4;
			for (unsigned long g; (g = strtoul(p, &end, 10)), end != p; p = end) {
				if (c->ngroups == room) {
					gid_t *n = NULL;

					room = room ? 2 * room : 16;
					if (room > GROUPS_MAX || !(n = realloc(c->groups, room * sizeof(*n)))) {
						rc = room > GROUPS_MAX ? -E2BIG : -ENOMEM;
						break;
					}
					c->groups = n;
				}
				c->groups[c->ngroups++] = g;
			}
		}
	}
	free(line);
	fclose(f);
	if (!rc && seen != 7)
		rc = -EINVAL;
	if (rc)
		creds_free(c);
	return rc;
}

/* Whether the process behind pidfd has not exited (a pidfd polls readable
 * when it does): then the pid named it during everything read before. */
static int still_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

int target_root_open(struct target_root *r, pid_t pid)
{
	char path[64];
	int rc;

	target_root_none(r);
	r->pid = pid;
	if ((r->pidfd = syscall(SYS_pidfd_open, pid, 0)) < 0) {
		rc = -errno;
		goto fail;
	}
	if ((r->start_time = proc_start_ticks(pid)) < 0) {
		rc = -ESRCH;
		goto fail;
	}
	if ((rc = read_creds(pid, &r->creds)))
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	if ((r->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto fail;
	}
	if (!still_alive(r->pidfd) || proc_start_ticks(pid) != r->start_time) {
		rc = -ESRCH;
		goto fail;
	}
	r->as_target = 1;
	r->id = next_root_id++;
	return 0;
fail:
	target_root_close(r);
	return rc;
}

int target_root_dir(struct target_root *r, const char *dir)
{
	target_root_none(r);
	if ((r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int rc = -errno;

		target_root_none(r);
		return rc;
	}
	r->id = next_root_id++;
	return 0;
}

void target_root_close(struct target_root *r)
{
	if (r->fd >= 0)
		close(r->fd);
	if (r->pidfd >= 0)
		close(r->pidfd);
	creds_free(&r->creds);
	target_root_none(r);
}

/* The credentials this thread had, to put back. */
struct saved_creds {
	uid_t fsuid;
	gid_t fsgid;
	int ngroups;
	gid_t *groups;
};

static int same_groups(const struct target_creds *c, const struct saved_creds *s)
{
	return c->ngroups == s->ngroups &&
	       (!c->ngroups || !memcmp(c->groups, s->groups, c->ngroups * sizeof(gid_t)));
}

/* setfsuid() returns the previous id whether or not it worked: asking
 * again with an invalid id (-1) returns the one in force. */
static int set_fs_ids(uid_t uid, gid_t gid)
{
	setfsgid(gid);
	if ((gid_t)setfsgid(-1) != gid)
		return -EPERM;
	setfsuid(uid);
	return (uid_t)setfsuid(-1) == uid ? 0 : -EPERM;
}

static void restore(const struct saved_creds *s, int groups_changed)
{
	/* The uid first: back to 0 gives back the capabilities that setting
	 * the groups needs, were they fs ones (they are not: CAP_SETGID). */
	setfsuid(s->fsuid);
	setfsgid(s->fsgid);
	if ((uid_t)setfsuid(-1) != s->fsuid || (gid_t)setfsgid(-1) != s->fsgid ||
	    (groups_changed && syscall(SYS_setgroups, s->ngroups, s->groups))) {
		fprintf(stderr, "pybpftop: cannot restore our credentials after opening a target's file\n");
		abort();
	}
	free(s->groups);
}

static int become(const struct target_creds *c, struct saved_creds *s, int *groups_changed)
{
	int n = getgroups(0, NULL);

	*groups_changed = 0;
	s->fsuid = setfsuid(-1);
	s->fsgid = setfsgid(-1);
	s->groups = NULL;
	if (n < 0 || !(s->groups = malloc((n ? n : 1) * sizeof(gid_t))) ||
	    (s->ngroups = getgroups(n, s->groups)) < 0) {
		free(s->groups);
		return -ENOMEM;
	}
	if (!same_groups(c, s)) {
		if (syscall(SYS_setgroups, c->ngroups, c->groups)) {
			free(s->groups);
			return -EPERM;
		}
		*groups_changed = 1;
	}
	if (set_fs_ids(c->fsuid, c->fsgid)) {
		restore(s, *groups_changed);
		return -EPERM;
	}
	return 0;
}

/* The target's credentials as they are now, if it still runs. */
static void refresh_creds(struct target_root *r)
{
	struct target_creds now;

	if (r->pidfd < 0 || !still_alive(r->pidfd) || read_creds(r->pid, &now))
		return;
	if (!still_alive(r->pidfd)) {
		creds_free(&now);
		return;
	}
	creds_free(&r->creds);
	r->creds = now;
}

/* A regular file, or nothing: a FIFO, a device or a directory is closed. */
static int keep_regular(int fd, struct stat *st)
{
	int rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, st))
		rc = -errno;
	else if (!S_ISREG(st->st_mode))
		rc = -EINVAL;
	else
		return fd;
	close(fd);
	return rc;
}

int target_open(struct target_root *r, const char *path, struct stat *st)
{
	struct open_how how = {
		.flags = OPEN_FLAGS,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct saved_creds saved;
	int fd, err, groups_changed = 0, rc;

	if (r->fd < 0)
		return -EBADF;
	if (r->as_target) {
		refresh_creds(r);
		if ((rc = become(&r->creds, &saved, &groups_changed)))
			return rc;
	}
	fd = syscall(SYS_openat2, r->fd, path, &how, sizeof(how));
	err = errno;
	if (r->as_target)
		restore(&saved, groups_changed);
	errno = err;
	return keep_regular(fd, st);
}

int target_open_mapped(pid_t pid, uint64_t start, uint64_t end)
{
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)start, (unsigned long long)end);
	return keep_regular(open(path, OPEN_FLAGS), &st);
}

int target_files_privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	const unsigned caps = 1u << CAP_DAC_OVERRIDE | 1u << CAP_DAC_READ_SEARCH;

	if (geteuid() == 0)
		return 1;
	/* When we cannot tell, assume the worst. */
	return syscall(SYS_capget, &h, d) || (d[0].effective & caps);
}
