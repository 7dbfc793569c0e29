/* logfmt lines: values quoted and escaped so that a decoder gets back
 * exactly what text_escape() shows, no value forges a field or a line,
 * and lines from threads never interleave. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "agent/logfmt.h"
#include "proc/text_escape.h"

/* A decoder as logfmt readers (go-logfmt, Loki's) read: key=value,
 * value bare up to a space, or quoted with \" and \\ escapes. Fills
 * keys[]/values[] (each owned by the caller's bufs), returns the number
 * of pairs, or -1 if the line is malformed. */
#define MAXF 64
static int decode(const char *line, char keys[MAXF][80], char *values[MAXF], size_t vcap)
{
	const char *p = line;
	int n = 0;

	while (*p) {
		size_t k = 0, v = 0;

		if (n == MAXF)
			return -1;
		while (*p && *p != '=' && *p != ' ' && k < 79)
			keys[n][k++] = *p++;
		keys[n][k] = '\0';
		if (*p++ != '=' || !k)
			return -1;
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\') {
					p++;
					if (*p != '"' && *p != '\\')
						return -1;	/* we only write these two */
				}
				if (v + 1 < vcap)
					values[n][v++] = *p;
			}
			if (*p++ != '"')
				return -1;
		} else {
			while (*p && *p != ' ') {
				if (*p == '"' || *p == '=')
					return -1;
				if (v + 1 < vcap)
					values[n][v++] = *p;
				p++;
			}
		}
		values[n][v] = '\0';
		n++;
		if (*p == ' ')
			p++;
		else if (*p)
			return -1;
	}
	return n;
}

static char vbuf[MAXF][8192];

/* value, logged as "v", decodes back as its text_escape(). */
static void roundtrip(const char *value)
{
	char line[LOGFMT_LINE_MAX], keys[MAXF][80], want[LOGFMT_VALUE_MAX], *values[MAXF];
	int n;

	for (int i = 0; i < MAXF; i++)
		values[i] = vbuf[i];
	logfmt_line(line, sizeof(line), LOGFMT_INFO, "m", "v", value, "after", "1", NULL);
	n = decode(line, keys, values, sizeof(vbuf[0]));
	text_escape(want, sizeof(want), value);
	CHECK(n == 4, "\"%s\" decoded to %d fields: %s", TEXT_SAFE(value), n, TEXT_SAFE(line));
	if (n != 4)
		return;
	CHECK(!strcmp(keys[2], "v") && !strcmp(values[2], want), "\"%s\" came back as \"%s\" in %s",
	      TEXT_SAFE(value), TEXT_SAFE(values[2]), TEXT_SAFE(line));
	CHECK(!strcmp(keys[3], "after") && !strcmp(values[3], "1"), "the next field in %s", line);
	for (const unsigned char *p = (const unsigned char *)line; *p; p++)
		CHECK(*p >= 0x20 && *p != 0x7f, "a control byte 0x%02x in %s", *p, TEXT_SAFE(line));
}

static void same(const char *got, const char *want)
{
	CHECK(!strcmp(got, want), "got  %s\n     want %s", got, want);
}

#define THREADS 4
#define LINES 300
static int pipefd[2];

static void *writer(void *arg)
{
	char big[1000];

	memset(big, 'a' + (int)(long)arg, sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < LINES; i++)
		logfmt(LOGFMT_INFO, "x", "t", LOGV("%ld", (long)arg), "big", big, "end", "1", NULL);
	return NULL;
}

int main(void)
{
	char line[LOGFMT_LINE_MAX], huge[100000], keys[MAXF][80], *values[MAXF];
	int n;

	for (int i = 0; i < MAXF; i++)
		values[i] = vbuf[i];

	logfmt_line(line, sizeof(line), LOGFMT_INFO, "window written", "pid", LOGV("%d", 1234),
		    "service", "web", "bytes", LOGV("%zu", (size_t)2048), NULL);
	same(line, "level=info msg=\"window written\" pid=1234 service=web bytes=2048");
	logfmt_line(line, sizeof(line), LOGFMT_WARN, "q", "a", "x=y", "b", "say \"hi\"", "c", "C:\\dir",
		    "d", "a \\ b", "e", "", "f", NULL, NULL);
	same(line, "level=warn msg=q a=\"x=y\" b=\"say \\\"hi\\\"\" c=C:\\dir d=\"a \\\\ b\" e=\"\" f=\"\"");
	logfmt_line(line, sizeof(line), LOGFMT_ERROR, "k", "bad key=\n", "v", NULL);
	same(line, "level=error msg=k bad_key__=v");
	logfmt_line(line, sizeof(line), LOGFMT_DEBUG, "nl", "cmd", "python3 -c 'x'\nlevel=error msg=forged", NULL);
	same(line, "level=debug msg=nl cmd=\"python3 -c 'x'\\\\nlevel=error msg=forged\"");
	logfmt_line(line, sizeof(line), LOGFMT_INFO, "bytes", "v", "\xff\x1b[2J\x7f", NULL);
	same(line, "level=info msg=bytes v=\\xff\\x1b[2J\\x7f");

	/* What a target may put in a command line or a name. */
	roundtrip("");
	roundtrip("plain");
	roundtrip("with space");
	roundtrip("k=v");
	roundtrip("\"");
	roundtrip("\\");
	roundtrip("\\\" x");
	roundtrip("end\\");
	roundtrip("line\nforged=1 level=error");
	roundtrip("\r\t\b\x01\x1f");
	roundtrip("caf\xc3\xa9 \xf0\x9f\x90\x8d");
	roundtrip("\xc0\xaf \xed\xa0\x80 \xff\xfe");
	roundtrip("\xe2\x80\xae" "rlo");
	for (int c = 1; c < 256; c++) {
		char v[4] = { 'a', (char)c, c == ' ' ? '"' : 'b', 0 };

		roundtrip(v);
	}

	/* A huge value is cut with "...", the line stays whole. */
	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	logfmt_line(line, sizeof(line), LOGFMT_INFO, "huge", "v", huge, "after", "1", NULL);
	n = decode(line, keys, values, sizeof(vbuf[0]));
	CHECK(n == 4 && strlen(values[2]) < LOGFMT_VALUE_MAX &&
	      !strcmp(values[2] + strlen(values[2]) - 3, "..."), "%d fields, v of %zu bytes", n,
	      n > 2 ? strlen(values[2]) : 0);
	/* Too many fields: those that do not fit are left out, whole. */
	logfmt_line(line, sizeof(line), LOGFMT_INFO, "many", "a", huge, "b", huge, "c", huge, "d", huge,
		    "e", huge, "f", huge, NULL);
	n = decode(line, keys, values, sizeof(vbuf[0]));
	CHECK(n >= 3 && n < 8 && !strcmp(keys[n - 1], "truncated") && !strcmp(values[n - 1], "true"),
	      "%d fields, the last %s", n, n > 0 ? keys[n - 1] : "-");
	CHECK(strlen(line) < LOGFMT_LINE_MAX, "%zu bytes", strlen(line));
	CHECK(logfmt_line(line, 8, LOGFMT_INFO, "tiny", NULL) == 0 && line[0] == '\0');

	/* logfmt() itself: the level filter, ts, and one write per line. */
	CHECK(pipe(pipefd) == 0);
	logfmt_set_fd(pipefd[1]);
	logfmt_level(LOGFMT_WARN);
	CHECK(!logfmt_enabled(LOGFMT_INFO) && logfmt_enabled(LOGFMT_WARN) && logfmt_enabled(LOGFMT_ERROR));
	logfmt(LOGFMT_INFO, "hidden", NULL);
	logfmt(LOGFMT_ERROR, "shown", "pid", "1", NULL);
	{
		char got[512];
		ssize_t r = read(pipefd[0], got, sizeof(got) - 1);
		struct tm tm = { 0 };
		int ms = -1, end = 0;
		time_t now = time(NULL), t;

		got[r > 0 ? r : 0] = '\0';
		CHECK(r > 0 && sscanf(got, "ts=%d-%d-%dT%d:%d:%d.%3dZ %n", &tm.tm_year, &tm.tm_mon,
				      &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &end) == 7 &&
		      end == 28, "%s", got);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		t = timegm(&tm);
		CHECK(t >= now - 5 && t <= now + 1 && ms >= 0 && ms < 1000, "ts %lld, now %lld",
		      (long long)t, (long long)now);
		same(got + end, "level=error msg=shown pid=1\n");
	}
	logfmt_level(LOGFMT_DEBUG);
	{
		pthread_t t[THREADS];
		char *all = malloc(THREADS * LINES * 3200), *p, *nl;
		size_t len = 0, cap = THREADS * LINES * 3200;
		int lines = 0, whole = 0;
		ssize_t r;

		for (long i = 0; i < THREADS; i++)
			pthread_create(&t[i], NULL, writer, (void *)i);
		/* Read while they write: the pipe holds 64 KiB. */
		while (lines < THREADS * LINES && (r = read(pipefd[0], all + len, cap - len)) > 0) {
			for (ssize_t i = 0; i < r; i++)
				lines += all[len + i] == '\n';
			len += (size_t)r;
		}
		for (int i = 0; i < THREADS; i++)
			pthread_join(t[i], NULL);
		for (p = all; p < all + len && (nl = memchr(p, '\n', all + len - p)); p = nl + 1) {
			char c = 0;
			int tn = -1, ok = 0;
			const char *b;

			*nl = '\0';
			b = strstr(p, " big=");

			if (b && sscanf(strstr(p, " t=") ? strstr(p, " t=") : "", " t=%d", &tn) == 1 &&
			    tn >= 0 && tn < THREADS) {
				c = (char)('a' + tn);
				ok = nl - b == 5 + 999 + 6;	/* " big=" a*999 " end=1" */
				for (int i = 0; ok && i < 999; i++)
					ok = b[5 + i] == c;
			}
			whole += ok;
		}
		CHECK(lines == THREADS * LINES && whole == THREADS * LINES,
		      "%d lines, %d whole, of %d", lines, whole, THREADS * LINES);
		free(all);
	}
	CHECK_DONE("logfmt");
}
