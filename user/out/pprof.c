/* The pprof writer: a gzipped profile.proto (github.com/google/pprof,
 * proto/profile.proto), for `go tool pprof`, pprof's web UI, and the
 * services that take pprof files.
 *
 * The protobuf encoding is our own (pb_encode.c, about a hundred lines):
 * a profile needs varints, length-delimited fields and packed repeated
 * integers, nothing else. protobuf-c would need profile.proto compiled by
 * protoc-c at build time (one more build tool), its generated code and its
 * runtime library, and a tree of structs built in memory before packing:
 * for 100,000 stacks of 50 frames, millions of small allocations we do not
 * need, when the samples can be encoded straight from the profile into one
 * buffer.
 *
 * What goes where:
 *   - sample types: samples/count and cpu/nanoseconds (wall/nanoseconds with
 *     --idle, where off-CPU time is counted too), period 1e9/hz ns;
 *   - one function per Python function (name, system_name "file:name",
 *     file, first line), one location per (function, line), all in one
 *     mapping marked as symbolised;
 *   - one sample per unique stack, locations leaf first, with the labels
 *     thread (name), tid and pid, so pprof's -tagfocus/-tagroot can split
 *     threads;
 *   - the marker frames ([off-cpu], [truncated], [partial]) as
 *     pseudo-functions where the profile puts them, at the root. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include <zlib.h>
#include "out/writers.h"
#include "out/pb_encode.h"
#include "out/pprof_proto.h"
#include "proc/text_escape.h"

/* The string table: every string once, index 0 = "". */
struct str_entry {
	UT_hash_handle hh;
	uint64_t index;
	char s[];
};

struct strings {
	struct str_entry *set;
	struct pb table;	/* the encoded string_table fields, in index order */
	uint64_t n;
	int err;
};

/* A protobuf string must be UTF-8, and Pyroscope and Parca refuse a
 * profile whose strings are not: a thread name cut at 15 bytes, a command
 * line, are anything. Bytes that are not UTF-8 are stored as U+FFFD. */
static uint64_t str_index(struct strings *t, const char *raw)
{
	char *s = text_utf8_dup(raw);
	struct str_entry *e;
	uint64_t index = 0;
	size_t len;

	if (!s) {
		t->err = -ENOMEM;
		return 0;
	}
	len = strlen(s);
	HASH_FIND(hh, t->set, s, len, e);
	if (e) {
		index = e->index;
	} else if (!(e = malloc(sizeof(*e) + len + 1))) {
		t->err = -ENOMEM;
	} else {
		memcpy(e->s, s, len + 1);
		index = e->index = t->n++;
		HASH_ADD(hh, t->set, s, len, e);
		pb_bytes(&t->table, PROFILE_STRING_TABLE, s, len);
	}
	free(s);
	return index;
}

static void strings_free(struct strings *t)
{
	struct str_entry *e, *tmp;

	HASH_ITER(hh, t->set, e, tmp) {
		HASH_DEL(t->set, e);
		free(e);
	}
	pb_free(&t->table);
}

struct pprof_ctx {
	const struct profile *p;
	struct pb out, sub, label;
	struct strings str;
	uint8_t *frame_used;	/* per frame id */
	uint64_t *ids;		/* one sample's location ids */
	uint32_t ids_cap;
	uint64_t period;
	int bytes;		/* counts are bytes (alloc), not samples */
	uint64_t k_thread, k_tid, k_pid;
	int agent_labels;
};

static void put_label(struct pprof_ctx *c, uint64_t key, uint64_t str, uint64_t num)
{
	pb_uint(&c->label, LABEL_KEY, key);
	pb_uint(&c->label, LABEL_STR, str);
	pb_uint(&c->label, LABEL_NUM, num);
	pb_message(&c->sub, SAMPLE_LABEL, &c->label);
}

static int add_sample(void *ctx, const struct profile_stack *st)
{
	struct pprof_ctx *c = ctx;
	const struct frame_table *ft = c->p->frames;
	uint32_t n = 0, need = st->n ? st->n : 1;
	uint64_t values[2] = { st->count, st->count * c->period };
	size_t nvalues = c->bytes ? 1 : 2;

	if (need > c->ids_cap) {
		uint64_t *ids = realloc(c->ids, need * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		c->ids = ids;
		c->ids_cap = need;
	}
	/* Leaf first: the profile's frames are root first. */
	for (uint32_t i = st->n; i-- > 0;) {
		uint32_t f = frame_table_id(ft, st->frames[i]);

		c->frame_used[f] = 1;
		c->ids[n++] = f + 1;
	}

	pb_packed(&c->sub, SAMPLE_LOCATION_ID, c->ids, n);
	pb_packed(&c->sub, SAMPLE_VALUE, values, nvalues);
	put_label(c, c->k_thread, str_index(&c->str, profile_thread_name(c->p, st->pid, st->tid)), 0);
	if (c->agent_labels) {	/* Pyroscope keeps string labels only */
		char tid[16];

		snprintf(tid, sizeof(tid), "%u", st->tid);
		put_label(c, c->k_tid, str_index(&c->str, tid), 0);
	} else {
		put_label(c, c->k_tid, 0, st->tid);
		put_label(c, c->k_pid, 0, st->pid);
	}
	pb_message(&c->out, PROFILE_SAMPLE, &c->sub);
	return c->out.err ? c->out.err : c->str.err;
}

static void put_value_type(struct pprof_ctx *c, int field, const char *type, const char *unit)
{
	pb_uint(&c->sub, VALUE_TYPE_TYPE, str_index(&c->str, type));
	pb_uint(&c->sub, VALUE_TYPE_UNIT, str_index(&c->str, unit));
	pb_message(&c->out, field, &c->sub);
}

static void put_function(struct pprof_ctx *c, uint64_t id, const char *name, const char *file,
			 int firstline)
{
	pb_uint(&c->sub, FUNCTION_ID, id);
	pb_uint(&c->sub, FUNCTION_NAME, str_index(&c->str, name));
	/* pprof "demangles" a function whose system name equals its name, and
	 * takes <...> for C++ template arguments: `<module>` became "" and
	 * `f.<locals>.g` "f..g". A system name that differs (the qualified
	 * file:qualname) stops that. */
	if (file[0]) {
		char *sys;

		if (asprintf(&sys, "%s:%s", file, name) < 0) {
			c->str.err = -ENOMEM;
			return;
		}
		pb_uint(&c->sub, FUNCTION_SYSTEM_NAME, str_index(&c->str, sys));
		free(sys);
	}
	pb_uint(&c->sub, FUNCTION_FILENAME, str_index(&c->str, file));
	pb_uint(&c->sub, FUNCTION_START_LINE, firstline > 0 ? firstline : 0);
	pb_message(&c->out, PROFILE_FUNCTION, &c->sub);
}

static void put_location(struct pprof_ctx *c, uint64_t id, uint64_t func_id, int line)
{
	pb_uint(&c->label, LINE_FUNCTION_ID, func_id);
	pb_uint(&c->label, LINE_LINE, line > 0 ? line : 0);	/* 0: no line */
	pb_uint(&c->sub, LOCATION_ID, id);
	pb_uint(&c->sub, LOCATION_MAPPING_ID, 1);
	pb_message(&c->sub, LOCATION_LINE, &c->label);
	pb_message(&c->out, PROFILE_LOCATION, &c->sub);
}

/* One mapping for every location, that says they are symbolised already:
 * pprof would look for a binary to symbolise them otherwise (and warns
 * "Main binary filename not available" without one). */
static void put_mapping(struct pprof_ctx *c, const char *file)
{
	pb_uint(&c->sub, MAPPING_ID, 1);
	pb_uint(&c->sub, MAPPING_FILENAME, str_index(&c->str, file));
	pb_uint(&c->sub, MAPPING_HAS_FUNCTIONS, 1);
	pb_uint(&c->sub, MAPPING_HAS_FILENAMES, 1);
	pb_uint(&c->sub, MAPPING_HAS_LINE_NUMBERS, 1);
	pb_message(&c->out, PROFILE_MAPPING, &c->sub);
}

/* The locations and functions the samples used. */
static void put_symbols(struct pprof_ctx *c)
{
	const struct frame_table *ft = c->p->frames;
	uint8_t *func_used = calloc(ft->nfuncs + 1, 1);

	if (!func_used) {
		c->out.err = -ENOMEM;
		return;
	}
	for (uint32_t f = 0; f < ft->nframes; f++) {
		const struct ft_frame *fr = frame_table_frame_at(ft, f);

		if (!c->frame_used[f])
			continue;
		put_location(c, f + 1, fr->func + 1, fr->line);
		if (!func_used[fr->func]) {
			const struct ft_func *fn = frame_table_func_at(ft, fr->func);

			func_used[fr->func] = 1;
			put_function(c, fr->func + 1, fn->name, fn->file, fn->firstline);
		}
	}
	free(func_used);
}

/* gzip (RFC 1952) at zlib's fastest level, as Go's runtime/pprof does:
 * the profile is mostly small varints, which compress well even so. */
static int gzip_to(const uint8_t *data, size_t len, FILE *out)
{
	unsigned char buf[1 << 16];
	z_stream z = { 0 };
	int rc, err = 0;

	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (unsigned char *)data;
	do {
		/* avail_in is 32 bits: feed at most 1 GiB at a time. */
		size_t chunk = len > (1u << 30) ? (1u << 30) : len;
		int flush = chunk == len ? Z_FINISH : Z_NO_FLUSH;

		z.avail_in = (unsigned)chunk;
		len -= chunk;
		do {
			z.next_out = buf;
			z.avail_out = sizeof(buf);
			rc = deflate(&z, flush);
			if (rc == Z_STREAM_ERROR) {
				err = -EIO;
				break;
			}
			if (fwrite(buf, 1, sizeof(buf) - z.avail_out, out) != sizeof(buf) - z.avail_out)
				err = -EIO;
		} while (z.avail_out == 0 && !err);
	} while (len && !err);
	if (!err && rc != Z_STREAM_END)
		err = -EIO;
	deflateEnd(&z);
	return err;
}

int write_pprof(const struct profile *p, const struct profile_meta *m, FILE *out)
{
	struct pprof_ctx c = { .p = p };
	int hz = m->hz > 0 ? m->hz : 99;
	const char *time_type = m->idle ? "wall" : "cpu";
	char line[512];
	int err;

	c.period = 1000000000ull / hz;
	c.bytes = m->unit && !strcmp(m->unit, "bytes");
	c.frame_used = calloc(p->frames->nframes + 1, 1);
	if (!c.frame_used)
		return -ENOMEM;
	str_index(&c.str, "");
	c.agent_labels = m->agent_labels;
	c.k_thread = str_index(&c.str, c.agent_labels ? "thread_name" : "thread");
	c.k_tid = str_index(&c.str, c.agent_labels ? "thread_id" : "tid");
	c.k_pid = str_index(&c.str, "pid");

	if (c.bytes) {
		/* A heap profile, as Go's: one value, in bytes. */
		time_type = m->bytes_type ? m->bytes_type : "space";
		put_value_type(&c, PROFILE_SAMPLE_TYPE, time_type, "bytes");
	} else {
		put_value_type(&c, PROFILE_SAMPLE_TYPE, "samples", "count");
		put_value_type(&c, PROFILE_SAMPLE_TYPE, time_type, "nanoseconds");
	}
	err = profile_foreach(p, add_sample, &c);
	if (!err) {
		put_mapping(&c, "python");
		put_symbols(&c);
		put_value_type(&c, PROFILE_PERIOD_TYPE, time_type, c.bytes ? "bytes" : "nanoseconds");
		pb_uint(&c.out, PROFILE_PERIOD, c.bytes ? 1 : c.period);
		pb_uint(&c.out, PROFILE_TIME_NANOS, m->start_unix_ns);
		pb_uint(&c.out, PROFILE_DURATION_NANOS, (uint64_t)(m->duration_s * 1e9));
		pb_uint(&c.out, PROFILE_DEFAULT_SAMPLE_TYPE, str_index(&c.str, time_type));
		snprintf(line, sizeof(line), "pybpftop: %.400s", m->command ? m->command : "");
		pb_uint(&c.out, PROFILE_COMMENT, str_index(&c.str, line));
		if (c.bytes)
			snprintf(line, sizeof(line), "Python %s, bytes of memory (%s)", m->python ? m->python : "",
				 time_type);
		else
			snprintf(line, sizeof(line), "Python %s, %d Hz%s", m->python ? m->python : "", hz,
				 m->idle ? ", --idle (off-CPU time included)" : "");
		pb_uint(&c.out, PROFILE_COMMENT, str_index(&c.str, line));
		for (int i = 0; i < m->ncomments; i++)
			pb_uint(&c.out, PROFILE_COMMENT, str_index(&c.str, m->comments[i]));
		err = c.out.err ? c.out.err : c.sub.err ? c.sub.err : c.label.err ? c.label.err :
		      c.str.err ? c.str.err : c.str.table.err;
	}
	/* The string table goes last: only now is it complete. */
	if (!err)
		pb_append(&c.out, c.str.table.b, c.str.table.n);
	if (!err && !(err = c.out.err))
		err = gzip_to(c.out.b, c.out.n, out);
	if (!err && fflush(out))
		err = -EIO;
	strings_free(&c.str);
	pb_free(&c.out);
	pb_free(&c.sub);
	pb_free(&c.label);
	free(c.ids);
	free(c.frame_used);
	return err;
}
