/* Interned functions and frames, with the reserved ids first. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "profile/frame_table.h"

struct ft_intern {
	UT_hash_handle hh;
	uint32_t id;
	char key[];
};

static const char *const reserved_names[FRAME_RESERVED] = {
	[FRAME_UNKNOWN] = "[unknown]",
	[FRAME_OFF_CPU] = "[off-cpu]",
	[FRAME_TRUNCATED] = "[truncated]",
	[FRAME_PARTIAL] = "[partial]",
};

static int grow(void **v, uint32_t *cap, uint32_t n, size_t size)
{
	uint32_t c = *cap ? *cap * 2 : 256;
	void *p;

	if (n < *cap)
		return 0;
	if (!(p = realloc(*v, (size_t)c * size)))
		return -ENOMEM;
	*v = p;
	*cap = c;
	return 0;
}

static struct ft_intern *find(struct ft_intern *set, const void *key, size_t len)
{
	struct ft_intern *e;

	HASH_FIND(hh, set, key, len, e);
	return e;
}

/* Remembers key[0..len) as id: 0, or -ENOMEM. */
static int remember(struct ft_intern **set, const void *key, size_t len, uint32_t id)
{
	struct ft_intern *e = malloc(sizeof(*e) + len);

	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, len);
	e->id = id;
	HASH_ADD(hh, *set, key, len, e);
	return 0;
}

uint32_t frame_table_func(struct frame_table *t, const char *name, const char *file, int firstline)
{
	size_t nlen = strlen(name), flen = strlen(file);
	size_t len = nlen + flen + 2 + sizeof(firstline);
	char stack_key[512], *key = stack_key;
	struct ft_intern *e;
	struct ft_func f = { .firstline = firstline };
	uint32_t id = 0;

	/* Names and files end at their NUL, so name NUL file NUL line is unique. */
	if (len > sizeof(stack_key) && !(key = malloc(len)))
		return 0;
	memcpy(key, name, nlen + 1);
	memcpy(key + nlen + 1, file, flen + 1);
	memcpy(key + nlen + flen + 2, &firstline, sizeof(firstline));
	if ((e = find(t->func_ids, key, len))) {
		id = e->id;
	} else if (t->nfuncs >= FRAME_TABLE_MAX_FUNCS || t->name_bytes + len > FRAME_TABLE_MAX_BYTES) {
		t->over_budget++;
	} else if (!grow((void **)&t->funcs, &t->funcs_cap, t->nfuncs, sizeof(*t->funcs)) &&
		   (f.name = strdup(name)) && (f.file = strdup(file)) &&
		   !remember(&t->func_ids, key, len, t->nfuncs)) {
		id = t->nfuncs;
		t->funcs[t->nfuncs++] = f;
		t->name_bytes += len;
	} else {
		free(f.name);
		free(f.file);
	}
	if (key != stack_key)
		free(key);
	return id;
}

uint32_t frame_table_frame(struct frame_table *t, uint32_t func, int line)
{
	struct { uint32_t func; int line; } key = { func, line };
	struct ft_intern *e = find(t->frame_ids, &key, sizeof(key));

	if (e)
		return e->id;
	if (t->nframes >= FRAME_TABLE_MAX_FRAMES) {
		t->over_budget++;
		return FRAME_UNKNOWN;
	}
	if (func >= t->nfuncs ||
	    grow((void **)&t->frames, &t->frames_cap, t->nframes, sizeof(*t->frames)) ||
	    remember(&t->frame_ids, &key, sizeof(key), t->nframes))
		return FRAME_UNKNOWN;
	t->frames[t->nframes] = (struct ft_frame){ func, line };
	return t->nframes++;
}

/* glibc's malloc keeps a size word per chunk and rounds to 16 bytes. */
#define FT_MALLOC_OVERHEAD	16

size_t frame_table_bytes(const struct frame_table *t)
{
	/* Per function: its interning entry, and three chunks (the key, the
	 * name, the file); per frame, one entry. uthash's buckets are a
	 * pointer and a count per two entries at most. */
	size_t per_func = sizeof(struct ft_intern) + 3 * FT_MALLOC_OVERHEAD + 16;
	size_t per_frame = sizeof(struct ft_intern) + sizeof(struct ft_frame) + FT_MALLOC_OVERHEAD + 16;

	return 2 * t->name_bytes + (size_t)t->nfuncs * per_func + (size_t)t->nframes * per_frame +
	       (size_t)t->funcs_cap * sizeof(*t->funcs) + (size_t)t->frames_cap * sizeof(*t->frames);
}

#define INTERP_NAME_FMT "[interpreter %lld]"

uint32_t frame_table_interpreter(struct frame_table *t, int64_t interp_id)
{
	char name[48];
	uint32_t func;

	snprintf(name, sizeof(name), INTERP_NAME_FMT, (long long)interp_id);
	func = frame_table_func(t, name, "", 0);
	if (func == FRAME_UNKNOWN)
		return FRAME_UNKNOWN;
	t->funcs[func].marker = 1;
	return frame_table_frame(t, func, -1);
}

uint32_t frame_table_interpreter_find(const struct frame_table *t, int64_t interp_id)
{
	char key[48 + 2 + sizeof(int)];
	struct { uint32_t func; int line; } fkey = { 0, -1 };
	int n = snprintf(key, 48, INTERP_NAME_FMT, (long long)interp_id), zero = 0;
	struct ft_intern *e;

	/* The key frame_table_func() makes: name NUL file NUL firstline. */
	key[n] = key[n + 1] = '\0';
	memcpy(key + n + 2, &zero, sizeof(zero));
	if (!(e = find(t->func_ids, key, n + 2 + sizeof(zero))))
		return FRAME_UNKNOWN;
	fkey.func = e->id;
	e = find(t->frame_ids, &fkey, sizeof(fkey));
	return e ? e->id : FRAME_UNKNOWN;
}

int frame_table_init(struct frame_table *t)
{
	memset(t, 0, sizeof(*t));
	/* Reserved frame i is function i, with no file and no line. */
	for (uint32_t i = 0; i < FRAME_RESERVED; i++)
		if (frame_table_frame(t, frame_table_func(t, reserved_names[i], "", 0), -1) != i ||
		    t->nframes != i + 1) {
			frame_table_free(t);
			return -ENOMEM;
		}
	for (uint32_t i = 0; i < FRAME_RESERVED; i++)
		t->funcs[i].marker = frame_is_marker(i);
	return 0;
}

void frame_table_free(struct frame_table *t)
{
	struct ft_intern **sets[] = { &t->func_ids, &t->frame_ids }, *e, *tmp;

	for (size_t i = 0; i < 2; i++) {
		HASH_ITER(hh, *sets[i], e, tmp) {
			HASH_DEL(*sets[i], e);
			free(e);
		}
	}
	for (uint32_t i = 0; i < t->nfuncs; i++) {
		free(t->funcs[i].name);
		free(t->funcs[i].file);
	}
	free(t->funcs);
	free(t->frames);
	memset(t, 0, sizeof(*t));
}
