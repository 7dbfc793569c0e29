/* The agent's logfmt lines (logfmt.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agent/logfmt.h"
#include "proc/text_escape.h"

static _Atomic int log_min = LOGFMT_INFO;
static _Atomic int log_fd = 2;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

void logfmt_level(enum logfmt_level min)
{
	atomic_store(&log_min, min);
}

int logfmt_enabled(enum logfmt_level level)
{
	return (int)level >= atomic_load(&log_min);
}

void logfmt_set_fd(int fd)
{
	atomic_store(&log_fd, fd);
}

char *logfmt_printf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

/* A line being built: what does not fit sets full, and the rest of the
 * line is left out rather than cut in the middle of a quoted value. */
struct line {
	char *buf;
	size_t cap, len;	/* cap keeps room for " truncated=true\n" */
	int full;
};

#define LINE_TAIL (sizeof(" truncated=true\n") - 1)

static void put(struct line *l, const char *s, size_t n)
{
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static int needs_quotes(const char *v)
{
	if (!*v)
		return 1;	/* key="" reads better than key= */
	for (; *v; v++)
		if (*v == ' ' || *v == '=' || *v == '"')
			return 1;
	return 0;
}

/* One " key=value" (no space first when first), whole or not at all. */
static void field(struct line *l, const char *key, const char *value, int first)
{
	char esc[LOGFMT_VALUE_MAX], out[2 * LOGFMT_VALUE_MAX + 80];
	size_t n = 0;

	if (l->full)
		return;
	if (!first)
		out[n++] = ' ';
	for (size_t i = 0; key[i] && i < 64; i++) {
		char c = key[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '.' || c == '-';

		out[n++] = ok ? c : '_';
	}
	out[n++] = '=';
	/* Control bytes and invalid UTF-8 become visible escapes first: after
	 * this the value holds no byte below 0x20, no newline. */
	text_escape(esc, sizeof(esc), value ? value : "");
	if (needs_quotes(esc)) {
		out[n++] = '"';
		for (const char *p = esc; *p; p++) {
			if (*p == '"' || *p == '\\')
				out[n++] = '\\';
			out[n++] = *p;
		}
		out[n++] = '"';
	} else {
		size_t e = strlen(esc);

		memcpy(out + n, esc, e);
		n += e;
	}
	if (l->len + n > l->cap) {
		l->full = 1;
		return;
	}
	put(l, out, n);
}

static void build(struct line *l, enum logfmt_level level, const char *msg, va_list ap)
{
	const char *key;
	int first = l->len == 0;

	if ((unsigned)level > LOGFMT_ERROR)
		level = LOGFMT_ERROR;
	field(l, "level", level_names[level], first);
	field(l, "msg", msg, 0);
	while ((key = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);

		field(l, key, value, 0);
	}
	if (l->full)
		put(l, " truncated=true", LINE_TAIL - 1);
}

size_t logfmt_line(char *buf, size_t len, enum logfmt_level level, const char *msg, ...)
{
	struct line l = { .buf = buf, .cap = len > LINE_TAIL ? len - LINE_TAIL : 0 };
	va_list ap;

	if (!l.cap) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	va_start(ap, msg);
	build(&l, level, msg, ap);
	va_end(ap);
	buf[l.len] = '\0';
	return l.len;
}

void logfmt(enum logfmt_level level, const char *msg, ...)
{
	char buf[LOGFMT_LINE_MAX];
	struct line l = { .buf = buf, .cap = sizeof(buf) - LINE_TAIL };
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (!logfmt_enabled(level))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	l.len = strftime(buf, 64, "ts=%Y-%m-%dT%H:%M:%S", &tm);
	l.len += (size_t)snprintf(buf + l.len, 16, ".%03ldZ", ts.tv_nsec / 1000000);
	va_start(ap, msg);
	build(&l, level, msg, ap);
	va_end(ap);
	buf[l.len++] = '\n';
	/* One write: a line is never split between threads (and a pipe takes
	 * up to PIPE_BUF bytes at once). A log that cannot be written has
	 * nowhere to say so. */
	while (write(atomic_load(&log_fd), buf, l.len) < 0 && errno == EINTR)
		;
}
