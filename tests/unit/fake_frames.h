/* Frames made by hand, for tests of the writers and of alloc's snapshots:
 * no process, no code objects. */
#ifndef FAKE_FRAMES_H
#define FAKE_FRAMES_H

#include "profile/frame_table.h"

/* The frame id of function `name` at `line`. */
static inline uint32_t add_frame(struct frame_table *t, const char *name, const char *file,
				 int firstline, int line)
{
	return frame_table_frame(t, frame_table_func(t, name, file, firstline), line);
}

#endif /* FAKE_FRAMES_H */
