/* The folded writer: one line per unique stack, root first, sorted,
 *   [process (pid);]thread (tid);outer (file.py:line);...;inner (file.py:line) COUNT
 * the input of flamegraph.pl, inferno and speedscope. Marker frames come
 * in the stack as the profile gives it ([off-cpu] right under the thread,
 * so that a flame graph shows waiting as its own tower per thread). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "out/writers.h"
#include "proc/text_escape.h"

/* A frame's text, malloc'd: a text format, so escaped as every text
 * output is (a newline is "\n", no control byte gets through), and ';',
 * which separates frames, made ':'. */
static char *clean_dup(const char *fmt, ...)
{
	char *str = NULL, *out;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	if (vasprintf(&str, fmt, ap) < 0)
		str = NULL;
	va_end(ap);
	if (!str)
		return NULL;
	n = strlen(str);
	out = malloc(4 * n + 1);
	if (out)
		text_escape(out, 4 * n + 1, str);
	free(str);
	for (char *c = out; c && *c; c++)
		if (*c == ';')
			*c = ':';
	return out;
}

/* The text of every frame id and of each stack's root part, made once:
 * 100,000 stacks of 50 frames are 5 million frames to write. */
struct folded {
	const struct profile *p;
	char **frame;		/* by frame id, NULL until needed */
	struct folded_stack {
		struct profile_stack st;
		char *root;	/* process and thread frames */
	} *v;
	size_t n;
};

static const char *frame_text(struct folded *f, uint32_t id)
{
	const struct frame_table *ft = f->p->frames;

	id = frame_table_id(ft, id);
	if (!f->frame[id]) {
		const struct ft_func *fn = frame_table_func_of(ft, id);

		f->frame[id] = fn->file[0] ?
			clean_dup("%s (%s:%d)", fn->name, fn->file, frame_table_line(ft, id)) :
			clean_dup("%s", fn->name);
	}
	return f->frame[id] ? f->frame[id] : "?";
}

static char *root_text(const struct profile *p, const struct profile_stack *st)
{
	char *process = NULL, *thread, *out = NULL;

	if (p->process_frames)
		process = clean_dup("%s (%u)", profile_process_name(p, st->pid), st->pid);
	thread = clean_dup("%s (%u)", profile_thread_name(p, st->pid, st->tid), st->tid);
	if (thread && (!p->process_frames || process) &&
	    asprintf(&out, "%s%s%s", process ? process : "", process ? ";" : "", thread) < 0)
		out = NULL;
	free(process);
	free(thread);
	return out;
}

static int collect(void *ctx, const struct profile_stack *st)
{
	struct folded *f = ctx;

	if (f->n == f->p->nstacks)
		return -EINVAL;
	f->v[f->n].st = *st;
	if (!(f->v[f->n++].root = root_text(f->p, st)))
		return -ENOMEM;
	return 0;
}

/* qsort has no context argument: the writer in progress. */
static struct folded *sorting;

/* Root part first, then frame by frame; a stack that is a prefix of
 * another comes first. The same order as sorting the lines as text,
 * except where one frame's text is a prefix of another's. */
static int cmp_stack(const void *a, const void *b)
{
	const struct folded_stack *x = a, *y = b;
	int c = strcmp(x->root, y->root);

	for (uint32_t i = 0; !c && i < x->st.n && i < y->st.n; i++)
		if (x->st.frames[i] != y->st.frames[i])
			c = strcmp(frame_text(sorting, x->st.frames[i]),
				   frame_text(sorting, y->st.frames[i]));
	if (!c)
		c = (x->st.n > y->st.n) - (x->st.n < y->st.n);
	return c;
}

int write_folded(const struct profile *p, const struct profile_meta *m, FILE *out)
{
	const struct frame_table *ft = p->frames;
	struct folded f = { .p = p };
	int err;

	(void)m;
	f.frame = calloc(ft->nframes ? ft->nframes : 1, sizeof(*f.frame));
	f.v = calloc(p->nstacks ? p->nstacks : 1, sizeof(*f.v));
	err = f.frame && f.v ? profile_foreach(p, collect, &f) : -ENOMEM;
	if (!err) {
		sorting = &f;
		qsort(f.v, f.n, sizeof(*f.v), cmp_stack);
		sorting = NULL;
	}
	for (size_t i = 0; i < f.n && !err; i++) {
		const struct profile_stack *st = &f.v[i].st;

		fputs(f.v[i].root, out);
		for (uint32_t k = 0; k < st->n; k++) {
			fputc_unlocked(';', out);
			fputs_unlocked(frame_text(&f, st->frames[k]), out);
		}
		if (fprintf(out, " %llu\n", (unsigned long long)st->count) < 0)
			err = -EIO;
	}
	for (size_t i = 0; f.v && i < f.n; i++)
		free(f.v[i].root);
	for (uint32_t i = 0; f.frame && i < ft->nframes; i++)
		free(f.frame[i]);
	free(f.frame);
	free(f.v);
	if (fflush(out) && !err)
		err = -EIO;
	return err;
}
