/* Output format selection and the common open/write/close path. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "out/writers.h"

static const struct {
	const char *name;
	enum out_format f;
} names[] = {
	{ "folded", FMT_FOLDED },
	{ "html", FMT_HTML },
	{ "speedscope", FMT_SPEEDSCOPE },
	{ "pprof", FMT_PPROF },
	{ "chrome", FMT_CHROME },
};

/* Longest suffixes first: ".speedscope.json" before ".json". */
static const struct {
	const char *suffix;
	enum out_format f;
} suffixes[] = {
	{ ".speedscope.json", FMT_SPEEDSCOPE },
	{ ".trace.json", FMT_CHROME },
	{ ".pb.gz", FMT_PPROF },
	{ ".pprof", FMT_PPROF },
	{ ".html", FMT_HTML },
	{ ".svg", FMT_HTML },
	{ ".folded", FMT_FOLDED },
	{ ".txt", FMT_FOLDED },
};

int format_parse(const char *name, enum out_format *f)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i].name)) {
			*f = names[i].f;
			return 0;
		}
	}
	return -EINVAL;
}

enum out_format format_from_path(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t k = strlen(suffixes[i].suffix);

		if (n >= k && !strcasecmp(path + n - k, suffixes[i].suffix))
			return suffixes[i].f;
	}
	return FMT_FOLDED;
}

const char *format_name(enum out_format f)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].f == f)
			return names[i].name;
	return "?";
}

int format_needs_timeline(enum out_format f)
{
	return f == FMT_CHROME;
}

int format_write(enum out_format f, const struct profile *p, const struct symbolizer *s,
		 const struct profile_meta *m, const char *path)
{
	FILE *out = fopen(path, "we");
	int rc;

	if (!out)
		return -errno;
	switch (f) {
	case FMT_HTML:
		rc = write_html(p, s, m, out);
		break;
	case FMT_SPEEDSCOPE:
		rc = write_speedscope(p, s, m, out);
		break;
	case FMT_PPROF:
		rc = write_pprof(p, s, m, out);
		break;
	case FMT_CHROME:
		rc = write_chrome(p, s, m, out);
		break;
	default:
		rc = profile_write_folded(p, s, out);
		break;
	}
	if (fclose(out) && !rc)
		rc = -errno;
	if (rc)
		unlink(path);	/* no half-written file left behind */
	return rc;
}
