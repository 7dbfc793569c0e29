/* text_escape(): what a terminal acts on is shown escaped, printable
 * Unicode as it is, and the output is cut only at a unit's boundary. */
#include <string.h>
#include "check.h"
#include "proc/text_escape.h"

static void same(const char *in, const char *want)
{
	char out[256];

	text_escape(out, sizeof(out), in);
	CHECK(!strcmp(out, want), "text_escape(\"%s\") gave \"%s\", not \"%s\"", in, out, want);
}

/* No byte a terminal acts on: C0, DEL, C1 in UTF-8, nor invalid UTF-8. */
static int clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return 0;
	return 1;
}

int main(void)
{
	char out[64], big[4 * 256 + 1], in[257];

	same("plain.py", "plain.py");
	same("", "");
	same("\033]0;pwned\a\033[2J", "\\x1b]0;pwned\\x07\\x1b[2J");
	same("a\tb\nc\rd", "a\\tb\\nc\\rd");
	same("del\x7f", "del\\x7f");
	same("csi\xc2\x9b" "2J", "csi\\u009b2J");		/* U+009B in UTF-8 */
	same("nel\xc2\x85", "nel\\u0085");
	same("raw\x9b" "2J", "raw\\x9b2J");			/* a byte alone */
	same("cut\xe2\x82", "cut\\xe2\\x82");			/* a torn character */
	same("over\xc0\xaf", "over\\xc0\\xaf");			/* an overlong '/' */
	same("sur\xed\xa0\x80", "sur\\xed\\xa0\\x80");		/* a surrogate */
	same("big\xf4\x90\x80\x80", "big\\xf4\\x90\\x80\\x80");	/* above U+10FFFF */
	same("ls\xe2\x80\xa8" "x", "ls\\u2028x");
	same("rlo\xe2\x80\xae" "txt", "rlo\\u202etxt");
	/* Printable Unicode, as it is: the names of tests/workloads/unicode_names.py. */
	same("caf\xc3\xa9 \xe5\x87\xbd\xe6\x95\xb0 \xf0\x9f\x90\x8d \xc2\xa0", "caf\xc3\xa9 \xe5\x87\xbd\xe6\x95\xb0 \xf0\x9f\x90\x8d \xc2\xa0");
	same("C:\\dir\\x1b", "C:\\dir\\x1b");			/* backslashes kept */

	/* Idempotent: repr() text and escaped text pass unchanged. */
	text_escape(out, sizeof(out), "\033[2J\xc2\x9b\xff\n");
	same(out, out);

	/* Cut at a unit's boundary, with "...": never half an escape. */
	text_escape(out, 10, "\033\033\033\033");
	CHECK(!strcmp(out, "\\x1b..."), "cut to \"%s\"", out);
	text_escape(out, 9, "abcdefgh");
	CHECK(!strcmp(out, "abcdefgh"), "an exact fit is not cut: \"%s\"", out);
	text_escape(out, 8, "abcdefgh");
	CHECK(!strcmp(out, "abcd..."), "cut to \"%s\"", out);
	text_escape(out, 8, "abcd\xf0\x9f\x90\x8d");
	CHECK(!strcmp(out, "abcd..."), "a character is not split: \"%s\"", out);
	text_escape(out, 3, "abcdef");
	CHECK(strlen(out) < 3, "a tiny buffer stays terminated");

	/* 4 * strlen + 1 always holds every byte of the worst input. */
	for (int b = 0; b < 256; b++)
		in[b] = (char)(b ? b : 1);
	in[256] = '\0';
	text_escape(big, sizeof(big), in);
	CHECK(strlen(big) >= 3 && strcmp(big + strlen(big) - 3, "..."), "the worst input was cut");
	CHECK(clean(big), "a control byte passed: %s", big);
	CHECK(clean(TEXT_SAFE("\033\x9b\xc2\x9b\x7f")));

	/* text_utf8: only bytes that are not UTF-8 change, to U+FFFD. */
	text_utf8(out, sizeof(out), "a\033\xc2\x9b\xff\xe2\x82 caf\xc3\xa9");
	CHECK(!strcmp(out, "a\033\xc2\x9b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd caf\xc3\xa9"), "text_utf8 gave %s", out);
	text_utf8(out, 6, "ab\xf0\x9f\x90\x8d");
	CHECK(!strcmp(out, "ab"), "a character is not split: %s", out);
	CHECK_DONE("text_escape");
}
