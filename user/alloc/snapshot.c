/* alloc snapshots: built from the heap, written and read with jansson. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "alloc/snapshot.h"
#include "profile/profile.h"

#define UNKNOWN "<unknown>"

int alloc_snapshot_from_heap(struct alloc_snapshot *s, const struct alloc_heap *h,
			     const struct frame_table *frames)
{
	size_t i = 0;

	s->current = h->current;
	s->peak = h->peak;
	s->allocated = h->allocated;
	s->allocations = h->allocations;
	s->frames = frames;
	s->recs = calloc(h->ntraces ? h->ntraces : 1, sizeof(*s->recs));
	if (!s->recs)
		return -ENOMEM;
	for (const struct alloc_trace *t = h->traces; t; t = t->next, i++) {
		struct alloc_rec *r = &s->recs[i];

		*r = (struct alloc_rec){ .n = t->n, .partial = !!(t->flags & (STACK_TRUNCATED | STACK_PARTIAL)),
					 .live_size = t->live_size, .live_count = t->live_count,
					 .alloc_size = t->alloc_size, .alloc_count = t->alloc_count };
		r->frames = malloc((t->n ? t->n : 1) * sizeof(*r->frames));
		if (!r->frames)
			return -ENOMEM;
		memcpy(r->frames, t->frames, t->n * sizeof(*r->frames));
		s->nrecs = i + 1;
	}
	return 0;
}

struct alloc_frame alloc_snapshot_frame(const struct alloc_snapshot *s, uint32_t id)
{
	const struct ft_frame *f = frame_table_frame_at(s->frames, id);
	const struct ft_func *fn = frame_table_func_at(s->frames, f->func);

	if (frame_table_id(s->frames, id) == FRAME_UNKNOWN)
		return (struct alloc_frame){ UNKNOWN, UNKNOWN, 0 };
	return (struct alloc_frame){ fn->file, fn->name, f->line < 0 ? 0 : f->line };
}

void alloc_snapshot_free(struct alloc_snapshot *s)
{
	for (size_t i = 0; i < s->nrecs; i++)
		free(s->recs[i].frames);
	if (s->frames == &s->own)
		frame_table_free(&s->own);
	free(s->recs);
	free(s->command);
	free(s->python);
	memset(s, 0, sizeof(*s));
}

int alloc_snapshot_write(const struct alloc_snapshot *s, FILE *out)
{
	json_t *doc = json_object(), *frames = json_array(), *traces = json_array();
	/* The frames the records use, numbered in order of first use. */
	uint32_t nframes = s->frames ? s->frames->nframes : 0;
	int64_t *index = malloc((nframes + 1) * sizeof(*index));
	uint32_t nused = 0;
	int rc;

	if (!index) {
		json_decref(doc);
		json_decref(frames);
		json_decref(traces);
		return -ENOMEM;
	}
	memset(index, 0xff, (nframes + 1) * sizeof(*index));

	json_object_set_new(doc, "format", json_string(ALLOC_SNAPSHOT_FORMAT));
	json_object_set_new(doc, "version", json_integer(ALLOC_SNAPSHOT_VERSION));
	json_object_set_new(doc, "mode", json_string(s->exact ? "exact" : "sampled"));
	json_object_set_new(doc, "sample_bytes", json_integer(s->exact ? 0 : (json_int_t)s->sample_bytes));
	json_object_set_new(doc, "pid", json_integer(s->pid));
	json_object_set_new(doc, "command", json_string(s->command ? s->command : ""));
	json_object_set_new(doc, "python", json_string(s->python ? s->python : ""));
	json_object_set_new(doc, "duration_s", json_real(s->duration_s));
	json_object_set_new(doc, "time_unix_ns", json_integer((json_int_t)s->time_unix_ns));
	json_object_set_new(doc, "traced", json_pack("{s:I, s:I, s:I, s:I}",
		"current", (json_int_t)s->current, "peak", (json_int_t)s->peak,
		"allocated", (json_int_t)s->allocated, "allocations", (json_int_t)s->allocations));
	for (size_t i = 0; i < s->nrecs; i++) {
		const struct alloc_rec *r = &s->recs[i];
		json_t *ids = json_array();

		for (uint32_t k = 0; k < r->n; k++) {
			uint32_t id = frame_table_id(s->frames, r->frames[k]);

			if (index[id] < 0) {
				struct alloc_frame f = alloc_snapshot_frame(s, id);

				index[id] = nused++;
				json_array_append_new(frames, json_pack("[s, i, s]", f.file, f.line, f.func));
			}
			json_array_append_new(ids, json_integer(index[id]));
		}
		json_array_append_new(traces, json_pack("{s:o, s:b, s:I, s:I, s:I, s:I}",
			"frames", ids, "partial", r->partial,
			"live_size", (json_int_t)r->live_size, "live_count", (json_int_t)r->live_count,
			"alloc_size", (json_int_t)r->alloc_size, "alloc_count", (json_int_t)r->alloc_count));
	}
	json_object_set_new(doc, "frames", frames);
	json_object_set_new(doc, "traces", traces);
	rc = json_dumpf(doc, out, JSON_COMPACT) ? -EIO : 0;
	json_decref(doc);
	free(index);
	return rc;
}

static int bad(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "%s is not a pybpftop alloc snapshot: %s", path, what);
	return -EINVAL;
}

/* A count read from JSON: an integer, 0 or more. */
static uint64_t count_of(json_t *obj, const char *key, int *ok)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		*ok = 0;
		return 0;
	}
	return json_integer_value(v);
}

/* The document, or NULL when it did not parse (jerr says why); path names
 * it in messages. Takes the reference to doc. */
static int read_doc(struct alloc_snapshot *s, json_t *doc, const json_error_t *jerr,
		    const char *path, char *err, size_t errlen)
{
	json_t *frames, *traces, *traced, *v;
	const char *fmt = NULL, *mode = NULL;
	uint32_t *ids_of = NULL;	/* the file's frame index -> our frame id */
	int ok = 1, rc = 0;

	memset(s, 0, sizeof(*s));
	if (!doc) {
		snprintf(err, errlen, "cannot read %s: %s (line %d)", path, jerr->text, jerr->line);
		return -EINVAL;
	}
	if (json_unpack(doc, "{s:s}", "format", &fmt) || strcmp(fmt, ALLOC_SNAPSHOT_FORMAT)) {
		rc = bad(err, errlen, path, "no \"format\": \"" ALLOC_SNAPSHOT_FORMAT "\"");
		goto out;
	}
	/* The version before anything else: another version may lack the rest. */
	v = json_object_get(doc, "version");
	if (!json_is_integer(v) || json_integer_value(v) != ALLOC_SNAPSHOT_VERSION) {
		snprintf(err, errlen, "%s is a snapshot of format version %lld; this pybpftop reads version %d",
			 path, json_is_integer(v) ? (long long)json_integer_value(v) : -1LL,
			 ALLOC_SNAPSHOT_VERSION);
		rc = -EINVAL;
		goto out;
	}
	if (json_unpack(doc, "{s:s}", "mode", &mode)) {
		rc = bad(err, errlen, path, "no \"mode\"");
		goto out;
	}
	s->exact = !strcmp(mode, "exact");
	s->sample_bytes = count_of(doc, "sample_bytes", &ok);
	s->pid = (int)count_of(doc, "pid", &ok);
	s->time_unix_ns = count_of(doc, "time_unix_ns", &ok);
	v = json_object_get(doc, "duration_s");
	s->duration_s = json_is_number(v) ? json_number_value(v) : 0;
	s->command = strdup(json_string_value(json_object_get(doc, "command")) ?: "");
	s->python = strdup(json_string_value(json_object_get(doc, "python")) ?: "");
	traced = json_object_get(doc, "traced");
	s->current = count_of(traced, "current", &ok);
	s->peak = count_of(traced, "peak", &ok);
	s->allocated = count_of(traced, "allocated", &ok);
	s->allocations = count_of(traced, "allocations", &ok);
	frames = json_object_get(doc, "frames");
	traces = json_object_get(doc, "traces");
	if (!ok || !json_is_array(frames) || !json_is_array(traces)) {
		rc = bad(err, errlen, path, "missing or malformed fields");
		goto out;
	}
	ids_of = calloc(json_array_size(frames) + 1, sizeof(*ids_of));
	s->recs = calloc(json_array_size(traces) + 1, sizeof(*s->recs));
	if (!ids_of || !s->recs || frame_table_init(&s->own)) {
		frame_table_free(&s->own);
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory reading %s", path);
		goto out;
	}
	s->frames = &s->own;
	for (size_t i = 0; i < json_array_size(frames); i++) {
		const char *file, *func;
		int line;

		if (json_unpack(json_array_get(frames, i), "[s, i, s]", &file, &line, &func)) {
			rc = bad(err, errlen, path, "a frame is not [file, line, function]");
			goto out;
		}
		ids_of[i] = !strcmp(file, UNKNOWN) && !strcmp(func, UNKNOWN) ? FRAME_UNKNOWN :
			    frame_table_frame(&s->own, frame_table_func(&s->own, func, file, 0),
					      line > 0 ? line : -1);
	}
	for (size_t i = 0; i < json_array_size(traces); i++) {
		json_t *t = json_array_get(traces, i), *ids = json_object_get(t, "frames");
		struct alloc_rec *r = &s->recs[i];

		if (!json_is_array(ids)) {
			rc = bad(err, errlen, path, "a trace has no frames array");
			goto out;
		}
		s->nrecs++;
		r->n = json_array_size(ids);
		r->frames = calloc(r->n + 1, sizeof(*r->frames));
		r->partial = json_is_true(json_object_get(t, "partial"));
		r->live_size = count_of(t, "live_size", &ok);
		r->live_count = count_of(t, "live_count", &ok);
		r->alloc_size = count_of(t, "alloc_size", &ok);
		r->alloc_count = count_of(t, "alloc_count", &ok);
		for (uint32_t k = 0; r->frames && k < r->n; k++) {
			json_t *id = json_array_get(ids, k);

			if (!json_is_integer(id) || json_integer_value(id) < 0 ||
			    (size_t)json_integer_value(id) >= json_array_size(frames))
				ok = 0;
			else
				r->frames[k] = ids_of[json_integer_value(id)];
		}
		if (!ok || !r->frames) {
			rc = bad(err, errlen, path, "a trace has a bad count or frame index");
			goto out;
		}
	}
out:
	json_decref(doc);
	free(ids_of);
	if (rc)
		alloc_snapshot_free(s);
	return rc;
}

int alloc_snapshot_read(struct alloc_snapshot *s, const char *path, char *err, size_t errlen)
{
	json_error_t jerr;

	return read_doc(s, json_load_file(path, 0, &jerr), &jerr, path, err, errlen);
}

int alloc_snapshot_read_mem(struct alloc_snapshot *s, const void *buf, size_t len, const char *name,
			    char *err, size_t errlen)
{
	json_error_t jerr;

	return read_doc(s, json_loadb(buf, len, 0, &jerr), &jerr, name, err, errlen);
}
