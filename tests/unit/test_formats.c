/* The protobuf encoder, and the pprof, speedscope and chrome writers on a
 * hand-built profile, read back by a small protobuf decoder (below) and by
 * jansson. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "check.h"
#include "fake_frames.h"
#include "out/writers.h"
#include "out/pb_encode.h"


/* Another line of the last function added. */
static uint32_t add_line(struct frame_table *s, int line)
{
	return frame_table_frame(s, s->nfuncs - 1, line);
}

/* ---- the encoder ---- */

static void test_varints(void)
{
	static const struct {
		uint64_t v;
		size_t n;
		uint8_t bytes[10];
	} cases[] = {
		{ 0, 1, { 0x00 } },
		{ 1, 1, { 0x01 } },
		{ 127, 1, { 0x7f } },
		{ 128, 2, { 0x80, 0x01 } },
		{ 300, 2, { 0xac, 0x02 } },			/* the protobuf docs' example */
		{ 16383, 2, { 0xff, 0x7f } },
		{ 16384, 3, { 0x80, 0x80, 0x01 } },
		{ 0xffffffffull, 5, { 0xff, 0xff, 0xff, 0xff, 0x0f } },
		{ 1ull << 63, 10, { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 } },
		{ UINT64_MAX, 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 } },
		/* int64 -1 is its two's complement: ten bytes. */
		{ (uint64_t)-1ll, 10, { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[16];
		size_t n = pb_put_varint(out, cases[i].v);

		CHECK(n == cases[i].n);
		CHECK(pb_varint_len(cases[i].v) == cases[i].n);
		CHECK(!memcmp(out, cases[i].bytes, cases[i].n));
	}
}

static void test_fields(void)
{
	struct pb p = { 0 }, sub = { 0 };
	uint64_t packed[] = { 1, 300, 0 };
	static const uint8_t want[] = {
		0x08, 0x96, 0x01,		/* field 1 varint 150 (the docs' example) */
		/* field 2 = 0 is left out */
		0x1a, 0x03, 'a', 'b', 'c',	/* field 3 "abc" */
		0x22, 0x04, 0x01, 0xac, 0x02, 0x00,	/* field 4 packed [1, 300, 0] */
		0x2a, 0x02, 0x08, 0x07,		/* field 5 message {1: 7} */
		0x32, 0x00,			/* field 6 empty bytes */
		0x80, 0x01, 0x05,		/* field 16: a two-byte key */
	};

	pb_uint(&p, 1, 150);
	pb_uint(&p, 2, 0);
	pb_bytes(&p, 3, "abc", 3);
	pb_packed(&p, 4, packed, 3);
	pb_uint(&sub, 1, 7);
	pb_message(&p, 5, &sub);
	CHECK(sub.n == 0);		/* emptied for reuse */
	pb_bytes(&p, 6, "", 0);
	pb_uint(&p, 16, 5);
	CHECK(!p.err);
	CHECK(p.n == sizeof(want) && !memcmp(p.b, want, sizeof(want)));
	pb_free(&p);
	pb_free(&sub);
}

/* ---- a small protobuf decoder, for reading our own pprof files ---- */

struct rd {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t rd_varint(struct rd *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

/* Next field: 1 and its number, wire type, and value or sub-reader; 0 at the end. */
static int rd_field(struct rd *r, int *field, uint64_t *v, struct rd *sub)
{
	uint64_t key, len;

	if (r->p >= r->end || r->bad)
		return 0;
	key = rd_varint(r);
	*field = (int)(key >> 3);
	switch (key & 7) {
	case PB_WIRE_VARINT:
		*v = rd_varint(r);
		sub->p = sub->end = NULL;
		return !r->bad;
	case PB_WIRE_LEN:
		len = rd_varint(r);
		if (r->bad || len > (uint64_t)(r->end - r->p)) {
			r->bad = 1;
			return 0;
		}
		*sub = (struct rd){ r->p, r->p + len, 0 };
		r->p += len;
		*v = len;
		return 1;
	default:
		r->bad = 1;	/* the writer uses no other wire type */
		return 0;
	}
}

#define MAXN 64

struct sample {
	uint64_t loc[MAXN], nloc, val[4], nval;
	uint64_t key[4], str[4], num[4], nlabels;
};

struct decoded {
	char *str[MAXN];
	uint64_t nstr;
	struct sample samples[MAXN];
	uint64_t nsamples;
	uint64_t loc_id[MAXN], loc_func[MAXN], loc_line[MAXN], nloc;
	uint64_t fn_id[MAXN], fn_name[MAXN], fn_sys[MAXN], fn_file[MAXN], fn_start[MAXN], nfn;
	uint64_t sample_type[4][2], ntypes, period_type[2], period, time_nanos, duration;
	uint64_t default_type, ncomments, nmappings;
};

static void read_packed(struct rd *sub, uint64_t *out, uint64_t *n, uint64_t max)
{
	while (sub->p < sub->end && !sub->bad) {
		uint64_t v = rd_varint(sub);

		if (*n < max)
			out[(*n)++] = v;
	}
}

static int decode_profile(const uint8_t *buf, size_t len, struct decoded *d)
{
	struct rd r = { buf, buf + len, 0 }, s1, s2, s3;
	uint64_t v, v2;
	int f, f2, f3;

	memset(d, 0, sizeof(*d));
	while (rd_field(&r, &f, &v, &s1)) {
		switch (f) {
		case 1:	/* sample_type */
		case 11: {	/* period_type */
			uint64_t *vt = f == 1 ? d->sample_type[d->ntypes++ & 3] : d->period_type;

			while (rd_field(&s1, &f2, &v2, &s2))
				if (f2 == 1 || f2 == 2)
					vt[f2 - 1] = v2;
			break;
		}
		case 2: {	/* sample */
			struct sample *sm = &d->samples[d->nsamples < MAXN ? d->nsamples++ : MAXN - 1];

			while (rd_field(&s1, &f2, &v2, &s2)) {
				if (f2 == 1)
					read_packed(&s2, sm->loc, &sm->nloc, MAXN);
				else if (f2 == 2)
					read_packed(&s2, sm->val, &sm->nval, 4);
				else if (f2 == 3 && sm->nlabels < 4) {
					uint64_t l = sm->nlabels++;

					while (rd_field(&s2, &f3, &v, &s3)) {
						if (f3 == 1)
							sm->key[l] = v;
						else if (f3 == 2)
							sm->str[l] = v;
						else if (f3 == 3)
							sm->num[l] = v;
					}
				}
			}
			break;
		}
		case 3:
			d->nmappings++;
			break;
		case 4: {	/* location */
			uint64_t i = d->nloc < MAXN ? d->nloc++ : MAXN - 1;

			while (rd_field(&s1, &f2, &v2, &s2)) {
				if (f2 == 1)
					d->loc_id[i] = v2;
				else if (f2 == 4)
					while (rd_field(&s2, &f3, &v, &s3)) {
						if (f3 == 1)
							d->loc_func[i] = v;
						else if (f3 == 2)
							d->loc_line[i] = v;
					}
			}
			break;
		}
		case 5: {	/* function */
			uint64_t i = d->nfn < MAXN ? d->nfn++ : MAXN - 1;
			uint64_t *dst[] = { NULL, d->fn_id, d->fn_name, d->fn_sys, d->fn_file, d->fn_start };

			while (rd_field(&s1, &f2, &v2, &s2))
				if (f2 >= 1 && f2 <= 5)
					dst[f2][i] = v2;
			break;
		}
		case 6:
			if (d->nstr < MAXN)
				d->str[d->nstr++] = strndup((const char *)s1.p, v);
			break;
		case 9:
			d->time_nanos = v;
			break;
		case 10:
			d->duration = v;
			break;
		case 12:
			d->period = v;
			break;
		case 13:
			d->ncomments++;
			break;
		case 14:
			d->default_type = v;
			break;
		}
	}
	return r.bad ? -1 : 0;
}

static uint8_t *gunzip(const char *in, size_t len, size_t *out_len)
{
	z_stream z = { 0 };
	size_t cap = 1 << 16, n = 0;
	uint8_t *out = malloc(cap);
	int rc;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return NULL;
	z.next_in = (unsigned char *)in;
	z.avail_in = len;
	do {
		if (n == cap)
			out = realloc(out, cap *= 2);
		z.next_out = out + n;
		z.avail_out = cap - n;
		rc = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	*out_len = n;
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

typedef int (*writer_fn)(const struct profile *, const struct profile_meta *, FILE *);

static char *capture(writer_fn w, const struct profile *p, const struct profile_meta *m,
		     size_t *len)
{
	char *buf = NULL, *copy;
	FILE *f = open_memstream(&buf, len);

	CHECK(w(p, m, f) == 0);
	fclose(f);
	/* A copy: GCC 12 takes buf for a dangling stack pointer otherwise. */
	copy = malloc(*len + 1);
	memcpy(copy, buf, *len + 1);
	free(buf);
	return copy;
}

static const char *str_at(const struct decoded *d, uint64_t i)
{
	return i < d->nstr ? d->str[i] : "<bad index>";
}

/* The function name of location id `loc`. */
static const char *loc_name(const struct decoded *d, uint64_t loc, uint64_t *line)
{
	for (uint64_t i = 0; i < d->nloc; i++) {
		if (d->loc_id[i] != loc)
			continue;
		for (uint64_t k = 0; k < d->nfn; k++) {
			if (d->fn_id[k] == d->loc_func[i]) {
				if (line)
					*line = d->loc_line[i];
				return str_at(d, d->fn_name[k]);
			}
		}
	}
	return "<no location>";
}

/* The label `key` of a sample: its number, or with str its string index. */
static uint64_t label(const struct decoded *d, const struct sample *sm, const char *key, int str)
{
	for (uint64_t l = 0; l < sm->nlabels; l++)
		if (!strcmp(str_at(d, sm->key[l]), key))
			return str ? sm->str[l] : sm->num[l];
	return UINT64_MAX;
}

/* The sample of thread tid whose leaf is `leaf`. */
static const struct sample *find_sample(const struct decoded *d, uint64_t tid, const char *leaf)
{
	for (uint64_t i = 0; i < d->nsamples; i++)
		if (label(d, &d->samples[i], "tid", 0) == tid && d->samples[i].nloc &&
		    !strcmp(loc_name(d, d->samples[i].loc[0], NULL), leaf))
			return &d->samples[i];
	return NULL;
}

struct fixture {
	struct frame_table s;
	struct profile p;
	struct profile_meta m;
};

/* Threads 101 (MainThread) and 102 (wörker), pid 100, at 100 Hz:
 *   101: <module>:10 > f:5          x3   (f at line 5)
 *   101: <module>:10 > f:6 > g:22   x1
 *   102: [off-cpu] <module>:10 > "odd\"na\nme" x4
 *   102: [truncated] g:22           x2
 * and FRAME_UNKNOWN under <module> once on 101. With a timeline: 101 runs
 * f for two samples, g for one, then a gap, then f again. */
static void build(struct fixture *fx, int timeline)
{
	struct frame_table *s = &fx->s;
	uint32_t mod, f5, f6, g, odd;
	uint64_t t0 = 1000000000ull, period = 10000000ull;

	CHECK(frame_table_init(s) == 0);
	profile_init(&fx->p, s);
	profile_keep_timeline(&fx->p, timeline);
	mod = add_frame(s, "<module>", "/app/main.py", 1, 10);
	f5 = add_frame(s, "Café.f", "/app/lib.py", 3, 5);
	f6 = add_line(s, 6);
	g = add_frame(s, "outer.<locals>.g", "/app/lib.py", 20, 22);
	odd = add_frame(s, "odd\"na\nme\xff", "/we\\ird.py", 1, 2);

	uint32_t st1[] = { f5, mod }, st2[] = { g, f6, mod }, st3[] = { odd, mod }, st4[] = { g };
	uint32_t st5[] = { FRAME_UNKNOWN, mod };

	CHECK(!profile_add_at(&fx->p, 100, 101, 0, st1, 2, 1, t0));
	CHECK(!profile_add_at(&fx->p, 100, 101, 0, st1, 2, 1, t0 + period));
	CHECK(!profile_add_at(&fx->p, 100, 101, 0, st2, 3, 1, t0 + 2 * period));
	/* 30 ms later: a gap of two periods. */
	CHECK(!profile_add_at(&fx->p, 100, 101, 0, st1, 2, 1, t0 + 5 * period));
	CHECK(!profile_add_at(&fx->p, 100, 101, 0, st5, 2, 1, t0 + 6 * period));
	/* An off-CPU sample standing for 4 periods, then a truncated one. */
	CHECK(!profile_add_at(&fx->p, 100, 102, STACK_OFF_CPU, st3, 2, 4, t0 + period));
	CHECK(!profile_add_at(&fx->p, 100, 102, STACK_TRUNCATED, st4, 1, 2, t0 + 5 * period));
	profile_set_thread_name(&fx->p, 100, 101, "MainThread");
	profile_set_thread_name(&fx->p, 100, 102, "wörker");
	fx->m = (struct profile_meta){
		.command = "python3 app.py (pid 100)", .python = "3.11.2", .duration_s = 0.07,
		.hz = 100, .idle = 1, .start_unix_ns = 1700000000123456789ull, .start_mono_ns = t0,
	};
}

static void destroy(struct fixture *fx)
{
	profile_free(&fx->p);
	frame_table_free(&fx->s);
}

static void test_pprof(void)
{
	struct fixture fx;
	struct decoded d;
	const struct sample *sm;
	size_t len, raw_len;
	char *gz;
	uint8_t *raw;
	uint64_t line;

	build(&fx, 0);
	gz = capture(write_pprof, &fx.p, &fx.m, &len);
	CHECK(len > 18 && (uint8_t)gz[0] == 0x1f && (uint8_t)gz[1] == 0x8b);	/* gzip */
	raw = gunzip(gz, len, &raw_len);
	CHECK(raw != NULL);
	if (!raw) {
		destroy(&fx);
		free(gz);
		return;
	}
	CHECK(decode_profile(raw, raw_len, &d) == 0);

	CHECK(d.nstr > 0 && !strcmp(d.str[0], ""));
	/* Every string once. */
	for (uint64_t i = 0; i < d.nstr; i++)
		for (uint64_t k = i + 1; k < d.nstr; k++)
			CHECK(strcmp(d.str[i], d.str[k]));
	CHECK(d.ntypes == 2);
	CHECK(!strcmp(str_at(&d, d.sample_type[0][0]), "samples"));
	CHECK(!strcmp(str_at(&d, d.sample_type[0][1]), "count"));
	CHECK(!strcmp(str_at(&d, d.sample_type[1][0]), "wall"));	/* --idle */
	CHECK(!strcmp(str_at(&d, d.sample_type[1][1]), "nanoseconds"));
	CHECK(!strcmp(str_at(&d, d.period_type[0]), "wall"));
	CHECK(!strcmp(str_at(&d, d.default_type), "wall"));
	CHECK(d.period == 10000000);
	CHECK(d.time_nanos == 1700000000123456789ull);
	CHECK(d.duration == 70000000);
	CHECK(d.ncomments == 2);
	CHECK(d.nmappings == 1);
	CHECK(d.nsamples == 5);

	/* Leaf first; values count and count * period; labels. */
	sm = find_sample(&d, 101, "outer.<locals>.g");
	CHECK(sm && sm->nloc == 3 && sm->nval == 2);
	if (sm) {
		CHECK(sm->val[0] == 1 && sm->val[1] == 10000000);
		CHECK(!strcmp(loc_name(&d, sm->loc[1], &line), "Café.f") && line == 6);
		CHECK(!strcmp(loc_name(&d, sm->loc[2], &line), "<module>") && line == 10);
		CHECK(!strcmp(str_at(&d, label(&d, sm, "thread", 1)), "MainThread"));
		CHECK(label(&d, sm, "pid", 0) == 100);
	}
	sm = find_sample(&d, 101, "Café.f");
	CHECK(sm && sm->val[0] == 3 && sm->val[1] == 30000000);
	if (sm)
		CHECK(!strcmp(loc_name(&d, sm->loc[0], &line), "Café.f") && line == 5);
	sm = find_sample(&d, 101, "[unknown]");
	CHECK(sm && sm->nloc == 2);
	/* The markers at the root. */
	/* Protobuf strings are UTF-8: the byte that is not is U+FFFD. */
	sm = find_sample(&d, 102, "odd\"na\nme\xef\xbf\xbd");
	CHECK(sm && sm->nloc == 3 && sm->val[0] == 4);
	if (sm) {
		CHECK(!strcmp(loc_name(&d, sm->loc[2], NULL), "[off-cpu]"));
		CHECK(!strcmp(str_at(&d, label(&d, sm, "thread", 1)), "wörker"));
	}
	sm = find_sample(&d, 102, "outer.<locals>.g");
	CHECK(sm && sm->nloc == 2 && sm->val[0] == 2);
	if (sm)
		CHECK(!strcmp(loc_name(&d, sm->loc[1], NULL), "[truncated]"));

	/* One location per (function, line): Café.f has two; one function each,
	 * with a system name that differs from its name (see out_pprof.c). */
	CHECK(d.nloc == 8);	/* <module>, f:5, f:6, g, odd, [unknown], [off-cpu], [truncated] */
	for (uint64_t k = 0; k < d.nfn; k++) {
		if (!strcmp(str_at(&d, d.fn_name[k]), "Café.f")) {
			CHECK(!strcmp(str_at(&d, d.fn_file[k]), "/app/lib.py"));
			CHECK(d.fn_start[k] == 3);
			CHECK(!strcmp(str_at(&d, d.fn_sys[k]), "/app/lib.py:Café.f"));
		}
	}
	CHECK(d.nfn == 7);	/* [unknown], <module>, f, g, odd, [off-cpu], [truncated] */

	for (uint64_t i = 0; i < d.nstr; i++)
		free(d.str[i]);
	free(raw);
	free(gz);
	destroy(&fx);
}

/* ---- JSON formats, read with jansson ---- */

static json_t *parse(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);

	if (!j)
		fprintf(stderr, "json: %s at line %d\n", err.text, err.line);
	CHECK(j != NULL);
	return j;
}

static void test_speedscope(void)
{
	struct fixture fx;
	size_t len, i;
	char *text;
	json_t *j, *frames, *profiles, *p;
	double total = 0;

	build(&fx, 0);
	text = capture(write_speedscope, &fx.p, &fx.m, &len);
	j = parse(text);
	if (!j) {
		fputs(text, stderr);
		free(text);
		destroy(&fx);
		return;
	}
	CHECK(!strcmp(json_string_value(json_object_get(j, "$schema")),
		      "https://www.speedscope.app/file-format-schema.json"));
	CHECK(!strcmp(json_string_value(json_object_get(j, "exporter")), "pybpftop"));
	CHECK(!strcmp(json_string_value(json_object_get(j, "name")), "python3 app.py (pid 100)"));
	frames = json_object_get(json_object_get(j, "shared"), "frames");
	profiles = json_object_get(j, "profiles");
	CHECK(json_array_size(profiles) == 2);
	/* Thread 101 has 5 samples, 102 has 6: 102 opens first. */
	CHECK(json_integer_value(json_object_get(j, "activeProfileIndex")) == 1);
	/* Strings survive escaping; the invalid byte became U+FFFD. */
	{
		int odd = 0, off = 0, trunc = 0, f6 = 0;

		json_array_foreach(frames, i, p) {
			const char *name = json_string_value(json_object_get(p, "name"));

			odd += !strcmp(name, "odd\"na\nme\xef\xbf\xbd") &&
			       !strcmp(json_string_value(json_object_get(p, "file")), "/we\\ird.py");
			off += !strcmp(name, "[off-cpu]");
			trunc += !strcmp(name, "[truncated]");
			f6 += !strcmp(name, "Café.f") && json_integer_value(json_object_get(p, "line")) == 6;
		}
		CHECK(odd == 1 && off == 1 && trunc == 1 && f6 == 1);
	}
	json_array_foreach(profiles, i, p) {
		json_t *samples = json_object_get(p, "samples"), *weights = json_object_get(p, "weights");
		const char *name = json_string_value(json_object_get(p, "name"));
		double sum = 0;
		size_t k;
		json_t *w;

		CHECK(!strcmp(json_string_value(json_object_get(p, "type")), "sampled"));
		CHECK(!strcmp(json_string_value(json_object_get(p, "unit")), "seconds"));
		CHECK(json_array_size(samples) == json_array_size(weights));
		json_array_foreach(weights, k, w)
			sum += json_number_value(w);
		CHECK(sum > json_number_value(json_object_get(p, "endValue")) - 1e-9 &&
		      sum < json_number_value(json_object_get(p, "endValue")) + 1e-9);
		total += sum;
		if (!strcmp(name, "MainThread (101)")) {
			CHECK(sum > 0.05 - 1e-9 && sum < 0.05 + 1e-9);
		} else {
			CHECK(!strcmp(name, "wörker (102)"));
			CHECK(sum > 0.06 - 1e-9 && sum < 0.06 + 1e-9);
			/* Each of its stacks starts with a marker. */
			json_array_foreach(samples, k, w) {
				json_t *first = json_array_get(frames, json_integer_value(json_array_get(w, 0)));

				CHECK(json_string_value(json_object_get(first, "name"))[0] == '[');
			}
		}
	}
	CHECK(total > 0.11 - 1e-9 && total < 0.11 + 1e-9);
	json_decref(j);
	free(text);
	destroy(&fx);
}

static void test_chrome(void)
{
	struct fixture fx;
	size_t len, i;
	char *text;
	json_t *j, *events, *e;
	int names = 0, procs = 0, main_spans = 0, f_spans = 0, off = 0;
	double main_busy = 0, last_ts[2] = { -1, -1 };

	build(&fx, 1);
	text = capture(write_chrome, &fx.p, &fx.m, &len);
	j = parse(text);
	if (!j) {
		fputs(text, stderr);
		free(text);
		destroy(&fx);
		return;
	}
	events = json_object_get(j, "traceEvents");
	CHECK(json_array_size(events) > 0);
	json_array_foreach(events, i, e) {
		const char *ph = json_string_value(json_object_get(e, "ph"));
		const char *name = json_string_value(json_object_get(e, "name"));
		json_int_t tid = json_integer_value(json_object_get(e, "tid"));
		double ts = json_number_value(json_object_get(e, "ts"));
		double dur = json_number_value(json_object_get(e, "dur"));

		if (!strcmp(ph, "M")) {
			const char *v = json_string_value(json_object_get(json_object_get(e, "args"), "name"));

			names += !strcmp(name, "thread_name") &&
				 ((tid == 101 && !strcmp(v, "MainThread")) || (tid == 102 && !strcmp(v, "wörker")));
			procs += !strcmp(name, "process_name") && !strcmp(v, "python3 app.py (pid 100)");
			continue;
		}
		CHECK(!strcmp(ph, "X"));
		/* In time order per thread; ts from the start, in microseconds. */
		CHECK(ts >= last_ts[tid - 101]);
		last_ts[tid - 101] = ts;
		if (tid == 101 && !strcmp(name, "<module>")) {
			main_spans++;
			main_busy += dur;
		}
		if (tid == 101 && !strcmp(name, "Café.f"))
			f_spans++;
		if (tid == 102 && !strcmp(name, "[off-cpu]"))
			off += ts == 10000 && dur == 40000;
	}
	CHECK(names == 2 && procs == 1);
	/* <module> runs 0-30 ms, then 50-70 ms: two spans, 50 ms busy. f spans
	 * both line 5 and 6 (one function) over 0-30 ms, and 50-60 ms. */
	CHECK(main_spans == 2);
	CHECK(main_busy == 50000);
	CHECK(f_spans == 2);
	CHECK(off == 1);
	json_decref(j);
	free(text);
	destroy(&fx);
}

/* A write error is reported, not lost. */
static void test_errors(void)
{
	struct fixture fx;
	FILE *full = fopen("/dev/full", "w");

	if (!full)
		return;
	build(&fx, 1);
	setvbuf(full, NULL, _IONBF, 0);
	CHECK(write_pprof(&fx.p, &fx.m, full) == -EIO);
	CHECK(write_speedscope(&fx.p, &fx.m, full) == -EIO);
	CHECK(write_chrome(&fx.p, &fx.m, full) == -EIO);
	fclose(full);
	destroy(&fx);
}

/* A profile of bytes (alloc -o): pprof's heap profile form, one value in
 * bytes; speedscope weights in bytes, not seconds. */
static void test_bytes(void)
{
	struct fixture fx;
	struct decoded d;
	const struct sample *sm;
	size_t len, raw_len;
	char *gz, *text;
	uint8_t *raw;

	build(&fx, 0);
	fx.m.unit = "bytes";
	fx.m.bytes_type = "inuse_space";
	gz = capture(write_pprof, &fx.p, &fx.m, &len);
	raw = gunzip(gz, len, &raw_len);
	CHECK(raw && decode_profile(raw, raw_len, &d) == 0);
	if (raw) {
		CHECK(d.ntypes == 1 && !strcmp(str_at(&d, d.sample_type[0][0]), "inuse_space") &&
		      !strcmp(str_at(&d, d.sample_type[0][1]), "bytes"), "%llu types",
		      (unsigned long long)d.ntypes);
		sm = find_sample(&d, 101, "Café.f");
		CHECK(sm && sm->nval == 1 && sm->val[0] == 3, "nval %llu",
		      sm ? (unsigned long long)sm->nval : 0ULL);
		for (uint64_t i = 0; i < d.nstr; i++)
			free(d.str[i]);
	}
	free(raw);
	free(gz);
	text = capture(write_speedscope, &fx.p, &fx.m, &len);
	CHECK(strstr(text, "\"unit\":\"bytes\"") && !strstr(text, "\"unit\":\"seconds\""));
	free(text);
	destroy(&fx);
}

/* The writer table: every row complete, file names matched by their
 * longest suffix, the lists the commands print made from the rows. */
static void test_writer_table(void)
{
	char names[256], suffixes[512];
	int rows = 0;

	for (const struct writer *w = writers; w->name; w++, rows++) {
		CHECK(w->write && w->suffixes[0] && w->what && w->readers, "%s", w->name);
		CHECK(writer_named(w->name) == w);
		for (size_t i = 0; i < 3 && w->suffixes[i]; i++)
			CHECK(writer_for_path(w->suffixes[i]) == w, "%s", w->suffixes[i]);
	}
	CHECK(rows == 5);
	CHECK(!strcmp(writer_for_path("out.speedscope.json")->name, "speedscope"));
	CHECK(!strcmp(writer_for_path("/tmp/OUT.TRACE.JSON")->name, "chrome"));
	CHECK(!strcmp(writer_for_path("out.json")->name, "folded"));	/* no match: folded */
	CHECK(!strcmp(writer_for_path("out")->name, "folded"));
	CHECK(writer_named("flamegraph") == NULL);
	writer_names(names, sizeof(names), 0);
	CHECK(!strcmp(names, "folded, html, speedscope, pprof or chrome"), "%s", names);
	writer_names(names, sizeof(names), 1);
	CHECK(!strcmp(names, "folded, html, speedscope or pprof"), "%s", names);
	writer_suffix_list(suffixes, sizeof(suffixes), 0);
	CHECK(!strcmp(suffixes, ".folded/.txt, .html/.svg, .speedscope.json, .pb.gz/.pprof (pprof), "
			       ".trace.json (chrome)"), "%s", suffixes);
	writer_suffix_list(suffixes, sizeof(suffixes), 1);
	CHECK(!strstr(suffixes, "trace.json"), "%s", suffixes);
}

int main(void)
{
	test_varints();
	test_fields();
	test_pprof();
	test_speedscope();
	test_chrome();
	test_errors();
	test_writer_table();
	test_bytes();
	CHECK_DONE("formats");
}
