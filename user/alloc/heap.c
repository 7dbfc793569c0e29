/* Live blocks and tracebacks of `pybpftop alloc`, in uthash tables. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "alloc/heap.h"

struct trace_entry {
	UT_hash_handle hh;
	struct alloc_trace t;
	uint32_t key[];		/* pid, flags, n, frames... */
};

/* Blocks are per address space: the same address in two processes is
 * two blocks. */
struct block_key {
	uint32_t pid, _pad;
	uint64_t addr;
};

struct alloc_block {
	UT_hash_handle hh;
	struct block_key key;
	uint64_t size;
	struct alloc_trace *trace;
};

void alloc_heap_init(struct alloc_heap *h)
{
	memset(h, 0, sizeof(*h));
}

void alloc_heap_free(struct alloc_heap *h)
{
	struct trace_entry *index = h->index, *e, *etmp;
	struct alloc_block *b, *btmp;

	HASH_ITER(hh, h->blocks, b, btmp) {
		HASH_DEL(h->blocks, b);
		free(b);
	}
	HASH_ITER(hh, index, e, etmp) {
		HASH_DEL(index, e);
		free(e);
	}
	memset(h, 0, sizeof(*h));
}

struct alloc_trace *alloc_heap_trace(struct alloc_heap *h, uint32_t pid, uint32_t flags,
				     const uint32_t *frames, uint32_t n)
{
	struct trace_entry *index = h->index, *e;
	size_t keylen = (3 + (size_t)n) * sizeof(uint32_t);
	uint32_t stack_key[64], *key = stack_key;

	if (n + 3 > sizeof(stack_key) / sizeof(stack_key[0]) && !(key = malloc(keylen)))
		return NULL;
	key[0] = pid;
	key[1] = flags;
	key[2] = n;
	memcpy(key + 3, frames, n * sizeof(*frames));
	HASH_FIND(hh, index, key, keylen, e);
	if (!e && (e = calloc(1, sizeof(*e) + keylen))) {
		memcpy(e->key, key, keylen);
		e->t = (struct alloc_trace){ .pid = pid, .flags = flags, .n = n,
					     .frames = e->key + 3, .next = h->traces, .priv = e };
		h->traces = &e->t;
		h->ntraces++;
		HASH_ADD(hh, index, key, keylen, e);
		h->index = index;
	}
	if (key != stack_key)
		free(key);
	return e ? &e->t : NULL;
}

static void drop(struct alloc_heap *h, struct alloc_block *b)
{
	b->trace->live_size -= b->size;
	b->trace->live_count--;
	h->current -= b->size;
	h->nblocks--;
	HASH_DEL(h->blocks, b);
	free(b);
}

static struct alloc_block *find(struct alloc_heap *h, uint32_t pid, uint64_t addr)
{
	struct block_key key = { .pid = pid, .addr = addr };
	struct alloc_block *b;

	HASH_FIND(hh, h->blocks, &key, sizeof(key), b);
	return b;
}

static void add(struct alloc_heap *h, struct alloc_block *b)
{
	b->trace->live_size += b->size;
	b->trace->live_count++;
	h->current += b->size;
	if (h->current > h->peak)
		h->peak = h->current;
	h->nblocks++;
	HASH_ADD(hh, h->blocks, key, sizeof(b->key), b);
}

int alloc_heap_alloc(struct alloc_heap *h, struct alloc_trace *t, uint64_t addr,
		     uint64_t size, uint64_t old)
{
	struct alloc_block *b;

	if (old)
		alloc_heap_release(h, t->pid, old);
	if ((b = find(h, t->pid, addr)))	/* a free we did not see */
		drop(h, b);
	t->alloc_size += size;
	t->alloc_count++;
	h->allocated += size;
	h->allocations++;
	if (!(b = malloc(sizeof(*b))))
		return -ENOMEM;
	*b = (struct alloc_block){ .key = { .pid = t->pid, .addr = addr }, .size = size, .trace = t };
	add(h, b);
	return 0;
}

void alloc_heap_release(struct alloc_heap *h, uint32_t pid, uint64_t addr)
{
	struct alloc_block *b = find(h, pid, addr);

	if (b)
		drop(h, b);
	else
		h->unknown_frees++;
}

#define PAGE 4096u

/* Whether b is pid's and starts in [addr, addr + len). */
static int in_range(const struct alloc_block *b, uint32_t pid, uint64_t addr, uint64_t len)
{
	return b->key.pid == pid && b->key.addr >= addr && b->key.addr - addr < len;
}

void alloc_heap_unmap(struct alloc_heap *h, uint32_t pid, uint64_t addr, uint64_t len)
{
	struct alloc_block *b, *tmp;

	if (addr + len < addr)
		len = -addr;
	/* Sampled pages are page-aligned: a short range is cheaper to probe
	 * page by page than the table is to scan. */
	if (len / PAGE <= h->nblocks && !(addr % PAGE)) {
		/* By offset: addr + len may be 2^64, which is 0. */
		for (uint64_t off = 0; off < len; off += PAGE)
			if ((b = find(h, pid, addr + off)))
				drop(h, b);
		return;
	}
	HASH_ITER(hh, h->blocks, b, tmp)
		if (in_range(b, pid, addr, len))
			drop(h, b);
}

void alloc_heap_forget(struct alloc_heap *h, uint32_t pid)
{
	struct alloc_block *b, *tmp;

	HASH_ITER(hh, h->blocks, b, tmp)
		if (b->key.pid == pid)
			drop(h, b);
}

void alloc_heap_move(struct alloc_heap *h, uint32_t pid, uint64_t addr, uint64_t len,
		     uint64_t new_addr, uint64_t new_len)
{
	struct alloc_block *b, *tmp, *moved = NULL;

	if (new_addr == addr) {
		if (new_len < len)
			alloc_heap_unmap(h, pid, addr + new_len, len - new_len);
		return;
	}
	/* Take them all out first: the two ranges may overlap. */
	HASH_ITER(hh, h->blocks, b, tmp) {
		if (!in_range(b, pid, addr, len))
			continue;
		if (b->key.addr - addr >= new_len) {
			drop(h, b);
			continue;
		}
		HASH_DEL(h->blocks, b);
		b->key.addr = new_addr + (b->key.addr - addr);
		b->hh.next = moved;
		moved = b;
	}
	/* What the new range held is gone: the kernel unmaps it (MREMAP_FIXED),
	 * and we see no munmap for it. */
	alloc_heap_unmap(h, pid, new_addr, new_len);
	while ((b = moved)) {
		moved = b->hh.next;
		HASH_ADD(hh, h->blocks, key, sizeof(b->key), b);
	}
}
