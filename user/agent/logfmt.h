/* The agent's log: one logfmt line per event, on stderr,
 *   ts=2026-12-02T06:30:00.123Z level=info msg="window written" pid=1234 service=web bytes=2048
 * which journald, Loki and `grep pid=1234` all read as it is.
 *
 * Values are often the target's (command lines, names): each passes
 * through text_escape() (control bytes, C1, invalid UTF-8 shown as \xNN),
 * then is quoted when it holds a space, '=' or '"' or is empty (and '"'
 * and '\' in it are escaped), so that no value forges a field or a line.
 * A line is one write(2) of at most LOGFMT_LINE_MAX bytes (PIPE_BUF:
 * atomic on a pipe), so threads never interleave; fields that do not fit
 * are left out, whole, and the line ends with truncated=true. */
#ifndef AGENT_LOGFMT_H
#define AGENT_LOGFMT_H

#include <stddef.h>

enum logfmt_level { LOGFMT_DEBUG, LOGFMT_INFO, LOGFMT_WARN, LOGFMT_ERROR };

#define LOGFMT_LINE_MAX 4096
#define LOGFMT_VALUE_MAX 1024	/* a value's bytes once escaped, "..." past it */

/* Lines below level are not written; the default is LOGFMT_INFO. */
void logfmt_level(enum logfmt_level level);
int logfmt_enabled(enum logfmt_level level);
/* Where lines go (default 2, stderr), for the tests. */
void logfmt_set_fd(int fd);

/* ts=... level=... msg="..." then the key/value pairs (const char *),
 * ending with NULL:
 *   logfmt(LOGFMT_INFO, "window written", "pid", LOGV("%d", pid), "service", name, NULL);
 * A NULL value is written as "". Keys are ours: [a-zA-Z0-9_.-], other
 * bytes become '_'. */
void logfmt(enum logfmt_level level, const char *msg, ...) __attribute__((sentinel));

/* The line logfmt() would write, without its "ts=..." and its newline,
 * into buf (len > 16): for the tests. Returns its length. */
size_t logfmt_line(char *buf, size_t len, enum logfmt_level level, const char *msg, ...)
	__attribute__((sentinel));

/* A printf-formatted value that lives until the end of the enclosing
 * block: "bytes", LOGV("%zu", n). Cut at LOGV_MAX bytes. */
#define LOGV_MAX 256
#define LOGV(...) logfmt_printf((char[LOGV_MAX]){ 0 }, LOGV_MAX, __VA_ARGS__)
char *logfmt_printf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* AGENT_LOGFMT_H */
