/* Source lines, read once per file and kept as an array of lines. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "proc/source_lines.h"

/* A source file larger than this is not Python source worth showing. */
#define SOURCE_MAX (16 << 20)

struct source_file {
	UT_hash_handle hh;
	char **lines;		/* NULL when unreadable: a miss is cached too */
	int nlines;
	char *text;
	char key[];		/* "pid:path" */
};

static FILE *open_source(const struct source_lines *c, pid_t pid, const char *path)
{
	char full[4200];
	int fd;

	if (c->root_fd > 0) {
		fd = openat(c->root_fd, path + 1, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? NULL : fdopen(fd, "re");
	}
	snprintf(full, sizeof(full), "/proc/%d/root%s", pid, path);
	return fopen(full, "re");
}

static void load(const struct source_lines *c, struct source_file *f, pid_t pid, const char *path)
{
	FILE *fp;
	long size;
	int cap = 0;

	/* "<frozen importlib._bootstrap>", "<string>": nothing on disk. */
	if (path[0] != '/')
		return;
	fp = open_source(c, pid, path);
	if (!fp)
		return;
	if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || size > SOURCE_MAX ||
	    fseek(fp, 0, SEEK_SET) || !(f->text = malloc(size + 1)) ||
	    fread(f->text, 1, size, fp) != (size_t)size) {
		fclose(fp);
		return;
	}
	fclose(fp);
	f->text[size] = '\0';
	for (char *p = f->text, *nl; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		if (f->nlines == cap) {
			char **n = realloc(f->lines, (cap = cap ? 2 * cap : 256) * sizeof(*n));

			if (!n)
				return;
			f->lines = n;
		}
		f->lines[f->nlines++] = p;
	}
}

const char *source_line(struct source_lines *c, pid_t pid, const char *path, int line)
{
	struct source_file *f;
	char key[4200];
	char *s, *end;

	snprintf(key, sizeof(key), "%d:%s", pid, path);
	HASH_FIND_STR(c->files, key, f);
	if (!f) {
		f = calloc(1, sizeof(*f) + strlen(key) + 1);
		if (!f)
			return NULL;
		strcpy(f->key, key);
		load(c, f, pid, path);
		HASH_ADD_STR(c->files, key, f);
	}
	if (line < 1 || line > f->nlines)
		return NULL;
	s = f->lines[line - 1];
	s += strspn(s, " \t\f");
	end = s + strlen(s);
	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

void source_lines_free(struct source_lines *c)
{
	struct source_file *f, *tmp;

	HASH_ITER(hh, c->files, f, tmp) {
		HASH_DEL(c->files, f);
		free(f->lines);
		free(f->text);
		free(f);
	}
}
