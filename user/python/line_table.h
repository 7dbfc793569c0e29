/* Decoding CPython's instruction -> line tables, for every format. */
#ifndef LINE_TABLE_H
#define LINE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "python/versions.h"

/* The line of the instruction at byte offset `offset` (code units * 2) in a
 * code object whose first line is `firstlineno` and whose table is `tab`.
 * Returns the line, or -1 when the instruction has no line (or the offset
 * is past the table). Never reads outside tab[0..len). */
int py_line_for(enum py_linetable_kind kind, const uint8_t *tab, size_t len,
		int firstlineno, int offset);

#endif /* LINE_TABLE_H */
