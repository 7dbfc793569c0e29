/* Writes the seed corpus of fuzz_target_memory: for each CPython version
 * row of the registry (user/python/versions.c), a well-formed code object with its strings, bytes and
 * a real line table (from that version's co_linetable / co_lnotab of a
 * small function), laid out as the fuzzer expects (see its header).
 * For each interpreter FILE given (a python3.X or libpython3.X.so), the
 * same after the _Py_DebugOffsets blob in it, at the memory's start, as a
 * target's _PyRuntime begins: the seeds of py_debug_offsets_parse.
 *   cc -Iinclude -Iuser tests/fuzz/make_seeds.c user/python/versions.c \
 *      user/python/debug_offsets.c -o /tmp/make_seeds
 *   /tmp/make_seeds tests/fuzz/corpus \
 *      /root/.pyenv/versions/3.13.0/lib/libpython3.13.so.1.0 \
 *      /var/tmp/pybpftop-sid/usr/bin/python3.1[345] /var/tmp/pybpftop-sid/usr/bin/python3.14d */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python/debug_offsets.h"
#include "python/versions.h"
#include "../unit/fake_mem.h"

#define FUZZ_BASE	0x10000000ULL	/* as in fuzz_target_memory.c */
#define FUZZ_HDR	16

/* def f(a):  x = a + 1; for i in range(3): x += i; return x  (one per line) */
static const uint8_t lnotab_38[] = { 0x00, 0x01, 0x08, 0x01, 0x0c, 0x01, 0x0a, 0x01 };
static const uint8_t linetable_310[] = { 0x08, 0x01, 0x0c, 0x01, 0x0a, 0x01, 0x04, 0x01 };
static const uint8_t locations_311[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xdd,
	0x0d, 0x12, 0x90, 0x31, 0x89, 0x58, 0x8c, 0x58, 0xf0, 0x00, 0x01, 0x05,
	0x0f, 0xf0, 0x00, 0x01, 0x05, 0x0f, 0x88, 0x01, 0xd8, 0x08, 0x09, 0x88,
	0x51, 0x89, 0x06, 0x88, 0x01, 0x88, 0x01, 0xd8, 0x0b, 0x0c, 0x80, 0x48,
};
static const uint8_t locations_313[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41, 0xdc,
	0x0d, 0x12, 0x90, 0x31, 0x8e, 0x58, 0x88, 0x01, 0xd8, 0x08, 0x09, 0x89,
	0x06, 0x8a, 0x01, 0xf1, 0x03, 0x00, 0x0e, 0x16, 0xe0, 0x0b, 0x0c, 0x80,
	0x48,
};

static uint8_t image[4096];

struct seed {
	const char *name;
	int str_choice;		/* which str the header points at */
	uint8_t cap;		/* py_read_str cap, 0 = full */
	const uint8_t *blob;	/* a _Py_DebugOffsets blob first, or NULL */
	size_t blob_len;
};

/* The seed for the table of row `row` of the registry. */
static int write_seed(const char *dir, size_t row, const struct py_version *v,
		      const struct seed *sd)
{
	int minor = v->minor;
	const struct py_user_offsets *u;
	struct fake_heap h = { FUZZ_BASE, image, sizeof(image), sd->blob_len };
	uint64_t t_str, t_bytes, t_code, name, qual, file, emoji, lt, code, strs[4];
	const uint8_t *tab;
	size_t tab_len;
	uint8_t hdr[FUZZ_HDR];
	uint16_t line_offs[4] = { 0, 2, 10, 30 };
	char path[512];
	FILE *f;
	int i;

	u = &v->user;
	switch (v->linetable) {
	case LINETABLE_LNOTAB:
		tab = lnotab_38, tab_len = sizeof(lnotab_38);
		break;
	case LINETABLE_310:
		tab = linetable_310, tab_len = sizeof(linetable_310);
		break;
	default:
		tab = minor >= 13 ? locations_313 : locations_311;
		tab_len = minor >= 13 ? sizeof(locations_313) : sizeof(locations_311);
		break;
	}
	memset(image, 0, sizeof(image));
	if (sd->blob)
		memcpy(image, sd->blob, sd->blob_len);
	t_str = fh_type(&h, u, "str");
	t_bytes = fh_type(&h, u, "bytes");
	t_code = fh_type(&h, u, "code");
	name = fh_str(&h, u, t_str, "naive");
	qual = fh_str(&h, u, t_str, "Café.naïve_方法");
	file = fh_str(&h, u, t_str, "/srv/café.py");
	emoji = fh_str(&h, u, t_str, "snake \xf0\x9f\x90\x8d");
	lt = fh_bytes(&h, u, t_bytes, tab, tab_len);
	code = fh_code(&h, u, t_code, name, qual, file, 2, lt);
	if (!code) {
		fprintf(stderr, "3.%d: image too small\n", minor);
		return -1;
	}
	strs[0] = name, strs[1] = qual, strs[2] = file, strs[3] = emoji;

	hdr[0] = (uint8_t)row;	/* the fuzzer takes the row byte % (rows) */
	hdr[1] = sd->cap;
	hdr[2] = (uint8_t)(code - FUZZ_BASE), hdr[3] = (uint8_t)((code - FUZZ_BASE) >> 8);
	hdr[4] = (uint8_t)(strs[sd->str_choice] - FUZZ_BASE);
	hdr[5] = (uint8_t)((strs[sd->str_choice] - FUZZ_BASE) >> 8);
	hdr[6] = (uint8_t)(lt - FUZZ_BASE), hdr[7] = (uint8_t)((lt - FUZZ_BASE) >> 8);
	for (i = 0; i < 4; i++) {
		hdr[8 + 2 * i] = (uint8_t)line_offs[i];
		hdr[9 + 2 * i] = (uint8_t)(line_offs[i] >> 8);
	}

	if (sd->blob)
		snprintf(path, sizeof(path), "%s/debug-offsets-%s", dir, sd->name);
	else
		snprintf(path, sizeof(path), "%s/py3%d-%s", dir, minor, sd->name);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(image, 1, h.used, f) != h.used || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* The first "xdebugpy" blob with a 3.x version in the file, and the
 * bytes after it (py_debug_offsets_read_size() in all), into out. */
static int blob_of(const char *path, uint8_t *out, size_t len)
{
	static uint8_t data[64 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	for (size_t i = 0; i + 16 <= n; i++) {
		uint64_t ver;

		if (memcmp(data + i, PY_DEBUG_COOKIE, PY_DEBUG_COOKIE_LEN))
			continue;
		memcpy(&ver, data + i + 8, 8);
		if ((ver >> 24) != 3)
			continue;
		memset(out, 0, len);
		memcpy(out, data + i, n - i < len ? n - i : len);
		return 0;
	}
	return -1;
}

/* A seed with FILE's blob first: the objects in the layout of the blob's
 * row (the nearest one for a version without a row). */
static int write_blob_seed(const char *dir, const char *file, const struct py_version_row *rows,
			   size_t nrows)
{
	static uint8_t blob[4096];
	size_t len = py_debug_offsets_read_size(), row = 0;
	const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	char name[256];
	uint64_t ver;
	int minor;

	if (len > sizeof(blob) || blob_of(file, blob, len)) {
		fprintf(stderr, "%s: no _Py_DebugOffsets blob\n", file);
		return -1;
	}
	memcpy(&ver, blob + 8, 8);
	minor = (ver >> 16) & 0xff;
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].table->minor <= minor)
			row = i;
	snprintf(name, sizeof(name), "%d.%d.%d-%s", (int)(ver >> 24), minor, (int)(ver >> 8) & 0xff, base);
	return write_seed(dir, row, rows[row].table,
			  &(struct seed){ name, 3, 0, blob, len });
}

int main(int argc, char **argv)
{
	static const struct seed seeds[] = {
		{ "emoji", 3, 0, NULL, 0 },		/* kind 4 */
		{ "qualname-cut", 1, 17, NULL, 0 },	/* kind 2, cut before 法 */
		{ "filename", 2, 0, NULL, 0 },		/* kind 1 */
		{ "ascii", 0, 0, NULL, 0 },
	};
	const struct py_version_row *rows;
	size_t i, row, nrows;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR [INTERPRETER_FILE...]\n", argv[0]);
		return 2;
	}
	rows = py_version_rows(&nrows);
	for (row = 0; row < nrows; row++)
		for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
			/* Only 3.11 gets every string variant: they do not
			 * depend on the version much, and a small corpus
			 * starts faster. */
			if ((i == 0 || rows[row].table->minor == 11) &&
			    write_seed(argv[1], row, rows[row].table, &seeds[i]))
				return 1;
	for (int k = 2; k < argc; k++)
		if (write_blob_seed(argv[1], argv[k], rows, nrows))
			return 1;
	return 0;
}
