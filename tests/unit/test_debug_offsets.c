/* Unit test for user/python/debug_offsets.c.
 *
 * 1. Synthetic blobs: cookie/version/bounds handling, always run.
 * 2. Real blobs, each parsed and compared with the static table of
 *    user/python/versions.c (itself checked against DWARF):
 *    - read from the interpreter's file: _PyRuntime is initialised data, so
 *      the "xdebugpy" blob is in the ELF image as-is;
 *    - read live from a running interpreter, which dumps its own _PyRuntime
 *      through ctypes (chroot for the Debian sid one, needs root).
 *    Sources that are absent are skipped with a message.
 *
 * Exit 0 if all passed, 1 on any failure, 77 if no real blob could be found
 * at all.
 *
 * Paths (env overrides):
 *   PYBPFTOP_PY313      /root/.pyenv/versions/3.13.0 (bin/python3.13, lib/libpython3.13.so.1.0)
 *   PYBPFTOP_SID_ROOT   /var/tmp/pybpftop-sid (usr/bin/python3.13, python3.14, python3.15)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "python/debug_offsets.h"
#include "check.h"

static void put64(uint8_t *b, size_t pos, uint64_t v)
{
	memcpy(b + pos, &v, 8);
}

#define CMP(field) do { \
	if (got->field != want->field) { \
		printf("     %s: %s = %u, table says %u\n", what, #field, \
		       (unsigned)got->field, (unsigned)want->field); \
		same = 0; \
	} } while (0)

/* Every field of *got equals the static table's. */
static int same_as_table(const char *what, const struct py_version *got)
{
	const struct py_version *want = py_version_find(got->major, got->minor);
	int same = 1;

	if (!want)
		return 0;
	CMP(major); CMP(minor); CMP(linetable);
	CMP(bpf.runtime_interpreters_head); CMP(bpf.interp_threads_head);
	CMP(bpf.tstate_next); CMP(bpf.tstate_thread_id);
	CMP(bpf.tstate_native_thread_id); CMP(bpf.tstate_frame);
	CMP(bpf.cframe_current_frame); CMP(bpf.frame_previous);
	CMP(bpf.frame_code); CMP(bpf.frame_lasti); CMP(bpf.frame_owner);
	CMP(bpf.code_adaptive); CMP(bpf.lasti_kind); CMP(bpf.owner_cstack);
	CMP(bpf.owner_interpreter);
	CMP(user.ob_type); CMP(user.ob_size); CMP(user.type_tp_name);
	CMP(user.code_filename); CMP(user.code_name); CMP(user.code_qualname);
	CMP(user.code_firstlineno); CMP(user.code_linetable);
	CMP(user.code_size); CMP(user.bytes_sval); CMP(user.unicode_length);
	CMP(user.unicode_state); CMP(user.unicode_ascii_size);
	CMP(user.unicode_compact_size); CMP(user.unicode_kind_shift);
	CMP(user.unicode_compact_shift); CMP(user.unicode_ascii_shift);
	CMP(val.frame_localsplus); CMP(val.code_varnames);
	CMP(val.code_localspluskinds); CMP(val.tuple_item); CMP(val.list_item);
	CMP(val.dict_keys); CMP(val.dict_values); CMP(val.float_fval);
	CMP(val.long_size); CMP(val.long_digit); CMP(val.set_used);
	CMP(val.set_table); CMP(val.set_mask); CMP(val.interp_gil);
	CMP(val.gil_locked); CMP(val.gil_last_holder);
	return same;
}

/* A 3.13.0 blob built by hand: positions from gdb `ptype/o _Py_DebugOffsets`
 * on pyenv 3.13.0 (an independent copy of debug_offsets.c's table), values
 * from the static 3.13 table. */
static void synth313(uint8_t *b)
{
	const struct py_version *t = py_version_find(3, 13);
	static const struct { uint16_t pos; uint64_t val; } sizes[] = {
		{ 24, 283320 },	/* sizeof(_PyRuntimeState) */
		{ 48, 8000 }, { 152, 304 }, { 224, 80 }, { 272, 208 },
		{ 352, 16 }, { 368, 416 }, { 512, 40 }, { 536, 64 },
		{ 400, 32 }, { 424, 40 }, { 448, 48 }, { 472, 24 }, { 488, 32 },
	};
	size_t i;

	memset(b, 0, PY_DEBUG_OFFSETS_READ);
	memcpy(b, PY_DEBUG_COOKIE, 8);
	put64(b, 8, 0x030d00f0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		put64(b, sizes[i].pos, sizes[i].val);
	put64(b, 40, t->bpf.runtime_interpreters_head);
	put64(b, 72, t->bpf.interp_threads_head);
	put64(b, 168, t->bpf.tstate_next);
	put64(b, 184, t->bpf.tstate_frame);
	put64(b, 192, t->bpf.tstate_thread_id);
	put64(b, 200, t->bpf.tstate_native_thread_id);
	put64(b, 232, t->bpf.frame_previous);
	put64(b, 240, t->bpf.frame_code);
	put64(b, 248, t->bpf.frame_lasti);
	put64(b, 264, t->bpf.frame_owner);
	put64(b, 280, t->user.code_filename);
	put64(b, 288, t->user.code_name);
	put64(b, 296, t->user.code_qualname);
	put64(b, 304, t->user.code_linetable);
	put64(b, 312, t->user.code_firstlineno);
	put64(b, 344, t->bpf.code_adaptive);
	put64(b, 360, t->user.ob_type);
	put64(b, 376, t->user.type_tp_name);
	put64(b, 520, t->user.ob_size);
	put64(b, 528, t->user.bytes_sval);
	put64(b, 544, t->user.unicode_state);
	put64(b, 552, t->user.unicode_length);
	put64(b, 560, t->user.unicode_ascii_size);
	put64(b, 256, t->val.frame_localsplus);
	put64(b, 328, t->val.code_varnames);
	put64(b, 336, t->val.code_localspluskinds);
	put64(b, 408, t->val.tuple_item);
	put64(b, 432, t->val.list_item);
	put64(b, 456, t->val.dict_keys);
	put64(b, 464, t->val.dict_values);
	put64(b, 480, t->val.float_fval);
	put64(b, 496, t->val.long_size);
	put64(b, 504, t->val.long_digit);
	/* ceval.gil, then _gil and its fields, in PyInterpreterState */
	put64(b, 112, t->val.interp_gil);
	put64(b, 120, 7752);
	put64(b, 136, 7752 + t->val.gil_locked);
	put64(b, 144, 7752 + t->val.gil_last_holder);
}

static void synthetic(void)
{
	uint8_t b[PY_DEBUG_OFFSETS_READ], c[PY_DEBUG_OFFSETS_READ];
	struct py_version v, keep;
	int maj = -1, min = -1, rc;

	CHECK(py_debug_offsets_size(13) == 584, "size(13) == 584");
	CHECK(py_debug_offsets_size(14) == 760, "size(14) == 760");
	CHECK(py_debug_offsets_size(12) == 0 && py_debug_offsets_size(15) == 0,
	      "size(12) == size(15) == 0");

	synth313(b);
	memset(&v, 0, sizeof(v));
	rc = py_debug_offsets_parse(b, sizeof(b), &maj, &min, &v);
	CHECK(rc == 0 && maj == 3 && min == 13, "synthetic 3.13 parses");
	CHECK(rc == 0 && same_as_table("synthetic 3.13", &v),
	      "synthetic 3.13 equals the table (out not pre-filled)");

	/* pre-filled out is kept where the blob says nothing */
	v = *py_version_find(3, 13);
	v.bpf.owner_cstack = 42;
	rc = py_debug_offsets_parse(b, sizeof(b), NULL, NULL, &v);
	CHECK(rc == 0 && v.bpf.owner_cstack == 42, "pre-filled field kept");

	/* a blob offset overrides the table */
	memcpy(c, b, sizeof(c));
	put64(c, 192, 120);		/* thread_state.thread_id */
	put64(c, 312, 60);		/* code_object.firstlineno */
	v = *py_version_find(3, 13);
	rc = py_debug_offsets_parse(c, sizeof(c), NULL, NULL, &v);
	CHECK(rc == 0 && v.bpf.tstate_thread_id == 120 &&
	      v.user.code_firstlineno == 60 && v.user.code_size == 144,
	      "blob offsets override the table");

	memcpy(c, b, sizeof(c));
	c[0] = 'X';
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "bad cookie -> -EINVAL");
	CHECK(py_debug_offsets_parse(b, 15, &maj, &min, &v) == -EINVAL,
	      "15 bytes -> -EINVAL");
	CHECK(py_debug_offsets_parse(b, 583, &maj, &min, &v) == -EINVAL,
	      "3.13 blob cut at 583 bytes -> -EINVAL");
	CHECK(py_debug_offsets_parse(NULL, 0, &maj, &min, &v) == -EINVAL,
	      "NULL -> -EINVAL");

	memcpy(c, b, sizeof(c));
	put64(c, 8, 0x040d00f0);
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "major 4 -> -EINVAL");
	put64(c, 8, 0x1030d00f0ULL);
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "garbage in the version's upper half -> -EINVAL");
	put64(c, 8, 0x030c01f0);
	min = -1;
	rc = py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v);
	CHECK(rc == -EOPNOTSUPP && min == 12, "3.12 -> -EOPNOTSUPP, minor 12");
	put64(c, 8, 0x030d00b3);
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EOPNOTSUPP,
	      "3.13.0b3 -> -EOPNOTSUPP");
	put64(c, 8, 0x030d05f0);
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == 0,
	      "3.13.5 -> 0");

	memcpy(c, b, sizeof(c));
	put64(c, 16, 1);
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EOPNOTSUPP,
	      "free-threaded -> -EOPNOTSUPP");

	/* bounds: nothing is written on failure */
	keep = *py_version_find(3, 13);
	v = keep;
	memcpy(c, b, sizeof(c));
	put64(c, 192, PYBPFTOP_READ_MAX - 4);	/* thread_id past the window */
	rc = py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v);
	CHECK(rc == -EINVAL && !memcmp(&v, &keep, sizeof(v)),
	      "tstate field past PYBPFTOP_READ_MAX -> -EINVAL, out untouched");
	memcpy(c, b, sizeof(c));
	put64(c, 72, 0x10000);			/* threads_head > uint16 */
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "offset 0x10000 -> -EINVAL");
	memcpy(c, b, sizeof(c));
	put64(c, 72, 0xffff);			/* would read as NO_OFFSET */
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "offset 0xffff -> -EINVAL");
	memcpy(c, b, sizeof(c));
	put64(c, 232, 12);			/* misaligned previous */
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "misaligned pointer offset -> -EINVAL");
	memcpy(c, b, sizeof(c));
	put64(c, 224, 64);			/* sizeof frame < owner + 1 */
	put64(c, 264, 70);
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "offset past its struct's size -> -EINVAL");
	memcpy(c, b, sizeof(c));
	put64(c, 40, 16);			/* inside the debug offsets */
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "interpreters_head inside _Py_DebugOffsets -> -EINVAL");
	memcpy(c, b, sizeof(c));
	put64(c, 560, 24);			/* ascii header ends before state */
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "asciiobject_size too small -> -EINVAL");
	memcpy(c, b, sizeof(c));
	put64(c, 272, 0);			/* code_object.size */
	CHECK(py_debug_offsets_parse(c, sizeof(c), &maj, &min, &v) == -EINVAL,
	      "zero struct size -> -EINVAL");
}

/* The first "xdebugpy" in the file followed by a 3.x version. */
static int blob_from_file(const char *path, uint8_t *out, size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long n;
	size_t i;
	int found = 0;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	data = malloc(n);
	if (!data || fread(data, 1, n, f) != (size_t)n) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	for (i = 0; i + 16 <= (size_t)n; i++) {
		uint64_t ver;

		if (memcmp(data + i, PY_DEBUG_COOKIE, 8))
			continue;
		memcpy(&ver, data + i + 8, 8);
		if ((ver >> 24) != 3)
			continue;
		memset(out, 0, len);
		memcpy(out, data + i, (size_t)n - i < len ? (size_t)n - i : len);
		found = 1;
		break;
	}
	free(data);
	return found ? 0 : -1;
}

/* Run cmd, which writes the first bytes of its _PyRuntime to stdout. */
static int blob_from_cmd(const char *cmd, uint8_t *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	memset(out, 0, len);
	n = fread(out, 1, len, p);
	if (pclose(p) != 0 || n != len)
		return -1;
	return 0;
}

static void check_blob(const char *what, const uint8_t *b, int want_minor,
		       int want_rc)
{
	struct py_version v;
	int maj = -1, min = -1, rc;

	memset(&v, 0, sizeof(v));
	rc = py_debug_offsets_parse(b, PY_DEBUG_OFFSETS_READ, &maj, &min, &v);
	CHECK(rc == want_rc && maj == 3 && min == want_minor, "%s: parse -> %d, 3.%d", what, rc, min);
	if (rc == 0 && want_rc == 0)
		CHECK(same_as_table(what, &v), "%s: differs from the static 3.%d table", what, want_minor);
}

static const char *env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

#define DUMP_PY "import ctypes,sys; a=ctypes.addressof(ctypes.c_char.in_dll(" \
	"ctypes.pythonapi,'_PyRuntime')); " \
	"sys.stdout.buffer.write(ctypes.string_at(a,%d))"

static void real(void)
{
	static uint8_t b[PY_DEBUG_OFFSETS_READ];
	const char *py313 = env("PYBPFTOP_PY313", "/root/.pyenv/versions/3.13.0");
	const char *sid = env("PYBPFTOP_SID_ROOT", "/var/tmp/pybpftop-sid");
	static const struct { const char *bin; int minor, rc; } sids[] = {
		{ "python3.13", 13, 0 },
		{ "python3.14", 14, 0 },
		{ "python3.15", 15, -EOPNOTSUPP },	/* no layout yet */
	};
	char path[1024], cmd[2048], what[1200];
	size_t i;

	snprintf(path, sizeof(path), "%s/lib/libpython3.13.so.1.0", py313);
	if (!blob_from_file(path, b, sizeof(b)))
		check_blob(path, b, 13, 0);
	else
		SKIP("%s: absent or no blob", path);

	snprintf(path, sizeof(path), "%s/bin/python3.13", py313);
	if (access(path, X_OK) == 0) {
		snprintf(cmd, sizeof(cmd), "'%s' -c \"" DUMP_PY "\"", path,
			 PY_DEBUG_OFFSETS_READ);
		snprintf(what, sizeof(what), "live %s", path);
		if (!blob_from_cmd(cmd, b, sizeof(b)))
			check_blob(what, b, 13, 0);
		else
			CHECK(0, "%s: no blob read", what);
	} else {
		SKIP("live %s: absent", path);
	}

	for (i = 0; i < sizeof(sids) / sizeof(sids[0]); i++) {
		snprintf(path, sizeof(path), "%s/usr/bin/%s", sid, sids[i].bin);
		if (blob_from_file(path, b, sizeof(b))) {
			SKIP("%s: absent or no blob", path);
			continue;
		}
		check_blob(path, b, sids[i].minor, sids[i].rc);
		if (sids[i].rc)
			continue;
		if (geteuid() != 0) {
			SKIP("live %s: chroot needs root", path);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "chroot '%s' %s -c \"" DUMP_PY
			 "\" 2>/dev/null", sid, sids[i].bin, PY_DEBUG_OFFSETS_READ);
		snprintf(what, sizeof(what), "live chroot %s", path);
		if (!blob_from_cmd(cmd, b, sizeof(b)))
			check_blob(what, b, sids[i].minor, 0);
		else
			SKIP("%s: could not run it", what);
	}
}

int main(void)
{
	int before;

	synthetic();
	before = check_passed + check_failed;
	real();
	if (check_passed + check_failed == before)
		SKIP_TEST("no CPython 3.13+ found to take a real blob from");
	CHECK_DONE("debug_offsets");
}
