/* Decoding CPython's instruction -> line tables.
 *
 * The tables come from another process's memory, so they are treated as
 * hostile: every byte read is checked against len, varints are capped,
 * and line arithmetic is done in 64 bits and range-checked, so a corrupt
 * table yields -1 (or a wrong line), never a crash or undefined behaviour.
 * Nothing here allocates.
 */
#include <limits.h>
#include "python/line_table.h"

/* Lines beyond this are treated as garbage. Keeps the running line sum
 * (at most len steps of < 2^31 each) far away from int64 overflow. */
#define LINE_LIMIT ((int64_t)1 << 40)

/* The line accumulated so far, as a result: negative lines do not exist
 * (line 0 does: 3.11+ modules start with RESUME on line 0). */
static int line_result(int64_t line)
{
	return (line < 0 || line > INT_MAX) ? -1 : (int)line;
}

/* 3.8/3.9 co_lnotab: (unsigned byte delta, signed line delta) pairs.
 * Large jumps are split into several pairs, e.g. (255, 0) (45, 3) or
 * (6, 127) (0, 73), so a line delta applies to the address reached after
 * its own byte delta. This is PyCode_Addr2Line / dis.findlinestarts: the
 * line of an offset is the line in force at the last address <= offset.
 * The table does not know the length of co_code, so an offset past the
 * bytecode gets the last line rather than -1. */
static int line_lnotab(const uint8_t *tab, size_t len, int64_t line,
		       int64_t offset)
{
	int64_t addr = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {	/* odd trailing byte ignored */
		addr += tab[i];
		if (addr > offset)
			break;
		line += (int8_t)tab[i + 1];
		if (line < -LINE_LIMIT || line > LINE_LIMIT)
			return -1;
	}
	return line_result(line);
}

/* 3.10 co_linetable (PEP 626): (unsigned byte delta, signed line delta)
 * pairs, each covering [end, end + delta) with the line updated by its own
 * line delta; -128 means "no line" and leaves the running line alone.
 * Zero-width pairs only carry line deltas (for jumps > 127 lines). */
static int line_310(const uint8_t *tab, size_t len, int64_t line,
		    int64_t offset)
{
	int64_t end = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		int64_t start = end;
		int8_t ldelta = (int8_t)tab[i + 1];

		end += tab[i];
		if (ldelta != -128)
			line += ldelta;
		if (line < -LINE_LIMIT || line > LINE_LIMIT)
			return -1;
		if (offset >= start && offset < end)
			return ldelta == -128 ? -1 : line_result(line);
	}
	return -1;	/* past the end of the table */
}

/* A 3.11+ location entry's codes (bits 3-6 of its first byte). */
enum {
	LOC_ONE_LINE0 = 10,	/* 10..12: line delta = code - 10 */
	LOC_NO_COLUMNS = 13,	/* svarint line delta */
	LOC_LONG = 14,		/* svarint line delta, then end/column varints */
	LOC_NONE = 15,		/* no location: no line, running line kept */
};

/* Read an unsigned varint (6-bit chunks, least significant first, bit 6 =
 * more follows) from tab[*pos..len). The bytes of one entry all have bit 7
 * clear, so a byte with bit 7 set is the next entry: hitting it, or the end
 * of the table, mid-varint means the table is truncated. Values that need
 * more than 31 bits are rejected rather than shifted out of range.
 * Returns 0 and sets *out, or -1. */
static int read_varint(const uint8_t *tab, size_t len, size_t *pos,
		       uint32_t *out)
{
	uint32_t val = 0;
	unsigned shift = 0;

	for (;;) {
		uint8_t b;

		if (*pos >= len || (tab[*pos] & 0x80))
			return -1;
		b = tab[(*pos)++];
		if (shift > 30 || ((uint64_t)(b & 63) << shift) > INT32_MAX)
			return -1;
		val |= (uint32_t)(b & 63) << shift;
		if (!(b & 64))
			break;
		shift += 6;
	}
	*out = val;
	return 0;
}

/* 3.11+ co_linetable: one entry per run of code units, first byte
 * 1CCCCLLL covering LLL+1 code units (instructions and their inline
 * CACHE units alike), followed by code-specific bytes with bit 7 clear.
 * Only the start line matters here; columns and end lines are skipped by
 * jumping to the next byte with bit 7 set, as CPython does. Format is
 * unchanged through 3.14. */
static int line_locations(const uint8_t *tab, size_t len, int64_t line,
			  int64_t offset)
{
	int64_t end = 0;
	size_t pos = 0;

	while (pos < len) {
		uint8_t first = tab[pos++];
		int code = (first >> 3) & 15;
		int64_t start = end;

		/* A continuation byte where an entry should start: corrupt
		 * (CPython never produces this; resyncing would only guess). */
		if (!(first & 0x80))
			return -1;
		end += ((first & 7) + 1) * 2;

		if (code == LOC_NO_COLUMNS || code == LOC_LONG) {
			uint32_t u;

			if (read_varint(tab, len, &pos, &u) < 0)
				return -1;
			/* svarint: low bit is the sign, the rest the magnitude */
			line += (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
		} else if (code >= LOC_ONE_LINE0 && code < LOC_NO_COLUMNS) {
			line += code - LOC_ONE_LINE0;
		}
		/* short forms 0-9 and NONE: line delta 0 */
		if (line < -LINE_LIMIT || line > LINE_LIMIT)
			return -1;

		if (offset >= start && offset < end)
			return code == LOC_NONE ? -1 : line_result(line);

		while (pos < len && !(tab[pos] & 0x80))
			pos++;
	}
	return -1;	/* past the end of the table */
}

int py_line_for(enum py_linetable_kind kind, const uint8_t *tab, size_t len,
		int firstlineno, int offset)
{
	if (offset < 0 || (!tab && len))
		return -1;
	switch (kind) {
	case LINETABLE_LNOTAB:
		return line_lnotab(tab, len, firstlineno, offset);
	case LINETABLE_310:
		return line_310(tab, len, firstlineno, offset);
	case LINETABLE_LOCATIONS:
		return line_locations(tab, len, firstlineno, offset);
	}
	return -1;
}
