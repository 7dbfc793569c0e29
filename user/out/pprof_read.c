/* The pprof reader (see pprof_read.h). Two passes over the protobuf:
 * the first takes the string table, functions, locations and comments,
 * which a writer may put anywhere (ours puts the strings last); the
 * second reads the samples, twice: once to check every one of them, then
 * to add them, so that a file corrupt in its last sample adds nothing. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "out/pb_decode.h"
#include "out/pprof_proto.h"
#include "out/pprof_read.h"

const struct pprof_limits pprof_default_limits = {
	.max_inflated = 256u << 20,
	.max_strings = 1u << 20,
	.max_functions = 1u << 20,
	.max_locations = 1u << 20,
	.max_lines = 4u << 20,
	.max_samples = 4u << 20,
	.max_depth = PYBPFTOP_MAX_DEPTH,
};

/* Names and files longer than this are cut: a frame table's row, not a
 * file's worth of bytes. */
#define NAME_MAX_BYTES 1024
/* Sample types looked at; the value counted is one of them. */
#define MAX_TYPES 8
#define UNRESOLVED UINT32_MAX

struct pr_string {
	const uint8_t *p;
	uint32_t len;
};

struct pr_func {
	uint64_t id, name, file;
	int64_t start_line;
};

struct pr_line {
	uint64_t func_id;
	int64_t line;
	uint32_t frame;		/* the frame table's, once resolved */
};

struct pr_loc {
	uint64_t id;
	uint32_t first, n;	/* its lines, innermost first */
};

struct reader {
	const struct pprof_limits *lim;
	struct profile *p;
	struct frame_table *ft;
	struct pprof_info *info;
	const struct pprof_read_opts *o;
	uint32_t default_pid;
	struct pr_string *str;
	struct pr_func *fn;
	struct pr_loc *loc;
	struct pr_line *line;
	uint64_t *comment;
	uint32_t nstr, nfn, nloc, nline, ncomment;
	uint32_t str_cap, fn_cap, loc_cap, line_cap, comment_cap;
	uint64_t types[MAX_TYPES][2];	/* type, unit */
	int ntypes, value_index;
	uint32_t nsamples;
	uint32_t *frames;	/* one sample's, leaf first */
	uint32_t frames_cap;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* Room for one more row of v: its index, or -1 past max or out of memory. */
static long push(void **v, uint32_t *n, uint32_t *cap, size_t size, uint32_t max)
{
	if (*n >= max)
		return -1;
	if (*n == *cap) {
		uint32_t ncap = *cap ? *cap * 2 : 64;
		void *nv;

		if (ncap > max)
			ncap = max;
		if (!(nv = realloc(*v, (size_t)ncap * size)))
			return -1;
		*v = nv;
		*cap = ncap;
	}
	return (*n)++;
}

#define PUSH(r, arr, max) push((void **)&(r)->arr, &(r)->n##arr, &(r)->arr##_cap, sizeof(*(r)->arr), max)

/* String i, as a C string of at most NAME_MAX_BYTES (a NUL in it ends it),
 * in buf; NULL for an index past the table. */
static const char *str_at(const struct reader *r, uint64_t i, char *buf)
{
	size_t n;

	if (i >= r->nstr)
		return NULL;
	n = r->str[i].len < NAME_MAX_BYTES ? r->str[i].len : NAME_MAX_BYTES;
	memcpy(buf, r->str[i].p, n);
	buf[n] = '\0';
	return buf;
}

/* s into dst[size], cut. */
static void set_str(char *dst, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int read_value_type(struct reader *r, const struct pb_field *f)
{
	struct pb_reader s = pb_reader_of(f->data, f->len);
	struct pb_field g;
	uint64_t type = 0, unit = 0;
	int rc;

	while ((rc = pb_next(&s, &g)) == 1) {
		if (g.num == VALUE_TYPE_TYPE && g.wire == PB_WIRE_VARINT)
			type = g.v;
		else if (g.num == VALUE_TYPE_UNIT && g.wire == PB_WIRE_VARINT)
			unit = g.v;
	}
	if (rc < 0)
		return fail(r, -EBADMSG, "malformed sample type");
	if (r->ntypes < MAX_TYPES) {
		r->types[r->ntypes][0] = type;
		r->types[r->ntypes][1] = unit;
	}
	r->ntypes++;
	return 0;
}

static int read_function(struct reader *r, const struct pb_field *f)
{
	struct pb_reader s = pb_reader_of(f->data, f->len);
	struct pr_func fn = { 0 };
	struct pb_field g;
	long i;
	int rc;

	while ((rc = pb_next(&s, &g)) == 1) {
		if (g.wire != PB_WIRE_VARINT)
			continue;
		if (g.num == FUNCTION_ID)
			fn.id = g.v;
		else if (g.num == FUNCTION_NAME)
			fn.name = g.v;
		else if (g.num == FUNCTION_FILENAME)
			fn.file = g.v;
		else if (g.num == FUNCTION_START_LINE)
			fn.start_line = (int64_t)g.v;
	}
	if (rc < 0)
		return fail(r, -EBADMSG, "malformed function");
	if ((i = PUSH(r, fn, r->lim->max_functions)) < 0)
		return fail(r, -EBADMSG, "more than %u functions", r->lim->max_functions);
	r->fn[i] = fn;
	return 0;
}

static int read_line(struct reader *r, const struct pb_field *f)
{
	struct pb_reader s = pb_reader_of(f->data, f->len);
	struct pr_line ln = { .frame = UNRESOLVED };
	struct pb_field g;
	long i;
	int rc;

	while ((rc = pb_next(&s, &g)) == 1) {
		if (g.num == LINE_FUNCTION_ID && g.wire == PB_WIRE_VARINT)
			ln.func_id = g.v;
		else if (g.num == LINE_LINE && g.wire == PB_WIRE_VARINT)
			ln.line = (int64_t)g.v;
	}
	if (rc < 0)
		return fail(r, -EBADMSG, "malformed line");
	if ((i = PUSH(r, line, r->lim->max_lines)) < 0)
		return fail(r, -EBADMSG, "more than %u lines", r->lim->max_lines);
	r->line[i] = ln;
	return 0;
}

static int read_location(struct reader *r, const struct pb_field *f)
{
	struct pb_reader s = pb_reader_of(f->data, f->len);
	struct pr_loc loc = { .first = r->nline };
	struct pb_field g;
	long i;
	int rc;

	while ((rc = pb_next(&s, &g)) == 1) {
		if (g.num == LOCATION_ID && g.wire == PB_WIRE_VARINT) {
			loc.id = g.v;
		} else if (g.num == LOCATION_LINE && g.wire == PB_WIRE_LEN) {
			if ((rc = read_line(r, &g)))
				return rc;
			loc.n++;
		}
	}
	if (rc < 0)
		return fail(r, -EBADMSG, "malformed location");
	if ((i = PUSH(r, loc, r->lim->max_locations)) < 0)
		return fail(r, -EBADMSG, "more than %u locations", r->lim->max_locations);
	r->loc[i] = loc;
	return 0;
}

/* The first pass: everything but the samples, which are only counted. */
static int read_tables(struct reader *r, const uint8_t *data, size_t len)
{
	struct pb_reader s = pb_reader_of(data, len);
	struct pb_packed_it it = { 0 };
	struct pb_field f;
	uint64_t v;
	long i;
	int rc;

	while ((rc = pb_next(&s, &f)) == 1) {
		int is_len = f.wire == PB_WIRE_LEN;

		switch (f.num) {
		case PROFILE_SAMPLE_TYPE:
			rc = is_len ? read_value_type(r, &f) : -EBADMSG;
			break;
		case PROFILE_SAMPLE:
			rc = is_len ? 0 : -EBADMSG;
			if (++r->nsamples > r->lim->max_samples)
				return fail(r, -EBADMSG, "more than %u samples", r->lim->max_samples);
			break;
		case PROFILE_LOCATION:
			rc = is_len ? read_location(r, &f) : -EBADMSG;
			break;
		case PROFILE_FUNCTION:
			rc = is_len ? read_function(r, &f) : -EBADMSG;
			break;
		case PROFILE_STRING_TABLE:
			if (!is_len || f.len > UINT32_MAX)
				return fail(r, -EBADMSG, "malformed string");
			if ((i = PUSH(r, str, r->lim->max_strings)) < 0)
				return fail(r, -EBADMSG, "more than %u strings", r->lim->max_strings);
			r->str[i] = (struct pr_string){ f.data, (uint32_t)f.len };
			break;
		case PROFILE_TIME_NANOS:
		case PROFILE_DURATION_NANOS:
		case PROFILE_PERIOD:
			if (f.wire != PB_WIRE_VARINT)
				return fail(r, -EBADMSG, "malformed field %u", f.num);
			if (f.num == PROFILE_TIME_NANOS)
				r->info->time_nanos = f.v;
			else if (f.num == PROFILE_DURATION_NANOS)
				r->info->duration_nanos = f.v;
			else
				r->info->period = f.v;
			break;
		case PROFILE_COMMENT:	/* packed by proto3 writers, one by one by ours */
			it = (struct pb_packed_it){ 0 };
			while ((rc = pb_packed_next(&f, &it, &v)) == 1) {
				if ((i = PUSH(r, comment, r->lim->max_strings)) < 0)
					return fail(r, -EBADMSG, "more than %u comments", r->lim->max_strings);
				r->comment[i] = v;
			}
			break;
		}
		if (rc < 0)
			return r->err[0] ? rc : fail(r, -EBADMSG, "malformed field %u", f.num);
	}
	if (rc < 0)
		return fail(r, -EBADMSG, "malformed protobuf");
	if (!r->ntypes)
		return fail(r, -EBADMSG, "no sample type: not a profile");
	return 0;
}

static int by_func_id(const void *a, const void *b)
{
	const struct pr_func *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int by_loc_id(const void *a, const void *b)
{
	const struct pr_loc *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* The comments the agent writes ("label KEY=VALUE") and the writer's
 * "Python X.Y.Z, ..." line. */
static void read_comments(struct reader *r)
{
	struct pprof_info *info = r->info;
	char buf[NAME_MAX_BYTES + 1];

	for (uint32_t i = 0; i < r->ncomment; i++) {
		const char *c = str_at(r, r->comment[i], buf), *eq;

		if (!c)
			continue;
		if (!strncmp(c, "label ", 6) && (eq = strchr(c + 6, '=')) && eq > c + 6 &&
		    info->nlabels < PPROF_MAX_LABELS) {
			struct pprof_label *l = &info->labels[info->nlabels++];

			set_str(l->key, (size_t)(eq - c - 6) + 1 < sizeof(l->key) ? (size_t)(eq - c - 6) + 1 :
				sizeof(l->key), c + 6);
			set_str(l->value, sizeof(l->value), eq + 1);
		} else if (!strncmp(c, "Python ", 7) && !info->python[0]) {
			size_t n = strcspn(c + 7, ", ");

			set_str(info->python, n + 1 < sizeof(info->python) ? n + 1 : sizeof(info->python), c + 7);
		}
	}
	const char *v = pprof_label(info, "python_version");
	char *end;
	unsigned long pid;

	if (v)
		set_str(info->python, sizeof(info->python), v);
	if ((v = pprof_label(info, "pid"))) {
		pid = strtoul(v, &end, 10);
		if (end != v && !*end && pid > 0 && pid <= INT_MAX)
			info->pid = (uint32_t)pid;
	}
}

/* The frame of a line: the frame table's marker for a marker function
 * (a name in brackets, no file), else its function and line, interned. */
static int resolve_line(struct reader *r, struct pr_line *ln, uint32_t *frame)
{
	struct pr_func key = { .id = ln->func_id }, *fn;
	char name[NAME_MAX_BYTES + 1], file[NAME_MAX_BYTES + 1];
	long long interp;
	int end = 0;

	if (ln->frame != UNRESOLVED) {
		*frame = ln->frame;
		return 0;
	}
	fn = r->nfn ? bsearch(&key, r->fn, r->nfn, sizeof(*r->fn), by_func_id) : NULL;
	if (!fn || !str_at(r, fn->name, name) || !str_at(r, fn->file, file))
		return fail(r, -EBADMSG, fn ? "a function's name is not in the string table" :
			    "a line names function %llu, which is not there",
			    (unsigned long long)ln->func_id);
	*frame = UNRESOLVED;
	if (!file[0] && name[0] == '[') {
		for (uint32_t i = FRAME_UNKNOWN; i < FRAME_RESERVED; i++)
			if (!strcmp(name, r->ft->funcs[i].name))
				*frame = i;
		if (*frame == UNRESOLVED && sscanf(name, "[interpreter %lld]%n", &interp, &end) == 1 &&
		    end && !name[end])
			*frame = frame_table_interpreter(r->ft, interp);
	}
	if (*frame == UNRESOLVED) {
		int first = fn->start_line > 0 && fn->start_line <= INT_MAX ? (int)fn->start_line : 0;
		int line = ln->line > 0 && ln->line <= INT_MAX ? (int)ln->line : -1;

		*frame = frame_table_frame(r->ft, frame_table_func(r->ft, name, file, first), line);
	}
	ln->frame = *frame;
	return 0;
}

/* A string label's value or a number label's as a number: 0 if neither. */
static uint64_t label_number(const struct reader *r, uint64_t str, uint64_t num)
{
	char buf[NAME_MAX_BYTES + 1], *end;
	const char *s;
	unsigned long long v;

	if (num || !str)
		return num;
	if (!(s = str_at(r, str, buf)) || !*s)
		return 0;
	v = strtoull(s, &end, 10);
	return *end || *s == '-' ? 0 : v;
}

struct sample_labels {
	uint64_t pid, tid, thread_name;		/* thread_name: a string index */
	int named;
};

static int read_label(struct reader *r, const struct pb_field *f, struct sample_labels *sl)
{
	struct pb_reader s = pb_reader_of(f->data, f->len);
	struct pb_field g;
	uint64_t key = 0, str = 0, num = 0;
	char buf[NAME_MAX_BYTES + 1];
	const char *k;
	int rc;

	while ((rc = pb_next(&s, &g)) == 1) {
		if (g.wire != PB_WIRE_VARINT)
			continue;
		if (g.num == LABEL_KEY)
			key = g.v;
		else if (g.num == LABEL_STR)
			str = g.v;
		else if (g.num == LABEL_NUM)
			num = g.v;
	}
	if (rc < 0 || !(k = str_at(r, key, buf)) || str >= r->nstr)
		return fail(r, -EBADMSG, "malformed sample label");
	/* The agent's labels (thread_name, thread_id as a string) and record's
	 * (thread, tid and pid as numbers). */
	if (!strcmp(k, "thread_name") || !strcmp(k, "thread")) {
		sl->thread_name = str;
		sl->named = str != 0;
	} else if (!strcmp(k, "thread_id") || !strcmp(k, "tid")) {
		sl->tid = label_number(r, str, num);
	} else if (!strcmp(k, "pid")) {
		sl->pid = label_number(r, str, num);
	}
	return 0;
}

/* One sample: checked (add = 0), or added. */
static int read_sample(struct reader *r, const uint8_t *data, size_t len, int add)
{
	struct pb_reader s = pb_reader_of(data, len);
	struct sample_labels sl = { 0 };
	struct pb_field f;
	uint64_t value = 0, v;
	uint32_t n = 0, flags = 0, root = 0, pid, tid;
	int cut = 0, rc;

	while ((rc = pb_next(&s, &f)) == 1) {
		struct pb_packed_it it = { 0 };

		if (f.num == SAMPLE_LOCATION_ID) {
			while ((rc = pb_packed_next(&f, &it, &v)) == 1) {
				struct pr_loc key = { .id = v }, *loc;

				loc = r->nloc ? bsearch(&key, r->loc, r->nloc, sizeof(*r->loc), by_loc_id) : NULL;
				if (!loc)
					return fail(r, -EBADMSG, "a sample names location %llu, which is not there",
						    (unsigned long long)v);
				for (uint32_t i = 0; i < loc->n; i++) {
					uint32_t frame = FRAME_UNKNOWN;

					if ((rc = resolve_line(r, &r->line[loc->first + i], &frame)))
						return rc;
					if (n < r->frames_cap)
						r->frames[n++] = frame;
					else
						cut = 1;
				}
			}
		} else if (f.num == SAMPLE_VALUE) {
			for (int i = 0; (rc = pb_packed_next(&f, &it, &v)) == 1; i++)
				if (i == r->value_index)
					value = v;
		} else if (f.num == SAMPLE_LABEL && f.wire == PB_WIRE_LEN) {
			rc = read_label(r, &f, &sl);
		}
		if (rc < 0)
			return r->err[0] ? rc : fail(r, -EBADMSG, "malformed sample");
	}
	if (rc < 0)
		return fail(r, -EBADMSG, "malformed sample");
	/* An int64 that is negative, or nothing: not a count. */
	if (!add || !value || value > INT64_MAX)
		return 0;

	/* The markers back into flags, from the root: [interpreter N], then
	 * [off-cpu], then [truncated] or [partial], as profile_add puts them. */
	if (!cut && n && r->frames[n - 1] >= FRAME_RESERVED && frame_table_is_marker(r->ft, r->frames[n - 1]))
		root = r->frames[--n];
	if (!cut && n && r->frames[n - 1] == FRAME_OFF_CPU) {
		flags |= STACK_OFF_CPU;
		n--;
	}
	if (!cut && n && r->frames[n - 1] == FRAME_TRUNCATED) {
		flags |= STACK_TRUNCATED;
		n--;
	} else if (!cut && n && r->frames[n - 1] == FRAME_PARTIAL) {
		flags |= STACK_PARTIAL;
		n--;
	}
	if (n > r->lim->max_depth) {
		n = r->lim->max_depth;
		cut = 1;
	}
	if (cut) {
		flags = (flags & ~STACK_PARTIAL) | STACK_TRUNCATED;
		r->info->truncated++;
	}
	pid = sl.pid && sl.pid <= INT_MAX ? (uint32_t)sl.pid : r->default_pid;
	tid = sl.tid <= UINT32_MAX ? (uint32_t)sl.tid : 0;
	if (profile_add_under(r->p, pid, tid, flags, root, r->frames, n, value))
		return fail(r, -ENOMEM, "out of memory");
	if (sl.named) {
		char buf[NAME_MAX_BYTES + 1];

		profile_set_thread_name(r->p, pid, tid, str_at(r, sl.thread_name, buf));
	}
	r->info->samples += value;
	r->info->stacks++;
	return 0;
}

static int read_samples(struct reader *r, const uint8_t *data, size_t len, int add)
{
	struct pb_reader s = pb_reader_of(data, len);
	struct pb_field f;
	int rc;

	while ((rc = pb_next(&s, &f)) == 1)
		if (f.num == PROFILE_SAMPLE && (rc = read_sample(r, f.data, f.len, add)))
			return rc;
	return rc < 0 ? fail(r, -EBADMSG, "malformed protobuf") : 0;
}

/* The value a sample's count is: the one in "count" (samples), else the
 * first (bytes, for a memory profile). */
static void choose_value(struct reader *r)
{
	char type[NAME_MAX_BYTES + 1], unit[NAME_MAX_BYTES + 1];
	int n = r->ntypes < MAX_TYPES ? r->ntypes : MAX_TYPES;

	r->value_index = 0;
	for (int i = n - 1; i >= 0; i--)
		if (str_at(r, r->types[i][1], unit) && !strcmp(unit, "count"))
			r->value_index = i;
	set_str(r->info->value_type, sizeof(r->info->value_type),
		str_at(r, r->types[r->value_index][0], type) ? type : "");
	set_str(r->info->value_unit, sizeof(r->info->value_unit),
		str_at(r, r->types[r->value_index][1], unit) ? unit : "");
}

static int read_profile(struct reader *r, const uint8_t *data, size_t len)
{
	int rc;

	if ((rc = read_tables(r, data, len)))
		return rc;
	/* qsort and bsearch take no NULL, even for no rows. */
	if (r->nfn)
		qsort(r->fn, r->nfn, sizeof(*r->fn), by_func_id);
	if (r->nloc)
		qsort(r->loc, r->nloc, sizeof(*r->loc), by_loc_id);
	choose_value(r);
	read_comments(r);
	if (r->o->accept && !r->o->accept(r->o->ctx, r->info))
		return 1;
	r->default_pid = r->info->pid ? r->info->pid : r->o->default_pid;
	r->frames_cap = r->lim->max_depth + 8;	/* and the root markers */
	if (!(r->frames = malloc(r->frames_cap * sizeof(*r->frames))))
		return fail(r, -ENOMEM, "out of memory");
	if ((rc = read_samples(r, data, len, 0)))
		return rc;
	return read_samples(r, data, len, 1);
}

/* Gunzips data into *out, at most max bytes: 0, or -EBADMSG. */
static int gunzip(struct reader *r, const uint8_t *data, size_t len, size_t max, uint8_t **out,
		  size_t *outlen)
{
	z_stream z = { 0 };
	size_t cap = 0, n = 0;
	uint8_t *buf = NULL;
	int rc = Z_OK, over = 0;

	if (len > UINT_MAX)
		return fail(r, -EBADMSG, "more than 4 GiB");
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return fail(r, -ENOMEM, "out of memory");
	z.next_in = (unsigned char *)data;
	z.avail_in = (unsigned)len;
	while (rc == Z_OK) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : len * 4 + 4096;
			uint8_t *nb;

			if (cap > max) {
				over = 1;
				break;
			}
			if (ncap > max + 1)
				ncap = max + 1;
			if (!(nb = realloc(buf, ncap))) {
				rc = Z_MEM_ERROR;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		z.next_out = buf + n;
		z.avail_out = (unsigned)(cap - n > UINT_MAX ? UINT_MAX : cap - n);
		rc = inflate(&z, Z_NO_FLUSH);
		n = (size_t)(z.next_out - buf);
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END || n > max) {
		free(buf);
		if (rc == Z_MEM_ERROR)
			return fail(r, -ENOMEM, "out of memory");
		return fail(r, -EBADMSG, over || n > max ? "inflates to more than %zu MiB" :
			    rc == Z_BUF_ERROR ? "gzip data cut short" : "bad gzip data", max >> 20);
	}
	*out = buf;
	*outlen = n;
	return 0;
}

int pprof_read(struct profile *p, struct frame_table *ft, const void *data, size_t len,
	       const struct pprof_read_opts *o, struct pprof_info *info, char *err, size_t errlen)
{
	static const struct pprof_read_opts defaults = { 0 };
	struct reader r = {
		.o = o ? o : &defaults, .p = p, .ft = ft, .info = info, .err = err, .errlen = errlen,
	};
	const uint8_t *d = data;
	uint8_t *raw = NULL;
	size_t rawlen = len;
	int rc;

	r.lim = r.o->lim ? r.o->lim : &pprof_default_limits;
	memset(info, 0, sizeof(*info));
	if (errlen)
		err[0] = '\0';
	if (len >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		if ((rc = gunzip(&r, d, len, r.lim->max_inflated, &raw, &rawlen)))
			return rc;
		d = raw;
	} else if (len > r.lim->max_inflated) {
		return fail(&r, -EBADMSG, "more than %zu MiB", r.lim->max_inflated >> 20);
	}
	rc = read_profile(&r, d, rawlen);
	free(r.str);
	free(r.fn);
	free(r.loc);
	free(r.line);
	free(r.comment);
	free(r.frames);
	free(raw);
	return rc;
}

const char *pprof_label(const struct pprof_info *info, const char *key)
{
	for (int i = 0; i < info->nlabels; i++)
		if (!strcmp(info->labels[i].key, key))
			return info->labels[i].value;
	return NULL;
}
