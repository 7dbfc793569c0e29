/* The version registry (user/python/versions.c): the rows are what the
 * supported range, --list-versions, the refusal messages and the test
 * helpers are derived from, so they must be sorted, contiguous and
 * complete. Needs no root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fake_mem.h"
#include "python/debug_offsets.h"
#include "python/target.h"
#include "python/versions.h"

static void rows_are_sound(void)
{
	const struct py_version_row *rows;
	size_t n, i;
	int layouts_started = 0;

	rows = py_version_rows(&n);
	CHECK(rows && n > 0);
	for (i = 0; i < n; i++) {
		const struct py_version_row *r = &rows[i];
		char why[256] = "";

		CHECK(r->table && r->table->major == 3);
		CHECK(r->table_from && r->table_from[0]);
		/* sorted and contiguous: the range "3.first to 3.last" holds */
		if (i > 0)
			CHECK(r->table->minor == rows[i - 1].table->minor + 1);
		CHECK(py_version_row_find(3, r->table->minor) == r);
		CHECK(py_version_find(3, r->table->minor) == r->table);

		if (!r->debug_offsets) {
			/* CPython publishes _Py_DebugOffsets from 3.13 on:
			 * a later row without a layout would ignore it. */
			CHECK(!layouts_started);
			continue;
		}
		layouts_started = 1;
		/* a layout of this version or an earlier one, that exists,
		 * fits the read and is sound by itself */
		CHECK(r->debug_offsets <= r->table->minor);
		CHECK(py_debug_offsets_size(r->debug_offsets) > 0);
		CHECK(py_debug_offsets_size(r->debug_offsets) <= py_debug_offsets_read_size());
		CHECK(!py_debug_layout_check(r->debug_offsets, why, sizeof(why)), "layout 3.%d: %s",
		      r->debug_offsets, why);
		/* the layout is named after the row that introduced it */
		CHECK(py_version_row_find(3, r->debug_offsets) &&
		      py_version_row_find(3, r->debug_offsets)->debug_offsets == r->debug_offsets);
	}
	CHECK(!py_version_row_find(3, rows[0].table->minor - 1));
	CHECK(!py_version_row_find(3, rows[n - 1].table->minor + 1));
	CHECK(!py_version_row_find(2, 7));
	CHECK(!py_version_row_find(4, rows[0].table->minor));
	/* no layout for what has no row */
	CHECK(py_debug_offsets_size(rows[n - 1].table->minor + 1) == 0);
	CHECK(py_debug_layout_check(rows[n - 1].table->minor + 1, NULL, 0) == -ENOENT);
}

/* The range that refusals print is the rows'. */
static void range_is_the_rows(void)
{
	const struct py_version_row *rows;
	char got[64], want[64];
	size_t n;

	rows = py_version_rows(&n);
	snprintf(want, sizeof(want), "CPython 3.%d to 3.%d", rows[0].table->minor,
		 rows[n - 1].table->minor);
	CHECK(py_version_range(got, sizeof(got)) == got);
	CHECK(!strcmp(got, want));
	if (strcmp(got, want))
		fprintf(stderr, "     range \"%s\", rows \"%s\"\n", got, want);
}

/* --list-versions: one row a line, three tab-separated fields. */
static void list_is_the_rows(void)
{
	const struct py_version_row *gil_rows, *ft_rows, *rows[64];
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0, n, nft, i = 0;
	FILE *f = open_memstream(&buf, &len);

	/* the default builds' rows, then the free-threaded ones ("3.13t") */
	gil_rows = py_version_rows(&n);
	ft_rows = py_version_ft_rows(&nft);
	CHECK(n + nft <= 64);
	for (i = 0; i < n + nft && i < 64; i++)
		rows[i] = i < n ? &gil_rows[i] : &ft_rows[i - n];
	n = i;
	i = 0;
	CHECK(f && py_version_list(f) == 0);
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		char ver[16], layout[32], from[256];
		char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;

		CHECK(t1 && t2 && !strchr(t2 + 1, '\t'));
		if (!t1 || !t2 || i >= n)
			break;
		snprintf(ver, sizeof(ver), "3.%d%s", rows[i]->table->minor,
			 rows[i]->table->free_threaded ? "t" : "");
		if (rows[i]->debug_offsets)
			snprintf(layout, sizeof(layout), "debug-offsets 3.%d", rows[i]->debug_offsets);
		else
			snprintf(layout, sizeof(layout), "table");
		snprintf(from, sizeof(from), "table from %s", rows[i]->table_from);
		*t1 = *t2 = '\0';
		CHECK(!strcmp(line, ver));
		CHECK(!strcmp(t1 + 1, layout));
		CHECK(!strcmp(t2 + 1, from));
	}
	CHECK(i == n);
	free(buf);
}

/* The free-threaded rows: each is a free-threaded table of a supported
 * minor, found by py_version_row_find_build(.., 1) only, parsing the same
 * _Py_DebugOffsets layout as its minor's default row. */
static void ft_rows_are_sound(void)
{
	const struct py_version_row *rows;
	size_t n;

	rows = py_version_ft_rows(&n);
	CHECK(rows && n > 0);
	for (size_t i = 0; i < n; i++) {
		const struct py_version_row *r = &rows[i], *gil;

		CHECK(r->table->free_threaded == 1 && r->table->major == 3);
		gil = py_version_row_find(3, r->table->minor);
		CHECK(gil && !gil->table->free_threaded, "3.%dt without a 3.%d row", r->table->minor,
		      r->table->minor);
		CHECK(py_version_row_find_build(3, r->table->minor, 1) == r);
		CHECK(py_version_row_find_build(3, r->table->minor, 0) == gil);
		CHECK(gil && r->debug_offsets && r->debug_offsets == gil->debug_offsets,
		      "3.%dt: its blob layout is its minor's", r->table->minor);
		/* the object header is 32 bytes: ob_type after ob_ref_shared */
		CHECK(r->table->user.ob_type == 24);
		if (i)
			CHECK(r->table->minor > rows[i - 1].table->minor);
	}
}

/* py_layout_select for the versions without debug offsets, and for none. */
static void select_without_blob(void)
{
	struct fake_space space = { .n = 0 };
	struct remote_mem m = fake_remote(&space);
	const struct py_version_row *rows;
	struct py_version v;
	char why[384], want[128], range[64];
	size_t n, i;

	rows = py_version_rows(&n);
	for (i = 0; i < n; i++) {
		int minor = rows[i].table->minor;

		if (rows[i].debug_offsets)
			continue;
		/* nothing is mapped: a table row must not read the target */
		CHECK(py_layout_select(&m, 0x1000, 3, minor, &v, why, sizeof(why)) == 0);
		snprintf(want, sizeof(want), "the built-in 3.%d table", minor);
		CHECK(!strcmp(why, want));
		CHECK(v.minor == minor && v.bpf.frame_read_size > 0);
	}
	snprintf(want, sizeof(want), "pybpftop supports %s", py_version_range(range, sizeof(range)));
	CHECK(py_layout_select(&m, 0x1000, 3, rows[n - 1].table->minor + 1, &v, why,
			       sizeof(why)) == -EOPNOTSUPP);
	CHECK(!strcmp(why, want));
	CHECK(py_layout_select(&m, 0x1000, 2, 7, &v, why, sizeof(why)) == -EOPNOTSUPP);
	CHECK(!strcmp(why, want));
}

int main(void)
{
	rows_are_sound();
	range_is_the_rows();
	list_is_the_rows();
	ft_rows_are_sound();
	select_without_blob();
	CHECK_DONE("versions");
}
