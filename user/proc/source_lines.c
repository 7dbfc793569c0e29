/* Source lines: a cache of files read incrementally, under budgets
 * (source_lines.h says which and why). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uthash.h>
#include "proc/source_lines.h"

#define SOURCE_FILE_MAX (4u << 20)	/* bytes read of one file */
#define SOURCE_FILE_LINES (256u << 10)	/* lines indexed in one file */
#define SOURCE_BUDGET (32u << 20)	/* bytes held by all files */
#define SOURCE_FILES_MAX 256		/* files held */
#define SOURCE_PATHS_MAX 1024		/* (root, name) pairs remembered */
#define SOURCE_CHUNK (64u << 10)	/* bytes read at a time */

struct file_key {
	dev_t dev;
	ino_t ino;
};

struct source_file {
	UT_hash_handle hh;
	struct file_key key;
	char *text;		/* the first len bytes of the file */
	size_t len, cap;
	uint32_t *starts;	/* starts[i]: offset of line i + 1; starts[0] = 0 */
	size_t nstarts, startcap;
	int eof;		/* read to its end */
	int cut;		/* stopped at a cap first */
};

/* What a name resolved to in a root, the last time it was opened. */
struct source_path {
	UT_hash_handle hh;
	struct file_key file;
	int unreadable;
	char key[];		/* "root id:path" */
};

static size_t file_bytes(const struct source_file *f)
{
	return sizeof(*f) + f->cap + f->startcap * sizeof(*f->starts);
}

static void file_drop(struct source_lines *c, struct source_file *f)
{
	HASH_DEL(c->files, f);
	c->bytes -= file_bytes(f);
	c->nfiles--;
	free(f->text);
	free(f->starts);
	free(f);
}

/* Makes room for `more` bytes by dropping the least recently used files
 * other than keep: 0, or -ENOMEM when only keep is left. */
static int make_room(struct source_lines *c, size_t more, const struct source_file *keep)
{
	struct source_file *f, *tmp;

	HASH_ITER(hh, c->files, f, tmp) {
		if (c->bytes + more <= SOURCE_BUDGET)
			break;
		if (f == keep)
			continue;
		file_drop(c, f);
		c->stats.evicted++;
	}
	return c->bytes + more <= SOURCE_BUDGET ? 0 : -ENOMEM;
}

/* Grows *buf from *cap to at least want and at most max elements of size
 * bytes, doubling, within the budget: 0, or -ENOMEM. */
static int grow(struct source_lines *c, const struct source_file *f, void **buf, size_t *cap,
		size_t size, size_t want, size_t max)
{
	size_t n = *cap ? *cap : want;
	void *p;

	while (n < want)
		n *= 2;
	if (n > max)
		n = max;
	if (n <= *cap || make_room(c, (n - *cap) * size, f) || !(p = realloc(*buf, n * size)))
		return -ENOMEM;
	*buf = p;
	c->bytes += (n - *cap) * size;
	*cap = n;
	if (c->bytes > c->stats.peak_bytes)
		c->stats.peak_bytes = c->bytes;
	return 0;
}

/* Whether line (1-based) can be answered from what is read. */
static int has_line(const struct source_file *f, size_t line)
{
	return line < f->nstarts || (f->eof && line == f->nstarts && f->starts[line - 1] < f->len);
}

/* Reads fd on from f->len until line is complete, the end, or a cap. */
static void read_until(struct source_lines *c, struct source_file *f, int fd, size_t line)
{
	while (!f->eof && !f->cut && !has_line(f, line)) {
		size_t want = f->len + SOURCE_CHUNK;
		ssize_t n;

		if (f->len == SOURCE_FILE_MAX ||
		    (f->cap < want && grow(c, f, (void **)&f->text, &f->cap, 1, want, SOURCE_FILE_MAX))) {
			f->cut = 1;
			break;
		}
		n = pread(fd, f->text + f->len, want > f->cap ? f->cap - f->len : SOURCE_CHUNK, f->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			f->eof = 1;	/* an error ends what can be read, as the end does */
			break;
		}
		for (char *p = f->text + f->len, *end = p + n; (p = memchr(p, '\n', end - p)); p++) {
			if (f->nstarts == SOURCE_FILE_LINES ||
			    (f->nstarts == f->startcap &&
			     grow(c, f, (void **)&f->starts, &f->startcap, sizeof(*f->starts),
				  f->nstarts + 1, SOURCE_FILE_LINES))) {
				f->cut = 1;	/* the lines indexed stay answerable */
				return;
			}
			f->starts[f->nstarts++] = p + 1 - f->text;
		}
		f->len += n;
	}
}

static struct source_file *file_get(struct source_lines *c, const struct file_key *key)
{
	struct source_file *f;

	HASH_FIND(hh, c->files, key, sizeof(*key), f);
	if (f) {
		/* To the end of the order: the most recently used. */
		HASH_DEL(c->files, f);
		HASH_ADD(hh, c->files, key, sizeof(f->key), f);
		return f;
	}
	if (c->nfiles == SOURCE_FILES_MAX && c->files) {
		file_drop(c, c->files);
		c->stats.evicted++;
	}
	if (make_room(c, sizeof(*f), NULL) || !(f = calloc(1, sizeof(*f))))
		return NULL;
	f->key = *key;
	c->bytes += sizeof(*f);
	HASH_ADD(hh, c->files, key, sizeof(f->key), f);
	c->nfiles++;
	c->stats.files++;
	/* Line 1 starts at 0. */
	if (grow(c, f, (void **)&f->starts, &f->startcap, sizeof(*f->starts), 256,
		 SOURCE_FILE_LINES)) {
		file_drop(c, f);
		return NULL;
	}
	f->starts[f->nstarts++] = 0;
	return f;
}

/* The name's entry, made if new (the oldest forgotten past the limit). */
static struct source_path *path_get(struct source_lines *c, const char *key)
{
	struct source_path *p;

	HASH_FIND_STR(c->paths, key, p);
	if (p)
		return p;
	if (c->npaths == SOURCE_PATHS_MAX) {
		p = c->paths;
		HASH_DEL(c->paths, p);
		free(p);
		c->npaths--;
		c->stats.names_forgotten++;
	}
	if (!(p = calloc(1, sizeof(*p) + strlen(key) + 1)))
		return NULL;
	strcpy(p->key, key);
	p->unreadable = -1;	/* not opened yet */
	HASH_ADD_STR(c->paths, key, p);
	c->npaths++;
	return p;
}

/* The line, without indentation or line end, cut at SOURCE_LINE_MAX. */
static const char *copy_line(struct source_lines *c, const struct source_file *f, size_t line)
{
	size_t start = f->starts[line - 1];
	size_t end = line < f->nstarts ? f->starts[line] - 1 : f->len;
	char *s = c->line, *e;

	while (start < end && strchr(" \t\f", f->text[start]) && f->text[start])
		start++;
	if (end - start >= SOURCE_LINE_MAX)
		end = start + SOURCE_LINE_MAX - 1;
	memcpy(s, f->text + start, end - start);
	s[end - start] = '\0';
	e = s + strlen(s);
	while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

const char *source_line(struct source_lines *c, struct target_root *root, const char *path,
			int line)
{
	char key[PATH_MAX + 16];
	struct source_path *p;
	struct source_file *f = NULL;
	struct stat st;
	int fd;

	/* "<frozen importlib._bootstrap>", "<string>": nothing on disk. */
	if (!root || root->fd < 0 || path[0] != '/' || line < 1 || (uint32_t)line > SOURCE_FILE_LINES ||
	    strlen(path) >= PATH_MAX)
		return NULL;
	snprintf(key, sizeof(key), "%u:%s", root->id, path);
	if (!(p = path_get(c, key)) || p->unreadable == 1)
		return NULL;
	if (!p->unreadable) {
		HASH_FIND(hh, c->files, &p->file, sizeof(p->file), f);
		if (f && (has_line(f, line) || f->eof || f->cut))
			goto found;
	}
	/* Opened again whenever more must be read: the name may now be
	 * another file, and the target's rights are checked each time. */
	fd = target_open(root, path, &st);
	if (fd < 0) {
		p->unreadable = 1;
		c->stats.unreadable++;
		return NULL;
	}
	memset(&p->file, 0, sizeof(p->file));	/* padding: the key is hashed whole */
	p->file.dev = st.st_dev;
	p->file.ino = st.st_ino;
	p->unreadable = 0;
	f = file_get(c, &p->file);
	if (f) {
		int was_cut = f->cut;

		read_until(c, f, fd, line);
		if (f->cut && !was_cut)
			c->stats.cut++;
	}
	close(fd);
	if (!f)
		return NULL;
found:
	file_get(c, &f->key);	/* the most recently used now */
	return has_line(f, line) ? copy_line(c, f, line) : NULL;
}

void source_lines_print_stats(const struct source_lines *c, FILE *out)
{
	fprintf(out, "pybpftop: source files: %llu read, %zu KiB held at most (budget %u MiB, %d files); "
		"%llu names unreadable or refused, %llu files cut at a cap, %llu evicted, %llu names forgotten\n",
		(unsigned long long)c->stats.files, c->stats.peak_bytes >> 10, SOURCE_BUDGET >> 20,
		SOURCE_FILES_MAX, (unsigned long long)c->stats.unreadable,
		(unsigned long long)c->stats.cut, (unsigned long long)c->stats.evicted,
		(unsigned long long)c->stats.names_forgotten);
}

void source_lines_free(struct source_lines *c)
{
	struct source_file *f, *ftmp;
	struct source_path *p, *ptmp;

	HASH_ITER(hh, c->files, f, ftmp)
		file_drop(c, f);
	HASH_ITER(hh, c->paths, p, ptmp) {
		HASH_DEL(c->paths, p);
		free(p);
	}
	c->npaths = 0;
}
