/* Code-object addresses to frame ids. */
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

void symbolizer_init(struct symbolizer *s, struct frame_table *frames)
{
	memset(s, 0, sizeof(*s));
	s->frames = frames;
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

	HASH_ITER(hh, s->codes, c, ctmp) {
		HASH_DEL(s->codes, c);
		code_entry_free(c);
	}
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
		c->func = frame_table_func(s->frames, c->code.qualname, c->code.filename, c->code.firstlineno);
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
	l->frame = frame_table_frame(s->frames, c->func, line);
	HASH_ADD_INT(c->lines, lasti, l);
	return l->frame;
}
