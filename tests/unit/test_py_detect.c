/* Version detection: each step of the fallback chain on its own. */
#include <string.h>
#include "check.h"
#include "python/detect.h"
#include "python/versions.h"

static int name_is(const char *path, int ma, int mi)
{
	int a = -1, b = -1;

	return !py_version_from_name(path, &a, &b) && a == ma && b == mi;
}

static int rodata_is(const char *buf, size_t len, int ma, int mi)
{
	int a = -1, b = -1;

	return !py_version_from_rodata(buf, len, &a, &b) && a == ma && b == mi;
}

int main(void)
{
	int a, b;
	static const char ro1[] = "abc\0" "3.11.2\0" "x";
	static const char ro2[] = "3.1\0" "1.2.3\0" "3.14.0rc1\0";
	static const char ro3[] = "3.12.1 (main)\0" "v3.8\0" "3.x.1\0";
	static const char ro4[] = "3.15.0a2+";	/* no NUL at the end */

	/* Py_Version / _Py_DebugOffsets.version: PY_VERSION_HEX */
	CHECK(!py_version_from_hex(0x030b02f0, &a, &b) && a == 3 && b == 11);
	CHECK(!py_version_from_hex(0x030e00c1, &a, &b) && a == 3 && b == 14);
	CHECK(py_version_from_hex(0, &a, &b));
	CHECK(py_version_from_hex(0x0a0b0000, &a, &b));
	CHECK(py_version_from_hex(0x1030b02f0ull, &a, &b));

	/* file names */
	CHECK(name_is("/usr/bin/python3.11", 3, 11));
	CHECK(name_is("/root/.pyenv/versions/3.8.18/lib/libpython3.8.so.1.0", 3, 8));
	CHECK(name_is("libpython3.14d.so", 3, 14));
	CHECK(name_is("python3.13t", 3, 13));
	CHECK(name_is("/usr/lib/libpython2.7.so.1.0", 2, 7));
	CHECK(!name_is("/usr/bin/python3", 3, 0));
	CHECK(!name_is("/usr/bin/python3.11-config", 3, 11));
	CHECK(!name_is("/usr/bin/pythonista", 3, 11));
	CHECK(!name_is("/bin/sleep", 0, 0));

	/* the PY_VERSION literal among other strings */
	CHECK(rodata_is(ro1, sizeof(ro1), 3, 11));
	CHECK(rodata_is(ro2, sizeof(ro2), 3, 14));
	CHECK(py_version_from_rodata(ro3, sizeof(ro3), &a, &b));
	CHECK(rodata_is(ro4, strlen(ro4), 3, 15));
	CHECK(py_version_from_rodata("", 0, &a, &b));

	/* the tables: every row has one, others have none (test_versions.c
	 * checks the rows themselves) */
	{
		size_t n, i;
		const struct py_version_row *rows = py_version_rows(&n);
		int lo = rows[0].table->minor, hi = rows[n - 1].table->minor;

		for (i = 0; i < n; i++) {
			const struct py_version *v = rows[i].table;

			CHECK(py_version_find(v->major, v->minor) == v);
		}
		CHECK(!py_version_find(3, lo - 1));
		CHECK(!py_version_find(2, 7));
		CHECK(!py_version_find(3, hi + 1));
	}
	CHECK_DONE("py_detect");
}
