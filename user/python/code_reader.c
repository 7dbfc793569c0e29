/* Reading CPython str, bytes and code objects from untrusted memory.
 * See code_reader.h for the threat model: nothing read is trusted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "python/code_reader.h"

/* Largest header reads, to size stack buffers; a table asking for more is
 * broken and rejected rather than trusted. */
#define UNICODE_HDR_MAX	128

/* remote_read at base + off, refusing addresses that wrap around. */
static int read_at(const struct remote_mem *m, uint64_t base, uint64_t off,
		   void *buf, size_t len)
{
	if (base + off < base)
		return -EFAULT;
	return remote_read(m, base + off, buf, len);
}

static int read_ptr(const struct remote_mem *m, uint64_t base, uint64_t off,
		    uint64_t *out)
{
	int r = read_at(m, base, off, out, sizeof(*out));

	if (r == 0 && *out == 0)
		return -EFAULT;	/* NULL: nothing to follow */
	return r;
}

/* Fields of a header buffer, read with memcpy: the buffer has no alignment. */
static uint64_t hdr_u64(const uint8_t *hdr, uint16_t off)
{
	uint64_t v;

	memcpy(&v, hdr + off, sizeof(v));
	return v;
}

static uint32_t hdr_u32(const uint8_t *hdr, uint16_t off)
{
	uint32_t v;

	memcpy(&v, hdr + off, sizeof(v));
	return v;
}

/* True when a field of `width` bytes at off fits in a header of hdr_len. */
static int field_in(uint16_t off, size_t width, size_t hdr_len)
{
	return off != PYBPFTOP_NO_OFFSET && off + width <= hdr_len;
}

int py_type_name_is(const struct remote_mem *m, const struct py_user_offsets *u,
		    uint64_t obj, const char *name)
{
	/* Only strlen(name) + 1 bytes are read: a longer read could cross
	 * into an unmapped page after a short tp_name and fail for nothing. */
	size_t n = strlen(name) + 1;
	char got[PY_TYPE_NAME_MAX];
	uint64_t type, tp_name;
	int r;

	if (n > sizeof(got))
		return -EINVAL;
	if ((r = read_ptr(m, obj, u->ob_type, &type)) ||
	    (r = read_ptr(m, type, u->type_tp_name, &tp_name)) ||
	    (r = remote_read(m, tp_name, got, n)))
		return r;
	return memcmp(got, name, n) == 0;
}

/* 1 for a matching type, else the error to return (-EINVAL for a mismatch). */
static int check_type(const struct remote_mem *m, const struct py_user_offsets *u,
		      uint64_t obj, const char *name)
{
	int r = py_type_name_is(m, u, obj, name);

	return r == 1 ? 0 : r == 0 ? -EINVAL : r;
}

size_t py_utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Reads and checks the header of the compact str at addr: its kind (1, 2
 * or 4 bytes per character), whether it is ASCII, its length, and where
 * its characters start. */
static int str_header(const struct remote_mem *m, const struct py_user_offsets *u,
		      uint64_t addr, unsigned *kind, unsigned *ascii, size_t *length,
		      uint64_t *data)
{
	uint8_t hdr[UNICODE_HDR_MAX];
	unsigned compact;
	int64_t len;
	uint32_t state;
	int r;

	/* The table itself is checked: length and state must lie inside the
	 * PyASCIIObject header, which is all that is read before the data. */
	if (u->unicode_ascii_size > sizeof(hdr) ||
	    u->unicode_compact_size < u->unicode_ascii_size ||
	    !field_in(u->unicode_length, 8, u->unicode_ascii_size) ||
	    !field_in(u->unicode_state, 4, u->unicode_ascii_size))
		return -EINVAL;
	if ((r = check_type(m, u, addr, "str")) ||
	    (r = remote_read(m, addr, hdr, u->unicode_ascii_size)))
		return r;

	len = (int64_t)hdr_u64(hdr, u->unicode_length);
	state = hdr_u32(hdr, u->unicode_state);
	*kind = state >> u->unicode_kind_shift & 7;
	compact = state >> u->unicode_compact_shift & 1;
	*ascii = state >> u->unicode_ascii_shift & 1;

	/* Legacy (non-compact) strings keep their data behind a pointer;
	 * CPython creates none for names and filenames, so they are refused. */
	if (!compact || len < 0 || len > PY_STR_SANE_LEN)
		return -EINVAL;
	if (*ascii ? *kind != 1 : (*kind != 1 && *kind != 2 && *kind != 4))
		return -EINVAL;
	*data = addr + (*ascii ? u->unicode_ascii_size : u->unicode_compact_size);
	if (*data < addr)
		return -EFAULT;
	*length = (size_t)len;
	return 0;
}

static uint32_t str_char(const uint8_t *raw, unsigned kind, size_t i)
{
	uint16_t c16;
	uint32_t cp;

	if (kind == 1)
		return raw[i];
	if (kind == 2) {
		memcpy(&c16, raw + 2 * i, 2);
		return c16;
	}
	memcpy(&cp, raw + 4 * i, 4);
	return cp;
}

int py_read_str(const struct remote_mem *m, const struct py_user_offsets *u,
		uint64_t addr, char *buf, size_t cap)
{
	uint8_t raw[PY_STR_MAX_CHARS * 4];
	unsigned kind, ascii;
	uint64_t data;
	size_t length, nchars, pos = 0, i;
	int r;

	if (cap == 0)
		return -EINVAL;
	buf[0] = '\0';
	if ((r = str_header(m, u, addr, &kind, &ascii, &length, &data)))
		return r;

	/* Every character takes at least one output byte, so more than
	 * cap - 1 of them could never be written: do not read them. */
	nchars = length;
	if (nchars > PY_STR_MAX_CHARS)
		nchars = PY_STR_MAX_CHARS;
	if (nchars > cap - 1)
		nchars = cap - 1;
	if ((r = remote_read(m, data, raw, nchars * kind)))
		return r;

	for (i = 0; i < nchars; i++) {
		uint32_t cp = str_char(raw, kind, i);
		char enc[4];
		size_t n;

		/* Surrogates and out-of-range values have no UTF-8 form; an
		 * ASCII string with a high byte is torn; NUL would cut the C
		 * string short. All become U+FFFD, the replacement character. */
		if (cp == 0 || (ascii && cp >= 0x80) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			cp = 0xfffd;
		n = py_utf8_put(cp, enc);
		if (pos + n + 1 > cap)
			break;	/* truncate at a character boundary */
		memcpy(buf + pos, enc, n);
		pos += n;
	}
	buf[pos] = '\0';
	return (int)pos;
}

int py_read_str_cps(const struct remote_mem *m, const struct py_user_offsets *u,
		    uint64_t addr, uint32_t *cps, size_t max, size_t *len)
{
	uint8_t raw[PY_STR_MAX_CHARS * 4];
	unsigned kind, ascii;
	uint64_t data;
	size_t length, n, i;
	int r;

	*len = 0;
	if ((r = str_header(m, u, addr, &kind, &ascii, &length, &data)))
		return r;
	n = length < max ? length : max;
	if (n > PY_STR_MAX_CHARS)
		n = PY_STR_MAX_CHARS;
	if ((r = remote_read(m, data, raw, n * kind)))
		return r;
	for (i = 0; i < n; i++) {
		cps[i] = str_char(raw, kind, i);
		/* Torn: the state says ASCII, or a 4-byte kind holds a value
		 * no code point has. Said so rather than shown. */
		if ((ascii && cps[i] >= 0x80) || cps[i] > 0x10ffff)
			return -EINVAL;
	}
	*len = length;
	return (int)n;
}

int py_read_bytes(const struct remote_mem *m, const struct py_user_offsets *u,
		  uint64_t addr, uint8_t **out, size_t *len)
{
	uint8_t *data;
	int64_t size;
	int r;

	*out = NULL;
	*len = 0;
	if ((r = check_type(m, u, addr, "bytes")) ||
	    (r = read_at(m, addr, u->ob_size, &size, sizeof(size))))
		return r;
	if (size < 0)
		return -EINVAL;
	if (size > PY_BYTES_MAX)
		return -E2BIG;
	data = malloc(size ? (size_t)size : 1);
	if (!data)
		return -ENOMEM;
	if ((r = read_at(m, addr, u->bytes_sval, data, (size_t)size))) {
		free(data);
		return r;
	}
	*out = data;
	*len = (size_t)size;
	return 0;
}

/* Whether layout u's header holds every field the readers take from it. */
static int code_hdr_ok(const struct py_user_offsets *u)
{
	size_t sz = u->code_size;

	return sz <= PY_CODE_HDR_MAX &&
	       field_in(u->ob_type, 8, sz) && field_in(u->ob_size, 8, sz) &&
	       field_in(u->code_filename, 8, sz) && field_in(u->code_name, 8, sz) &&
	       field_in(u->code_linetable, 8, sz) &&
	       field_in(u->code_firstlineno, 4, sz) &&
	       (u->code_qualname == PYBPFTOP_NO_OFFSET || field_in(u->code_qualname, 8, sz));
}

/* Reads the code object header (u->code_size bytes) into hdr, after
 * checking that every field used lies inside it. */
static int read_code_hdr(const struct remote_mem *m, const struct py_user_offsets *u,
			 uint64_t addr, uint8_t hdr[PY_CODE_HDR_MAX])
{
	if (!code_hdr_ok(u))
		return -EINVAL;
	return remote_read(m, addr, hdr, u->code_size);
}

void py_code_fp_fields(const struct py_user_offsets *u, struct py_code_fp_fields *f)
{
	*f = (struct py_code_fp_fields){
		/* ob_refcnt is left out: it changes all the time. */
		.ptr = { u->ob_type, u->ob_size, u->code_filename, u->code_name,
			 u->code_qualname, u->code_linetable },
		.firstlineno = u->code_firstlineno,
		.read_size = u->code_size,
		.name = u->code_qualname != PYBPFTOP_NO_OFFSET ? u->code_qualname : u->code_name,
		/* Py_hash_t hash follows Py_ssize_t length in every version. */
		.str_hash = (uint16_t)(u->unicode_length + 8),
	};
}

/* As the walker takes it: the name's hash read apart, 0 if unreadable. */
/* The fingerprint of a header read whole. */
static uint32_t code_hdr_fingerprint(const struct remote_mem *m, const struct py_user_offsets *u,
				     const uint8_t *hdr)
{
	struct py_code_fp_fields f;
	uint64_t hash = 0;

	py_code_fp_fields(u, &f);
	if (remote_read(m, py_code_fp_name(hdr, u->code_size, &f) + f.str_hash, &hash, sizeof(hash)))
		hash = 0;
	return py_code_fp(hdr, u->code_size, &f, hash);
}

/* Two batched reads for n headers: the headers, then the hash of each
 * one's shown name (0 when unreadable, as the walker takes it). */
int py_code_fingerprints(const struct remote_mem *m, const struct py_version *v,
			 const uint64_t *addrs, size_t n, uint32_t *fps, int *rcs)
{
	const struct py_user_offsets *u = &v->user;
	uint8_t hdr[PY_CODE_FP_BATCH][PY_CODE_HDR_MAX];
	uint64_t hash[PY_CODE_FP_BATCH];
	struct remote_iov iov[PY_CODE_FP_BATCH];
	struct py_code_fp_fields f;

	if (n > PY_CODE_FP_BATCH)
		return -E2BIG;
	if (!code_hdr_ok(u))
		return -EINVAL;
	py_code_fp_fields(u, &f);
	for (size_t i = 0; i < n; i++)
		iov[i] = (struct remote_iov){ .addr = addrs[i], .buf = hdr[i], .len = u->code_size };
	remote_readv(m, iov, n);
	for (size_t i = 0; i < n; i++) {
		rcs[i] = iov[i].rc;
		hash[i] = 0;
		/* A header that failed reads no hash: an empty range. */
		iov[i] = (struct remote_iov){ .addr = py_code_fp_name(hdr[i], u->code_size, &f) + f.str_hash,
					      .buf = &hash[i], .len = rcs[i] ? 0 : sizeof(hash[i]) };
	}
	remote_readv(m, iov, n);
	for (size_t i = 0; i < n; i++)
		if (rcs[i] == 0)
			fps[i] = py_code_fp(hdr[i], u->code_size, &f, iov[i].rc ? 0 : hash[i]);
	return 0;
}

int py_code_fingerprint(const struct remote_mem *m, const struct py_version *v,
			uint64_t addr, uint32_t *fp)
{
	int rc, r = py_code_fingerprints(m, v, &addr, 1, fp, &rc);

	return r ? r : rc;
}

/* A str at addr as a malloc'd UTF-8 string. */
static int read_str_dup(const struct remote_mem *m, const struct py_user_offsets *u,
			uint64_t addr, char **out)
{
	char buf[PY_STR_MAX_CHARS * 4 + 1];
	int n = py_read_str(m, u, addr, buf, sizeof(buf));

	if (n < 0)
		return n;
	*out = malloc((size_t)n + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, (size_t)n + 1);
	return 0;
}

/* co_flags and _co_firsttraceable (3.11+), read apart from the header: the
 * walker reads the header for every new code object, and these lie past
 * it. An unreadable or implausible value leaves firsttraceable -1. */
static void read_code_prologue(const struct remote_mem *m, const struct py_user_offsets *u,
			       uint64_t addr, const uint8_t *hdr, struct py_code *out)
{
	int64_t units = (int64_t)hdr_u64(hdr, u->ob_size);	/* 3.11+: code units */
	uint32_t flags;
	int32_t ft;

	out->firsttraceable = -1;
	if (!u->code_firsttraceable || !u->code_flags ||
	    remote_read(m, addr + u->code_firsttraceable, &ft, sizeof(ft)) ||
	    remote_read(m, addr + u->code_flags, &flags, sizeof(flags)))
		return;
	if (ft < 0 || ft > PY_FIRSTTRACEABLE_MAX || ft >= units)
		return;
	out->firsttraceable = ft;
	out->flags = flags;
}

/* CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR (Include/cpython/code.h,
 * the same in 3.11-3.15). */
#define PY_CO_GENERATOR_FLAGS	(0x20 | 0x80 | 0x200)

int py_frame_incomplete(const struct py_version *v, const struct py_code *c, int32_t lasti)
{
	int32_t first = c->firsttraceable;

	if (first < 0)
		return 0;
	/* 3.11 and 3.12 keep prev_instr, the last instruction started: a
	 * frame just pushed points one unit before its code, which the
	 * walker sends as -1. 3.13+ keep instr_ptr, inside the code from
	 * the start: -1 is a pointer the walker could not place, kept. */
	if (lasti < 0)
		return v->major == 3 && v->minor <= 12;
	if (c->flags & PY_CO_GENERATOR_FLAGS)
		first -= 2;	/* RETURN_GENERATOR, POP_TOP, then RESUME */
	return lasti < first;
}

int py_read_code(const struct remote_mem *m, const struct py_version *v,
		 uint64_t addr, struct py_code *out)
{
	const struct py_user_offsets *u = &v->user;
	uint8_t hdr[PY_CODE_HDR_MAX];
	uint16_t name_off;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = check_type(m, u, addr, "code")) ||
	    (r = read_code_hdr(m, u, addr, hdr)))
		return r;
	/* Every field comes from this one copy of the header, so they are
	 * consistent with each other and with the fingerprint. */
	name_off = u->code_qualname != PYBPFTOP_NO_OFFSET ? u->code_qualname
							   : u->code_name;
	out->firstlineno = (int)hdr_u32(hdr, u->code_firstlineno);
	out->fingerprint = code_hdr_fingerprint(m, u, hdr);
	read_code_prologue(m, u, addr, hdr, out);
	if ((r = read_str_dup(m, u, hdr_u64(hdr, name_off), &out->qualname)) ||
	    (r = read_str_dup(m, u, hdr_u64(hdr, u->code_filename), &out->filename)) ||
	    (r = py_read_bytes(m, u, hdr_u64(hdr, u->code_linetable),
			       &out->linetable, &out->linetable_len))) {
		py_code_free(out);
		return r;
	}
	return 0;
}

void py_code_free(struct py_code *c)
{
	free(c->qualname);
	free(c->filename);
	free(c->linetable);
	memset(c, 0, sizeof(*c));
}
