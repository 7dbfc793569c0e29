/* Unit test of remote_mem.c and code_reader.c.
 *
 * Part 1 builds CPython 3.11 objects in a fake address space (offsets from
 * gdb on libpython3.11's DWARF) and checks the decoded values, then feeds
 * torn and hostile objects and expects errors, not crashes.
 * Part 2 checks remote_mem_pid, then reads a function's code object out of
 * live pythons (Debian's 3.11, pyenv's 3.8-3.13 when installed) through
 * py_version_find (needs root or ptrace rights; skipped with 77 otherwise). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* process_vm_readv, mkstemps */
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "python/code_reader.h"
#include "check.h"
#include "fake_mem.h"

/* Only the live check needs the real tables, and they are written by
 * someone else: a weak reference lets this test build before they exist. */
#pragma weak py_version_find

static const struct py_user_offsets *const u = &fake_u311;
static struct py_version v311 = {	/* .user set by main() */
	.major = 3, .minor = 11, .linetable = LINETABLE_LOCATIONS,
};

#define HEAP_BASE	0x555500000000ULL
#define HEAP_SIZE	(256 * 1024)
#define UNMAPPED	0x0000dead0000ULL
#define SMALL_BASE	0x7f0000000000ULL

static uint8_t heap_buf[HEAP_SIZE], small[128];
static struct fake_heap heap = { HEAP_BASE, heap_buf, sizeof(heap_buf), 0 };
static struct fake_space space;
static struct remote_mem mem;
static uint64_t t_str, t_bytes, t_code;

static void expect_str(const char *what, uint64_t addr, size_t cap,
		       int want_ret, const char *want)
{
	char buf[PY_STR_MAX_CHARS * 4 + 1];
	int r;

	memset(buf, 'X', sizeof(buf));
	r = py_read_str(&mem, u, addr, buf, cap);
	if (want_ret < 0) {
		CHECK(r == want_ret, "str %s: error %d (want %d)", what, r, want_ret);
		return;
	}
	CHECK(r == want_ret && strcmp(buf, want) == 0 && (size_t)r == strlen(buf),
	      "str %s: %d \"%s\"", what, r, r >= 0 ? buf : "");
}

static void test_strings(void)
{
	static uint32_t big[5000];
	const uint32_t surr[] = { 'A', 0xd800, 'B' };
	const uint32_t over[] = { 'A', 0x110000, 0x1f40d };
	const uint32_t nul[] = { 'a', 0, 'b' };
	uint64_t s;
	size_t i;

	expect_str("ascii", fh_str(&heap, u, t_str, "hello"), 4097, 5, "hello");
	expect_str("empty", fh_str(&heap, u, t_str, ""), 16, 0, "");
	expect_str("latin-1 kind 1", fh_str(&heap, u, t_str, "café"), 64, 5, "café");
	s = fh_str(&heap, u, t_str, "Café.naïve_方法");
	expect_str("ucs2 kind 2", s, 64, 19, "Café.naïve_方法");
	expect_str("ucs2 cut inside 方", s, 16, 13, "Café.naïve_");
	expect_str("ucs2 cut after 方", s, 17, 16, "Café.naïve_方");
	expect_str("cap 1", s, 1, 0, "");
	expect_str("ucs4 emoji", fh_str(&heap, u, t_str, "snake \xf0\x9f\x90\x8d!"),
		   64, 11, "snake \xf0\x9f\x90\x8d!");
	expect_str("lone surrogate", fh_str_cps(&heap, u, t_str, surr, 3),
		   64, 5, "A\xef\xbf\xbd" "B");
	expect_str("> U+10FFFF", fh_str_cps(&heap, u, t_str, over, 3),
		   64, 8, "A\xef\xbf\xbd\xf0\x9f\x90\x8d");
	expect_str("embedded NUL", fh_str_cps(&heap, u, t_str, nul, 3),
		   64, 5, "a\xef\xbf\xbd" "b");

	for (i = 0; i < 5000; i++)
		big[i] = 'a' + i % 26;
	s = fh_str_cps(&heap, u, t_str, big, 5000);
	{
		char buf[PY_STR_MAX_CHARS * 4 + 1];
		int r = py_read_str(&mem, u, s, buf, sizeof(buf));

		CHECK(r == PY_STR_MAX_CHARS && strlen(buf) == PY_STR_MAX_CHARS,
		      "str of 5000 chars capped at %d: %d", PY_STR_MAX_CHARS, r);
	}
}

static void test_bytes(void)
{
	uint8_t *out;
	size_t len;
	int r;

	r = py_read_bytes(&mem, u, fh_bytes(&heap, u, t_bytes, "\0\1abc", 5),
			  &out, &len);
	CHECK(r == 0 && len == 5 && memcmp(out, "\0\1abc", 5) == 0, "bytes: %d len %zu", r, len);
	free(out);
	r = py_read_bytes(&mem, u, fh_bytes(&heap, u, t_bytes, "", 0), &out, &len);
	CHECK(r == 0 && len == 0 && out, "empty bytes: %d", r);
	free(out);
}

/* The 3.11 location table of a small function, from co_linetable. */
static const uint8_t lt311[] = {
	0x80, 0x00, 0xd8, 0x08, 0x09, 0x88, 0x41, 0x89, 0x05, 0x80, 0x41,
};

static void test_code(void)
{
	uint64_t name = fh_str(&heap, u, t_str, "naïve_方法");
	uint64_t qual = fh_str(&heap, u, t_str, "Café.naïve_方法");
	uint64_t file = fh_str(&heap, u, t_str, "/srv/é.py");
	uint64_t lt = fh_bytes(&heap, u, t_bytes, lt311, sizeof(lt311));
	uint64_t code = fh_code(&heap, u, t_code, name, qual, file, 42, lt);
	uint32_t fp = 0, fp2 = 0;
	struct py_code c;
	int r;

	r = py_read_code(&mem, &v311, code, &c);
	CHECK(r == 0, "code: %d", r);
	if (r == 0) {
		CHECK(strcmp(c.qualname, "Café.naïve_方法") == 0, "code qualname \"%s\"", c.qualname);
		CHECK(strcmp(c.filename, "/srv/é.py") == 0, "code filename \"%s\"", c.filename);
		CHECK(c.firstlineno == 42, "code firstlineno %d", c.firstlineno);
		CHECK(c.linetable_len == sizeof(lt311) &&
		      memcmp(c.linetable, lt311, sizeof(lt311)) == 0,
		      "code linetable %zu bytes", c.linetable_len);
		r = py_code_fingerprint(&mem, &v311, code, &fp);
		CHECK(r == 0 && fp == c.fingerprint, "fingerprint matches the full read");
		/* The address reused by another code object. */
		fh_u64(&heap, code + u->code_qualname, name);
		r = py_code_fingerprint(&mem, &v311, code, &fp2);
		CHECK(r == 0 && fp2 != fp, "fingerprint changes with the object");
		fh_u64(&heap, code + u->code_qualname, qual);
		/* A batch says of each what a single read says. */
		{
			uint64_t addrs[3] = { code, 0x10, code };
			uint32_t fps[3] = { 0 };
			int rcs[3] = { 1, 1, 1 };

			r = py_code_fingerprints(&mem, &v311, addrs, 3, fps, rcs);
			CHECK(r == 0 && rcs[0] == 0 && fps[0] == fp && rcs[2] == 0 && fps[2] == fp,
			      "batched fingerprints: %d, %d %d", r, rcs[0], rcs[2]);
			CHECK(rcs[1] == py_code_fingerprint(&mem, &v311, 0x10, &fp2) && rcs[1] < 0,
			      "an unreadable one in a batch: %d", rcs[1]);
			CHECK(py_code_fingerprints(&mem, &v311, addrs, PY_CODE_FP_BATCH + 1, fps, rcs) == -E2BIG,
			      "a batch over PY_CODE_FP_BATCH is refused");
		}
		py_code_free(&c);
	}

	/* Before 3.11 the name is co_name: a table without co_qualname. */
	{
		struct py_version v = v311;

		v.user.code_qualname = PYBPFTOP_NO_OFFSET;
		r = py_read_code(&mem, &v, code, &c);
		CHECK(r == 0 && strcmp(c.qualname, "naïve_方法") == 0,
		      "code without co_qualname uses co_name: %d \"%s\"", r,
		      r == 0 ? c.qualname : "");
		py_code_free(&c);
	}
}

/* One torn/hostile code object: the reader must fail with want. */
static void expect_code_err(const char *what, uint64_t code, int want)
{
	struct py_code c;
	int r;

	memset(&c, 0x5a, sizeof(c));
	r = py_read_code(&mem, &v311, code, &c);
	/* On failure nothing is left allocated or dangling. */
	CHECK(r == want && (r == 0 || (!c.qualname && !c.filename && !c.linetable)),
	      "torn code, %s: %d (want %d)", what, r, want);
	if (r == 0)
		py_code_free(&c);
}

static void test_torn(void)
{
	uint64_t t_strx = fh_type(&heap, u, "strx");
	uint64_t t_st = fh_type(&heap, u, "st");
	uint64_t t_noname = fh_alloc(&heap, 64);	/* tp_name NULL */
	uint64_t t_wild = fh_alloc(&heap, 64);		/* tp_name unmapped */
	uint64_t s = fh_str(&heap, u, t_str, "hello");
	uint64_t qual = fh_str(&heap, u, t_str, "q");
	uint64_t lt = fh_bytes(&heap, u, t_bytes, "x", 1);
	uint64_t code, a;
	uint8_t *out = NULL;
	size_t len;
	uint32_t state;

	fh_u64(&heap, t_wild + u->type_tp_name, UNMAPPED);

	CHECK(py_type_name_is(&mem, u, s, "str") == 1, "type name str");
	CHECK(py_type_name_is(&mem, u, s, "bytes") == 0, "type name not bytes");
	CHECK(py_type_name_is(&mem, u, s, "a_name_longer_than_16") == -EINVAL,
	      "type name too long to compare");
	expect_str("of type bytes", fh_str(&heap, u, t_bytes, "x"), 64, -EINVAL, "");
	expect_str("of type strx", fh_str(&heap, u, t_strx, "x"), 64, -EINVAL, "");
	expect_str("of type st", fh_str(&heap, u, t_st, "x"), 64, -EINVAL, "");
	expect_str("with NULL type", fh_str(&heap, u, 0, "x"), 64, -EFAULT, "");
	expect_str("with NULL tp_name", fh_str(&heap, u, t_noname, "x"), 64, -EFAULT, "");
	expect_str("with unmapped tp_name", fh_str(&heap, u, t_wild, "x"), 64, -EFAULT, "");
	expect_str("with unmapped type", fh_str(&heap, u, UNMAPPED, "x"), 64, -EFAULT, "");
	expect_str("at unmapped address", UNMAPPED, 64, -EFAULT, "");
	expect_str("at NULL", 0, 64, -EFAULT, "");
	expect_str("at address near 2^64", ~0ULL - 8, 64, -EFAULT, "");

	a = fh_str(&heap, u, t_str, "hello");
	fh_u64(&heap, a + u->unicode_length, 1ULL << 40);
	expect_str("huge length", a, 64, -EINVAL, "");
	fh_u64(&heap, a + u->unicode_length, (uint64_t)-5);
	expect_str("negative length", a, 64, -EINVAL, "");
	/* A copy of the str alone in a mapping: its data ends with it. */
	memcpy(small, heap_buf + (a - HEAP_BASE), u->unicode_ascii_size + 6);
	memcpy(small + u->unicode_length, &(uint64_t){ 1000 }, 8);
	fake_map(&space, SMALL_BASE, small, u->unicode_ascii_size + 6);
	expect_str("length past the mapping", SMALL_BASE, 64, -EFAULT, "");
	fh_u64(&heap, a + u->unicode_length, 5);
	state = 1u << u->unicode_kind_shift | 1u << u->unicode_ascii_shift;
	fh_u32(&heap, a + u->unicode_state, state);
	expect_str("non-compact", a, 64, -EINVAL, "");
	fh_u32(&heap, a + u->unicode_state, 3u << u->unicode_kind_shift |
		   1u << u->unicode_compact_shift);
	expect_str("kind 3", a, 64, -EINVAL, "");
	fh_u32(&heap, a + u->unicode_state, 2u << u->unicode_kind_shift |
		   1u << u->unicode_compact_shift | 1u << u->unicode_ascii_shift);
	expect_str("ascii of kind 2", a, 64, -EINVAL, "");
	fh_u32(&heap, a + u->unicode_state, 1u << u->unicode_kind_shift |
		   1u << u->unicode_compact_shift | 1u << u->unicode_ascii_shift);
	heap_buf[a - HEAP_BASE + u->unicode_ascii_size] = 0xe9;
	expect_str("ascii with a high byte", a, 64, 7, "\xef\xbf\xbd" "ello");

	a = fh_bytes(&heap, u, t_bytes, "abc", 3);
	fh_u64(&heap, a + u->ob_size, 1ULL << 40);
	CHECK(py_read_bytes(&mem, u, a, &out, &len) == -E2BIG && !out, "bytes huge size");
	fh_u64(&heap, a + u->ob_size, (uint64_t)-1);
	CHECK(py_read_bytes(&mem, u, a, &out, &len) == -EINVAL && !out, "bytes negative size");
	fh_u64(&heap, a + u->ob_size, PY_BYTES_MAX);
	CHECK(py_read_bytes(&mem, u, a, &out, &len) == -EFAULT && !out,
	      "bytes size past the mapping");
	CHECK(py_read_bytes(&mem, u, s, &out, &len) == -EINVAL && !out, "bytes of type str");

	code = fh_code(&heap, u, t_code, qual, qual, s, 1, lt);
	expect_code_err("sane", code, 0);
	fh_u64(&heap, code + u->code_filename, UNMAPPED);
	expect_code_err("unmapped filename", code, -EFAULT);
	fh_u64(&heap, code + u->code_filename, 0);
	expect_code_err("NULL filename", code, -EFAULT);
	fh_u64(&heap, code + u->code_filename, code);
	expect_code_err("filename pointing to itself", code, -EINVAL);
	fh_u64(&heap, code + u->code_filename, s);
	fh_u64(&heap, code + u->code_linetable, s);
	expect_code_err("linetable a str", code, -EINVAL);
	fh_u64(&heap, code + u->code_linetable, lt);
	fh_u64(&heap, code + u->code_qualname, lt);
	expect_code_err("qualname a bytes", code, -EINVAL);
	fh_u64(&heap, code + u->code_qualname, qual);
	fh_u64(&heap, code + u->ob_type, t_str);
	expect_code_err("of type str", code, -EINVAL);
	expect_code_err("unmapped", UNMAPPED, -EFAULT);
	/* The last bytes of the mapping: the type reads but the header does not. */
	a = HEAP_BASE + heap.cap - 16;
	fh_u64(&heap, a + u->ob_type, t_code);
	expect_code_err("header cut by the end of the mapping", a, -EFAULT);
	{
		struct py_version v = v311;

		v.user.code_size = 4096;
		CHECK(py_code_fingerprint(&mem, &v, code, &(uint32_t){ 0 }) == -EINVAL,
		      "code_size beyond PY_CODE_HDR_MAX rejected");
	}
}

/* remote_mem_pid on ourselves and on a dead process. */
static void test_remote_mem_pid(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	pid_t self = getpid(), dead;
	struct remote_mem rm = remote_mem_pid(&self);
	char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char buf[64];
	int r;

	if (p == MAP_FAILED) {
		CHECK(0, "mmap: %s", strerror(errno));
		return;
	}
	memcpy(p + pg - 8, "across the page line", 21);
	r = remote_read(&rm, (uintptr_t)(p + pg - 8), buf, 21);
	CHECK(r == 0 && strcmp(buf, "across the page line") == 0, "pid read across pages: %d", r);
	CHECK(remote_read(&rm, (uintptr_t)p, buf, 0) == 0, "pid read of 0 bytes");
	munmap(p + pg, pg);
	r = remote_read(&rm, (uintptr_t)(p + pg - 8), buf, 21);
	CHECK(r == -EFAULT, "pid read into a hole is all or nothing: %d", r);
	r = remote_read(&rm, UNMAPPED, buf, 8);
	CHECK(r == -EFAULT, "pid read unmapped: %d", r);
	r = remote_read(&rm, ~0ULL - 4, buf, 8);
	CHECK(r == -EFAULT, "pid read wrapping 2^64: %d", r);
	munmap(p, pg);

	dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	rm = remote_mem_pid(&dead);
	r = remote_read(&rm, (uintptr_t)buf, buf, 8);
	CHECK(r == -ESRCH, "pid read of a reaped process: %d", r);
}

static const char script[] =
	"import time\n"
	"class Café:\n"
	"    def naïve_方法(self):\n"
	"        return 1\n"
	"print(id(Café.naïve_方法.__code__), flush=True)\n"
	"time.sleep(60)\n";

/* Reads a function's code object out of a running python3.<minor>. */
static void test_live(const char *python, int minor)
{
	char path[] = "/tmp/pybpftop_tést_XXXXXX.py", line[64];
	const struct py_version *v = py_version_find ? py_version_find(3, minor) : NULL;
	/* co_qualname only exists from 3.11: before, the name is co_name. */
	const char *want = minor >= 11 ? "Café.naïve_方法" : "naïve_方法";
	int fd, pfd[2], r;
	struct remote_mem rm;
	struct py_code c;
	uint64_t addr;
	uint32_t fp;
	pid_t pid;
	FILE *f;

	if (access(python, X_OK) != 0)
		return;
	if (!v) {
		SKIP_TEST("live %s: no py_version_find(3, %d)", python, minor);
		return;
	}
	fd = mkstemps(path, 3);
	if (fd < 0 || write(fd, script, sizeof(script) - 1) != sizeof(script) - 1 ||
	    pipe(pfd) != 0) {
		CHECK(0, "live %s: setup: %s", python, strerror(errno));
		return;
	}
	close(fd);
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		execl(python, python, "-I", path, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	if (!f || !fgets(line, sizeof(line), f)) {
		CHECK(0, "live %s: no id from the child", python);
		goto out;
	}
	addr = strtoull(line, NULL, 10);
	rm = remote_mem_pid(&pid);
	r = py_read_code(&rm, v, addr, &c);
	if (r == -EPERM) {
		SKIP_TEST("live %s: EPERM reading the child (not root?)", python);
		goto out;
	}
	CHECK(r == 0, "live %s: py_read_code(0x%llx): %d", python,
	      (unsigned long long)addr, r);
	if (r == 0) {
		CHECK(strcmp(c.qualname, want) == 0, "live qualname \"%s\"", c.qualname);
		CHECK(strcmp(c.filename, path) == 0, "live filename \"%s\"", c.filename);
		CHECK(c.firstlineno == 3, "live firstlineno %d", c.firstlineno);
		CHECK(c.linetable_len > 0, "live linetable %zu bytes", c.linetable_len);
		CHECK(py_code_fingerprint(&rm, v, addr, &fp) == 0 && fp == c.fingerprint,
		      "live fingerprint stable");
		{	/* through process_vm_readv's batches */
			uint64_t addrs[3] = { addr, 8, addr };
			uint32_t fps[3] = { 0 };
			int rcs[3] = { 1, 1, 1 };

			CHECK(py_code_fingerprints(&rm, v, addrs, 3, fps, rcs) == 0 &&
			      rcs[0] == 0 && fps[0] == c.fingerprint && rcs[1] == -EFAULT &&
			      rcs[2] == 0 && fps[2] == c.fingerprint,
			      "live batched fingerprints: %d %d %d", rcs[0], rcs[1], rcs[2]);
		}
		py_code_free(&c);
	}
out:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (f)
		fclose(f);
	unlink(path);
}

int main(void)
{
	const struct py_version *real;

	v311.user = fake_u311;
	fake_map(&space, HEAP_BASE, heap_buf, sizeof(heap_buf));
	mem = fake_remote(&space);
	t_str = fh_type(&heap, u, "str");
	t_bytes = fh_type(&heap, u, "bytes");
	t_code = fh_type(&heap, u, "code");

	test_strings();
	test_bytes();
	test_code();
	test_torn();
	test_remote_mem_pid();

	/* The shared table must agree with what gdb said (code_size may
	 * cover more than the fields used here). */
	real = py_version_find ? py_version_find(3, 11) : NULL;
	if (real) {
		const struct py_user_offsets *a = &real->user, *b = &fake_u311;

		CHECK(a->code_size >= b->code_size, "3.11 table code_size %u", a->code_size);
#define SAME(f) CHECK(a->f == b->f, "3.11 table " #f " %u (gdb: %u)", a->f, b->f)
		SAME(ob_type); SAME(ob_size); SAME(type_tp_name);
		SAME(code_filename); SAME(code_name); SAME(code_qualname);
		SAME(code_firstlineno); SAME(code_linetable); SAME(bytes_sval);
		SAME(unicode_length); SAME(unicode_state); SAME(unicode_ascii_size);
		SAME(unicode_compact_size); SAME(unicode_kind_shift);
		SAME(unicode_compact_shift); SAME(unicode_ascii_shift);
#undef SAME
	}

	/* Debian's 3.11, then whichever pyenv builds exist (others are skipped). */
	test_live("/usr/bin/python3.11", 11);
	test_live("/root/.pyenv/versions/3.8.18/bin/python3.8", 8);
	test_live("/root/.pyenv/versions/3.9.18/bin/python3.9", 9);
	test_live("/root/.pyenv/versions/3.10.13/bin/python3.10", 10);
	test_live("/root/.pyenv/versions/3.11.7/bin/python3.11", 11);
	test_live("/root/.pyenv/versions/3.12.1/bin/python3.12", 12);
	test_live("/root/.pyenv/versions/3.13.0/bin/python3.13", 13);

	CHECK_DONE("code_reader");
}
