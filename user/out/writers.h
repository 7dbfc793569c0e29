/* Profile output formats: chosen by -f, or by the output file's extension,
 * each written by its own module (out_*.c). */
#ifndef FORMATS_H
#define FORMATS_H

#include <stdio.h>
#include "profile/profile.h"
#include "profile/symbolizer.h"

enum out_format {
	FMT_FOLDED,		/* .folded, .txt: flamegraph.pl's input */
	FMT_HTML,		/* .html, .svg: an interactive flame graph in one file */
	FMT_SPEEDSCOPE,		/* .speedscope.json */
	FMT_PPROF,		/* .pb.gz: gzipped profile.proto */
	FMT_CHROME,		/* .trace.json: Chrome trace events */
};

/* -f NAME: 0, or -EINVAL for an unknown name. */
int format_parse(const char *name, enum out_format *f);

/* The format a file name asks for (folded when nothing matches). */
enum out_format format_from_path(const char *path);

const char *format_name(enum out_format f);

/* Whether the format needs every sample's time (profile_keep_timeline). */
int format_needs_timeline(enum out_format f);

/* Writes the profile to path: 0, or -errno (the message is the caller's). */
int format_write(enum out_format f, const struct profile *p, const struct symbolizer *s,
		 const struct profile_meta *m, const char *path);

/* The writers, one per module. Each returns 0 or -errno. */
int write_html(const struct profile *p, const struct symbolizer *s,
	       const struct profile_meta *m, FILE *out);
int write_speedscope(const struct profile *p, const struct symbolizer *s,
		     const struct profile_meta *m, FILE *out);
int write_pprof(const struct profile *p, const struct symbolizer *s,
		const struct profile_meta *m, FILE *out);
int write_chrome(const struct profile *p, const struct symbolizer *s,
		 const struct profile_meta *m, FILE *out);

#endif /* FORMATS_H */
