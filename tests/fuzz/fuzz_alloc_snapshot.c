/* libFuzzer target: alloc snapshot files, which users pass around, through
 * the reader and, when it takes them, through `alloc show` and `alloc diff`'s
 * statistics and printout.
 *
 * Input: the file's bytes. Seeds: tests/fuzz/corpus_alloc_snapshot/;
 * dictionary: tests/fuzz/alloc_snapshot.dict. Besides crashes, the target
 * traps when the reader breaks its contract: a refusal without a message
 * or with anything left allocated, a frame id its table does not hold, a
 * missing string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc/snapshot.h"
#include "alloc/stats.h"

/* No such process: alloc_print reads no source file. */
#define NO_PID 0x7fffffff

static FILE *sink;

static void check(const struct alloc_snapshot *s)
{
	if (s->frames != &s->own)
		__builtin_trap();
	for (uint32_t i = 0; i < s->frames->nfuncs; i++)
		if (!s->frames->funcs[i].file || !s->frames->funcs[i].name)
			__builtin_trap();
	for (size_t i = 0; i < s->nrecs; i++)
		for (uint32_t k = 0; k < s->recs[i].n; k++)
			if (!s->recs[i].frames || s->recs[i].frames[k] >= s->frames->nframes)
				__builtin_trap();
	if (!s->command || !s->python)
		__builtin_trap();
}

static void stats(const struct alloc_snapshot *s)
{
	static const char *pats[] = { "*.py", "<unknown>" };
	struct alloc_query q = { 0 };
	struct alloc_stat *rows;
	size_t n;

	for (int i = 0; i < 8; i++) {
		q = (struct alloc_query){ .group = i % 3, .allocated = i & 1,
					  .traceback_limit = i == 2 ? 2 : 0, .all_frames = i >= 6 };
		if (i == 6) {
			q.include = pats;
			q.ninclude = 2;
		} else if (i == 7) {
			q.exclude = pats;
			q.nexclude = 1;
		}
		rows = alloc_statistics(s, &q, &n);
		alloc_print(sink, rows, n, i == 1 ? 3 : 0, &q, 0, NO_PID);
		free(rows);
		rows = alloc_compare(s, s, &q, &n);
		alloc_print(sink, rows, n, 0, &q, 1, NO_PID);
		free(rows);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alloc_snapshot s;
	char err[256];

	if (!sink && !(sink = fopen("/dev/null", "w")))
		abort();
	err[0] = '\0';
	if (alloc_snapshot_read_mem(&s, data, size, "fuzz", err, sizeof(err))) {
		/* Refused: said why, kept nothing. */
		if (!err[0] || s.frames || s.recs || s.command || s.python || s.nrecs || s.own.nframes)
			__builtin_trap();
		return 0;
	}
	check(&s);
	stats(&s);
	alloc_snapshot_free(&s);
	return 0;
}
