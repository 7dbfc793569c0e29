/* Walked frames to (name, file, line), as user/profile/symbolizer.c names
 * them, and the comparison with the truth. */
#include <stdio.h>
#include <string.h>
#include "python/code_reader.h"
#include "python/line_table.h"
#include "compare.h"

/* The line of a frame, as symbolizer_frame() computes it. */
static int frame_line(const struct py_version *v, const struct py_code *c, int32_t lasti)
{
	if (lasti < 0)
		return c->firstlineno;
	return py_line_for(v->linetable, c->linetable, c->linetable_len, c->firstlineno, lasti * 2);
}

int compare_stack(const struct remote_mem *m, const struct py_version *v,
		  const struct walker_result *w, const struct snap_thread *t, size_t n,
		  char *why, size_t whylen)
{
	if (!w->found) {
		snprintf(why, whylen, "the walker found no thread state for %s", t->name);
		return -1;
	}
	for (size_t i = 0; i < n && i < w->hdr.depth; i++) {
		const struct snap_frame *want = &t->frames[i];
		struct py_code c;
		int line, rc;

		rc = py_read_code(m, v, w->frames[i].code, &c);
		if (rc) {
			snprintf(why, whylen, "frame %zu: code object 0x%llx unreadable (%s); want %s (%s:%d)",
				 i, (unsigned long long)w->frames[i].code, strerror(-rc),
				 want->name, want->file, want->line);
			return -1;
		}
		/* The walker's fingerprint is the one user space computes,
		 * or every frame would look reused. */
		if (w->frames[i].code_fp != c.fingerprint) {
			snprintf(why, whylen, "frame %zu (%s): the walker's code fingerprint 0x%08x, user space's 0x%08x",
				 i, c.qualname, w->frames[i].code_fp, c.fingerprint);
			py_code_free(&c);
			return -1;
		}
		line = frame_line(v, &c, w->frames[i].lasti);
		if (strcmp(c.qualname, want->name) || strcmp(c.filename, want->file) ||
		    line != want->line) {
			snprintf(why, whylen, "frame %zu: got %s (%s:%d), want %s (%s:%d)",
				 i, c.qualname, c.filename, line, want->name, want->file, want->line);
			py_code_free(&c);
			return -1;
		}
		py_code_free(&c);
	}
	if (w->hdr.depth < n) {
		const struct snap_frame *f = &t->frames[w->hdr.depth];

		snprintf(why, whylen, "depth: got %u frames, want %zu; the first missing is %s (%s:%d)",
			 w->hdr.depth, n, f->name, f->file, f->line);
		return -1;
	}
	if (w->hdr.depth > n) {
		snprintf(why, whylen, "depth: got %u frames, want %zu", w->hdr.depth, n);
		return -1;
	}
	return 0;
}
