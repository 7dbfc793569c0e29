/* The table of output formats, and the one path that writes a profile
 * to a file (through proc/output_file.c, which writes every file). */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include "out/writers.h"
#include "proc/output_file.h"

const struct writer writers[] = {
	{ "folded", { ".folded", ".txt" },
	  "a line per unique stack: `thread (tid);outer (file.py:line);...;inner (file.py:line) COUNT`",
	  "`flamegraph.pl`, inferno, speedscope", 0, 1, write_folded },
	{ "html", { ".html", ".svg" },
	  "an interactive flame graph in one page that fetches nothing",
	  "a browser", 0, 1, write_html },
	{ "speedscope", { ".speedscope.json" },
	  "one profile per thread, `name (tid)`, weights in seconds",
	  "speedscope (web, or `npx speedscope FILE`)", 0, 1, write_speedscope },
	{ "pprof", { ".pb.gz", ".pprof" },
	  "gzipped `profile.proto`: `samples/count` and `cpu/nanoseconds` (`wall/nanoseconds` with "
	  "`--idle`), a location per function and line, labels `thread`, `tid`, `pid`",
	  "`go tool pprof -http=: FILE` (`-tagfocus=thread=NAME`: one thread), Pyroscope, Parca",
	  0, 1, write_pprof },
	{ "chrome", { ".trace.json" },
	  "Chrome trace events: each thread's timeline, a span per function while it stays on the stack",
	  "ui.perfetto.dev, `chrome://tracing`, speedscope", 1, 0, write_chrome },
	{ NULL },
};

#define NSUFFIXES (sizeof(writers[0].suffixes) / sizeof(writers[0].suffixes[0]))

const struct writer *writer_named(const char *name)
{
	for (const struct writer *w = writers; w->name; w++)
		if (!strcmp(w->name, name))
			return w;
	return NULL;
}

const struct writer *writer_for_path(const char *path)
{
	const struct writer *best = &writers[0];
	size_t n = strlen(path), best_len = 0;

	/* The longest suffix wins: ".speedscope.json" over a ".json". */
	for (const struct writer *w = writers; w->name; w++)
		for (size_t i = 0; i < NSUFFIXES && w->suffixes[i]; i++) {
			size_t k = strlen(w->suffixes[i]);

			if (k > best_len && n >= k && !strcasecmp(path + n - k, w->suffixes[i])) {
				best = w;
				best_len = k;
			}
		}
	return best;
}

struct profile_job {
	const struct writer *w;
	const struct profile *p;
	const struct profile_meta *m;
};

static int fill_profile(void *ctx, FILE *out)
{
	const struct profile_job *j = ctx;

	return j->w->write(j->p, j->m, out);
}

int writer_write(const struct writer *w, const struct profile *p, const struct profile_meta *m,
		 const struct output_file *o, char *err, size_t errlen)
{
	struct profile_job j = { w, p, m };

	return output_file_write(o, NULL, fill_profile, &j, err, errlen);
}

/* Appends to buf[0..len) what fits. */
static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s", s);
}

void writer_names(char *buf, size_t len, int for_alloc)
{
	const struct writer *w, *last = NULL;

	buf[0] = '\0';
	for (w = writers; w->name; w++)
		if (!for_alloc || w->alloc)
			last = w;
	for (w = writers; w->name; w++) {
		if (for_alloc && !w->alloc)
			continue;
		if (buf[0])
			append(buf, len, w == last ? " or " : ", ");
		append(buf, len, w->name);
	}
}

void writer_suffix_list(char *buf, size_t len, int for_alloc)
{
	buf[0] = '\0';
	for (const struct writer *w = writers; w->name; w++) {
		if (for_alloc && !w->alloc)
			continue;
		if (buf[0])
			append(buf, len, ", ");
		for (size_t i = 0; i < NSUFFIXES && w->suffixes[i]; i++) {
			if (i)
				append(buf, len, "/");
			append(buf, len, w->suffixes[i]);
		}
		/* A suffix that does not say the format's name. */
		if (!strstr(w->suffixes[0], w->name)) {
			append(buf, len, " (");
			append(buf, len, w->name);
			append(buf, len, ")");
		}
	}
}

void writer_print_table(FILE *out)
{
	fprintf(out, "| `-o` file name | `-f` | what | open with | `alloc -o` |\n|---|---|---|---|---|\n");
	for (const struct writer *w = writers; w->name; w++) {
		fprintf(out, "| ");
		for (size_t i = 0; i < NSUFFIXES && w->suffixes[i]; i++)
			fprintf(out, "%s`%s`", i ? ", " : "", w->suffixes[i]);
		fprintf(out, " | `%s` | %s | %s | %s |\n", w->name, w->what, w->readers,
			w->alloc ? "yes" : "no");
	}
}
