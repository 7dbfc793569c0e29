/* The output formats, one row each: the name -f takes, the file names
 * that choose it, what it needs, and its writer (out/NAME.c). Commands,
 * their --help and the README's list are made from this table. */
#ifndef WRITERS_H
#define WRITERS_H

#include <stddef.h>
#include <stdio.h>
#include "profile/profile.h"

struct writer {
	const char *name;		/* -f NAME */
	const char *suffixes[3];	/* file names ending so choose it; the first is the usual */
	const char *what;		/* what the file holds (the README's table) */
	const char *readers;		/* what opens it */
	int timeline;			/* needs every sample's time (profile_keep_timeline) */
	int alloc;			/* alloc -o can write it: no time axis needed */
	/* 0, or -errno; the message is the caller's. */
	int (*write)(const struct profile *p, const struct profile_meta *m, FILE *out);
};

/* The rows, ending with a NULL name. */
extern const struct writer writers[];

/* -f NAME: the row, or NULL for an unknown name. */
const struct writer *writer_named(const char *name);

/* The row a file name asks for by its longest matching suffix; folded
 * when none matches. */
const struct writer *writer_for_path(const char *path);

/* Writes the profile to o's file (opened at start-up, proc/output_file.h):
 * 0, or -errno with a message in err; no half-written file is left behind. */
struct output_file;
int writer_write(const struct writer *w, const struct profile *p, const struct profile_meta *m,
		 const struct output_file *o, char *err, size_t errlen);

/* "folded, html, speedscope, pprof or chrome", the names of the rows
 * usable by alloc (for_alloc) or of all. */
void writer_names(char *buf, size_t len, int for_alloc);

/* ".folded/.txt, .html/.svg, ... (pprof), ...", for -o's help. */
void writer_suffix_list(char *buf, size_t len, int for_alloc);

/* The table as the README shows it (pybpftop --list-formats). */
void writer_print_table(FILE *out);

/* The writers, one per module. */
int write_folded(const struct profile *p, const struct profile_meta *m, FILE *out);
int write_html(const struct profile *p, const struct profile_meta *m, FILE *out);
int write_speedscope(const struct profile *p, const struct profile_meta *m, FILE *out);
int write_pprof(const struct profile *p, const struct profile_meta *m, FILE *out);
int write_chrome(const struct profile *p, const struct profile_meta *m, FILE *out);

#endif /* WRITERS_H */
