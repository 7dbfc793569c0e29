/* OTLP/HTTP profiles, experimental: the body of POST /v1development/profiles
 * (Content-Type application/x-protobuf), one window as one
 * ExportProfilesServiceRequest built from the profile itself.
 *
 * The signal is still in development and its field numbers have moved
 * between releases (Sample's fields were renumbered after v1.9.0). We
 * follow the newest layout we could read: opentelemetry-proto's
 * opentelemetry/proto/profiles/v1development/profiles.proto as mirrored
 * at escbeargew99-gif/opentelemetry-proto commit 7c34c11ab34a (main after
 * v1.9.0: a ProfilesDictionary with a stack table, KeyValueAndUnit
 * attributes), collector/profiles/v1development/profiles_service.proto,
 * common/v1/common.proto and resource/v1/resource.proto. The numbers:
 *
 *   ExportProfilesServiceRequest { repeated ResourceProfiles resource_profiles = 1;
 *                                  ProfilesDictionary dictionary = 2; }
 *   ResourceProfiles { Resource resource = 1; repeated ScopeProfiles scope_profiles = 2; }
 *   Resource { repeated KeyValue attributes = 1; }
 *   KeyValue { string key = 1; AnyValue value = 2; }
 *   AnyValue { string string_value = 1; int64 int_value = 3; ... }
 *   ScopeProfiles { InstrumentationScope scope = 1; repeated Profile profiles = 2; }
 *   InstrumentationScope { string name = 1; string version = 2; }
 *   Profile { ValueType sample_type = 1; repeated Sample samples = 2;
 *             fixed64 time_unix_nano = 3; uint64 duration_nano = 4;
 *             ValueType period_type = 5; int64 period = 6; bytes profile_id = 7; }
 *   ValueType { int32 type_strindex = 1; int32 unit_strindex = 2; }
 *   Sample { int32 stack_index = 1; repeated int32 attribute_indices = 2;
 *            int32 link_index = 3; repeated int64 values = 4; }
 *   ProfilesDictionary { repeated Mapping mapping_table = 1;
 *            repeated Location location_table = 2; repeated Function function_table = 3;
 *            repeated Link link_table = 4; repeated string string_table = 5;
 *            repeated KeyValueAndUnit attribute_table = 6; repeated Stack stack_table = 7; }
 *   Stack { repeated int32 location_indices = 1; }	(leaf first)
 *   Location { int32 mapping_index = 1; repeated Line lines = 3; }
 *   Line { int32 function_index = 1; int64 line = 2; }
 *   Function { int32 name_strindex = 1; int32 system_name_strindex = 2;
 *              int32 filename_strindex = 3; int64 start_line = 4; }
 *   KeyValueAndUnit { int32 key_strindex = 1; AnyValue value = 2; int32 unit_strindex = 3; }
 * Every dictionary table starts with its zero value, so that index 0
 * means "none". The resource carries the window's labels under the
 * semantic conventions' names (service.name, host.name, process.pid,
 * container.id, process.runtime.*), a sample its thread (thread.id,
 * thread.name). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <uthash.h>
#include "agent/push.h"
#include "out/pb_encode.h"
#include "proc/text_escape.h"

enum {
	REQ_RESOURCE_PROFILES = 1, REQ_DICTIONARY = 2,
	RP_RESOURCE = 1, RP_SCOPE_PROFILES = 2,
	RESOURCE_ATTRIBUTES = 1,
	KV_KEY = 1, KV_VALUE = 2,
	ANY_STRING = 1, ANY_INT = 3,
	SP_SCOPE = 1, SP_PROFILES = 2,
	SCOPE_NAME = 1, SCOPE_VERSION = 2,
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLES = 2, PROFILE_TIME_UNIX_NANO = 3,
	PROFILE_DURATION_NANO = 4, PROFILE_PERIOD_TYPE = 5, PROFILE_PERIOD = 6,
	PROFILE_PROFILE_ID = 7,
	VT_TYPE = 1, VT_UNIT = 2,
	SAMPLE_STACK_INDEX = 1, SAMPLE_ATTRIBUTE_INDICES = 2, SAMPLE_VALUES = 4,
	DICT_MAPPING = 1, DICT_LOCATION = 2, DICT_FUNCTION = 3, DICT_LINK = 4, DICT_STRING = 5,
	DICT_ATTRIBUTE = 6, DICT_STACK = 7,
	STACK_LOCATION_INDICES = 1,
	LOCATION_LINES = 3,
	LINE_FUNCTION_INDEX = 1, LINE_LINE = 2,
	FUNCTION_NAME = 1, FUNCTION_SYSTEM_NAME = 2, FUNCTION_FILENAME = 3, FUNCTION_START_LINE = 4,
	KVU_KEY = 1, KVU_VALUE = 2,
	PB_WIRE_FIXED64 = 1,
};

/* Interned by content: strings, stacks (their location indices) and
 * attributes (key index and value). */
struct interned {
	UT_hash_handle hh;
	uint64_t index;
	size_t len;
	char key[];
};

struct table {
	struct interned *set;
	struct pb enc;		/* the dictionary's entries, in index order */
	uint64_t n;
};

struct otlp_ctx {
	const struct profile *p;
	struct table strings, stacks, attrs;
	struct pb locations, functions, samples, sub, sub2;
	uint32_t *loc_of_frame;	/* per frame id: its location index, 0 for none yet */
	uint32_t *func_of;	/* per function id */
	uint64_t nlocations, nfunctions;
	uint64_t *ids;
	uint32_t ids_cap;
	uint64_t period;
	int bytes;
	uint64_t k_thread_id, k_thread_name;
	int err;
};

/* The index of key in t, and whether it is new (its entry is the
 * caller's to encode). -1 on no memory. */
static int64_t intern(struct table *t, const void *key, size_t len, int *fresh)
{
	struct interned *e;

	*fresh = 0;
	HASH_FIND(hh, t->set, key, len, e);
	if (e)
		return e->index;
	if (!(e = malloc(sizeof(*e) + len)))
		return -1;
	memcpy(e->key, key, len);
	e->len = len;
	e->index = t->n++;
	HASH_ADD_KEYPTR(hh, t->set, e->key, e->len, e);
	*fresh = 1;
	return e->index;
}

static void table_free(struct table *t)
{
	struct interned *e, *tmp;

	HASH_ITER(hh, t->set, e, tmp) {
		HASH_DEL(t->set, e);
		free(e);
	}
	pb_free(&t->enc);
}

/* A string's index, made UTF-8 (names come from the target). */
static uint64_t str_index(struct otlp_ctx *c, const char *raw)
{
	char *s = text_utf8_dup(raw);
	int64_t i;
	int fresh;

	if (!s) {
		c->err = -ENOMEM;
		return 0;
	}
	i = intern(&c->strings, s, strlen(s), &fresh);
	if (i < 0)
		c->err = -ENOMEM;
	else if (fresh)
		pb_bytes(&c->strings.enc, DICT_STRING, s, strlen(s));
	free(s);
	return i < 0 ? 0 : (uint64_t)i;
}

static void put_any_string(struct pb *p, int field, struct pb *any, const char *s)
{
	pb_string(any, ANY_STRING, s);
	pb_message(p, field, any);
}

/* A sample attribute (thread.id = tid, or thread.name = name): its index
 * in the attribute table. */
static uint64_t attr_index(struct otlp_ctx *c, uint64_t key, const char *str, uint64_t num)
{
	uint64_t sidx = str ? str_index(c, str) : 0;
	uint64_t k[3] = { key, str ? 1 : 0, str ? sidx : num };
	int fresh;
	int64_t i = intern(&c->attrs, k, sizeof(k), &fresh);

	if (i < 0) {
		c->err = -ENOMEM;
		return 0;
	}
	if (fresh) {
		pb_uint(&c->sub2, KVU_KEY, key);
		if (str)
			put_any_string(&c->sub2, KVU_VALUE, &c->sub, str);
		else {
			pb_uint(&c->sub, ANY_INT, num);
			pb_message(&c->sub2, KVU_VALUE, &c->sub);
		}
		pb_message(&c->attrs.enc, DICT_ATTRIBUTE, &c->sub2);
	}
	return i;
}

static uint32_t function_of(struct otlp_ctx *c, uint32_t func)
{
	const struct frame_table *ft = c->p->frames;
	const struct ft_func *fn = frame_table_func_at(ft, func);
	uint32_t id = func < ft->nfuncs ? func : FRAME_UNKNOWN;

	if (c->func_of[id])
		return c->func_of[id];
	pb_uint(&c->sub, FUNCTION_NAME, str_index(c, fn->name));
	if (fn->file[0]) {
		/* As in the pprof: file:qualname, one name per function. */
		char *sys;

		if (asprintf(&sys, "%s:%s", fn->file, fn->name) < 0) {
			c->err = -ENOMEM;
			return 0;
		}
		pb_uint(&c->sub, FUNCTION_SYSTEM_NAME, str_index(c, sys));
		free(sys);
	}
	pb_uint(&c->sub, FUNCTION_FILENAME, str_index(c, fn->file));
	pb_uint(&c->sub, FUNCTION_START_LINE, fn->firstline > 0 ? fn->firstline : 0);
	pb_message(&c->functions, DICT_FUNCTION, &c->sub);
	return c->func_of[id] = ++c->nfunctions;
}

static uint32_t location_of(struct otlp_ctx *c, uint32_t frame)
{
	const struct frame_table *ft = c->p->frames;
	uint32_t f = frame_table_id(ft, frame), func;
	int line;

	if (c->loc_of_frame[f])
		return c->loc_of_frame[f];
	func = function_of(c, frame_table_frame_at(ft, f)->func);
	line = frame_table_frame_at(ft, f)->line;
	pb_uint(&c->sub, LINE_FUNCTION_INDEX, func);
	pb_uint(&c->sub, LINE_LINE, line > 0 ? line : 0);
	pb_message(&c->sub2, LOCATION_LINES, &c->sub);
	pb_message(&c->locations, DICT_LOCATION, &c->sub2);
	return c->loc_of_frame[f] = ++c->nlocations;
}

static int add_sample(void *ctx, const struct profile_stack *st)
{
	struct otlp_ctx *c = ctx;
	uint32_t need = st->n ? st->n : 1, n = 0;
	uint64_t attrs[2], value;
	int64_t stack;
	int fresh;

	if (need > c->ids_cap) {
		uint64_t *ids = realloc(c->ids, need * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		c->ids = ids;
		c->ids_cap = need;
	}
	for (uint32_t i = st->n; i-- > 0;)	/* leaf first */
		c->ids[n++] = location_of(c, st->frames[i]);
	stack = intern(&c->stacks, c->ids, n * sizeof(*c->ids), &fresh);
	if (stack < 0)
		return -ENOMEM;
	if (fresh) {
		pb_packed(&c->sub, STACK_LOCATION_INDICES, c->ids, n);
		pb_message(&c->stacks.enc, DICT_STACK, &c->sub);
	}
	attrs[0] = attr_index(c, c->k_thread_id, NULL, st->tid);
	attrs[1] = attr_index(c, c->k_thread_name, profile_thread_name(c->p, st->pid, st->tid), 0);
	value = c->bytes ? st->count : st->count * c->period;
	pb_uint(&c->sub, SAMPLE_STACK_INDEX, stack);
	pb_packed(&c->sub, SAMPLE_ATTRIBUTE_INDICES, attrs, 2);
	pb_packed(&c->sub, SAMPLE_VALUES, &value, 1);
	pb_message(&c->samples, PROFILE_SAMPLES, &c->sub);
	return c->err ? c->err : c->samples.err;
}

/* The semantic conventions' name of one of the window's labels. */
static const char *resource_key(const char *label)
{
	static const char *const map[][2] = {
		{ "service_name", "service.name" }, { "host", "host.name" },
		{ "pid", "process.pid" }, { "container_id", "container.id" },
		{ "python_version", "process.runtime.version" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(label, map[i][0]))
			return map[i][1];
	return label;
}

static void put_resource(struct pb *out, const struct window_out *w, struct pb *sub,
			 struct pb *kv, struct pb *any)
{
	int seen_pid = 0;

	for (int i = 0; i < w->nlabels && i < WINDOW_MAX_LABELS; i++) {
		const char *key = resource_key(w->labels[i].key);
		char *end;
		long long pid;

		if (!w->labels[i].key[0])
			continue;
		pb_bytes(kv, KV_KEY, key, strlen(key));
		if (!strcmp(key, "process.pid") &&
		    (pid = strtoll(w->labels[i].value, &end, 10)) > 0 && !*end) {
			pb_uint(any, ANY_INT, pid);	/* an int, as semconv has it */
			pb_message(kv, KV_VALUE, any);
			seen_pid = 1;
		} else {
			put_any_string(kv, KV_VALUE, any, w->labels[i].value);
		}
		pb_message(sub, RESOURCE_ATTRIBUTES, kv);
	}
	if (!seen_pid && w->pid > 0) {
		pb_bytes(kv, KV_KEY, "process.pid", strlen("process.pid"));
		pb_uint(any, ANY_INT, w->pid);
		pb_message(kv, KV_VALUE, any);
		pb_message(sub, RESOURCE_ATTRIBUTES, kv);
	}
	pb_bytes(kv, KV_KEY, "process.runtime.name", strlen("process.runtime.name"));
	put_any_string(kv, KV_VALUE, any, "CPython");
	pb_message(sub, RESOURCE_ATTRIBUTES, kv);
	pb_message(out, RP_RESOURCE, sub);
}

static void put_value_type(struct otlp_ctx *c, struct pb *out, int field, const char *type,
			   const char *unit)
{
	pb_uint(&c->sub, VT_TYPE, str_index(c, type));
	pb_uint(&c->sub, VT_UNIT, str_index(c, unit));
	pb_message(out, field, &c->sub);
}

static void put_fixed64(struct pb *p, int field, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	pb_varint(p, (uint64_t)field << 3 | PB_WIRE_FIXED64);
	pb_append(p, b, sizeof(b));
}

int otlp_encode(const struct window_out *w, void **body, size_t *len)
{
	const struct profile *p = w->prof;
	const struct profile_meta *m = w->meta;
	struct otlp_ctx c = { .p = p };
	struct pb out = { 0 }, prof = { 0 }, rp = { 0 }, sp = { 0 }, res = { 0 }, kv = { 0 },
		  any = { 0 }, dict = { 0 };
	const char *type;
	unsigned char id[16] = { 0 };
	int hz, err, fresh;

	if (!p || !m || !p->frames)
		return -EINVAL;
	hz = m->hz > 0 ? m->hz : 99;
	c.period = 1000000000ull / hz;
	c.bytes = m->unit && !strcmp(m->unit, "bytes");
	type = c.bytes ? (m->bytes_type ? m->bytes_type : "space") : m->idle ? "wall" : "cpu";
	c.loc_of_frame = calloc(p->frames->nframes + 1, sizeof(*c.loc_of_frame));
	c.func_of = calloc(p->frames->nfuncs + 1, sizeof(*c.func_of));
	if (!c.loc_of_frame || !c.func_of) {
		err = -ENOMEM;
		goto out;
	}
	/* The zero values at index 0 of every table. */
	str_index(&c, "");
	pb_bytes(&c.locations, DICT_LOCATION, NULL, 0);
	pb_bytes(&c.functions, DICT_FUNCTION, NULL, 0);
	intern(&c.stacks, "", 0, &fresh);
	pb_bytes(&c.stacks.enc, DICT_STACK, NULL, 0);
	intern(&c.attrs, "", 0, &fresh);
	pb_bytes(&c.attrs.enc, DICT_ATTRIBUTE, NULL, 0);
	c.k_thread_id = str_index(&c, "thread.id");
	c.k_thread_name = str_index(&c, "thread.name");

	put_value_type(&c, &prof, PROFILE_SAMPLE_TYPE, type, c.bytes ? "bytes" : "nanoseconds");
	if ((err = profile_foreach(p, add_sample, &c)))
		goto out;
	pb_append(&prof, c.samples.b, c.samples.n);
	put_fixed64(&prof, PROFILE_TIME_UNIX_NANO, w->start_ns ? w->start_ns : m->start_unix_ns);
	pb_uint(&prof, PROFILE_DURATION_NANO, w->end_ns > w->start_ns ? w->end_ns - w->start_ns :
		(uint64_t)(m->duration_s * 1e9));
	if (!c.bytes) {
		put_value_type(&c, &prof, PROFILE_PERIOD_TYPE, type, "nanoseconds");
		pb_uint(&prof, PROFILE_PERIOD, c.period);
	}
	if (getrandom(id, sizeof(id), 0) != sizeof(id))
		id[0] = 1;	/* all zeroes is invalid */
	pb_bytes(&prof, PROFILE_PROFILE_ID, id, sizeof(id));

	put_resource(&rp, w, &res, &kv, &any);
	pb_bytes(&sp, SCOPE_NAME, "pybpftop", strlen("pybpftop"));
	pb_message(&kv, SP_SCOPE, &sp);
	pb_append(&sp, kv.b, kv.n);
	kv.n = 0;
	pb_message(&sp, SP_PROFILES, &prof);
	pb_message(&rp, RP_SCOPE_PROFILES, &sp);
	pb_message(&out, REQ_RESOURCE_PROFILES, &rp);

	pb_bytes(&dict, DICT_MAPPING, NULL, 0);
	pb_append(&dict, c.locations.b, c.locations.n);
	pb_append(&dict, c.functions.b, c.functions.n);
	pb_bytes(&dict, DICT_LINK, NULL, 0);
	pb_append(&dict, c.strings.enc.b, c.strings.enc.n);
	pb_append(&dict, c.attrs.enc.b, c.attrs.enc.n);
	pb_append(&dict, c.stacks.enc.b, c.stacks.enc.n);
	pb_message(&out, REQ_DICTIONARY, &dict);

	err = c.err;
	struct pb *all[] = { &out, &prof, &rp, &sp, &res, &kv, &any, &dict, &c.locations,
			     &c.functions, &c.samples, &c.sub, &c.sub2, &c.strings.enc,
			     &c.stacks.enc, &c.attrs.enc };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && !err; i++)
		err = all[i]->err;
out:
	pb_free(&prof);
	pb_free(&rp);
	pb_free(&sp);
	pb_free(&res);
	pb_free(&kv);
	pb_free(&any);
	pb_free(&dict);
	pb_free(&c.locations);
	pb_free(&c.functions);
	pb_free(&c.samples);
	pb_free(&c.sub);
	pb_free(&c.sub2);
	table_free(&c.strings);
	table_free(&c.stacks);
	table_free(&c.attrs);
	free(c.loc_of_frame);
	free(c.func_of);
	free(c.ids);
	if (err) {
		pb_free(&out);
		return err;
	}
	*body = out.b;
	*len = out.n;
	return 0;
}
