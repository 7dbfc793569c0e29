/* Text a target controls, escaped for printing (text_escape.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc/text_escape.h"

/* The length of the valid, shortest-form UTF-8 character at p (not a
 * surrogate, at most U+10FFFF) and its code point, or 0. */
static size_t utf8_char(const unsigned char *p, uint32_t *cp)
{
	size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;

	if (!n || *p > 0xf4)
		return 0;
	*cp = *p & (0x7f >> n);
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		*cp = *cp << 6 | (p[k] & 0x3f);
	}
	if (*cp < (n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return n;
}

/* A code point above ASCII that terminals act on, or that moves text. */
static int escaped_cp(uint32_t cp)
{
	return cp <= 0x9f ||				/* C1 */
	       cp == 0x2028 || cp == 0x2029 ||		/* line, paragraph separator */
	       (cp >= 0x202a && cp <= 0x202e) ||	/* bidi embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069);		/* bidi isolates */
}

/* The unit at p (a character, or its escape in esc): its bytes in *unit,
 * their number in *len; returns the bytes of p it stands for. */
static size_t unit_at(const unsigned char *p, char esc[12], const char **unit, size_t *len)
{
	uint32_t cp;
	size_t n;

	*unit = esc;
	if (*p == '\t' || *p == '\n' || *p == '\r') {
		*len = (size_t)snprintf(esc, 12, "\\%c", *p == '\t' ? 't' : *p == '\n' ? 'n' : 'r');
	} else if (*p < 0x20 || *p == 0x7f) {
		*len = (size_t)snprintf(esc, 12, "\\x%02x", *p);
	} else if (*p < 0x80) {
		*unit = (const char *)p;
		*len = 1;
	} else if (!(n = utf8_char(p, &cp))) {
		*len = (size_t)snprintf(esc, 12, "\\x%02x", *p);
	} else if (escaped_cp(cp)) {
		*len = (size_t)snprintf(esc, 12, "\\u%04x", cp);
		return n;
	} else {
		*unit = (const char *)p;
		*len = n;
		return n;
	}
	return 1;
}

char *text_escape(char *out, size_t cap, const char *in)
{
	const unsigned char *p;
	const char *unit;
	size_t pos = 0, need = 1, len;
	char esc[12];

	for (p = (const unsigned char *)in; *p; need += len)
		p += unit_at(p, esc, &unit, &len);
	/* When it does not all fit, room is kept for "..." at the end. */
	for (p = (const unsigned char *)in; *p; pos += len) {
		size_t n = unit_at(p, esc, &unit, &len);

		if (need > cap && pos + len + 4 > cap) {
			if (pos + 4 <= cap) {
				memcpy(out + pos, "...", 3);
				pos += 3;
			}
			break;
		}
		memcpy(out + pos, unit, len);
		p += n;
	}
	out[pos] = '\0';
	return out;
}

char *text_utf8(char *out, size_t cap, const char *in)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t pos = 0;

	while (*p) {
		uint32_t cp;
		size_t n = *p < 0x80 ? 1 : utf8_char(p, &cp);
		const char *unit = n ? (const char *)p : "\xef\xbf\xbd";	/* U+FFFD */
		size_t len = n ? n : 3;

		if (pos + len + 1 > cap)
			break;
		memcpy(out + pos, unit, len);
		pos += len;
		p += n ? n : 1;
	}
	out[pos] = '\0';
	return out;
}

char *text_utf8_dup(const char *in)
{
	size_t cap = 3 * strlen(in) + 1;
	char *out = malloc(cap);

	return out ? text_utf8(out, cap, in) : NULL;
}
