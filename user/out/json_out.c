/* Buffered JSON output: strings, integers, doubles. */
#include <errno.h>
#include <string.h>
#include "out/json_out.h"

void json_init(struct json_out *j, FILE *out)
{
	j->out = out;
	j->n = 0;
	j->err = 0;
}

static void flush_buf(struct json_out *j)
{
	if (j->n && fwrite(j->buf, 1, j->n, j->out) != j->n)
		j->err = -EIO;
	j->n = 0;
}

static void put(struct json_out *j, const char *s, size_t len)
{
	if (j->n + len > sizeof(j->buf)) {
		flush_buf(j);
		if (len > sizeof(j->buf)) {
			if (fwrite(s, 1, len, j->out) != len)
				j->err = -EIO;
			return;
		}
	}
	memcpy(j->buf + j->n, s, len);
	j->n += len;
}

void json_raw(struct json_out *j, const char *s)
{
	put(j, s, strlen(s));
}

void json_bytes(struct json_out *j, const char *s, size_t len)
{
	put(j, s, len);
}

void json_char(struct json_out *j, char c)
{
	if (j->n == sizeof(j->buf))
		flush_buf(j);
	j->buf[j->n++] = c;
}

/* The length of the well-formed UTF-8 sequence at s (1-4), or 0: no
 * overlong forms, no surrogates, nothing past U+10FFFF. */
static int utf8_len(const unsigned char *s)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

void json_str(struct json_out *j, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	static const char hex[] = "0123456789abcdef";

	json_char(j, '"');
	while (*s) {
		const unsigned char *run = s;
		int k;

		/* Copy plain runs in one go. */
		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		put(j, (const char *)run, s - run);
		if (!*s)
			break;
		if (*s == '"' || *s == '\\') {
			char esc[2] = { '\\', (char)*s };

			put(j, esc, 2);
			s++;
		} else if (*s < 0x20 || *s == 0x7f || (*s == 0xc2 && s[1] >= 0x80 && s[1] < 0xa0)) {
			/* C0 as JSON requires; DEL and C1 too, which it allows raw,
			 * so that the file is as safe to print as any text. */
			unsigned c = *s == 0xc2 ? s[1] : *s;
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			put(j, esc, 6);
			s += *s == 0xc2 ? 2 : 1;
		} else if ((k = utf8_len(s))) {	/* the NUL ends any short sequence */
			put(j, (const char *)s, k);
			s += k;
		} else {
			put(j, "\xef\xbf\xbd", 3);	/* U+FFFD */
			s++;
		}
	}
	json_char(j, '"');
}

void json_u64(struct json_out *j, uint64_t v)
{
	char tmp[20];
	int i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(j, tmp + i, sizeof(tmp) - i);
}

void json_i64(struct json_out *j, int64_t v)
{
	if (v < 0) {
		json_char(j, '-');
		json_u64(j, -(uint64_t)v);
	} else {
		json_u64(j, v);
	}
}

void json_double(struct json_out *j, double v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%.9g", v);

	put(j, tmp, n);
}

int json_finish(struct json_out *j)
{
	flush_buf(j);
	if (fflush(j->out))
		j->err = -EIO;
	return j->err;
}
