/* Text that a target controls, made safe to print as text: its file
 * names, qualnames, thread and process names, command lines, source
 * lines, values. Printed raw, `\e]0;...\a\e[2J` in a co_filename retitles
 * and clears the terminal, and a newline in a name forges a line.
 *
 * The names stay real everywhere else (the frame table, snapshots, JSON,
 * HTML, pprof); each text printer escapes what it prints, through this
 * one function, so that every format can escape as its own rules say.
 *
 * Escaped, visibly and one way only:
 *   C0 controls, DEL       \t \n \r, else \xNN     (as Python's repr)
 *   C1 controls            \u0080 .. \u009f        (the code points, in UTF-8)
 *   U+2028, U+2029, the bidirectional embeddings, overrides and isolates
 *                          \u2028 \u202e ...       (they break or reorder lines)
 *   a byte that is not UTF-8  \xNN                 (\xNN above 0x7f is always
 *                                                   a raw byte)
 * Everything else, printable ASCII and printable Unicode, is kept as it
 * is, backslashes included: escaping is idempotent, so repr() text and
 * text escaped once pass unchanged. */
#ifndef TEXT_ESCAPE_H
#define TEXT_ESCAPE_H

#include <stddef.h>

/* in, escaped, into out[0..cap) (cap > 0), always terminated; what does not
 * fit is cut at an escape's or a character's boundary and ends in "...".
 * 4 * strlen(in) + 1 bytes always fit. Returns out. */
char *text_escape(char *out, size_t cap, const char *in);

/* text_escape() into a buffer that lives until the end of the enclosing
 * block, for a printf argument: printf("%s\n", TEXT_SAFE(fn->name)). Cut
 * at TEXT_SAFE_MAX bytes. */
#define TEXT_SAFE_MAX 2048
#define TEXT_SAFE(s) text_escape((char[TEXT_SAFE_MAX]){ 0 }, TEXT_SAFE_MAX, (s))

/* For the formats that need valid UTF-8 and otherwise keep the real name
 * (JSON through jansson, protobuf strings): in, with each byte that is not
 * UTF-8 made U+FFFD, into out[0..cap) (cap > 0), terminated, cut at a
 * character's boundary. 3 * strlen(in) + 1 bytes always fit. Returns out. */
char *text_utf8(char *out, size_t cap, const char *in);
/* The same, into a malloc'd copy; NULL when out of memory. */
char *text_utf8_dup(const char *in);

#endif /* TEXT_ESCAPE_H */
