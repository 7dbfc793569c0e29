/* The one way pybpftop writes a file: a temporary file in a directory held
 * since start-up, renamed over the name given (see output_file.h). fopen()
 * of the name followed a planted symbolic link and truncated what it
 * pointed to, and unlink() on an error deleted whatever the name was, a
 * copy of /dev/full included. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/random.h>
#include <sys/stat.h>
#include "proc/output_file.h"

/* Tries at a free temporary name; each collision is 1 in 2^48. */
#define TEMP_TRIES 100

/* Under sudo, each step runs with the owner's file-system uid, gid and
 * groups: the kernel then checks what the owner may do (permissions, ACLs,
 * sticky directories, read-only mounts), and what it creates is theirs.
 * An fsuid other than 0 also takes CAP_DAC_OVERRIDE and CAP_FOWNER out of
 * our effective set until it is set back. We are single-threaded, so the
 * process-wide groups may be switched. */
static int as_owner(const struct output_file *o)
{
	if (!o->owner.set)
		return 0;
	if (setgroups(o->ngroups, o->groups))
		return -errno;
	setfsgid(o->owner.gid);
	setfsuid(o->owner.uid);
	/* Both return the previous value: -1, invalid, asks for the current. */
	if ((uid_t)setfsuid(-1) != o->owner.uid || (gid_t)setfsgid(-1) != o->owner.gid)
		return -EPERM;
	return 0;
}

static void as_self(const struct output_file *o)
{
	if (!o->owner.set)
		return;
	setfsuid(geteuid());
	setfsgid(getegid());
	if (setgroups(o->nown_groups, o->own_groups))
		perror("pybpftop: setgroups");
}

/* The owner's groups as run mode's child gets them (initgroups), and ours
 * to come back to. */
static int load_groups(struct output_file *o)
{
	struct passwd *pw = getpwuid(o->owner.uid);
	int n = 0;

	if (pw) {
		getgrouplist(pw->pw_name, o->owner.gid, NULL, &n);
		if (!(o->groups = calloc(n + 1, sizeof(*o->groups))) ||
		    getgrouplist(pw->pw_name, o->owner.gid, o->groups, &n) < 0)
			return -ENOMEM;
		o->ngroups = n;
	}
	if ((n = getgroups(0, NULL)) < 0)
		return -errno;
	if (!(o->own_groups = calloc(n + 1, sizeof(*o->own_groups))) ||
	    (n = getgroups(n, o->own_groups)) < 0)
		return -ENOMEM;
	o->nown_groups = n;
	return 0;
}

enum dest { DEST_REPLACE, DEST_DIRECT };

/* Whether a symbolic link was made by root or by the owner, who chose
 * where it leads (/dev/stdout is root's link to /proc/self/fd/1): such a
 * link is followed. Any other, planted by someone else, is replaced. */
static int trusted_link(const struct output_file *o, const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == (o->owner.set ? o->owner.uid : geteuid());
}

/* How the entry `name`, lstat'ed as *st, is written: DEST_REPLACE (a new
 * file renamed over it) for nothing, a regular file, a link someone else
 * made, a link to nothing; DEST_DIRECT (opened and written) for a
 * character device, a FIFO, or what a trusted link leads to; -EISDIR or
 * -EINVAL for what cannot take a file (a directory, a block device, a
 * socket). */
static int destination(const struct output_file *o, const char *name, const struct stat *st)
{
	struct stat target;

	if (S_ISREG(st->st_mode))
		return DEST_REPLACE;
	if (S_ISLNK(st->st_mode)) {
		if (!trusted_link(o, st) || fstatat(o->dir_fd, name, &target, 0))
			return DEST_REPLACE;
		if (S_ISREG(target.st_mode))
			return DEST_DIRECT;
		st = &target;
	}
	if (S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode))
		return DEST_DIRECT;
	return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
}

/* err = "<lead><strerror>", and under sudo, for a denial, whose rights
 * were checked. Returns -e. */
static int fail(const struct output_file *o, const char *lead, int e, char *err, size_t errlen)
{
	char who[64] = "";

	if (o->owner.set && (e == EACCES || e == EPERM))
		snprintf(who, sizeof(who), " (for uid %u, who ran sudo)", (unsigned)o->owner.uid);
	snprintf(err, errlen, "%s%s%s", lead, e == EINVAL ?
		 "not a regular file, a character device or a FIFO" : strerror(e), who);
	return -e;
}

/* "PATH: " and "PATH: directory DIR: ", fail()'s leads at start-up. */
static int fail_at(const struct output_file *o, const char *dir, int e, char *err, size_t errlen)
{
	char lead[2 * PATH_MAX + 32];

	snprintf(lead, sizeof(lead), "%s: %s%s%s", o->path, dir ? "directory " : "", dir ? dir : "",
		 dir ? ": " : "");
	return fail(o, lead, e, err, errlen);
}

/* At start-up, as the owner: what the write will need. */
static int check(const struct output_file *o, const char *dir, char *err, size_t errlen)
{
	struct stat st = { 0 }, dst;
	int rc;

	if (!fstatat(o->dir_fd, o->name, &st, AT_SYMLINK_NOFOLLOW)) {
		if ((rc = destination(o, o->name, &st)) < 0)
			return fail_at(o, NULL, -rc, err, errlen);
		if (rc == DEST_DIRECT)
			return faccessat(o->dir_fd, o->name, W_OK, AT_EACCESS) ?
			       fail_at(o, NULL, errno, err, errlen) : 0;
	} else if (errno != ENOENT) {
		/* EACCES here is the directory's: no search permission. */
		return fail_at(o, errno == EACCES ? dir : NULL, errno, err, errlen);
	}
	if (faccessat(o->dir_fd, ".", W_OK | X_OK, AT_EACCESS))
		return fail_at(o, dir, errno, err, errlen);
	/* In a sticky directory (/tmp) the owner may not replace another
	 * user's entry: the rename would fail at the end. */
	if (st.st_mode && o->owner.set && !fstat(o->dir_fd, &dst) && (dst.st_mode & S_ISVTX) &&
	    st.st_uid != o->owner.uid && dst.st_uid != o->owner.uid)
		return fail_at(o, NULL, EPERM, err, errlen);
	return 0;
}

int output_file_open(struct output_file *o, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/'), *name = slash ? slash + 1 : path;
	char dir[PATH_MAX], why[256];
	int rc;

	*o = (struct output_file){ .dir_fd = -1 };
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, errlen, "%s: not a file name", path);
		return -EINVAL;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if ((rc = sudo_user_get(&o->owner, why, sizeof(why)))) {
		snprintf(err, errlen, "%s: %s", path, why);
		return rc;
	}
	/* sudo run by root: nothing to switch to. */
	if (o->owner.set && o->owner.uid == 0 && o->owner.gid == 0)
		o->owner.set = 0;
	o->path = strdup(path);
	o->prefix = strndup(path, name - path);
	o->name = strdup(name);
	if (!o->path || !o->prefix || !o->name || (o->owner.set && load_groups(o))) {
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		output_file_close(o);
		return -ENOMEM;
	}
	if ((rc = as_owner(o))) {
		snprintf(err, errlen, "%s: cannot take the identity of uid %u: %s", path,
			 (unsigned)o->owner.uid, strerror(-rc));
	} else if ((o->dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = fail_at(o, dir, errno, err, errlen);
	} else {
		rc = check(o, dir, err, errlen);
	}
	as_self(o);
	if (rc)
		output_file_close(o);
	return rc;
}

/* A FILE over fd that keeps the first write error's errno: the writers
 * see only that a write failed, and report EIO. */
struct sink {
	int fd;
	int err;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
	struct sink *s = cookie;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(s->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!s->err)
				s->err = n < 0 ? errno : EIO;
			return -1;
		}
		done += n;
	}
	return done;
}

/* fill's content into fd, flushed; fsync'd when it is a file: 0, or -errno
 * and the step that failed. fd is closed. */
static int fill_fd(int fd, int sync, int (*fill)(void *ctx, FILE *out), void *ctx,
		   const char **step)
{
	struct sink s = { fd, 0 };
	FILE *f = fopencookie(&s, "w", (cookie_io_functions_t){ .write = sink_write });
	int rc;

	*step = "";
	if (!f) {
		rc = -errno;
		close(fd);
		return rc;
	}
	setvbuf(f, NULL, _IOFBF, 64 << 10);
	rc = fill(ctx, f);
	if (fflush(f) && !rc)
		rc = -EIO;
	fclose(f);
	if (s.err)
		rc = -s.err;	/* the real errno, not the writer's EIO */
	if (!rc && sync && fsync(fd)) {
		rc = -errno;
		*step = "fsync: ";
	}
	if (close(fd) && !rc) {
		rc = -errno;
		*step = "close: ";
	}
	return rc;
}

/* What the trusted link `name` leads to, opened with flags: an fd, or
 * -errno. The target is read from the link we checked, through an fd on
 * it, and opened by that: a link swapped in after the check (by whoever
 * may write the directory) is never followed. */
static int open_link_target(const struct output_file *o, const char *name, int flags)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n = -1;
	int lfd = openat(o->dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), fd, e;

	if (lfd < 0)
		return -errno;
	if (!fstat(lfd, &st) && S_ISLNK(st.st_mode) && trusted_link(o, &st))
		n = readlinkat(lfd, "", target, sizeof(target));
	e = n < 0 ? errno : 0;
	close(lfd);
	if (n < 0 || n == sizeof(target))
		return n < 0 && e ? -e : -EAGAIN;	/* changed since the check */
	target[n] = '\0';
	/* A relative target is relative to the link's directory. */
	fd = openat(target[0] == '/' ? AT_FDCWD : o->dir_fd, target, flags);
	return fd < 0 ? -errno : fd;
}

/* What destination() says to write directly, opened for writing: the fd
 * and DEST_DIRECT (*sync: it is a regular file, truncated, as fopen()
 * does), DEST_REPLACE for a destination to replace, or -errno. O_NONBLOCK:
 * a FIFO without a reader is an error (ENXIO), not a hang. */
static int open_direct(const struct output_file *o, const char *name, int *fd, int *sync)
{
	struct stat st;
	int rc, fl, link;

	if (fstatat(o->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? DEST_REPLACE : -errno;
	if ((rc = destination(o, name, &st)) != DEST_DIRECT)
		return rc;
	link = S_ISLNK(st.st_mode);
	fl = O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	if (link)
		*fd = open_link_target(o, name, fl);
	else if ((*fd = openat(o->dir_fd, name, fl | O_NOFOLLOW)) < 0)
		*fd = -errno;
	if (*fd < 0)
		return *fd;
	rc = fstat(*fd, &st) ? -errno : 0;
	/* A device or FIFO replaced by a file since the lstat: no harm done
	 * (no O_TRUNC), and the rename replaces it instead. */
	if (!rc && !link && S_ISREG(st.st_mode)) {
		close(*fd);
		return DEST_REPLACE;
	}
	if (!rc && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode))
		rc = -EINVAL;
	if (!rc && (*sync = S_ISREG(st.st_mode)) && ftruncate(*fd, 0))
		rc = -errno;
	if (!rc && ((fl = fcntl(*fd, F_GETFL)) < 0 || fcntl(*fd, F_SETFL, fl & ~O_NONBLOCK)))
		rc = -errno;
	if (rc)
		close(*fd);
	return rc ? rc : DEST_DIRECT;
}

/* A new file in the directory, at a random name nobody could plant. */
static int create_temp(const struct output_file *o, const char *name, char *tmp, size_t len)
{
	struct stat st;
	int fd = -1;

	for (int i = 0; i < TEMP_TRIES; i++) {
		uint64_t r;

		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid() << 20 ^ (uint64_t)i;
		snprintf(tmp, len, ".%.200s.%012llx.tmp", name, (unsigned long long)(r & 0xffffffffffffull));
		fd = openat(o->dir_fd, tmp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return -errno;
	/* The owner's file it replaces keeps its permissions (one made
	 * private stays so); another user's does not pass its on. */
	if (!fstatat(o->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode) &&
	    st.st_uid == (o->owner.set ? o->owner.uid : geteuid()))
		fchmod(fd, st.st_mode & 0666);
	return fd;
}

int output_file_write(const struct output_file *o, const char *name,
		      int (*fill)(void *ctx, FILE *out), void *ctx, char *err, size_t errlen)
{
	char lead[PATH_MAX + NAME_MAX + 64], tmp[NAME_MAX + 1];
	const char *step = "";
	int fd = -1, rc, kind = -1, sync = 1;

	if (!name)
		name = o->name;
	if (!(rc = as_owner(o))) {
		rc = kind = open_direct(o, name, &fd, &sync);
		if (rc == -ENXIO)
			step = "no process reads this FIFO: ";
		if (kind == DEST_REPLACE && (rc = fd = create_temp(o, name, tmp, sizeof(tmp))) < 0)
			step = "cannot create a temporary file: ";
	}
	as_self(o);
	if (rc >= 0) {
		rc = fill_fd(fd, sync, fill, ctx, &step);
		if (kind == DEST_REPLACE) {
			int sw = as_owner(o);

			if (!rc && sw)
				rc = sw;
			if (!rc && renameat(o->dir_fd, tmp, o->dir_fd, name)) {
				rc = -errno;
				step = "rename: ";
			}
			/* Only our own temporary file is ever removed. */
			if (rc)
				unlinkat(o->dir_fd, tmp, 0);
			as_self(o);
		}
	}
	if (rc < 0) {
		snprintf(lead, sizeof(lead), "cannot write %s%s: %s", o->prefix, name, step);
		fail(o, lead, -rc, err, errlen);
	}
	return rc < 0 ? rc : 0;
}

void output_file_close(struct output_file *o)
{
	/* A zeroed struct, never opened, holds no fd 0. */
	if (o->path && o->dir_fd >= 0)
		close(o->dir_fd);
	free(o->path);
	free(o->prefix);
	free(o->name);
	free(o->groups);
	free(o->own_groups);
	*o = (struct output_file){ .dir_fd = -1 };
}
