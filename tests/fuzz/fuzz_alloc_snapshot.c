/* libFuzzer target: alloc snapshot files, which users pass around, through
 * the reader and, when it takes them, through `alloc show` and `alloc diff`'s
 * statistics and printout, source lines included: the snapshot's file
 * names are opened in a fake root of planted files (below) as `alloc show
 * --source-root` opens them.
 *
 * Input: the file's bytes. Seeds: tests/fuzz/corpus_alloc_snapshot/;
 * dictionary: tests/fuzz/alloc_snapshot.dict (it has the planted names).
 * Besides crashes, the target traps when the reader breaks its contract: a
 * refusal without a message or with anything left allocated, a frame id
 * its table does not hold, a missing string; and when a line of the file
 * outside the fake root is printed. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc/snapshot.h"
#include "alloc/stats.h"

/* In the fake root's parent: no name resolved in the root may reach it. */
#define OUTSIDE_TEXT "FUZZ-OUTSIDE-THE-ROOT"

static char top[] = "/tmp/fuzz_alloc_snapshot_XXXXXX";
static struct target_root fake_root;
static char *out_buf;
static size_t out_len;
static FILE *sink;

static void put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f))
		abort();
}

static void remove_fake_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", top);
}

/* top/outside.py holds OUTSIDE_TEXT; top/root is the root, with a.py,
 * symlinks out (absolute, "..", to the outside file), a FIFO, a directory
 * and a sparse 1 GiB file without a newline. */
static void make_fake_root(void)
{
	char path[512];
	int fd;

	if (!mkdtemp(top))
		abort();
	atexit(remove_fake_root);
	put("outside.py", OUTSIDE_TEXT "\n" OUTSIDE_TEXT "\n");
	snprintf(path, sizeof(path), "%s/root", top);
	if (mkdir(path, 0755))
		abort();
	put("root/a.py", "def f():\n    x = [0] * 1000\n\treturn x\n");
	if (symlink("/a.py", strcat(strcpy(path, top), "/root/abs.py")) ||
	    symlink("../outside.py", strcat(strcpy(path, top), "/root/up.py")) ||
	    symlink(strcat(strcpy(path + 256, top), "/outside.py"), strcat(strcpy(path, top), "/root/out.py")) ||
	    mkfifo(strcat(strcpy(path, top), "/root/fifo.py"), 0644) ||
	    mkdir(strcat(strcpy(path, top), "/root/dir.py"), 0755))
		abort();
	fd = open(strcat(strcpy(path, top), "/root/huge.py"), O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || ftruncate(fd, 1ll << 30) || close(fd))
		abort();
	if (target_root_dir(&fake_root, strcat(strcpy(path, top), "/root")))
		abort();
}

static void check(const struct alloc_snapshot *s)
{
	if (s->frames != &s->own)
		__builtin_trap();
	for (uint32_t i = 0; i < s->frames->nfuncs; i++)
		if (!s->frames->funcs[i].file || !s->frames->funcs[i].name)
			__builtin_trap();
	for (size_t i = 0; i < s->nrecs; i++)
		for (uint32_t k = 0; k < s->recs[i].n; k++)
			if (!s->recs[i].frames || s->recs[i].frames[k] >= s->frames->nframes)
				__builtin_trap();
	if (!s->command || !s->python)
		__builtin_trap();
}

static void stats(const struct alloc_snapshot *s)
{
	static const char *pats[] = { "*.py", "<unknown>" };
	struct source_lines src = { 0 };
	struct alloc_query q = { 0 };
	struct alloc_stat *rows;
	size_t n;

	for (int i = 0; i < 8; i++) {
		q = (struct alloc_query){ .group = i % 3, .allocated = i & 1,
					  .traceback_limit = i == 2 ? 2 : 0, .all_frames = i >= 6 };
		if (i == 6) {
			q.include = pats;
			q.ninclude = 2;
		} else if (i == 7) {
			q.exclude = pats;
			q.nexclude = 1;
		}
		rows = alloc_statistics(s, &q, &n);
		alloc_print(sink, rows, n, i == 1 ? 3 : 0, &q, 0, &src, &fake_root);
		free(rows);
		rows = alloc_compare(s, s, &q, &n);
		alloc_print(sink, rows, n, 0, &q, 1, &src, &fake_root);
		free(rows);
	}
	source_lines_free(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alloc_snapshot s;
	char err[256];

	if (!sink) {
		make_fake_root();
		if (!(sink = open_memstream(&out_buf, &out_len)))
			abort();
	}
	rewind(sink);
	err[0] = '\0';
	if (alloc_snapshot_read_mem(&s, data, size, "fuzz", err, sizeof(err))) {
		/* Refused: said why, kept nothing. */
		if (!err[0] || s.frames || s.recs || s.command || s.python || s.nrecs || s.own.nframes)
			__builtin_trap();
		return 0;
	}
	check(&s);
	stats(&s);
	alloc_snapshot_free(&s);
	/* The outside file's text came from outside the root. */
	fflush(sink);
	if (memmem(out_buf, ftell(sink), OUTSIDE_TEXT, strlen(OUTSIDE_TEXT)) &&
	    !memmem(data, size, OUTSIDE_TEXT, strlen(OUTSIDE_TEXT)))
		__builtin_trap();
	return 0;
}
