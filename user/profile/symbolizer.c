/* Code-object addresses to frame ids. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

enum known_state { UNKNOWN, KNOWN, TRUSTED };	/* in the walker's table */

struct code_entry {
	struct code_key key;
	struct py_code code;
	int ok;			/* read succeeded */
	enum known_state known;
	uint32_t func;
	uint64_t born_ns;	/* when it was read */
	uint64_t checked_ns;	/* when it was last found to be what was read */
	uint64_t drain;		/* the drain in which it was read */
	size_t bytes;		/* what it costs the budget */
	struct line_entry *lines;	/* lasti -> frame id */
	UT_hash_handle hh;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void symbolizer_init(struct symbolizer *s, struct frame_table *frames)
{
	memset(s, 0, sizeof(*s));
	s->frames = frames;
	s->now_ns = now_ns();
}

static void tell_known(struct symbolizer *s, struct code_entry *c, enum known_state st)
{
	struct py_known_code k = { .addr = c->key.addr, .pid = c->key.pid,
				   .fp = c->code.fingerprint, .trusted = st == TRUSTED };

	if (!s->known.know || c->known == st)
		return;
	c->known = st;
	s->known.know(s->known.ctx, &k);
}

static void drop(struct symbolizer *s, struct code_entry *c)
{
	struct line_entry *l, *tmp;

	if (c->known != UNKNOWN && s->known.forget)
		s->known.forget(s->known.ctx, c->key.addr, (pid_t)c->key.pid);
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

	s->known = (struct symbolizer_known){ 0 };	/* the probes may be gone */
	HASH_ITER(hh, s->codes, c, tmp)
		drop(s, c);
	memset(s, 0, sizeof(*s));
}

/* The entry is still what was read (rc and now from py_code_fingerprint
 * at its address). A process that exited cannot have reused the address:
 * its last samples, drained after the exit, keep their names. */
static int same_object(const struct code_entry *c, int rc, uint32_t now)
{
	return rc == -ESRCH || (rc == 0 && now == c->code.fingerprint);
}

/* Checks n due entries of target t in one batch; those that are not
 * what was read any more go. */
static void check_batch(struct symbolizer *s, struct py_target *t,
			struct code_entry **batch, size_t n)
{
	uint64_t addrs[PY_CODE_FP_BATCH] = { 0 };
	uint32_t fps[PY_CODE_FP_BATCH];
	int rcs[PY_CODE_FP_BATCH];

	for (size_t i = 0; i < n; i++)
		addrs[i] = batch[i]->key.addr;
	if (py_code_fingerprints(&t->mem, &t->v, addrs, n, fps, rcs)) {
		for (size_t i = 0; i < n; i++)	/* a bad table: each alone, when used */
			batch[i]->checked_ns = 0;
		return;
	}
	s->batched_checks += n;
	for (size_t i = 0; i < n; i++) {
		batch[i]->checked_ns = s->now_ns;
		if (!same_object(batch[i], rcs[i], fps[i])) {
			s->reused++;
			drop(s, batch[i]);
		}
	}
}

/* In symbolizer.h. A stack's frames are sampled at one moment and named
 * together: its due entries are checked in one batch, not one read each. */
void symbolizer_check_stack(struct symbolizer *s, struct py_target *t,
			    const struct py_frame *f, uint32_t n)
{
	struct code_entry *batch[PY_CODE_FP_BATCH];
	size_t k = 0;

	for (uint32_t i = 0; i < n; i++) {
		struct code_key key = { .addr = f[i].code, .pid = t->pid };
		struct code_entry *c;

		if (f[i].code_fp)
			continue;	/* the walker's fingerprint decides */
		HASH_FIND(hh, s->codes, &key, sizeof(key), c);
		if (!c || !c->ok || s->now_ns - c->checked_ns < SYMBOLIZER_CHECK_NS)
			continue;
		/* Due; a recursive stack names it again further up. */
		c->checked_ns = s->now_ns;
		batch[k++] = c;
		if (k == PY_CODE_FP_BATCH) {
			check_batch(s, t, batch, k);
			k = 0;
		}
	}
	if (k)
		check_batch(s, t, batch, k);
}

void symbolizer_new_epoch(struct symbolizer *s)
{
	s->now_ns = now_ns();
	s->drains++;
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
	c->born_ns = c->checked_ns = s->now_ns;
	c->drain = s->drains;
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

/* Without a fingerprint from the walker (it trusts the entry, or could
 * not read the object): is the cached entry still the object at its
 * address? Checked at most every SYMBOLIZER_CHECK_NS. */
static int still_there(struct symbolizer *s, struct py_target *t, struct code_entry *c)
{
	uint32_t now;
	int rc;

	if (s->now_ns - c->checked_ns < SYMBOLIZER_CHECK_NS)
		return c->ok;
	c->checked_ns = s->now_ns;
	if (!c->ok)
		return 0;	/* torn last time: read it again */
	s->single_checks++;
	rc = py_code_fingerprint(&t->mem, &t->v, c->key.addr, &now);
	return same_object(c, rc, now);
}

/* The cached code object at key as it was when sampled, read again if
 * the cache holds another (or none), or NULL if it cannot be named. */
static struct code_entry *code_for(struct symbolizer *s, struct py_target *t,
				   const struct code_key *key, uint32_t fp)
{
	struct code_entry *c;

	HASH_FIND(hh, s->codes, key, sizeof(*key), c);
	if (c && (fp ? c->ok && c->code.fingerprint == fp : still_there(s, t, c))) {
		if (fp)
			c->checked_ns = s->now_ns;
		/* Long-lived code is most code: the walker stops paying for
		 * its fingerprint. */
		if (c->known == KNOWN && s->now_ns - c->born_ns >= SYMBOLIZER_TRUST_NS)
			tell_known(s, c, TRUSTED);
		return c;
	}
	/* An unreadable object (often torn while the target changes it) is
	 * tried again in the next drain, not for every frame. */
	if (c && !c->ok && c->drain == s->drains)
		return NULL;
	if (c) {
		s->reused += c->ok;
		drop(s, c);
	}
	c = load_code(s, t, key);
	if (!c || !c->ok)
		return NULL;
	tell_known(s, c, KNOWN);
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
	if (py_frame_incomplete(&t->v, &c->code, lasti)) {
		s->incomplete++;
		return SYMBOLIZER_INCOMPLETE;
	}
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
