/* Walker replay snapshots: the JSON file and the recorded address space. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"

#define HEX_LINE 32	/* bytes per string of "hex": one hexdump line */

/* enum snap_what's bits, as "what" names them. */
static const char *const what_names[] = { "runtime", "walk", "code" };
#define NWHAT (sizeof(what_names) / sizeof(what_names[0]))

/* "walk+code" */
static const char *what_string(unsigned what, char *buf, size_t cap)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NWHAT; i++)
		if (what & (1u << i))
			at += snprintf(buf + at, cap - at, "%s%s", at ? "+" : "", what_names[i]);
	return buf;
}

static unsigned what_parse(const char *s)
{
	unsigned what = 0;

	for (size_t i = 0; s && i < NWHAT; i++) {
		const char *p = strstr(s, what_names[i]);
		size_t n = strlen(what_names[i]);

		if (p && (p == s || p[-1] == '+') && (p[n] == '\0' || p[n] == '+'))
			what |= 1u << i;
	}
	return what;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Addresses are hex strings ("0x7f..."), which a reader in any language
 * takes exactly; small numbers are JSON integers. */
static int get_hex(json_t *o, const char *key, uint64_t *out)
{
	const char *s = json_string_value(json_object_get(o, key));
	char *end;

	if (!s || strncmp(s, "0x", 2))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return errno || *end || end == s + 2 ? -1 : 0;
}

static int get_int(json_t *o, const char *key, json_int_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static char *get_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? strdup(s) : NULL;
}

static json_t *hex_value(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

static int parse_frames(json_t *arr, struct snap_thread *t, char *err, size_t errlen)
{
	size_t i;
	json_t *f;

	if (!json_is_array(arr) || !json_array_size(arr))
		return fail(err, errlen, "thread %s: no frames", t->name);
	t->frames = calloc(json_array_size(arr), sizeof(*t->frames));
	if (!t->frames)
		return fail(err, errlen, "out of memory");
	json_array_foreach(arr, i, f) {
		struct snap_frame *sf = &t->frames[i];
		json_int_t line;

		sf->name = get_str(f, "name");
		sf->file = get_str(f, "file");
		t->nframes = i + 1;
		if (!sf->name || !sf->file || get_int(f, "line", &line))
			return fail(err, errlen, "thread %s, frame %zu: needs name, file and line",
				    t->name, i);
		sf->line = (int)line;
	}
	return 0;
}

int snapshot_parse_threads(json_t *truth, struct snapshot *s, char *err, size_t errlen)
{
	json_t *arr = json_object_get(truth, "threads"), *t;
	size_t i;

	if (!json_is_array(arr) || !json_array_size(arr))
		return fail(err, errlen, "no \"threads\" array");
	s->threads = calloc(json_array_size(arr), sizeof(*s->threads));
	if (!s->threads)
		return fail(err, errlen, "out of memory");
	json_array_foreach(arr, i, t) {
		struct snap_thread *st = &s->threads[i];
		json_int_t ident, native, interp = 0;

		s->nthreads = i + 1;
		st->name = get_str(t, "name");
		if (!st->name || get_int(t, "ident", &ident) || get_int(t, "native_id", &native))
			return fail(err, errlen, "thread %zu: needs name, ident and native_id", i);
		st->ident = (uint64_t)ident;
		st->native_id = (uint64_t)native;
		/* Optional: the main interpreter's (0) when absent. */
		if (json_object_get(t, "interpreter") && get_int(t, "interpreter", &interp))
			return fail(err, errlen, "thread %zu: interpreter is not an integer", i);
		st->interp_id = (int64_t)interp;
		if (parse_frames(json_object_get(t, "frames"), st, err, errlen))
			return -1;
	}
	return 0;
}

/* The kernel's side of each thread, which only the recorder adds. */
static int parse_kernel_side(json_t *root, struct snapshot *s, char *err, size_t errlen)
{
	json_t *arr = json_object_get(root, "threads");

	for (size_t i = 0; i < s->nthreads; i++) {
		json_t *t = json_array_get(arr, i);
		json_int_t tid, ns_tid;

		if (get_int(t, "tid", &tid) || get_int(t, "ns_tid", &ns_tid) ||
		    get_hex(t, "fsbase", &s->threads[i].fsbase))
			return fail(err, errlen, "thread %zu: needs tid, ns_tid and fsbase", i);
		s->threads[i].tid = (uint32_t)tid;
		s->threads[i].ns_tid = (uint64_t)ns_tid;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_range(json_t *r, struct snap_range *out, char *err, size_t errlen)
{
	json_t *lines = json_object_get(r, "hex"), *l;
	const char *what = json_string_value(json_object_get(r, "what"));
	json_int_t len;
	size_t i, at = 0;

	if (get_hex(r, "addr", &out->addr) || get_int(r, "len", &len) || len <= 0 ||
	    len > (1 << 24) || !json_is_array(lines))
		return fail(err, errlen, "memory range needs addr, len and hex");
	out->len = (size_t)len;
	out->what = what_parse(what);
	out->data = malloc(out->len);
	if (!out->data)
		return fail(err, errlen, "out of memory");
	json_array_foreach(lines, i, l) {
		const char *h = json_string_value(l);
		size_t n = h ? strlen(h) : 1;

		if (n % 2 || n / 2 > out->len - at)
			goto bad;
		for (size_t j = 0; j < n; j += 2) {
			int hi = hexval(h[j]), lo = hexval(h[j + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			out->data[at++] = (uint8_t)(hi << 4 | lo);
		}
	}
	if (at == out->len)
		return 0;
bad:
	return fail(err, errlen, "memory range 0x%" PRIx64 ": hex does not hold len bytes", out->addr);
}

static int parse_memory(json_t *arr, struct snapshot *s, char *err, size_t errlen)
{
	json_t *r;
	size_t i;

	if (!json_is_array(arr))
		return fail(err, errlen, "no \"memory\" array");
	s->ranges = calloc(json_array_size(arr) + 1, sizeof(*s->ranges));
	if (!s->ranges)
		return fail(err, errlen, "out of memory");
	json_array_foreach(arr, i, r) {
		s->nranges = i + 1;
		if (parse_range(r, &s->ranges[i], err, errlen))
			return -1;
		if (i && s->ranges[i].addr < s->ranges[i - 1].addr + s->ranges[i - 1].len)
			return fail(err, errlen, "memory ranges must be sorted and disjoint");
	}
	return 0;
}

int snapshot_load(const char *path, struct snapshot *s, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *py;
	const char *format, *version, *build;
	json_int_t fv, major, minor, pid;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (!root)
		return fail(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
	format = json_string_value(json_object_get(root, "format"));
	py = json_object_get(root, "python");
	version = json_string_value(json_object_get(py, "version"));
	build = json_string_value(json_object_get(py, "build"));
	if (!format || strcmp(format, SNAPSHOT_FORMAT) || get_int(root, "format_version", &fv)) {
		fail(err, errlen, "%s: not a walker replay snapshot", path);
		goto out;
	}
	if (fv != SNAPSHOT_VERSION) {
		fail(err, errlen, "%s: format_version %lld, this test reads %d", path,
		     (long long)fv, SNAPSHOT_VERSION);
		goto out;
	}
	if (!version || !build || get_int(py, "major", &major) || get_int(py, "minor", &minor) ||
	    get_int(root, "pid", &pid) || get_hex(root, "runtime_addr", &s->runtime_addr)) {
		fail(err, errlen, "%s: needs python.version, build, major, minor, pid and runtime_addr", path);
		goto out;
	}
	snprintf(s->version, sizeof(s->version), "%s", version);
	snprintf(s->build, sizeof(s->build), "%s", build);
	s->sys_version = get_str(py, "sys_version");
	s->executable = get_str(py, "executable");
	s->major = (int)major;
	s->minor = (int)minor;
	s->pid = (uint32_t)pid;
	if (snapshot_parse_threads(root, s, err, errlen) ||
	    parse_kernel_side(root, s, err, errlen) ||
	    parse_memory(json_object_get(root, "memory"), s, err, errlen))
		goto out;
	rc = 0;
out:
	json_decref(root);
	if (rc)
		snapshot_free(s);
	return rc;
}

static json_t *range_json(const struct snap_range *r)
{
	json_t *o = json_object(), *lines = json_array();
	char line[HEX_LINE * 2 + 1], what[64];

	for (size_t at = 0; at < r->len; at += HEX_LINE) {
		size_t n = r->len - at < HEX_LINE ? r->len - at : HEX_LINE;

		for (size_t j = 0; j < n; j++)
			snprintf(line + 2 * j, 3, "%02x", r->data[at + j]);
		json_array_append_new(lines, json_string(line));
	}
	json_object_set_new(o, "addr", hex_value(r->addr));
	json_object_set_new(o, "len", json_integer((json_int_t)r->len));
	json_object_set_new(o, "what", json_string(what_string(r->what, what, sizeof(what))));
	json_object_set_new(o, "hex", lines);
	return o;
}

static json_t *thread_json(const struct snap_thread *t)
{
	json_t *o = json_object(), *frames = json_array();

	for (size_t i = 0; i < t->nframes; i++) {
		json_t *f = json_object();

		json_object_set_new(f, "name", json_string(t->frames[i].name));
		json_object_set_new(f, "file", json_string(t->frames[i].file));
		json_object_set_new(f, "line", json_integer(t->frames[i].line));
		json_array_append_new(frames, f);
	}
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "tid", json_integer(t->tid));
	json_object_set_new(o, "ns_tid", json_integer((json_int_t)t->ns_tid));
	json_object_set_new(o, "fsbase", hex_value(t->fsbase));
	json_object_set_new(o, "ident", json_integer((json_int_t)t->ident));
	json_object_set_new(o, "native_id", json_integer((json_int_t)t->native_id));
	json_object_set_new(o, "interpreter", json_integer((json_int_t)t->interp_id));
	json_object_set_new(o, "frames", frames);
	return o;
}

int snapshot_save(const char *path, const struct snapshot *s, char *err, size_t errlen)
{
	json_t *root = json_object(), *py = json_object(), *threads = json_array();
	json_t *mem = json_array();
	int rc;

	json_object_set_new(root, "format", json_string(SNAPSHOT_FORMAT));
	json_object_set_new(root, "format_version", json_integer(SNAPSHOT_VERSION));
	json_object_set_new(py, "version", json_string(s->version));
	json_object_set_new(py, "build", json_string(s->build));
	json_object_set_new(py, "sys_version", json_string(s->sys_version ? s->sys_version : ""));
	json_object_set_new(py, "executable", json_string(s->executable ? s->executable : ""));
	json_object_set_new(py, "major", json_integer(s->major));
	json_object_set_new(py, "minor", json_integer(s->minor));
	json_object_set_new(root, "python", py);
	json_object_set_new(root, "pid", json_integer(s->pid));
	json_object_set_new(root, "runtime_addr", hex_value(s->runtime_addr));
	for (size_t i = 0; i < s->nthreads; i++)
		json_array_append_new(threads, thread_json(&s->threads[i]));
	json_object_set_new(root, "threads", threads);
	for (size_t i = 0; i < s->nranges; i++)
		json_array_append_new(mem, range_json(&s->ranges[i]));
	json_object_set_new(root, "memory", mem);
	rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return rc ? fail(err, errlen, "cannot write %s: %s", path, strerror(errno)) : 0;
}

void snapshot_free(struct snapshot *s)
{
	for (size_t i = 0; i < s->nthreads; i++) {
		for (size_t j = 0; j < s->threads[i].nframes; j++) {
			free(s->threads[i].frames[j].name);
			free(s->threads[i].frames[j].file);
		}
		free(s->threads[i].frames);
		free(s->threads[i].name);
	}
	for (size_t i = 0; i < s->nranges; i++)
		free(s->ranges[i].data);
	free(s->threads);
	free(s->ranges);
	free(s->sys_version);
	free(s->executable);
	memset(s, 0, sizeof(*s));
}

int snapshot_add(struct snapshot *s, uint64_t addr, const void *data, size_t len,
		 unsigned what)
{
	struct snap_range *r;

	if (!len)
		return 0;
	r = realloc(s->ranges, (s->nranges + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	s->ranges = r;
	r = &s->ranges[s->nranges];
	memset(r, 0, sizeof(*r));
	r->data = malloc(len);
	if (!r->data)
		return -ENOMEM;
	memcpy(r->data, data, len);
	r->addr = addr;
	r->len = len;
	r->what = what;
	s->nranges++;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct snap_range *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->len < y->len ? 1 : x->len > y->len ? -1 : 0;	/* longest first */
}

int snapshot_merge(struct snapshot *s, char *err, size_t errlen)
{
	size_t out = 0;

	if (!s->nranges)
		return 0;
	qsort(s->ranges, s->nranges, sizeof(*s->ranges), by_addr);
	for (size_t i = 1; i < s->nranges; i++) {
		struct snap_range *cur = &s->ranges[out], *r = &s->ranges[i];
		uint64_t end = cur->addr + cur->len;

		if (r->addr > end) {
			s->ranges[++out] = *r;
			continue;
		}
		/* Overlapping or touching: the bytes in common must agree. */
		size_t skip = (size_t)(end - r->addr);
		size_t common = skip < r->len ? skip : r->len;

		if (memcmp(cur->data + (r->addr - cur->addr), r->data, common)) {
			fail(err, errlen, "memory at 0x%" PRIx64 " changed between two reads: the target was not stopped",
			     r->addr);
			return -1;
		}
		if (r->len > skip) {
			uint8_t *d = realloc(cur->data, cur->len + (r->len - skip));

			if (!d)
				return fail(err, errlen, "out of memory");
			memcpy(d + cur->len, r->data + skip, r->len - skip);
			cur->data = d;
			cur->len += r->len - skip;
		}
		cur->what |= r->what;
		free(r->data);
	}
	s->nranges = out + 1;
	return 0;
}

size_t snapshot_bytes(const struct snapshot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nranges; i++)
		n += s->ranges[i].len;
	return n;
}

/* The range holding [addr, addr + len), or NULL. */
static struct snap_range *find_range(const struct snapshot *s, uint64_t addr, size_t len)
{
	size_t lo = 0, hi = s->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct snap_range *r = &s->ranges[mid];

		if (addr < r->addr) {
			hi = mid;
		} else if (addr - r->addr >= r->len) {
			lo = mid + 1;
		} else {
			return len <= r->len - (addr - r->addr) ? r : NULL;
		}
	}
	return NULL;
}

static int image_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct snapshot *s = ctx;
	const struct snap_range *r;

	if (!len)
		return 0;
	r = find_range(s, addr, len);
	if (!r)
		return -EFAULT;
	memcpy(buf, r->data + (addr - r->addr), len);
	return 0;
}

struct remote_mem snapshot_mem(const struct snapshot *s)
{
	return (struct remote_mem){ .read = image_read, .ctx = (void *)s };
}

int snapshot_poke(struct snapshot *s, uint64_t addr, const void *data, size_t len, void *old)
{
	struct snap_range *r = find_range(s, addr, len);

	if (!r)
		return -EFAULT;
	if (old)
		memcpy(old, r->data + (addr - r->addr), len);
	memcpy(r->data + (addr - r->addr), data, len);
	return 0;
}
