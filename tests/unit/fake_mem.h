/* A fake target address space and a builder of CPython objects in it,
 * shared by the code reader's unit test, the fuzzer and its seed maker.
 * Header-only (static functions) so that each test links it privately. */
#ifndef FAKE_MEM_H
#define FAKE_MEM_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "python/versions.h"
#include "proc/remote_mem.h"

#define FAKE_MAX_REGIONS 8

/* CPython 3.11.7, x86-64: `gdb -batch -ex 'p &((PyCodeObject*)0)->co_qualname'
 * libpython3.11.so.1.0` and so on for each field. A fixed table, so that
 * the tests do not depend on py_versions.c being right. */
static const struct py_user_offsets fake_u311 = {
	.ob_type = 0x08, .ob_size = 0x10, .type_tp_name = 0x18,
	.code_filename = 0x70, .code_name = 0x78, .code_qualname = 0x80,
	.code_firstlineno = 0x48, .code_linetable = 0x88, .code_size = 0x90,
	.bytes_sval = 0x20,
	.unicode_length = 0x10, .unicode_state = 0x20,
	.unicode_ascii_size = 48, .unicode_compact_size = 72,
	.unicode_kind_shift = 2, .unicode_compact_shift = 5, .unicode_ascii_shift = 6,
};

/* Mapped ranges; everything else reads as unmapped (-EFAULT). */
struct fake_region {
	uint64_t base;
	const uint8_t *data;
	size_t len;
};

struct fake_space {
	struct fake_region r[FAKE_MAX_REGIONS];
	int n;
};

/* A read must lie inside one region, as a page-granular read of real
 * memory would fail when it crosses into a hole. */
static inline int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct fake_space *s = ctx;
	int i;

	for (i = 0; i < s->n; i++) {
		const struct fake_region *r = &s->r[i];

		if (addr >= r->base && addr - r->base <= r->len &&
		    len <= r->len - (addr - r->base)) {
			if (len)
				memcpy(buf, r->data + (addr - r->base), len);
			return 0;
		}
	}
	return -EFAULT;
}

static inline void fake_map(struct fake_space *s, uint64_t base,
			    const uint8_t *data, size_t len)
{
	if (s->n < FAKE_MAX_REGIONS)
		s->r[s->n++] = (struct fake_region){ base, data, len };
}

static inline struct remote_mem fake_remote(struct fake_space *s)
{
	return (struct remote_mem){ .read = fake_read, .ctx = s };
}

/* A bump allocator laying objects out in buf, seen at address base. */
struct fake_heap {
	uint64_t base;
	uint8_t *buf;
	size_t cap, used;
};

/* Zeroed, 16-aligned room for n bytes: its address, or 0 when full. */
static inline uint64_t fh_alloc(struct fake_heap *h, size_t n)
{
	size_t at = (h->used + 15) & ~(size_t)15;

	if (at > h->cap || n > h->cap - at)
		return 0;
	memset(h->buf + at, 0, n);
	h->used = at + n;
	return h->base + at;
}

static inline void fh_put(struct fake_heap *h, uint64_t addr, const void *p, size_t n)
{
	memcpy(h->buf + (addr - h->base), p, n);
}

static inline void fh_u64(struct fake_heap *h, uint64_t addr, uint64_t v)
{
	fh_put(h, addr, &v, 8);
}

static inline void fh_u32(struct fake_heap *h, uint64_t addr, uint32_t v)
{
	fh_put(h, addr, &v, 4);
}

/* A type object whose tp_name is name. */
static inline uint64_t fh_type(struct fake_heap *h, const struct py_user_offsets *u,
			       const char *name)
{
	uint64_t s = fh_alloc(h, strlen(name) + 1);
	uint64_t t = fh_alloc(h, u->type_tp_name + 8);

	if (!s || !t)
		return 0;
	fh_put(h, s, name, strlen(name) + 1);
	fh_u64(h, t + u->type_tp_name, s);
	return t;
}

/* A compact str of n code points, laid out the way CPython would: kind
 * from the largest code point, ASCII data after PyASCIIObject, other
 * kinds after PyCompactUnicodeObject. */
static inline uint64_t fh_str_cps(struct fake_heap *h, const struct py_user_offsets *u,
				  uint64_t type, const uint32_t *cp, size_t n)
{
	uint32_t max = 0, state;
	unsigned kind, ascii;
	size_t i, hdr;
	uint64_t a;

	for (i = 0; i < n; i++)
		max = cp[i] > max ? cp[i] : max;
	ascii = max < 0x80;
	kind = max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
	hdr = ascii ? u->unicode_ascii_size : u->unicode_compact_size;
	a = fh_alloc(h, hdr + (n + 1) * kind);
	if (!a)
		return 0;
	fh_u64(h, a, 1);				/* ob_refcnt */
	fh_u64(h, a + u->ob_type, type);
	fh_u64(h, a + u->unicode_length, n);
	state = kind << u->unicode_kind_shift | 1u << u->unicode_compact_shift |
		ascii << u->unicode_ascii_shift;
	fh_u32(h, a + u->unicode_state, state);
	for (i = 0; i < n; i++) {
		uint16_t c16 = (uint16_t)cp[i];
		uint8_t c8 = (uint8_t)cp[i];

		fh_put(h, a + hdr + i * kind,
		       kind == 1 ? (const void *)&c8 : kind == 2 ? (const void *)&c16 : (const void *)&cp[i],
		       kind);
	}
	return a;
}

/* The same from (valid, trusted) UTF-8. */
static inline uint64_t fh_str(struct fake_heap *h, const struct py_user_offsets *u,
			      uint64_t type, const char *utf8)
{
	uint32_t cp[256];
	const unsigned char *p = (const unsigned char *)utf8;
	size_t n = 0;

	while (*p && n < 256) {
		if (*p < 0x80) {
			cp[n] = *p++;
		} else if (*p < 0xe0) {
			cp[n] = (p[0] & 0x1fu) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if (*p < 0xf0) {
			cp[n] = (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3f);
			p += 3;
		} else {
			cp[n] = (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 |
				(p[2] & 0x3fu) << 6 | (p[3] & 0x3f);
			p += 4;
		}
		n++;
	}
	return fh_str_cps(h, u, type, cp, n);
}

static inline uint64_t fh_bytes(struct fake_heap *h, const struct py_user_offsets *u,
				uint64_t type, const void *data, size_t n)
{
	uint64_t a = fh_alloc(h, u->bytes_sval + n + 1);

	if (!a)
		return 0;
	fh_u64(h, a, 1);
	fh_u64(h, a + u->ob_type, type);
	fh_u64(h, a + u->ob_size, n);
	fh_put(h, a + u->bytes_sval, data, n);
	return a;
}

/* A code object header; qualname is ignored by versions without one,
 * which get it as co_name instead (what the reader reports there). */
static inline uint64_t fh_code(struct fake_heap *h, const struct py_user_offsets *u,
			       uint64_t type, uint64_t name, uint64_t qualname,
			       uint64_t filename, int firstlineno, uint64_t linetable)
{
	uint64_t a = fh_alloc(h, u->code_size);

	if (!a)
		return 0;
	fh_u64(h, a, 1);
	fh_u64(h, a + u->ob_type, type);
	fh_u64(h, a + u->ob_size, 8);
	fh_u64(h, a + u->code_filename, filename);
	if (u->code_qualname != PYBPFTOP_NO_OFFSET) {
		fh_u64(h, a + u->code_name, name);
		fh_u64(h, a + u->code_qualname, qualname);
	} else {
		fh_u64(h, a + u->code_name, qualname);
	}
	fh_u32(h, a + u->code_firstlineno, (uint32_t)firstlineno);
	fh_u64(h, a + u->code_linetable, linetable);
	return a;
}

#endif /* FAKE_MEM_H */
