/* Unit test for user/python/line_table.c.
 *
 * Usage: test_line_table [CORPUS...]
 * Always runs the hand-written cases (edge cases and a random-input sweep
 * meant to be run under ASan/UBSan); then checks py_line_for against every
 * expected line in each corpus written by gen_linetable_corpus.py.
 * Exit status 1 on any failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "python/line_table.h"
#include "check.h"

#define MAX_SHOWN 10

static void expect(const char *what, int got, int want)
{
	CHECK(got == want, "%s: got %d, want %d", what, got, want);
}

#define LINE(kind, bytes, first, off) \
	py_line_for(kind, bytes, sizeof(bytes), first, off)

static void hand_written(void)
{
	/* Empty tables: lnotab gives firstlineno (no deltas at all), the
	 * PEP 626 formats cover nothing. */
	expect("empty lnotab", py_line_for(LINETABLE_LNOTAB, NULL, 0, 7, 0), 7);
	expect("empty 3.10", py_line_for(LINETABLE_310, NULL, 0, 7, 0), -1);
	expect("empty 3.11", py_line_for(LINETABLE_LOCATIONS, NULL, 0, 7, 0), -1);
	expect("NULL with len", py_line_for(LINETABLE_LOCATIONS, NULL, 4, 7, 0), -1);

	/* lnotab: a 300-byte line split as (255,0)(45,3); a 200-line jump as
	 * (2,127)(0,73); an odd trailing byte is ignored. */
	static const uint8_t lno[] = { 255, 0, 45, 3, 2, 127, 0, 73, 9 };
	expect("lnotab 0", LINE(LINETABLE_LNOTAB, lno, 10, 0), 10);
	expect("lnotab 298", LINE(LINETABLE_LNOTAB, lno, 10, 298), 10);
	expect("lnotab 300", LINE(LINETABLE_LNOTAB, lno, 10, 300), 13);
	expect("lnotab 302", LINE(LINETABLE_LNOTAB, lno, 10, 302), 213);
	expect("lnotab negative offset", LINE(LINETABLE_LNOTAB, lno, 10, -2), -1);
	static const uint8_t lno_neg[] = { 0, 0x80 };	/* -128 lines */
	expect("lnotab negative line", LINE(LINETABLE_LNOTAB, lno_neg, 5, 0), -1);

	/* 3.10: (4,+1) (0,+127) (2,+1) (2,-128 no line) (2,0) */
	static const uint8_t t310[] = { 4, 1, 0, 127, 2, 1, 2, 0x80, 2, 0 };
	expect("3.10 0", LINE(LINETABLE_310, t310, 1, 0), 2);
	expect("3.10 4", LINE(LINETABLE_310, t310, 1, 4), 130);
	expect("3.10 no line", LINE(LINETABLE_310, t310, 1, 6), -1);
	expect("3.10 after no line", LINE(LINETABLE_310, t310, 1, 8), 130);
	expect("3.10 past end", LINE(LINETABLE_310, t310, 1, 10), -1);
	expect("3.10 far past end", LINE(LINETABLE_310, t310, 1, INT_MAX), -1);

	/* 3.11+: one-line +1 (1 unit, 2 column bytes), short form (2 units),
	 * no-columns -3 (svarint 7), no location (1 unit), long form +200
	 * (svarint 400 = 0x50 0x06, then three varints). */
	static const uint8_t loc[] = {
		0x80 | 11 << 3 | 0, 4, 9,
		0x80 | 0 << 3 | 1, 0x12,
		0x80 | 13 << 3 | 0, 7,
		0x80 | 15 << 3 | 0,
		0x80 | 14 << 3 | 2, 0x50, 0x06, 0, 1, 2,
	};
	expect("loc 0", LINE(LINETABLE_LOCATIONS, loc, 10, 0), 11);
	expect("loc 2 short", LINE(LINETABLE_LOCATIONS, loc, 10, 2), 11);
	expect("loc 4 short", LINE(LINETABLE_LOCATIONS, loc, 10, 4), 11);
	expect("loc 6 no columns", LINE(LINETABLE_LOCATIONS, loc, 10, 6), 8);
	expect("loc 8 none", LINE(LINETABLE_LOCATIONS, loc, 10, 8), -1);
	expect("loc 10 long", LINE(LINETABLE_LOCATIONS, loc, 10, 10), 208);
	expect("loc 14 long", LINE(LINETABLE_LOCATIONS, loc, 10, 14), 208);
	expect("loc past end", LINE(LINETABLE_LOCATIONS, loc, 10, 16), -1);

	/* Truncated varints: at the end of the table, and cut by the next
	 * entry's first byte. */
	static const uint8_t trunc1[] = { 0x80 | 13 << 3, 0x42 };
	static const uint8_t trunc2[] = { 0x80 | 13 << 3 };
	static const uint8_t trunc3[] = { 0x80 | 13 << 3, 0x41, 0x80 };
	expect("truncated varint", LINE(LINETABLE_LOCATIONS, trunc1, 1, 0), -1);
	expect("missing varint", LINE(LINETABLE_LOCATIONS, trunc2, 1, 0), -1);
	expect("varint cut by entry", LINE(LINETABLE_LOCATIONS, trunc3, 1, 0), -1);

	/* Huge varint: 11 continuation chunks would shift by 60+ bits. */
	static const uint8_t huge[] = { 0x80 | 14 << 3, 0x7f, 0x7f, 0x7f, 0x7f,
		0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f, 0, 0, 0 };
	expect("huge varint", LINE(LINETABLE_LOCATIONS, huge, 1, 0), -1);
	/* The largest accepted delta: 2^31-1 -> +(2^30-1), then overflow. */
	static const uint8_t big[] = { 0x80 | 13 << 3, 0x7e, 0x7f, 0x7f, 0x7f,
		0x7f, 0x01 };
	expect("big delta", LINE(LINETABLE_LOCATIONS, big, 1, 0), (1 << 30));
	expect("line > INT_MAX", LINE(LINETABLE_LOCATIONS, big, INT_MAX - 5, 0), -1);
	static const uint8_t neg[] = { 0x80 | 13 << 3, 0x0b };	/* -5 */
	expect("negative line", LINE(LINETABLE_LOCATIONS, neg, 1, 0), -1);
	static const uint8_t cont[] = { 0x12, 0x80 | 10 << 3, 0, 0 };
	expect("starts mid-entry", LINE(LINETABLE_LOCATIONS, cont, 1, 0), -1);

	/* Many maximal deltas in a row must not overflow the running line. */
	static uint8_t many[7 * 4096];
	for (size_t i = 0; i < sizeof(many); i += 7)
		memcpy(many + i, big, 7);
	expect("many big deltas", LINE(LINETABLE_LOCATIONS, many, INT_MAX,
				       (int)(sizeof(many) / 7 - 1) * 2), -1);

	/* Random tables, each in its own exactly-sized heap block so ASan
	 * catches any read past len; results are ignored. */
	uint32_t seed = 12345;
	for (int iter = 0; iter < 200000; iter++) {
		size_t len = iter % 24;
		uint8_t *buf = malloc(len ? len : 1);

		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = (uint8_t)(seed >> 16);
		}
		seed = seed * 1103515245u + 12345u;
		int off = (int)((seed >> 8) % 128) - 8;
		int first = (iter & 1) ? INT_MAX - (int)(seed % 300) : (int)(seed % 1000);
		for (int k = LINETABLE_LNOTAB; k <= LINETABLE_LOCATIONS; k++)
			(void)py_line_for(k, buf, len, first, off);
		free(buf);
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode hex in place; returns the byte count or -1. */
static long unhex(char *s)
{
	size_t n = strlen(s);

	if (strcmp(s, "-") == 0)
		return 0;
	if (n % 2)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		s[i / 2] = (char)(hi << 4 | lo);
	}
	return (long)(n / 2);
}

static void check_corpus(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *tab = NULL, name[256] = "";
	size_t cap = 0;
	long tablen = 0;
	int major = 0, minor = 0, micro = 0, first = 0, have_code = 0, done = 0;
	long ncode = 0, noff = 0, nbad = 0, lineno = 0;
	enum py_linetable_kind kind = LINETABLE_LOCATIONS;

	if (!f) {
		CHECK(0, "%s: %s", path, strerror(errno));
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		int off, want, codelen;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (lineno == 1) {
			if (sscanf(line, "python %d %d %d", &major, &minor, &micro) != 3)
				goto bad;
			kind = minor <= 9 ? LINETABLE_LNOTAB :
			       minor == 10 ? LINETABLE_310 : LINETABLE_LOCATIONS;
			continue;
		}
		if (strncmp(line, "code ", 5) == 0) {
			char *p = line + 5, *hex, *nm;

			if (sscanf(p, "%d %d", &first, &codelen) != 2)
				goto bad;
			/* fields 3 and 4: hex table, then the name (rest of line) */
			hex = strchr(p, ' ');
			hex = hex ? strchr(hex + 1, ' ') : NULL;
			if (!hex)
				goto bad;
			hex++;
			nm = strchr(hex, ' ');
			if (!nm)
				goto bad;
			*nm++ = 0;
			snprintf(name, sizeof(name), "%s", nm);
			free(tab);
			tab = strdup(hex);
			if (!tab || (tablen = unhex(tab)) < 0)
				goto bad;
			/* Exact-size copy so a sanitizer build sees overreads. */
			char *exact = malloc(tablen ? (size_t)tablen : 1);
			if (!exact)
				goto bad;
			memcpy(exact, tab, (size_t)tablen);
			free(tab);
			tab = exact;
			have_code = 1;
			ncode++;
			continue;
		}
		if (strcmp(line, "end") == 0) {
			done = 1;
			break;
		}
		if (!have_code || sscanf(line, "%d %d", &off, &want) != 2)
			goto bad;
		int got = py_line_for(kind, (const uint8_t *)tab, (size_t)tablen,
				      first, off);
		noff++;
		if (got != want) {
			if (nbad < MAX_SHOWN)
				printf("  mismatch %d.%d %s (firstlineno %d, "
				       "table %ld bytes): offset %d: got %d, want %d\n",
				       major, minor, name, first, tablen, off, got,
				       want);
			nbad++;
		}
	}
	if (!done)
		goto bad;
	printf("line_table %d.%d: %ld code objects, %ld offsets, %ld mismatches\n",
	       major, minor, ncode, noff, nbad);
	CHECK(nbad == 0 && ncode > 0, "%s: %ld mismatches in %ld code objects", path, nbad, ncode);
	goto out;
bad:
	CHECK(0, "%s: malformed corpus at line %ld", path, lineno);
out:
	free(line);
	free(tab);
	fclose(f);
}

int main(int argc, char **argv)
{
	hand_written();
	for (int i = 1; i < argc; i++)
		check_corpus(argv[i]);
	CHECK_DONE("line_table");
}
