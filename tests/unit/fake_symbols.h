/* A symbolizer filled by hand, for tests and benchmarks of the writers:
 * no process, no code objects. */
#ifndef FAKE_SYMBOLS_H
#define FAKE_SYMBOLS_H

#include <stdlib.h>
#include <string.h>
#include "profile/symbolizer.h"

/* Adds function `name` at `line` to the symbolizer's tables directly;
 * returns its frame id. */
static inline uint32_t add_frame(struct symbolizer *s, const char *name, const char *file,
				 int firstline, int line)
{
	s->funcs = realloc(s->funcs, (s->nfuncs + 1) * sizeof(*s->funcs));
	s->frames = realloc(s->frames, (s->nframes + 1) * sizeof(*s->frames));
	s->funcs[s->nfuncs] = (struct func_info){ strdup(name), strdup(file), firstline };
	s->frames[s->nframes] = (struct frame_info){ s->nfuncs, line };
	s->nfuncs++;
	s->funcs_cap = s->nfuncs;
	s->frames_cap = s->nframes + 1;
	return s->nframes++;
}

#endif /* FAKE_SYMBOLS_H */
