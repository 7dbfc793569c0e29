/* Code-object addresses to frame ids. */
#include <errno.h>
#include <limits.h>
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
	size_t bytes;		/* what it costs the budget */
	struct line_entry *lines;	/* lasti -> frame id */
	UT_hash_handle hh;
};

void symbolizer_init(struct symbolizer *s, struct frame_table *frames)
{
	memset(s, 0, sizeof(*s));
	s->frames = frames;
}

static void drop(struct symbolizer *s, struct code_entry *c)
{
	struct line_entry *l, *tmp;

	HASH_DEL(s->codes, c);
	HASH_ITER(hh, c->lines, l, tmp) {
		HASH_DEL(c->lines, l);
		free(l);
	}
	s->ncodes--;
	s->bytes -= c->bytes;
	py_code_free(&c->code);
	free(c);
}

void symbolizer_forget(struct symbolizer *s, pid_t pid)
{
	struct code_entry *c, *tmp;

	HASH_ITER(hh, s->codes, c, tmp)
		if (c->key.pid == (uint32_t)pid)
			drop(s, c);
}

void symbolizer_free(struct symbolizer *s)
{
	struct code_entry *c, *tmp;

	HASH_ITER(hh, s->codes, c, tmp)
		drop(s, c);
	memset(s, 0, sizeof(*s));
}

void symbolizer_new_epoch(struct symbolizer *s)
{
	s->epoch++;
}

/* Over budget: the oldest entries go (uthash iterates in insertion order)
 * until the cache is under 3/4 of it, so that eviction is not paid for on
 * every new entry. `keep` is the entry being filled. */
static void enforce_budget(struct symbolizer *s, const struct code_entry *keep)
{
	struct code_entry *c, *tmp;

	if (s->ncodes <= SYMBOLIZER_MAX_CODES && s->bytes <= SYMBOLIZER_MAX_BYTES)
		return;
	HASH_ITER(hh, s->codes, c, tmp) {
		if (s->ncodes <= SYMBOLIZER_MAX_CODES / 4 * 3 && s->bytes <= SYMBOLIZER_MAX_BYTES / 4 * 3)
			break;
		if (c == keep)
			continue;
		drop(s, c);
		s->evicted++;
	}
}

static void charge(struct symbolizer *s, struct code_entry *c, size_t bytes)
{
	c->bytes += bytes;
	s->bytes += bytes;
	enforce_budget(s, c);
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
	s->ncodes++;
	charge(s, c, sizeof(*c) + c->code.linetable_len +
		     (c->ok ? strlen(c->code.qualname) + strlen(c->code.filename) + 2 : 0));
	return c;
}

/* Without a fingerprint from the walker: is the cached entry still the
 * object at its address? Checked once per drain. */
static int still_there(struct symbolizer *s, struct py_target *t, struct code_entry *c)
{
	uint32_t now;
	int rc;

	if (c->epoch == s->epoch)
		return c->ok;
	c->epoch = s->epoch;
	if (!c->ok)
		return 0;	/* torn last time: read it again */
	rc = py_code_fingerprint(&t->mem, &t->v, c->key.addr, &now);
	/* A process that exited cannot have reused the address: its last
	 * samples, drained after the exit, keep their names. */
	return rc == -ESRCH || (rc == 0 && now == c->code.fingerprint);
}

/* The cached code object at key as it was when sampled, read again if
 * the cache holds another (or none), or NULL if it cannot be named. */
static struct code_entry *code_for(struct symbolizer *s, struct py_target *t,
				   const struct code_key *key, uint32_t fp)
{
	struct code_entry *c;

	HASH_FIND(hh, s->codes, key, sizeof(*key), c);
	if (c && (fp ? c->ok && c->code.fingerprint == fp : still_there(s, t, c)))
		return c;
	/* An unreadable object is tried once per drain, not per frame. */
	if (c && !c->ok && c->epoch == s->epoch && fp)
		return NULL;
	if (c) {
		s->reused += c->ok;
		drop(s, c);
	}
	c = load_code(s, t, key);
	if (!c || !c->ok)
		return NULL;
	if (fp && c->code.fingerprint != fp) {
		/* The sampled object is gone: the address holds another now.
		 * That one stays cached, for the samples that find it. */
		s->vanished++;
		return NULL;
	}
	return c;
}

uint32_t symbolizer_frame(struct symbolizer *s, struct py_target *t,
			  uint64_t code, uint32_t fp, int32_t lasti)
{
	struct code_key key = { .addr = code, .pid = t->pid };
	struct code_entry *c = code_for(s, t, &key, fp);
	struct line_entry *l;
	int line;

	if (!c)
		return FRAME_UNKNOWN;
	HASH_FIND_INT(c->lines, &lasti, l);
	if (l)
		return l->frame;
	/* lasti counts 2-byte code units; a byte offset past INT_MAX is no
	 * instruction of a real code object (and would overflow). */
	line = lasti < 0 || lasti > INT_MAX / 2 ? c->code.firstlineno :
		py_line_for(t->v.linetable, c->code.linetable, c->code.linetable_len,
			    c->code.firstlineno, lasti * 2);
	l = calloc(1, sizeof(*l));
	if (!l)
		return FRAME_UNKNOWN;
	l->lasti = lasti;
	l->frame = frame_table_frame(s->frames, c->func, line);
	HASH_ADD_INT(c->lines, lasti, l);
	charge(s, c, sizeof(*l));
	return l->frame;
}
