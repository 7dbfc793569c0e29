/* Unit test for user/python/debug_offsets.c.
 *
 * 1. Synthetic blobs: cookie/version/bounds handling and the reason given
 *    for each refusal, always run; py_layout_select on a fake address space
 *    (blob used, rejected with its reason, unreadable, refused).
 * 2. Real blobs, each parsed and compared with the static table of
 *    user/python/versions.c (itself checked against DWARF). Which ones must
 *    parse and which be refused comes from the registry: a version whose row
 *    names a debug-offsets layout must parse, one without a row must be
 *    refused (a python3.16 before 3.16 has a row):
 *    - read from the interpreter's file: _PyRuntime is initialised data, so
 *      the "xdebugpy" blob is in the ELF image as-is;
 *    - read live from a running interpreter, which dumps its own _PyRuntime
 *      through ctypes (chroot for the Debian sid one, needs root).
 *    Sources that are absent are skipped with a message.
 *
 * Prints each failure and skip (check.h). Exit 0 if all passed, 1 on
 * any failure, 77 if no real blob could be found at all.
 *
 * Paths (env overrides):
 *   PYENV_ROOT          /root/.pyenv (versions/3.X.*, for every row with a layout)
 *   PYBPFTOP_SID_ROOT   /var/tmp/pybpftop-sid (every usr/bin/python3.X in it)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "python/debug_offsets.h"
#include "python/target.h"
#include "fake_mem.h"
#include "check.h"

/* Room for any layout's blob; py_debug_offsets_read_size() is checked
 * against it. */
#define BLOB_MAX 4096

static int real_checked;

/* A check named by what it checks (the real blobs' names are only known
 * at run time). */
#define report(ok, what) CHECK(ok, "%s", what)

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
	const struct py_version_row *row = py_version_row_find_build(got->major, got->minor,
								     got->free_threaded);
	const struct py_version *want = row ? row->table : NULL;
	int same = 1;

	if (!want)
		return 0;
	CMP(free_threaded); CMP(bpf.frame_tlbc_index); CMP(bpf.code_tlbc);
	CMP(major); CMP(minor); CMP(linetable);
	CMP(bpf.runtime_interpreters_head); CMP(bpf.interp_threads_head);
	CMP(bpf.tstate_next); CMP(bpf.tstate_thread_id);
	CMP(bpf.tstate_native_thread_id); CMP(bpf.tstate_frame);
	CMP(bpf.cframe_current_frame); CMP(bpf.frame_previous);
	CMP(bpf.frame_code); CMP(bpf.frame_lasti); CMP(bpf.frame_owner);
	CMP(bpf.code_adaptive); CMP(bpf.lasti_kind); CMP(bpf.owner_cstack);
	CMP(bpf.owner_interpreter);
	CMP(bpf.interp_next); CMP(bpf.interp_id); CMP(bpf.tstate_interp);
	CMP(bpf.tstate_status); CMP(bpf.status_bound_gilstate);
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
static void synth313_of(uint8_t *b, const struct py_version *t);

static void synth313(uint8_t *b)
{
	synth313_of(b, py_version_find(3, 13));
}

/* The same for a free-threaded 3.13t: its table's values, free_threaded
 * 1, and every struct 32 bytes larger (the object header is). */
static void synth313t(uint8_t *b)
{
	static const uint16_t size_pos[] = { 272, 352, 368, 512, 536, 400, 424, 448, 472, 488 };

	synth313_of(b, py_version_row_find_build(3, 13, 1)->table);
	put64(b, 16, 1);
	for (size_t i = 0; i < sizeof(size_pos) / sizeof(size_pos[0]); i++) {
		uint64_t v;

		memcpy(&v, b + size_pos[i], 8);
		put64(b, size_pos[i], v + 32);
	}
}

static void synth313_of(uint8_t *b, const struct py_version *t)
{
	static const struct { uint16_t pos; uint64_t val; } sizes[] = {
		{ 24, 283320 },	/* sizeof(_PyRuntimeState) */
		{ 48, 8000 }, { 152, 304 }, { 224, 80 }, { 272, 208 },
		{ 352, 16 }, { 368, 416 }, { 512, 40 }, { 536, 64 },
		{ 400, 32 }, { 424, 40 }, { 448, 48 }, { 472, 24 }, { 488, 32 },
	};
	size_t i;

	memset(b, 0, BLOB_MAX);
	memcpy(b, PY_DEBUG_COOKIE, 8);
	put64(b, 8, 0x030d00f0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		put64(b, sizes[i].pos, sizes[i].val);
	put64(b, 40, t->bpf.runtime_interpreters_head);
	put64(b, 56, t->bpf.interp_id);
	put64(b, 64, t->bpf.interp_next);
	put64(b, 72, t->bpf.interp_threads_head);
	put64(b, 168, t->bpf.tstate_next);
	put64(b, 176, t->bpf.tstate_interp);
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

/* c is refused with rc, and the reason names `names`. */
static void refused(const uint8_t *c, size_t len, int rc, const char *names,
		    const char *what)
{
	struct py_version v = *py_version_find(3, 13), keep = v;
	char why[256] = "", msg[512];
	int maj = -1, min = -1, got;

	got = py_debug_offsets_parse(c, len, &maj, &min, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "%s -> %d (%s)", what, got, why);
	report(got == rc && strstr(why, names) && !memcmp(&v, &keep, sizeof(v)), msg);
}

static void synthetic(void)
{
	static uint8_t b[BLOB_MAX], c[BLOB_MAX];
	const size_t len = py_debug_offsets_read_size();
	struct py_version v;
	char why[256];
	int maj = -1, min = -1, rc;

	report(len <= BLOB_MAX, "read size fits the test's buffer");
	report(py_debug_offsets_size(13) == 584, "size(13) == 584");
	report(py_debug_offsets_size(14) == 760, "size(14) == 760");
	report(py_debug_offsets_size(15) == 888, "size(15) == 888");
	report(py_debug_offsets_size(12) == 0 && py_debug_offsets_size(16) == 0,
	       "size(12) == size(16) == 0");
	report(len >= 888, "read size covers the 3.15 layout");

	synth313(b);
	memset(&v, 0, sizeof(v));
	rc = py_debug_offsets_parse(b, len, &maj, &min, &v, NULL, 0);
	report(rc == 0 && maj == 3 && min == 13, "synthetic 3.13 parses");
	report(rc == 0 && same_as_table("synthetic 3.13", &v),
	       "synthetic 3.13 equals the table (out not pre-filled)");
	rc = py_debug_offsets_parse(b, py_debug_offsets_size(13), NULL, NULL, &v, NULL, 0);
	report(rc == 0, "synthetic 3.13 parses from exactly its layout's size");

	/* pre-filled out is kept where the blob says nothing */
	v = *py_version_find(3, 13);
	v.bpf.owner_cstack = 42;
	rc = py_debug_offsets_parse(b, len, NULL, NULL, &v, NULL, 0);
	report(rc == 0 && v.bpf.owner_cstack == 42, "pre-filled field kept");

	/* a blob offset overrides the table */
	memcpy(c, b, len);
	put64(c, 192, 120);		/* thread_state.thread_id */
	put64(c, 312, 60);		/* code_object.firstlineno */
	v = *py_version_find(3, 13);
	rc = py_debug_offsets_parse(c, len, NULL, NULL, &v, NULL, 0);
	report(rc == 0 && v.bpf.tstate_thread_id == 120 &&
	       v.user.code_firstlineno == 60 && v.user.code_size == 144,
	       "blob offsets override the table");

	/* every refusal, with the member or check it names */
	memcpy(c, b, len);
	c[0] = 'X';
	refused(c, len, -EINVAL, "cookie", "bad cookie");
	refused(b, 15, -EINVAL, "too short", "15 bytes");
	refused(b, 583, -EINVAL, "583 bytes, the 3.13 layout has 584", "3.13 blob cut at 583 bytes");
	refused(NULL, 0, -EINVAL, "too short", "NULL");

	memcpy(c, b, len);
	put64(c, 8, 0x040d00f0);
	refused(c, len, -EINVAL, "implausible version 0x40d00f0", "major 4");
	put64(c, 8, 0x1030d00f0ULL);
	refused(c, len, -EINVAL, "implausible version", "garbage in the version's upper half");
	put64(c, 8, 0x030c01f0);
	min = -1;
	rc = py_debug_offsets_parse(c, len, &maj, &min, &v, why, sizeof(why));
	report(rc == -EOPNOTSUPP && min == 12 && strstr(why, "no _Py_DebugOffsets layout for 3.12"),
	       "3.12 (a row, no layout) -> -EOPNOTSUPP, minor 12");
	put64(c, 8, 0x031000f0);
	min = -1;
	rc = py_debug_offsets_parse(c, len, &maj, &min, &v, why, sizeof(why));
	report(rc == -EOPNOTSUPP && min == 16 && strstr(why, "no _Py_DebugOffsets layout for 3.16"),
	       "3.16 (no row) -> -EOPNOTSUPP, minor 16");
	put64(c, 8, 0x030d00b3);
	refused(c, len, -EOPNOTSUPP, "pre-release", "3.13.0b3");
	put64(c, 8, 0x030d05f0);
	report(py_debug_offsets_parse(c, len, &maj, &min, &v, NULL, 0) == 0,
	       "3.13.5 -> 0");

	/* free_threaded 1: the 3.13t row, and its table's values */
	synth313t(c);
	memset(&v, 0, sizeof(v));
	rc = py_debug_offsets_parse(c, len, &maj, &min, &v, why, sizeof(why));
	report(rc == 0 && v.free_threaded == 1 && same_as_table("synthetic 3.13t", &v),
	       "synthetic 3.13t (free_threaded 1) parses into the 3.13t table");
	/* the 3.13 GIL table pre-filled: not kept for a free-threaded blob */
	v = *py_version_find(3, 13);
	rc = py_debug_offsets_parse(c, len, NULL, NULL, &v, NULL, 0);
	report(rc == 0 && v.free_threaded == 1 && v.user.code_filename == 128,
	       "a free-threaded blob over the default build's table gives the 3.13t one");
	memcpy(c, b, len);
	put64(c, 16, 2);
	refused(c, len, -EINVAL, "free_threaded = 2", "free_threaded 2");

	/* bounds: nothing is written on failure (refused() checks it) */
	memcpy(c, b, len);
	put64(c, 152, 2 * PYBPFTOP_READ_MAX);	/* a thread state larger than the window */
	put64(c, 192, PYBPFTOP_READ_MAX);	/* thread_id past the window */
	refused(c, len, -EINVAL, "thread_state.thread_id = 512 is past the 512 bytes",
		"tstate field past PYBPFTOP_READ_MAX");
	memcpy(c, b, len);
	put64(c, 192, 320);			/* thread_id past sizeof(PyThreadState) */
	refused(c, len, -EINVAL, "thread_state.thread_id = 320 is past thread_state.size = 304",
		"tstate field past its struct's size");
	memcpy(c, b, len);
	put64(c, 72, 0x10000);			/* threads_head > uint16 */
	refused(c, len, -EINVAL, "interpreter_state.threads_head = 65536", "offset 0x10000");
	memcpy(c, b, len);
	put64(c, 72, 0xffff);			/* would read as NO_OFFSET */
	refused(c, len, -EINVAL, "interpreter_state.threads_head = 65535", "offset 0xffff");
	memcpy(c, b, len);
	put64(c, 232, 12);			/* misaligned previous */
	refused(c, len, -EINVAL, "interpreter_frame.previous = 12 is not 8-byte aligned",
		"misaligned pointer offset");
	memcpy(c, b, len);
	put64(c, 224, 64);			/* sizeof frame < owner + 1 */
	put64(c, 264, 70);
	refused(c, len, -EINVAL, "interpreter_frame.owner = 70 is past interpreter_frame.size = 64",
		"offset past its struct's size");
	memcpy(c, b, len);
	put64(c, 40, 16);			/* inside the debug offsets */
	refused(c, len, -EINVAL, "runtime_state.interpreters_head = 16 is inside",
		"interpreters_head inside _Py_DebugOffsets");
	memcpy(c, b, len);
	put64(c, 560, 24);			/* ascii header ends before state */
	refused(c, len, -EINVAL, "unicode_object.asciiobject_size = 24", "asciiobject_size too small");
	memcpy(c, b, len);
	put64(c, 272, 0);			/* code_object.size */
	refused(c, len, -EINVAL, "code_object.size = 0", "zero struct size");
	memcpy(c, b, len);
	put64(c, 136, 7752 + 2);		/* _gil.locked misaligned */
	refused(c, len, -EINVAL, "gil_runtime_state_locked", "misaligned GIL field");
}

/* py_layout_select on a fake address space holding a blob at RUNTIME. */
#define RUNTIME 0x7f0000000000ULL

static int select_why(const uint8_t *blob, size_t len, int minor, struct py_version *v,
		      char *why, size_t whylen)
{
	struct fake_space space = { .n = 0 };
	struct remote_mem m;

	if (blob)
		fake_map(&space, RUNTIME, blob, len);
	m = fake_remote(&space);
	return py_layout_select(&m, RUNTIME, 3, minor, v, why, whylen);
}

static void layout_select(void)
{
	static uint8_t b[BLOB_MAX], c[BLOB_MAX];
	const size_t len = py_debug_offsets_read_size();
	struct py_version v;
	char why[384], msg[600];
	int rc;

	synth313(b);
	/* a thread id the table does not have: proves the blob was used */
	put64(b, 192, 144);
	rc = select_why(b, len, 13, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "3.13 blob used: %d, \"%s\"", rc, why);
	report(rc == 0 && !strcmp(why, "the target's _Py_DebugOffsets (3.13 layout)") &&
	       v.bpf.tstate_thread_id == 144, msg);

	/* one bad offset: the table, and the reason naming the offset */
	memcpy(c, b, len);
	put64(c, 232, 12);			/* interpreter_frame.previous */
	rc = select_why(c, len, 13, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "3.13 blob with a bad offset: %d, \"%s\"", rc, why);
	report(rc == 0 && !strcmp(why, "the built-in 3.13 table: the target's _Py_DebugOffsets was rejected "
				  "(interpreter_frame.previous = 12 is not 8-byte aligned)") &&
	       v.bpf.frame_previous == py_version_find(3, 13)->bpf.frame_previous &&
	       v.bpf.tstate_thread_id == py_version_find(3, 13)->bpf.tstate_thread_id, msg);

	memcpy(c, b, len);
	c[3] = '?';
	rc = select_why(c, len, 13, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "3.13 blob without its cookie: %d, \"%s\"", rc, why);
	report(rc == 0 && strstr(why, "the built-in 3.13 table: the target's _Py_DebugOffsets was rejected (no \"xdebugpy\" cookie)"), msg);

	rc = select_why(NULL, 0, 13, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "3.13, nothing mapped: %d, \"%s\"", rc, why);
	report(rc == 0 && strstr(why, "the built-in 3.13 table: the target's _Py_DebugOffsets could not be read"), msg);

	/* a free-threaded blob rejected for one bad offset still says which
	 * build it is: its own table, not the default build's */
	synth313t(c);
	put64(c, 232, 12);			/* interpreter_frame.previous */
	rc = select_why(c, len, 13, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "3.13t blob with a bad offset: %d, \"%s\"", rc, why);
	report(rc == 0 && strstr(why, "the built-in 3.13t table: the target's _Py_DebugOffsets was rejected") &&
	       v.free_threaded && v.user.code_filename == py_version_row_find_build(3, 13, 1)->table->user.code_filename,
	       msg);

	synth313t(c);
	rc = select_why(c, len, 13, &v, why, sizeof(why));
	snprintf(msg, sizeof(msg), "3.13 free-threaded: %d, \"%s\"", rc, why);
	report(rc == 0 && v.free_threaded &&
	       !strcmp(why, "the target's _Py_DebugOffsets (3.13 layout, a free-threaded build)"), msg);
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
	char msg[1024], why[256] = "";
	int maj = -1, min = -1, rc;

	real_checked++;
	memset(&v, 0, sizeof(v));
	rc = py_debug_offsets_parse(b, py_debug_offsets_read_size(), &maj, &min, &v,
				    why, sizeof(why));
	snprintf(msg, sizeof(msg), "%s: parse -> %d, 3.%d%s%s%s", what, rc, min,
		 rc ? " (" : "", rc ? why : "", rc ? ")" : "");
	report(rc == want_rc && maj == 3 && min == want_minor, msg);
	if (rc == 0 && want_rc == 0) {
		snprintf(msg, sizeof(msg), "%s: equals the static 3.%d table",
			 what, want_minor);
		report(same_as_table(what, &v), msg);
	}
}

static const char *env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v && *v ? v : dflt;
}

#define DUMP_PY "import ctypes,sys; a=ctypes.addressof(ctypes.c_char.in_dll(" \
	"ctypes.pythonapi,'_PyRuntime')); " \
	"sys.stdout.buffer.write(ctypes.string_at(a,%d))"

/* What parsing 3.minor's blob must give, by the registry: a row with a
 * debug-offsets layout parses, anything else is refused. */
static int want_rc(int minor)
{
	const struct py_version_row *row = py_version_row_find(3, minor);

	return row && row->debug_offsets ? 0 : -EOPNOTSUPP;
}

/* The blob a live interpreter dumps (cmd runs it with DUMP_PY), checked
 * when it could be run; must_run: failing to run it is a failure. */
static void check_live(const char *what, const char *cmd, int minor, int must_run)
{
	static uint8_t b[BLOB_MAX];

	if (!blob_from_cmd(cmd, b, py_debug_offsets_read_size()))
		check_blob(what, b, minor, 0);
	else if (must_run)
		report(0, what);
	else
		SKIP("%s: could not run it", what);
}

/* pyenv's builds of every row with a debug-offsets layout. */
static void real_pyenv(void)
{
	static uint8_t b[BLOB_MAX];
	const char *root = env("PYENV_ROOT", "/root/.pyenv");
	const struct py_version_row *rows;
	size_t n, i, k;
	char pat[1024], path[1100], cmd[2400], what[1200];

	rows = py_version_rows(&n);
	for (i = 0; i < n; i++) {
		int minor = rows[i].table->minor;
		glob_t g;

		if (!rows[i].debug_offsets)
			continue;
		snprintf(pat, sizeof(pat), "%s/versions/3.%d.[0-9]*", root, minor);
		if (glob(pat, 0, NULL, &g)) {
			SKIP("pyenv 3.%d: nothing matches %s", minor, pat);
			continue;
		}
		for (k = 0; k < g.gl_pathc; k++) {
			snprintf(path, sizeof(path), "%s/lib/libpython3.%d.so.1.0", g.gl_pathv[k], minor);
			if (!blob_from_file(path, b, py_debug_offsets_read_size()))
				check_blob(path, b, minor, 0);
			else
				SKIP("%s: absent or no blob", path);

			snprintf(path, sizeof(path), "%s/bin/python3.%d", g.gl_pathv[k], minor);
			if (access(path, X_OK)) {
				SKIP("live %s: absent", path);
				continue;
			}
			snprintf(cmd, sizeof(cmd), "'%s' -c \"" DUMP_PY "\"", path,
				 (int)py_debug_offsets_read_size());
			snprintf(what, sizeof(what), "live %s", path);
			check_live(what, cmd, minor, 1);
		}
		globfree(&g);
	}
}

/* Every python3.X and python3.Xd of the sid chroot, supported or not. The
 * debug builds (Py_DEBUG, without Py_TRACE_REFS) have the release
 * builds' layouts for every field we take, their blobs too: gdb on
 * python3.13d, 3.14d and 3.15d. */
static void real_sid(void)
{
	static uint8_t b[BLOB_MAX];
	const char *sid = env("PYBPFTOP_SID_ROOT", "/var/tmp/pybpftop-sid");
	char dir[1024], path[1400], cmd[3000], what[1500];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/usr/bin", sid);
	d = opendir(dir);
	if (!d) {
		SKIP("%s: absent (tools/sid-chroot.sh makes it)", dir);
		return;
	}
	while ((e = readdir(d))) {
		int minor, used = 0, rc;

		if (sscanf(e->d_name, "python3.%d%n", &minor, &used) != 1 ||
		    (e->d_name[used] != '\0' && strcmp(e->d_name + used, "d")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (blob_from_file(path, b, py_debug_offsets_read_size())) {
			SKIP("%s: absent or no blob", path);
			continue;
		}
		rc = want_rc(minor);
		check_blob(path, b, minor, rc);
		if (rc)
			continue;
		if (geteuid() != 0) {
			SKIP("live %s: chroot needs root", path);
			continue;
		}
		snprintf(cmd, sizeof(cmd), "chroot '%s' %s -c \"" DUMP_PY
			 "\" 2>/dev/null", sid, e->d_name, (int)py_debug_offsets_read_size());
		snprintf(what, sizeof(what), "live chroot %s", path);
		check_live(what, cmd, minor, 0);
	}
	closedir(d);
}

int main(void)
{
	synthetic();
	layout_select();
	real_pyenv();
	real_sid();
	if (!real_checked)
		SKIP_TEST("no CPython 3.13+ found to take a real blob from");
	CHECK_DONE("debug_offsets");
}
