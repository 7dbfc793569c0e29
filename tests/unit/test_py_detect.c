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

/* py_version_full_from_rodata() gives want (NULL: finds none). */
static int full_is(const char *buf, size_t len, int ma, int mi, const char *want)
{
	char out[PY_VERSION_STR_MAX];
	int rc = py_version_full_from_rodata(buf, len, ma, mi, out, sizeof(out));

	return want ? !rc && !strcmp(out, want) : rc != 0;
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

	/* the whole PY_VERSION of a known minor: a string of its own, or
	 * the linker's merge of it into a longer one's tail */
	{
		static const char whole[] = "3.2.0\0" "x\0" "3.10.13\0" "/opt/3.10.13\0";
		static const char merged[] = "abc\0" "/root/.pyenv/versions/3.10.13\0" "python3.10";
		static const char tags[] = "3.10.0rc2\0";
		static const char plus[] = "x 3.10.0a1+\0";
		static const char two[] = "3.10.12\0" "3.10.13\0";
		static const char two_tails[] = "/a/3.10.12\0" "/b/3.10.13\0";
		static const char bad[] = "3.10.\0" "3.10.1234\0" "3.10.01\0" "3.10.1x\0" "3.10.1rc\0"
					  "13.10.1\0" "v3.10.1\0" "x.3.10.1\0" "3.10.1a123\0" "3.100.1\0";
		static const char cut[] = "3.10.13";	/* no NUL at the end */
		static const char big[] = "/a/really/long/prefix/3.8.18";

		CHECK(full_is(whole, sizeof(whole), 3, 10, "3.10.13"));
		CHECK(full_is(whole, sizeof(whole), 3, 2, "3.2.0"));
		CHECK(full_is(merged, sizeof(merged), 3, 10, "3.10.13"));
		CHECK(full_is(merged, sizeof(merged), 3, 9, NULL));
		CHECK(full_is(tags, sizeof(tags), 3, 10, "3.10.0rc2"));
		CHECK(full_is(plus, sizeof(plus), 3, 10, "3.10.0a1+"));
		CHECK(full_is(two, sizeof(two), 3, 10, NULL));
		CHECK(full_is(two_tails, sizeof(two_tails), 3, 10, NULL));
		CHECK(full_is(bad, sizeof(bad), 3, 10, NULL));
		CHECK(full_is(cut, strlen(cut), 3, 10, "3.10.13"));
		CHECK(full_is(big, sizeof(big), 3, 8, "3.8.18"));
		CHECK(full_is("", 0, 3, 10, NULL));
		{
			char small[6];

			CHECK(py_version_full_from_rodata(whole, sizeof(whole), 3, 10, small, sizeof(small)));
		}
	}

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
