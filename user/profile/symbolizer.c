/* Code-object addresses to `qualname (file:line)`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "python/code_reader.h"
#include "python/line_table.h"
#include "profile/symbolizer.h"

struct code_key {
	uint64_t addr;
	uint32_t pid;
	uint32_t _pad;
};

struct line_entry {
	int32_t lasti;
	uint32_t frame;
	UT_hash_handle hh;
};

struct code_entry {
	struct code_key key;
	struct py_code code;
	int ok;			/* read succeeded */
	uint32_t func;
	uint64_t epoch;		/* last drain in which it was checked */
	struct line_entry *lines;	/* lasti -> frame id */
	UT_hash_handle hh;
};

/* Interning of functions and frames, keyed by their text. */
struct intern_entry {
	char *key;
	uint32_t id;
	UT_hash_handle hh;
};

static int grow(void **v, uint32_t *cap, uint32_t n, size_t size)
{
	void *p;
	uint32_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 256;
	p = realloc(*v, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

/* The id of `key`, adding it with id `next` if absent; -1 on ENOMEM. */
static int64_t intern(struct intern_entry **set, const char *key, uint32_t next)
{
	struct intern_entry *e;

	HASH_FIND_STR(*set, key, e);
	if (e)
		return e->id;
	e = calloc(1, sizeof(*e));
	if (!e || !(e->key = strdup(key))) {
		free(e);
		return -1;
	}
	e->id = next;
	HASH_ADD_KEYPTR(hh, *set, e->key, strlen(e->key), e);
	return next;
}

static uint32_t func_id(struct symbolizer *s, const char *name, const char *file, int firstline)
{
	char key[8192];
	int64_t id;

	snprintf(key, sizeof(key), "%s\x1f%s\x1f%d", name, file, firstline);
	if (grow((void **)&s->funcs, &s->funcs_cap, s->nfuncs, sizeof(*s->funcs)))
		return 0;
	id = intern(&s->func_ids, key, s->nfuncs);
	if (id < 0)
		return 0;
	if (id == s->nfuncs) {
		s->funcs[id].name = strdup(name);
		s->funcs[id].file = strdup(file);
		s->funcs[id].firstline = firstline;
		s->nfuncs++;
	}
	return id;
}

static uint32_t frame_id(struct symbolizer *s, uint32_t func, int line)
{
	char key[32];
	int64_t id;

	snprintf(key, sizeof(key), "%u:%d", func, line);
	if (grow((void **)&s->frames, &s->frames_cap, s->nframes, sizeof(*s->frames)))
		return FRAME_UNKNOWN;
	id = intern(&s->frame_ids, key, s->nframes);
	if (id < 0)
		return FRAME_UNKNOWN;
	if (id == s->nframes) {
		s->frames[id].func = func;
		s->frames[id].line = line;
		s->nframes++;
	}
	return id;
}

int symbolizer_init(struct symbolizer *s)
{
	memset(s, 0, sizeof(*s));
	/* Function 0 / frame 0: code we could not read. */
	func_id(s, "[unknown]", "", 0);
	return frame_id(s, 0, -1) == FRAME_UNKNOWN && s->nframes == 1 ? 0 : -ENOMEM;
}

static void code_entry_free(struct code_entry *c)
{
	struct line_entry *l, *tmp;

	HASH_ITER(hh, c->lines, l, tmp) {
		HASH_DEL(c->lines, l);
		free(l);
	}
	py_code_free(&c->code);
	free(c);
}

void symbolizer_forget(struct symbolizer *s, pid_t pid)
{
	struct code_entry *c, *tmp;

	HASH_ITER(hh, s->codes, c, tmp) {
		if (c->key.pid == (uint32_t)pid) {
			HASH_DEL(s->codes, c);
			code_entry_free(c);
		}
	}
}

void symbolizer_free(struct symbolizer *s)
{
	struct code_entry *c, *ctmp;
	struct intern_entry *e, *etmp;
	struct intern_entry **sets[] = { &s->func_ids, &s->frame_ids };

	HASH_ITER(hh, s->codes, c, ctmp) {
		HASH_DEL(s->codes, c);
		code_entry_free(c);
	}
	for (size_t i = 0; i < 2; i++) {
		HASH_ITER(hh, *sets[i], e, etmp) {
			HASH_DEL(*sets[i], e);
			free(e->key);
			free(e);
		}
	}
	for (uint32_t i = 0; i < s->nfuncs; i++) {
		free(s->funcs[i].name);
		free(s->funcs[i].file);
	}
	free(s->funcs);
	free(s->frames);
	memset(s, 0, sizeof(*s));
}

void symbolizer_new_epoch(struct symbolizer *s)
{
	s->epoch++;
}

static struct code_entry *load_code(struct symbolizer *s, struct py_target *t,
				    const struct code_key *key)
{
	struct code_entry *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->key = *key;
	c->epoch = s->epoch;
	s->code_reads++;
	c->ok = !py_read_code(&t->mem, &t->v, key->addr, &c->code);
	if (c->ok)
		c->func = func_id(s, c->code.qualname, c->code.filename, c->code.firstlineno);
	else
		s->code_errors++;
	HASH_ADD(hh, s->codes, key, sizeof(c->key), c);
	return c;
}

uint32_t symbolizer_frame(struct symbolizer *s, struct py_target *t,
			  uint64_t code, int32_t lasti)
{
	struct code_key key = { .addr = code, .pid = t->pid };
	struct code_entry *c;
	struct line_entry *l;
	int line;

	HASH_FIND(hh, s->codes, &key, sizeof(key), c);
	if (c && c->epoch != s->epoch) {
		/* First use in this drain: has the address been reused, or
		 * does an object that was torn last time read cleanly now? */
		uint64_t fp;
		int rc = c->ok ? py_code_fingerprint(&t->mem, &t->v, code, &fp) : -EINVAL;

		c->epoch = s->epoch;
		/* A process that exited cannot have reused the address: its last
		 * samples, drained after the exit, keep their names. */
		if (rc == -ESRCH)
			fp = c->code.fingerprint;
		else if (rc)
			fp = ~c->code.fingerprint;
		if (!c->ok || fp != c->code.fingerprint) {
			s->reused += c->ok;
			HASH_DEL(s->codes, c);
			code_entry_free(c);
			c = NULL;
		}
	}
	if (!c && !(c = load_code(s, t, &key)))
		return FRAME_UNKNOWN;
	if (!c->ok)
		return FRAME_UNKNOWN;

	HASH_FIND_INT(c->lines, &lasti, l);
	if (l)
		return l->frame;
	line = lasti < 0 ? c->code.firstlineno :
		py_line_for(t->v.linetable, c->code.linetable, c->code.linetable_len,
			    c->code.firstlineno, lasti * 2);
	l = calloc(1, sizeof(*l));
	if (!l)
		return FRAME_UNKNOWN;
	l->lasti = lasti;
	l->frame = frame_id(s, c->func, line);
	HASH_ADD_INT(c->lines, lasti, l);
	return l->frame;
}
