/* libFuzzer target: _Py_DebugOffsets parsing, the code reader, line
 * tables, py_repr, frame locals and the GIL reader against hostile memory.
 *
 * Input: a 16-byte header, then the target's memory, mapped at FUZZ_BASE
 * (nothing else is mapped, so every pointer out of it faults):
 *   [0]      CPython version: the row byte % (rows) of the registry
 *   [1]      py_read_str's cap: 0 for a full buffer, else 1..255
 *   [2..7]   three u16: offsets from FUZZ_BASE of a code object, a str
 *            and a bytes object
 *   [8..15]  four u16: instruction byte offsets to look lines up for
 * The built-in types and singletons that py_repr recognises by address are
 * the 16-byte slots FUZZ_BASE + 16 * (1..14), so an input makes an object
 * an int by pointing its ob_type there. py_repr renders the code object
 * and the str; the locals of the "frame" at the bytes object's address are
 * listed for that code object; the GIL is read with the str as _PyRuntime.
 *
 * The memory is also the target's _PyRuntime, whose first member on 3.13+
 * is _Py_DebugOffsets: py_debug_offsets_parse() reads it as pybpftop reads
 * a target's (py_layout_select). When it parses, every reader below runs
 * with the layout it gave instead of the row's, as they would against that
 * target, and the GIL is read at _PyRuntime = FUZZ_BASE too.
 * Seeds: tests/fuzz/make_seeds.c (with real blobs from interpreters). Besides crashes, the target traps when
 * an output breaks the reader's contract (unterminated or invalid UTF-8,
 * lengths over the caps, fingerprints that disagree). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "python/code_reader.h"
#include "python/debug_offsets.h"
#include "python/frame_locals.h"
#include "python/line_table.h"
#include "python/gil.h"
#include "python/repr.h"
#include "../unit/fake_mem.h"

#define FUZZ_BASE	0x10000000ULL
#define FUZZ_HDR	16

/* Tolerate a build without the version tables: fall back to 3.11's. */
#pragma weak py_version_rows
#pragma weak py_version_ft_rows

static int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n;

		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : p[i] >= 0xc0 ? 2 : 0;
		if (n == 0 || p[i] > 0xf4 || i + n > len)
			return 0;
		cp = p[i] & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		/* Shortest form only, no surrogates, nothing past U+10FFFF. */
		if (cp < (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n;
	}
	return 1;
}

static void check_cstr(const char *s)
{
	if (!s || strlen(s) > PY_STR_MAX_CHARS * 4 || !utf8_valid(s, strlen(s)))
		__builtin_trap();
}

/* The built-ins at FUZZ_BASE + 16 * k. */
static void fuzz_builtins(struct py_builtins *b)
{
	uint64_t *f = &b->none;
	size_t i, n = sizeof(*b) / sizeof(uint64_t);

	for (i = 0; i < n; i++)
		f[i] = FUZZ_BASE + 16 * (i + 1);
}

/* py_repr's contract: terminated, within cap, valid UTF-8. */
static void check_repr(const struct py_repr_ctx *c, uint64_t addr, size_t cap)
{
	static char out[1 << 16];
	int n = py_repr(c, addr, out, cap);

	if (n < 0 || (size_t)n >= cap || strlen(out) != (size_t)n ||
	    !utf8_valid(out, (size_t)n))
		__builtin_trap();
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* py_debug_offsets_parse's contract (debug_offsets.h) on mem as the blob:
 * on success a layout for the blob's own 3.minor, with the row that names
 * a debug-offsets layout; on failure a reason, and *out untouched. The
 * layout to go on with: the parsed one, or v. */
static const struct py_version *parse_debug_offsets(const uint8_t *mem, size_t len,
						    const struct py_version *v)
{
	static struct py_version parsed;
	struct py_version before;
	const struct py_version_row *row;
	char why[256];
	int major = -1, minor = -1, rc;

	parsed = *v;
	before = parsed;
	memset(why, 'x', sizeof(why));
	rc = py_debug_offsets_parse(mem, len, &major, &minor, &parsed, why, sizeof(why));
	if (rc != 0 && rc != -EINVAL && rc != -EOPNOTSUPP)
		__builtin_trap();
	if (rc) {
		if (!memchr(why, '\0', sizeof(why)) || !why[0] ||
		    memcmp(&before, &parsed, sizeof(parsed)))
			__builtin_trap();
		return v;
	}
	row = py_version_row_find(3, minor);
	if (major != 3 || !row || !row->debug_offsets || parsed.major != 3 ||
	    parsed.minor != minor || parsed.user.code_size == 0 ||
	    parsed.bpf.runtime_interpreters_head < py_debug_offsets_size(row->debug_offsets))
		__builtin_trap();
	/* The same bytes parse the same way, whatever *out held before. */
	{
		struct py_version again = *row->table;

		if (py_debug_offsets_parse(mem, len, NULL, NULL, &again, NULL, 0) ||
		    memcmp(&again, &parsed, sizeof(parsed)))
			__builtin_trap();
	}
	return &parsed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct py_version fallback = { .major = 3, .minor = 11,
					      .linetable = LINETABLE_LOCATIONS };
	const struct py_version *v = NULL;
	char str[PY_STR_MAX_CHARS * 4 + 1];
	struct fake_space space = { .n = 0 };
	struct remote_mem m;
	struct py_code c;
	uint64_t code, sobj, bobj;
	uint32_t fp;
	uint8_t *bytes;
	size_t blen, cap;
	int r, i;

	if (size < FUZZ_HDR)
		return 0;
	if (py_version_rows) {
		size_t n, nft = 0;
		const struct py_version_row *rows = py_version_rows(&n);
		/* the free-threaded tables too (3.13t, 3.14t) */
		const struct py_version_row *ft = py_version_ft_rows ? py_version_ft_rows(&nft) : NULL;
		size_t k = data[0] % (n + nft);

		v = k < n ? rows[k].table : ft[k - n].table;
	}
	if (!v) {
		fallback.user = fake_u311;
		v = &fallback;
	}
	cap = data[1] ? data[1] : sizeof(str);
	code = FUZZ_BASE + get16(data + 2);
	sobj = FUZZ_BASE + get16(data + 4);
	bobj = FUZZ_BASE + get16(data + 6);
	fake_map(&space, FUZZ_BASE, data + FUZZ_HDR, size - FUZZ_HDR);
	m = fake_remote(&space);
	v = parse_debug_offsets(data + FUZZ_HDR, size - FUZZ_HDR, v);

	r = py_read_str(&m, &v->user, sobj, str, cap);
	if (r >= 0 ? (size_t)r >= cap || strlen(str) != (size_t)r ||
		     !utf8_valid(str, (size_t)r)
		   : str[0] != '\0')
		__builtin_trap();
	py_type_name_is(&m, &v->user, sobj, "str");

	r = py_read_bytes(&m, &v->user, bobj, &bytes, &blen);
	if (r == 0 ? !bytes || blen > size : bytes != NULL)
		__builtin_trap();
	free(bytes);

	r = py_read_code(&m, v, code, &c);
	if (r == 0) {
		check_cstr(c.qualname);
		check_cstr(c.filename);
		if (!c.linetable || c.linetable_len > size)
			__builtin_trap();
		/* The memory does not change, so neither may the fingerprint. */
		if (py_code_fingerprint(&m, v, code, &fp) != 0 || fp != c.fingerprint)
			__builtin_trap();
		for (i = 0; i < 4; i++)
			py_line_for(v->linetable, c.linetable, c.linetable_len,
				    c.firstlineno, get16(data + 8 + 2 * i));
		py_code_free(&c);
	} else if (c.qualname || c.filename || c.linetable) {
		__builtin_trap();
	}

	{
		struct py_builtins b;
		struct py_repr_ctx rc = { &m, v, &b };
		struct py_local locals[16];
		size_t total;
		uint64_t ts;

		fuzz_builtins(&b);
		check_repr(&rc, code, 1 << 16);
		check_repr(&rc, sobj, cap < 8 ? 8 : cap);
		r = py_frame_locals(&m, v, &b, bobj, code, locals, 16, &total);
		if (r > 16)
			__builtin_trap();
		for (i = 0; i < r; i++) {
			check_cstr(locals[i].name);
			check_repr(&rc, locals[i].value, 256);
		}
		/* PY_GIL_NONE for a free-threaded table, and only there */
		r = py_gil_holder_at(&m, v, sobj, &ts);
		if (r == 1 ? !ts : r == 0 ? ts != 0 : r == PY_GIL_NONE ? !v->free_threaded || ts : r > 0)
			__builtin_trap();
		/* _PyRuntime where its _Py_DebugOffsets is. */
		r = py_gil_holder_at(&m, v, FUZZ_BASE, &ts);
		if (r == 1 ? !ts : r == 0 ? ts != 0 : r == PY_GIL_NONE ? !v->free_threaded || ts : r > 0)
			__builtin_trap();
		/* Every interpreter's GIL, through a list the input makes. */
		{
			struct py_gil g[8];

			r = py_gils_at(&m, v, sobj, g, 8);
			if (r > 8)
				__builtin_trap();
			for (i = 0; i < r; i++)
				if (g[i].held == 1 ? !g[i].holder :
				    g[i].held == PY_GIL_NONE ? !v->free_threaded || r != 1 :
				    g[i].held > 1)
					__builtin_trap();
		}
	}

	/* The memory itself as a line table: reaches the decoders far more
	 * often than through a well-formed code object. */
	py_line_for(v->linetable, data + FUZZ_HDR, size - FUZZ_HDR,
		    (int)get16(data + 2), get16(data + 8));
	return 0;
}
