/* The local history: one gzipped pprof file per window in one directory,
 * written through the safe output writer (a temporary file renamed over
 * the name, never through a planted link), and rotated by total size and
 * age, oldest first.
 *
 * The rotation trusts only names spool_parse_name() accepts and regular
 * files: anything else in the directory (a file of the admin's, a
 * symbolic link someone planted) is neither counted nor removed. The
 * index is read once at open; after that every write updates it, so that
 * no window costs a directory scan. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "agent/spool.h"

struct spool_file {
	char name[96];		/* spool_format_name() writes at most 89 bytes */
	uint64_t start_ms;
	uint64_t bytes;
};

/* The placeholder file name output_file_open checks: only its directory
 * is used, every write names its own file. */
#define SPOOL_CHECK_NAME ".pybpftop-spool"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void update_gauge(struct spool *s)
{
	if (s->m)
		gauge_set(s->m, G_SPOOL_BYTES, (int64_t)s->bytes);
}

/* Room for one more entry at the end: moves the live entries down to the
 * front when that frees enough, else grows the array. */
static int make_room(struct spool *s)
{
	if (s->nfiles < s->cap)
		return 0;
	if (s->first > 0 && s->first >= s->cap / 4) {
		memmove(s->files, s->files + s->first, (s->nfiles - s->first) * sizeof(*s->files));
		s->nfiles -= s->first;
		s->first = 0;
		return 0;
	}
	size_t cap = s->cap ? s->cap * 2 : 256;
	struct spool_file *f = realloc(s->files, cap * sizeof(*f));

	if (!f)
		return -ENOMEM;
	s->files = f;
	s->cap = cap;
	return 0;
}

static size_t live(const struct spool *s)
{
	return s->nfiles - s->first;
}

/* Adds (or, for a name already there, updates) an entry, keeping the
 * order by start time. Windows come in time order, so the search from the
 * end stops at once. */
static int index_add(struct spool *s, const char *name, uint64_t start_ms, uint64_t bytes)
{
	size_t i;

	for (i = s->nfiles; i > s->first && s->files[i - 1].start_ms >= start_ms; i--) {
		if (!strcmp(s->files[i - 1].name, name)) {
			s->bytes = s->bytes - s->files[i - 1].bytes + bytes;
			s->files[i - 1].bytes = bytes;
			return 0;
		}
	}
	if (make_room(s))
		return -ENOMEM;
	/* make_room may have moved the entries down by `first`. */
	for (i = s->nfiles; i > s->first && s->files[i - 1].start_ms > start_ms; i--)
		;
	memmove(s->files + i + 1, s->files + i, (s->nfiles - i) * sizeof(*s->files));
	snprintf(s->files[i].name, sizeof(s->files[i].name), "%s", name);
	s->files[i].start_ms = start_ms;
	s->files[i].bytes = bytes;
	s->nfiles++;
	s->bytes += bytes;
	return 0;
}

/* Removes the oldest file; unlinkat() removes a name, and never follows
 * a link that might have been put at it since. */
static void remove_oldest(struct spool *s)
{
	struct spool_file *f = &s->files[s->first];

	if (unlinkat(s->dir.dir_fd, f->name, 0) && errno != ENOENT && s->m)
		metric_add(s->m, M_ERR_SPOOL, 1);
	s->bytes -= f->bytes;
	s->first++;
	if (s->first == s->nfiles)
		s->first = s->nfiles = 0;
	if (s->m)
		metric_add(s->m, M_SPOOL_ROTATED, 1);
}

static void rotate_locked(struct spool *s)
{
	uint64_t now = now_ms(), max_age = s->retention_s > 0 ? (uint64_t)(s->retention_s * 1000) : 0;

	while (live(s) && ((s->max_bytes && s->bytes > s->max_bytes) ||
			   (max_age && s->files[s->first].start_ms + max_age < now)))
		remove_oldest(s);
	update_gauge(s);
}

static int by_start(const void *a, const void *b)
{
	const struct spool_file *x = a, *y = b;

	return x->start_ms < y->start_ms ? -1 : x->start_ms > y->start_ms ? 1 : strcmp(x->name, y->name);
}

/* Sorts what index_dir() appended, then removes the oldest past the cap. */
static void sort_and_cap(struct spool *s)
{
	qsort(s->files + s->first, live(s), sizeof(*s->files), by_start);
	while (live(s) > SPOOL_MAX_FILES)
		remove_oldest(s);
}

/* The files already there: ours (by name) and regular (never a link).
 * Appended in directory order and sorted once (a sorted insertion would
 * be quadratic in a full spool); bounded at twice the cap meanwhile. */
static int index_dir(struct spool *s, char *err, size_t errlen)
{
	int fd = openat(s->dir.dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		int rc = -errno;

		if (fd >= 0)
			close(fd);
		snprintf(err, errlen, "%s: cannot list: %s", s->dir.prefix, strerror(-rc));
		return rc;
	}
	while ((e = readdir(d))) {
		struct spool_name n;
		struct stat st;
		struct spool_file *f;

		if (strlen(e->d_name) >= sizeof(s->files->name) || spool_parse_name(e->d_name, &n) ||
		    fstatat(s->dir.dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		if (live(s) >= 2 * SPOOL_MAX_FILES)
			sort_and_cap(s);
		if (make_room(s)) {
			closedir(d);
			snprintf(err, errlen, "%s: %s", s->dir.prefix, strerror(ENOMEM));
			return -ENOMEM;
		}
		f = &s->files[s->nfiles++];
		snprintf(f->name, sizeof(f->name), "%s", e->d_name);
		f->start_ms = n.start_ms;
		f->bytes = st.st_size;
		s->bytes += f->bytes;
	}
	closedir(d);
	sort_and_cap(s);
	return 0;
}

int spool_open(struct spool *s, const char *dir, unsigned long long max_bytes, double retention_s,
	       struct agent_metrics *m, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int rc;

	*s = (struct spool){ .max_bytes = max_bytes, .retention_s = retention_s, .m = m };
	s->dir.dir_fd = -1;
	if (snprintf(path, sizeof(path), "%s/%s", dir, SPOOL_CHECK_NAME) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	/* The history is the processes' code and names: ours only. */
	if (mkdir(dir, 0700) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot create the spool directory: %s", dir, strerror(errno));
		return rc;
	}
	if ((rc = output_file_open(&s->dir, path, err, errlen)))
		return rc;
	if ((rc = index_dir(s, err, errlen))) {
		spool_close(s);
		return rc;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->locked_init = 1;
	pthread_mutex_lock(&s->lock);
	rotate_locked(s);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void spool_set_limits(struct spool *s, unsigned long long max_bytes, double retention_s)
{
	pthread_mutex_lock(&s->lock);
	s->max_bytes = max_bytes;
	s->retention_s = retention_s;
	rotate_locked(s);
	pthread_mutex_unlock(&s->lock);
}

struct fill_ctx {
	const void *data;
	size_t len;
};

static int fill_window(void *ctx, FILE *out)
{
	const struct fill_ctx *c = ctx;

	return fwrite(c->data, 1, c->len, out) == c->len ? 0 : -EIO;
}

int spool_write(struct spool *s, const struct window_out *w, char *err, size_t errlen)
{
	struct fill_ctx c = { w->pprof_gz, w->pprof_len };
	char name[sizeof(s->files->name)];
	int rc;

	if ((rc = spool_format_name(name, sizeof(name), w))) {
		snprintf(err, errlen, "%sNAME: %s", s->dir.prefix, strerror(-rc));
	} else {
		pthread_mutex_lock(&s->lock);
		/* Room first: the cap on files, then the bytes it will take. */
		while (live(s) && live(s) >= SPOOL_MAX_FILES)
			remove_oldest(s);
		/* A link, device or FIFO at our name was not made by us: the
		 * output writer would write through one made by root (as it
		 * must for -o /dev/stdout); here it is left alone, unwritten. */
		struct stat st;

		if (!fstatat(s->dir.dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) && !S_ISREG(st.st_mode)) {
			rc = -EEXIST;
			snprintf(err, errlen, "%s%s: not a regular file: left alone", s->dir.prefix, name);
		} else {
			rc = output_file_write(&s->dir, name, fill_window, &c, err, errlen);
		}
		if (!rc && (rc = index_add(s, name, w->start_ns / 1000000, w->pprof_len)))
			snprintf(err, errlen, "%s%s: %s", s->dir.prefix, name, strerror(-rc));
		if (!rc && s->m)
			metric_add(s->m, M_WINDOWS_WRITTEN, 1);
		rotate_locked(s);
		pthread_mutex_unlock(&s->lock);
	}
	if (rc && s->m)
		metric_add(s->m, M_ERR_SPOOL, 1);
	return rc;
}

int spool_contains(struct spool *s, const struct window_out *w)
{
	char name[sizeof(s->files->name)];
	uint64_t ms = w->start_ns / 1000000;
	size_t lo, hi;
	int found = 0;

	if (spool_format_name(name, sizeof(name), w))
		return 0;
	pthread_mutex_lock(&s->lock);
	/* The first entry at ms, by bisection: the index is in time order. */
	for (lo = s->first, hi = s->nfiles; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->files[mid].start_ms < ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < s->nfiles && s->files[lo].start_ms == ms && !found; lo++)
		found = !strcmp(s->files[lo].name, name) && s->files[lo].bytes == w->pprof_len;
	pthread_mutex_unlock(&s->lock);
	return found;
}

void spool_rotate(struct spool *s)
{
	pthread_mutex_lock(&s->lock);
	rotate_locked(s);
	pthread_mutex_unlock(&s->lock);
}

void spool_close(struct spool *s)
{
	output_file_close(&s->dir);
	free(s->files);
	s->files = NULL;
	s->nfiles = s->cap = s->first = 0;
	s->bytes = 0;
	if (s->locked_init)
		pthread_mutex_destroy(&s->lock);
	s->locked_init = 0;
}
