/* repr() of objects in an untrusted target's memory. See py_repr.h. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "python/code_reader.h"
#include "python/repr.h"

/* A size beyond this is not a real object's: the memory is torn or forged. */
#define SANE_LEN	(1LL << 32)
#define ITEM_CHUNK	16	/* pointers read at once */
#define TYPE_NAME_MAX	64	/* tp_name bytes shown */

/* The output: whole units (a token, an escape, a character) or nothing, so
 * that a cut never splits a UTF-8 sequence; room is kept for "..." and NUL. */
struct out {
	char *buf;
	size_t room;	/* usable bytes: the caller's cap minus 4 */
	size_t len;
	int full;	/* something did not fit, or a bound stopped rendering */
};

struct render {
	const struct py_repr_ctx *c;
	const struct py_user_offsets *u;
	const struct py_value_offsets *val;
	struct out o;
	int reads;
	int depth;
	uint64_t stack[PY_REPR_MAX_DEPTH];	/* containers being rendered */
};

static void put(struct render *r, const char *s, size_t n)
{
	struct out *o = &r->o;

	if (o->full)
		return;
	if (n > o->room - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void puts_(struct render *r, const char *s)
{
	put(r, s, strlen(s));
}

static void putf(struct render *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void putf(struct render *r, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(r, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Every read of the target goes through here: checked for wrap-around and
 * counted, so that no object graph can make one call read without end. */
static int rd(struct render *r, uint64_t addr, void *buf, size_t len)
{
	if (r->reads >= PY_REPR_MAX_READS)
		return -EAGAIN;
	r->reads++;
	if (addr + len < addr)
		return -EFAULT;
	return remote_read(r->c->mem, addr, buf, len);
}

static int rd_u64(struct render *r, uint64_t addr, uint64_t *v)
{
	return rd(r, addr, v, sizeof(*v));
}

/* An object that cannot be shown. Out of read budget: stop, with "...". */
static void bad(struct render *r, uint64_t addr, int err)
{
	if (err == -EAGAIN) {
		r->o.full = 1;
		return;
	}
	putf(r, "<unreadable 0x%" PRIx64 ">", addr);
}

static void repr_obj(struct render *r, uint64_t addr);

/* ---- int ---- */

static void repr_long(struct render *r, uint64_t addr)
{
	uint32_t d[PY_REPR_MAX_DIGITS];
	char dec[PY_REPR_MAX_DIGITS * 10 + 16];
	uint32_t chunks[PY_REPR_MAX_DIGITS * 30 / 29 + 2];	/* base 10^9 */
	uint64_t tag, nd;
	size_t n, nchunks = 0, i, pos = 0;
	int neg, err;

	if ((err = rd_u64(r, addr + r->val->long_size, &tag)))
		return bad(r, addr, err);
	if (r->val->long_tagged) {
		/* 3.12+: lv_tag = ndigits << 3 | sign (0 +, 1 zero, 2 -) */
		unsigned sign = tag & 3;

		nd = tag >> 3;
		if (sign == 3 || (sign == 1 && nd > 1) || (sign != 1 && nd == 0))
			return bad(r, addr, -EINVAL);
		if (sign == 1)
			return puts_(r, "0");
		neg = sign == 2;
	} else {
		/* <=3.11: ob_size is the digit count, negative for negatives */
		int64_t size = (int64_t)tag;

		neg = size < 0;
		nd = neg ? -(uint64_t)size : (uint64_t)size;
		if (nd == 0)
			return puts_(r, "0");
	}
	if (nd > SANE_LEN)
		return bad(r, addr, -EINVAL);
	if (nd > PY_REPR_MAX_DIGITS) {
		/* log10(2^30) = 9.03: say how big, not what */
		return putf(r, "<int of ~%" PRIu64 " digits at 0x%" PRIx64 ">",
			    nd * 903 / 100, addr);
	}
	n = (size_t)nd;
	if ((err = rd(r, addr + r->val->long_digit, d, n * sizeof(d[0]))))
		return bad(r, addr, err);
	for (i = 0; i < n; i++)
		if (d[i] >> PY_LONG_SHIFT)
			return bad(r, addr, -EINVAL);	/* torn: not a 30-bit digit */

	/* Schoolbook division by 10^9, most significant digit first. */
	while (n > 0 && d[n - 1] == 0)
		n--;
	while (n > 0) {
		uint64_t rem = 0;

		for (i = n; i-- > 0;) {
			uint64_t cur = rem << PY_LONG_SHIFT | d[i];

			d[i] = (uint32_t)(cur / 1000000000u);
			rem = cur % 1000000000u;
		}
		chunks[nchunks++] = (uint32_t)rem;
		while (n > 0 && d[n - 1] == 0)
			n--;
	}
	if (nchunks == 0)	/* all digits zero: not normalised, but 0 */
		chunks[nchunks++] = 0;
	if (neg)
		dec[pos++] = '-';
	pos += (size_t)snprintf(dec + pos, sizeof(dec) - pos, "%u", chunks[nchunks - 1]);
	for (i = nchunks - 1; i-- > 0;)
		pos += (size_t)snprintf(dec + pos, sizeof(dec) - pos, "%09u", chunks[i]);
	put(r, dec, pos);
}

/* ---- float ---- */

int py_float_repr(double x, char *buf, size_t cap)
{
	char tmp[40], digits[24];
	int prec, exp, nd = 0, decpt, neg, pos = 0, i;
	const char *p;

	if (cap < 32)
		return -EINVAL;
	if (isnan(x))
		return snprintf(buf, cap, "nan");
	if (isinf(x))
		return snprintf(buf, cap, x < 0 ? "-inf" : "inf");
	if (x == 0)
		return snprintf(buf, cap, signbit(x) ? "-0.0" : "0.0");
	/* The fewest significant digits that read back as x (Python's repr
	 * is that shortest string, from David Gay's dtoa). */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	neg = tmp[0] == '-';
	for (p = tmp + neg; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && nd < (int)sizeof(digits) - 1)
			digits[nd++] = *p;
	exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	decpt = exp + 1;
	if (neg)
		buf[pos++] = '-';
	if (decpt > -4 && decpt <= 16) {
		/* Python's 'r' format: positional between 1e-4 and 1e16 */
		if (decpt <= 0) {
			pos += snprintf(buf + pos, cap - pos, "0.");
			for (i = 0; i < -decpt; i++)
				buf[pos++] = '0';
			pos += snprintf(buf + pos, cap - pos, "%s", digits);
		} else if (decpt >= nd) {
			pos += snprintf(buf + pos, cap - pos, "%s", digits);
			for (i = nd; i < decpt; i++)
				buf[pos++] = '0';
			pos += snprintf(buf + pos, cap - pos, ".0");
		} else {
			pos += snprintf(buf + pos, cap - pos, "%.*s.%s", decpt,
					digits, digits + decpt);
		}
	} else {
		buf[pos++] = digits[0];
		if (nd > 1)
			pos += snprintf(buf + pos, cap - pos, ".%s", digits + 1);
		pos += snprintf(buf + pos, cap - pos, "e%c%02d", exp < 0 ? '-' : '+',
				exp < 0 ? -exp : exp);
	}
	buf[pos] = '\0';
	return pos;
}

static void repr_float(struct render *r, uint64_t addr)
{
	char s[40];
	double x;
	int err;

	if ((err = rd(r, addr + r->val->float_fval, &x, sizeof(x))))
		return bad(r, addr, err);
	put(r, s, (size_t)py_float_repr(x, s, sizeof(s)));
}

/* ---- str and bytes ---- */

/* Py_UNICODE_ISPRINTABLE without the Unicode database: what it calls
 * non-printable (categories Cc, Cf, Cs, Co, Zl, Zp, Zs but space) for the
 * code points that matter in practice. Unassigned code points (Cn) are
 * printed as they are: that would need the database. */
static int uni_printable(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad)
		return 0;
	if (c < 0x300)
		return 1;
	if ((c >= 0x600 && c <= 0x605) || c == 0x61c || c == 0x6dd || c == 0x70f ||
	    c == 0x890 || c == 0x891 || c == 0x8e2 || c == 0x1680 || c == 0x180e ||
	    (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x2064) || (c >= 0x2066 && c <= 0x206f) ||
	    c == 0x3000 || (c >= 0xd800 && c <= 0xf8ff) || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb) || c == 0xfffe || c == 0xffff ||
	    c == 0x110bd || c == 0x110cd || (c >= 0x13430 && c <= 0x1343f) ||
	    (c >= 0x1bca0 && c <= 0x1bca3) || (c >= 0x1d173 && c <= 0x1d17a) ||
	    c == 0xe0001 || (c >= 0xe0020 && c <= 0xe007f) || c >= 0xf0000)
		return 0;
	return (c & 0xfffe) != 0xfffe;	/* the noncharacters U+xFFFE, U+xFFFF */
}

static void put_escaped(struct render *r, uint32_t c, uint32_t quote, int bytes)
{
	char s[12];

	if (c == quote || c == '\\') {
		s[0] = '\\';
		s[1] = (char)c;
		return put(r, s, 2);
	}
	if (c == '\t')
		return put(r, "\\t", 2);
	if (c == '\n')
		return put(r, "\\n", 2);
	if (c == '\r')
		return put(r, "\\r", 2);
	if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80))
		return putf(r, "\\x%02x", c);
	if (c < 0x80 || uni_printable(c)) {
		s[0] = (char)c;
		return put(r, s, c < 0x80 ? 1 : py_utf8_put(c, s));
	}
	if (c <= 0xff)
		return putf(r, "\\x%02x", c);
	if (c <= 0xffff)
		return putf(r, "\\u%04x", c);
	putf(r, "\\U%08x", c);
}

/* Python's choice: single quotes, unless the text has ' and no ". */
static uint32_t pick_quote(const uint32_t *c, size_t n)
{
	int sq = 0, dq = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		sq |= c[i] == '\'';
		dq |= c[i] == '"';
	}
	return sq && !dq ? '"' : '\'';
}

static void repr_str(struct render *r, uint64_t addr)
{
	uint32_t cps[PY_REPR_MAX_CHARS], quote;
	size_t len, i;
	int n;

	/* py_read_str_cps reads the type, its name, the header and the data */
	if (r->reads + 4 > PY_REPR_MAX_READS)
		return bad(r, addr, -EAGAIN);
	r->reads += 4;
	n = py_read_str_cps(r->c->mem, r->u, addr, cps, PY_REPR_MAX_CHARS, &len);
	if (n < 0)
		return bad(r, addr, n);
	quote = pick_quote(cps, (size_t)n);
	put(r, (char[]){ (char)quote }, 1);
	for (i = 0; i < (size_t)n; i++)
		put_escaped(r, cps[i], quote, 0);
	put(r, (char[]){ (char)quote }, 1);
	if (len > (size_t)n)
		puts_(r, "...");
}

static void repr_bytes(struct render *r, uint64_t addr)
{
	uint8_t data[PY_REPR_MAX_CHARS];
	uint32_t cps[PY_REPR_MAX_CHARS], quote;
	int64_t size;
	size_t n, i;
	int err;

	if ((err = rd(r, addr + r->u->ob_size, &size, sizeof(size))))
		return bad(r, addr, err);
	if (size < 0 || size > SANE_LEN)
		return bad(r, addr, -EINVAL);
	n = size < PY_REPR_MAX_CHARS ? (size_t)size : PY_REPR_MAX_CHARS;
	/* CPython keeps a NUL after the data: a size that does not end
	 * there is torn or forged. */
	if ((err = rd(r, addr + r->u->bytes_sval + (uint64_t)size, &data[0], 1)))
		return bad(r, addr, err);
	if (data[0])
		return bad(r, addr, -EINVAL);
	if ((err = rd(r, addr + r->u->bytes_sval, data, n)))
		return bad(r, addr, err);
	for (i = 0; i < n; i++)
		cps[i] = data[i];
	quote = pick_quote(cps, n);
	put(r, "b", 1);
	put(r, (char[]){ (char)quote }, 1);
	for (i = 0; i < n; i++)
		put_escaped(r, cps[i], quote, 1);
	put(r, (char[]){ (char)quote }, 1);
	if ((size_t)size > n)
		puts_(r, "...");
}

/* ---- tuple, list ---- */

/* n item pointers at items, comma-separated, the first PY_REPR_MAX_ITEMS. */
static void repr_items(struct render *r, uint64_t items, int64_t n)
{
	uint64_t chunk[ITEM_CHUNK];
	int64_t i, shown = n < PY_REPR_MAX_ITEMS ? n : PY_REPR_MAX_ITEMS;
	int err;

	for (i = 0; i < shown && !r->o.full; i++) {
		if (i % ITEM_CHUNK == 0) {
			size_t k = (size_t)(shown - i < ITEM_CHUNK ? shown - i : ITEM_CHUNK);

			if ((err = rd(r, items + (uint64_t)i * 8, chunk, k * 8)))
				return bad(r, items + (uint64_t)i * 8, err);
		}
		if (i)
			put(r, ", ", 2);
		repr_obj(r, chunk[i % ITEM_CHUNK]);
	}
	if (n > shown)
		put(r, ", ...", 5);
}

static void repr_seq(struct render *r, uint64_t addr, int is_tuple)
{
	uint64_t items;
	int64_t n;
	int err;

	if ((err = rd(r, addr + r->u->ob_size, &n, sizeof(n))))
		return bad(r, addr, err);
	if (n < 0 || n > SANE_LEN)
		return bad(r, addr, -EINVAL);
	if (is_tuple) {
		items = addr + r->val->tuple_item;
	} else if ((err = rd_u64(r, addr + r->val->list_item, &items))) {
		return bad(r, addr, err);
	} else if (!items && n) {
		return bad(r, addr, -EINVAL);
	}
	put(r, is_tuple ? "(" : "[", 1);
	repr_items(r, items, n);
	if (is_tuple && n == 1)
		put(r, ",", 1);
	put(r, is_tuple ? ")" : "]", 1);
}

/* ---- dict ---- */

static void repr_pair(struct render *r, int *shown, uint64_t key, uint64_t value)
{
	if (*shown)
		put(r, ", ", 2);
	repr_obj(r, key);
	put(r, ": ", 2);
	repr_obj(r, value);
	(*shown)++;
}

/* Where a keys object's entries start and how big each is, from its header. */
static int dict_entries(struct render *r, uint64_t keys, uint64_t *entries,
			size_t *esize, int64_t *nentries)
{
	const struct py_value_offsets *v = r->val;
	uint8_t hdr[64];
	int64_t ne;
	int err;

	if (v->dk_indices > sizeof(hdr) || v->dk_nentries + 8u > sizeof(hdr))
		return -EINVAL;
	if ((err = rd(r, keys, hdr, v->dk_indices)))
		return err;
	memcpy(&ne, hdr + v->dk_nentries, 8);
	if (v->dict_layout == DICT_LAYOUT_38) {
		int64_t size;
		unsigned width;

		memcpy(&size, hdr + v->dk_size, 8);
		/* a power of two, at least PyDict_MINSIZE (8) */
		if (size < 8 || size > SANE_LEN || (size & (size - 1)))
			return -EINVAL;
		width = size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffff ? 4 : 8;
		*entries = keys + v->dk_indices + (uint64_t)size * width;
		*esize = PY_DICT_ENTRY_SIZE;
		if (ne < 0 || ne > size)
			return -EINVAL;
	} else {
		unsigned log2 = hdr[v->dk_size], log2_index = hdr[v->dk_log2_index_bytes];
		unsigned kind = hdr[v->dk_kind];
		/* the index width follows from the size, as in CPython */
		unsigned want = log2 + (log2 < 8 ? 0 : log2 < 16 ? 1 : log2 < 32 ? 2 : 3);

		if (log2 < 3 || log2 > 32 || log2_index != want || kind > 2)
			return -EINVAL;
		*entries = keys + v->dk_indices + (1ULL << log2_index);
		*esize = kind == PY_DICT_KEYS_GENERAL ? PY_DICT_ENTRY_SIZE : PY_DICT_UENTRY_SIZE;
		if (ne < 0 || ne > (1LL << log2))
			return -EINVAL;
	}
	*nentries = ne;
	return 0;
}

/* Key and value pointers of entry i. */
static int read_entry(struct render *r, uint64_t entries, size_t esize,
		      int64_t i, uint64_t kv[2])
{
	/* {hash, key, value} or {key, value}: the key is 8 bytes before the
	 * end of the hash-less part */
	uint64_t at = entries + (uint64_t)i * esize + (esize == PY_DICT_ENTRY_SIZE ? 8 : 0);

	return rd(r, at, kv, 16);
}

/* A combined table: the entries in order, skipping deleted ones. */
static void dict_combined(struct render *r, uint64_t entries, size_t esize,
			  int64_t nentries, int64_t used)
{
	uint8_t chunk[ITEM_CHUNK * PY_DICT_ENTRY_SIZE];
	int64_t i, scan = nentries < PY_REPR_MAX_SCAN ? nentries : PY_REPR_MAX_SCAN;
	int shown = 0, err;

	for (i = 0; i < scan && shown < PY_REPR_MAX_ITEMS && !r->o.full; i++) {
		uint64_t key, value;
		size_t at = (size_t)(i % ITEM_CHUNK) * esize;

		if (i % ITEM_CHUNK == 0) {
			size_t k = (size_t)(scan - i < ITEM_CHUNK ? scan - i : ITEM_CHUNK);

			if ((err = rd(r, entries + (uint64_t)i * esize, chunk, k * esize)))
				return bad(r, entries + (uint64_t)i * esize, err);
		}
		if (esize == PY_DICT_ENTRY_SIZE)
			at += 8;	/* past me_hash */
		memcpy(&key, chunk + at, 8);
		memcpy(&value, chunk + at + 8, 8);
		if (!value)
			continue;	/* deleted (or a split table's key) */
		repr_pair(r, &shown, key, value);
	}
	if (shown < used && !r->o.full)
		put(r, shown ? ", ..." : "...", shown ? 5 : 3);
}

/* A split table: keys from the shared keys object, values from ma_values,
 * in the dict's own insertion order. */
static void dict_split(struct render *r, uint64_t values, uint64_t entries,
		       size_t esize, int64_t nentries, int64_t used)
{
	const struct py_value_offsets *v = r->val;
	uint8_t order[256];
	uint64_t vals = values + v->dv_values, kv[2], value;
	int64_t i, n = used < PY_REPR_MAX_ITEMS ? used : PY_REPR_MAX_ITEMS;
	int shown = 0, err;

	if (v->split_values == SPLIT_VALUES_DENSE) {
		/* <=3.10: "values of split table is always dense" (dictobject.c) */
		for (i = 0; i < n; i++)
			order[i] = (uint8_t)i;
		if (used > nentries)
			return bad(r, values, -EINVAL);
	} else if (v->split_values == SPLIT_VALUES_PREFIX) {
		/* 3.11/3.12: values[-2] is the count, values[-3 - i] the i-th */
		uint8_t pre[2 + 255];

		if (used > 255)
			return bad(r, values, -EINVAL);
		if ((err = rd(r, values - 2 - (uint64_t)used, pre, 2 + (size_t)used)))
			return bad(r, values, err);
		if (pre[used] != used)		/* values[-2] */
			return bad(r, values, -EINVAL);
		for (i = 0; i < n; i++)
			order[i] = pre[used - 1 - i];	/* values[-3 - i] */
	} else {
		/* 3.13+: {capacity, size, embedded, valid}, values[capacity],
		 * then the order bytes */
		uint8_t hdr[4];

		if ((err = rd(r, values, hdr, sizeof(hdr))))
			return bad(r, values, err);
		if (hdr[1] != used || hdr[1] > hdr[0])
			return bad(r, values, -EINVAL);
		if (n && (err = rd(r, vals + (uint64_t)hdr[0] * 8, order, (size_t)n)))
			return bad(r, values, err);
	}
	for (i = 0; i < n && !r->o.full; i++) {
		if (order[i] >= nentries)
			return bad(r, values, -EINVAL);
		if ((err = read_entry(r, entries, esize, order[i], kv)) ||
		    (err = rd_u64(r, vals + (uint64_t)order[i] * 8, &value)))
			return bad(r, values, err);
		repr_pair(r, &shown, kv[0], value);
	}
	if (used > n)
		put(r, ", ...", 5);
}

static void repr_dict(struct render *r, uint64_t addr)
{
	const struct py_value_offsets *v = r->val;
	uint64_t keys, values, entries;
	int64_t used, nentries;
	size_t esize;
	int err;

	if ((err = rd(r, addr + v->dict_used, &used, sizeof(used))) ||
	    (err = rd_u64(r, addr + v->dict_keys, &keys)) ||
	    (err = rd_u64(r, addr + v->dict_values, &values)))
		return bad(r, addr, err);
	if (used < 0 || used > SANE_LEN || !keys)
		return bad(r, addr, -EINVAL);
	if (used == 0)
		return puts_(r, "{}");
	if ((err = dict_entries(r, keys, &entries, &esize, &nentries)))
		return bad(r, addr, err);
	put(r, "{", 1);
	if (values)
		dict_split(r, values, entries, esize, nentries, used);
	else
		dict_combined(r, entries, esize, nentries, used);
	put(r, "}", 1);
}

/* ---- set, frozenset ---- */

static void repr_set(struct render *r, uint64_t addr, const char *name)
{
	const struct py_value_offsets *v = r->val;
	uint64_t chunk[ITEM_CHUNK * 2], table;
	int64_t used, mask, i, scan;
	int shown = 0, err;

	if ((err = rd(r, addr + v->set_used, &used, sizeof(used))) ||
	    (err = rd(r, addr + v->set_mask, &mask, sizeof(mask))) ||
	    (err = rd_u64(r, addr + v->set_table, &table)))
		return bad(r, addr, err);
	/* mask + 1 is a power of two, at least PySet_MINSIZE (8) */
	if (used < 0 || mask < 7 || mask > SANE_LEN || (mask & (mask + 1)) ||
	    used > mask + 1 || !table)
		return bad(r, addr, -EINVAL);
	if (used == 0)
		return putf(r, "%s()", name);
	if (name[0] == 'f')
		puts_(r, "frozenset(");
	put(r, "{", 1);
	scan = mask + 1 < PY_REPR_MAX_SCAN ? mask + 1 : PY_REPR_MAX_SCAN;
	for (i = 0; i < scan && shown < PY_REPR_MAX_ITEMS && !r->o.full; i++) {
		uint64_t key, hash;

		if (i % ITEM_CHUNK == 0) {
			size_t k = (size_t)(scan - i < ITEM_CHUNK ? scan - i : ITEM_CHUNK);

			if ((err = rd(r, table + (uint64_t)i * PY_SETENTRY_SIZE, chunk,
				      k * PY_SETENTRY_SIZE)))
				return bad(r, table, err);
		}
		key = chunk[(i % ITEM_CHUNK) * 2];
		hash = chunk[(i % ITEM_CHUNK) * 2 + 1];
		/* empty, or the dummy left by a deletion (its hash is -1,
		 * which no real key has) */
		if (!key || hash == UINT64_MAX)
			continue;
		if (shown++)
			put(r, ", ", 2);
		repr_obj(r, key);
	}
	if (shown < used && !r->o.full)
		put(r, shown ? ", ..." : "...", shown ? 5 : 3);
	put(r, "}", 1);
	if (name[0] == 'f')
		put(r, ")", 1);
}

/* ---- anything else ---- */

/* Reads a NUL-terminated name of at most cap - 1 bytes at addr without
 * reading past the page it ends in. */
static int read_cstr(struct render *r, uint64_t addr, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap - 1) {
		size_t n = 4096 - ((addr + got) & 4095);
		int err;

		if (n > cap - 1 - got)
			n = cap - 1 - got;
		if ((err = rd(r, addr + got, buf + got, n)))
			return err;
		if (memchr(buf + got, 0, n))
			return 0;
		got += n;
	}
	buf[cap - 1] = '\0';
	return 1;	/* cut */
}

/* The length of the valid, shortest-form UTF-8 character at p (not a
 * surrogate, at most U+10FFFF), or 0. */
static unsigned utf8_char_len(const unsigned char *p)
{
	unsigned n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 0, k;
	uint32_t cp;

	if (!n || *p > 0xf4)
		return 0;
	cp = *p & (0x7f >> n);
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if (cp < (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* tp_name as shown: printable ASCII but <>, and valid UTF-8; else '?'. */
static void put_type_name(struct render *r, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned n = *p >= 0x80 ? utf8_char_len(p) : 1;

		if (n > 1 || (*p > 0x20 && *p < 0x7f && *p != '<' && *p != '>')) {
			put(r, (const char *)p, n);
			p += n;
		} else {
			put(r, "?", 1);
			p++;
		}
	}
}

static void repr_other(struct render *r, uint64_t addr, uint64_t type)
{
	char name[TYPE_NAME_MAX + 1];
	uint64_t tp_name;
	int err;

	if ((err = rd_u64(r, type + r->u->type_tp_name, &tp_name)))
		return bad(r, addr, err);
	if (!tp_name || (err = read_cstr(r, tp_name, name, sizeof(name))) < 0)
		return bad(r, addr, err ? err : -EINVAL);
	put(r, "<", 1);
	put_type_name(r, name);
	if (err == 1)
		puts_(r, "...");
	putf(r, " object at 0x%" PRIx64 ">", addr);
}

/* ---- dispatch ---- */

enum container { C_TUPLE, C_LIST, C_DICT, C_SET, C_FROZENSET };

static void repr_container(struct render *r, uint64_t addr, enum container kind)
{
	static const char *const cycle[] = { "(...)", "[...]", "{...}", "set(...)", "frozenset(...)" };
	int i;

	/* A container inside itself: Python's Py_ReprEnter shows "[...]". */
	for (i = 0; i < r->depth; i++)
		if (r->stack[i] == addr)
			return puts_(r, cycle[kind]);
	if (r->depth >= PY_REPR_MAX_DEPTH)
		return puts_(r, "...");
	r->stack[r->depth++] = addr;
	switch (kind) {
	case C_TUPLE: repr_seq(r, addr, 1); break;
	case C_LIST: repr_seq(r, addr, 0); break;
	case C_DICT: repr_dict(r, addr); break;
	case C_SET: repr_set(r, addr, "set"); break;
	case C_FROZENSET: repr_set(r, addr, "frozenset"); break;
	}
	r->depth--;
}

static void repr_obj(struct render *r, uint64_t addr)
{
	const struct py_builtins *b = r->c->b;
	uint64_t type;
	int err;

	if (r->o.full)
		return;
	if (!addr)
		return puts_(r, "<NULL>");
	if (addr == b->none)
		return puts_(r, "None");
	if (addr == b->true_obj)
		return puts_(r, "True");
	if (addr == b->false_obj)
		return puts_(r, "False");
	if ((err = rd_u64(r, addr + r->u->ob_type, &type)))
		return bad(r, addr, err);
	if (!type)
		return bad(r, addr, -EINVAL);
	if (type == b->long_type)
		repr_long(r, addr);
	else if (type == b->bool_type)	/* only True and False are bools */
		bad(r, addr, -EINVAL);
	else if (type == b->float_type)
		repr_float(r, addr);
	else if (type == b->str_type)
		repr_str(r, addr);
	else if (type == b->bytes_type)
		repr_bytes(r, addr);
	else if (type == b->tuple_type)
		repr_container(r, addr, C_TUPLE);
	else if (type == b->list_type)
		repr_container(r, addr, C_LIST);
	else if (type == b->dict_type)
		repr_container(r, addr, C_DICT);
	else if (type == b->set_type)
		repr_container(r, addr, C_SET);
	else if (type == b->frozenset_type)
		repr_container(r, addr, C_FROZENSET);
	else
		repr_other(r, addr, type);
}

int py_repr(const struct py_repr_ctx *c, uint64_t addr, char *buf, size_t cap)
{
	struct render r = {
		.c = c, .u = &c->v->user, .val = &c->v->val,
		.o = { .buf = buf, .room = cap - 4 },
	};

	if (!buf || cap < 8)
		return -EINVAL;
	repr_obj(&r, addr);
	if (r.o.full) {
		memcpy(buf + r.o.len, "...", 3);
		r.o.len += 3;
	}
	buf[r.o.len] = '\0';
	return (int)r.o.len;
}
