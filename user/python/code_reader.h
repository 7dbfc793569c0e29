/* Reading CPython objects (str, bytes, code) out of a target's memory.
 *
 * The target is untrusted: its memory may be torn (read while it changes)
 * or hostile (a user crafting objects to attack a root profiler). So every
 * read goes through remote_read() and is checked, every length is capped
 * and no size field is trusted to size a buffer. */
#ifndef CODE_READER_H
#define CODE_READER_H

#include <stddef.h>
#include <stdint.h>
#include "python/versions.h"
#include "proc/remote_mem.h"

#define PY_STR_MAX_CHARS	4096		/* characters decoded per str */
#define PY_STR_SANE_LEN		(1 << 20)	/* a longer str length is garbage */
#define PY_BYTES_MAX		(1 << 20)	/* bytes objects copied whole up to this */
#define PY_TYPE_NAME_MAX	16		/* tp_name bytes compared */
#define PY_CODE_HDR_MAX		512		/* code_size larger than this is a bad table */

/* 1 when the object at obj has type name `name` (ob_type->tp_name, exact
 * match, at most PY_TYPE_NAME_MAX - 1 characters), 0 when it has another
 * one, or -errno when it cannot be read. */
int py_type_name_is(const struct remote_mem *m, const struct py_user_offsets *u,
		    uint64_t obj, const char *name);

/* The compact `str` at addr as NUL-terminated UTF-8 in buf[0..cap).
 * Unencodable code points (surrogates, > U+10FFFF, NUL) become U+FFFD;
 * output is cut at a character boundary when cap or PY_STR_MAX_CHARS is
 * reached. Returns the byte length (without NUL), or -errno: -EINVAL for
 * a non-str, non-compact or inconsistent object, -EFAULT for unreadable
 * memory; a length over PY_STR_SANE_LEN counts as inconsistent (torn).
 * buf is always terminated when cap > 0. */
int py_read_str(const struct remote_mem *m, const struct py_user_offsets *u,
		uint64_t addr, char *buf, size_t cap);

/* The UTF-8 form of code point cp (< 0x110000, not checked further) into
 * out[0..4); returns its length. */
size_t py_utf8_put(uint32_t cp, char *out);

/* The code points of the compact `str` at addr, as they are (surrogates
 * and NUL included, for a repr): the first min(max, PY_STR_MAX_CHARS) into
 * cps, and the str's full length into *len. Returns how many were stored,
 * or -errno as py_read_str, and -EINVAL for a character that cannot be
 * (an ASCII str with a high byte, a value past U+10FFFF). */
int py_read_str_cps(const struct remote_mem *m, const struct py_user_offsets *u,
		    uint64_t addr, uint32_t *cps, size_t max, size_t *len);

/* The contents of the `bytes` object at addr in a malloc'd buffer (*out,
 * *len; *out is non-NULL even when *len is 0). Returns 0, or -errno:
 * -EINVAL for a non-bytes object, -E2BIG past PY_BYTES_MAX. */
int py_read_bytes(const struct remote_mem *m, const struct py_user_offsets *u,
		  uint64_t addr, uint8_t **out, size_t *len);

struct py_code {
	char *qualname;		/* co_qualname (3.11+), else co_name */
	char *filename;
	int firstlineno;
	uint8_t *linetable;	/* co_lnotab / co_linetable bytes, see v->linetable */
	size_t linetable_len;
	uint32_t fingerprint;	/* py_code_fp() of the header these fields came from */
	/* 3.11+: _co_firsttraceable, the index (code units) of the first
	 * RESUME, which the prologue (MAKE_CELL, COPY_FREE_VARS,
	 * RETURN_GENERATOR) precedes; -1 when unknown (older versions, an
	 * unreadable or implausible value). And co_flags, for generators. */
	int32_t firsttraceable;
	uint32_t flags;
};

/* The most a plausible _co_firsttraceable is: one MAKE_CELL per cell
 * variable (with EXTENDED_ARGs), COPY_FREE_VARS, RETURN_GENERATOR, POP_TOP.
 * A larger value is not believed: nothing is dropped for it. */
#define PY_FIRSTTRACEABLE_MAX	4096

/* Reads the code object at addr. Returns 0 and fills *out (to be released
 * with py_code_free()), or -errno and leaves *out zeroed. */
int py_read_code(const struct remote_mem *m, const struct py_version *v,
		 uint64_t addr, struct py_code *out);
void py_code_free(struct py_code *c);

/* Whether a frame of code c (read in layout v) at instruction lasti (code
 * units, as the walker sends it) is "incomplete" (CPython's
 * _PyFrame_IsIncomplete(), 3.11+): still running the prologue before
 * _co_firsttraceable. CPython's tracebacks, sys._getframe() and
 * sys._current_frames() skip such a frame, and so do we. The walker does
 * not send the frame's owner: a generator's own frame (never incomplete)
 * resumes at RETURN_GENERATOR's POP_TOP, two units before the RESUME, so
 * for generator and coroutine code only what comes before RETURN_GENERATOR
 * counts. In doubt (unknown values) a frame is kept. */
int py_frame_incomplete(const struct py_version *v, const struct py_code *c, int32_t lasti);

/* The code object's identity fields in layout u, for py_code_fp()
 * (include/pybpftop.h): what the walker hashes and what user space does. */
void py_code_fp_fields(const struct py_user_offsets *u, struct py_code_fp_fields *f);

/* py_code_fp() of the code object header at addr, in a single read. The
 * same address giving another fingerprint means the object was freed and
 * the memory reused: a cached py_code for it is stale. */
int py_code_fingerprint(const struct remote_mem *m, const struct py_version *v,
			uint64_t addr, uint32_t *fp);

/* The same for up to PY_CODE_FP_BATCH headers in two batched reads (a
 * reader without readv reads them one by one): rcs[i] is what
 * py_code_fingerprint() would return for addrs[i], fps[i] its result when
 * 0. Returns -EINVAL for a bad table, -E2BIG for too many, else 0. */
#define PY_CODE_FP_BATCH	64
int py_code_fingerprints(const struct remote_mem *m, const struct py_version *v,
			 const uint64_t *addrs, size_t n, uint32_t *fps, int *rcs);

#endif /* CODE_READER_H */
