/* Turning evidence into a CPython major.minor version. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "python/detect.h"

static int plausible(int major, int minor)
{
	return (major == 2 || major == 3) && minor >= 0 && minor < 100;
}

int py_version_from_hex(uint64_t hex, int *major, int *minor)
{
	int ma = (hex >> 24) & 0xff, mi = (hex >> 16) & 0xff;

	if (hex >> 32 || !plausible(ma, mi))
		return -EINVAL;
	*major = ma;
	*minor = mi;
	return 0;
}

/* "X.Y" at s, followed by a character in `end`; returns the chars used. */
static int parse_xy(const char *s, const char *end, int *major, int *minor)
{
	char *p;
	long ma, mi;

	if (!isdigit((unsigned char)s[0]))
		return 0;
	ma = strtol(s, &p, 10);
	if (*p != '.' || !isdigit((unsigned char)p[1]))
		return 0;
	mi = strtol(p + 1, &p, 10);
	if (!strchr(end, *p) || !plausible(ma, mi))
		return 0;
	*major = ma;
	*minor = mi;
	return p - s;
}

int py_version_from_name(const char *path, int *major, int *minor)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	/* The end set: python3.11, python3.11d, python3.13t, libpython3.8.so */
	if (!strncmp(base, "libpython", 9) && parse_xy(base + 9, ".dmtu", major, minor))
		return 0;
	if (!strncmp(base, "python", 6) && parse_xy(base + 6, "dmtu", major, minor))
		return 0;
	return -ENOENT;
}

int py_version_from_rodata(const void *buf, size_t len, int *major, int *minor)
{
	const char *p = buf, *end = p + len;

	/* Each candidate is a whole NUL-delimited string "3.X.Y" with an
	 * optional release tag (3.14.0rc1, 3.15.0a2+). */
	while (p < end) {
		const char *z = memchr(p, '\0', end - p);
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);

		if (n >= 5 && n < 16 && p[0] == '3' && p[1] == '.') {
			char s[16];
			int ma, mi, used;

			memcpy(s, p, n);
			s[n] = '\0';
			/* parse_xy takes the NUL as an end too: "3.011" is
			 * not a candidate, and must not be read past. */
			used = parse_xy(s, ".", &ma, &mi);
			if (used && s[used] == '.' && isdigit((unsigned char)s[used + 1])) {
				const char *q = s + used + 1;

				while (isdigit((unsigned char)*q))
					q++;
				if (*q == '\0' || *q == 'a' || *q == 'b' || *q == 'r' || *q == '+') {
					*major = ma;
					*minor = mi;
					return 0;
				}
			}
		}
		p = z ? z + 1 : end;
	}
	return -ENOENT;
}

/* The length of a whole PY_VERSION at s[0..n) that starts with want ("3.10.", w bytes): the micro
 * (1 to 3 digits), then an optional aN, bN or rcN, then an optional '+'.
 * 0 when s is not one. */
static size_t version_literal(const char *s, size_t n, const char *want, size_t w)
{
	size_t i, d;

	if (n <= w || n >= PY_VERSION_STR_MAX || memcmp(s, want, w))
		return 0;
	for (i = w, d = 0; i < n && isdigit((unsigned char)s[i]); i++)
		d++;
	if (d < 1 || d > 3 || (d > 1 && s[w] == '0'))
		return 0;
	if (i < n && (s[i] == 'a' || s[i] == 'b' || s[i] == 'r')) {
		if (s[i] == 'r' && (i + 1 >= n || s[++i] != 'c'))
			return 0;
		for (i++, d = 0; i < n && isdigit((unsigned char)s[i]); i++)
			d++;
		if (d < 1 || d > 2)
			return 0;
	}
	if (i < n && s[i] == '+')
		i++;
	return i == n ? n : 0;
}

int py_version_full_from_rodata(const void *buf, size_t len, int major, int minor,
				char *out, size_t outlen)
{
	/* "3.10.", formatted once: the scan tries it at every string's
	 * tail positions of a whole .rodata. */
	char want[16];
	size_t w = (size_t)snprintf(want, sizeof(want), "%d.%d.", major, minor);

	/* Two passes: whole strings, then tails of longer ones. */
	for (int tails = 0; tails < 2; tails++) {
		const char *p = buf, *end = p + len;
		char found[PY_VERSION_STR_MAX] = "";

		while (p < end) {
			const char *z = memchr(p, '\0', end - p);
			size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
			/* A tail: at most PY_VERSION_STR_MAX - 1 characters
			 * back, after a character no version holds. */
			size_t from = 0, to = tails ? n : 1;

			if (tails && n > PY_VERSION_STR_MAX - 1)
				from = n - (PY_VERSION_STR_MAX - 1);
			for (size_t at = from; at < to && at < n; at++) {
				const char *c = p + at;
				size_t m = n - at;

				if (tails && (at == 0 || isalnum((unsigned char)c[-1]) ||
					      c[-1] == '.' || c[-1] == '+'))
					continue;
				if (!version_literal(c, m, want, w))
					continue;
				if (found[0] && (strlen(found) != m || memcmp(found, c, m)))
					return -ENOENT;	/* two versions: trust neither */
				memcpy(found, c, m);
				found[m] = '\0';
				break;
			}
			p = z ? z + 1 : end;
		}
		if (found[0]) {
			if (strlen(found) >= outlen)
				return -ENOSPC;
			memcpy(out, found, strlen(found) + 1);
			return 0;
		}
	}
	return -ENOENT;
}
