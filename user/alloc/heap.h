/* What `pybpftop alloc` keeps while it runs: unique tracebacks with their
 * live and allocated totals, and the blocks (--exact) or sampled pages
 * (sampled mode) still live, each pointing at the traceback that made it. */
#ifndef ALLOC_HEAP_H
#define ALLOC_HEAP_H

#include <stdint.h>

struct alloc_block;

struct alloc_trace {
	uint64_t live_size, live_count;		/* still allocated now */
	uint64_t alloc_size, alloc_count;	/* allocated during the run */
	uint32_t pid, flags;			/* STACK_TRUNCATED, STACK_PARTIAL */
	uint32_t n;				/* frames, innermost first */
	uint32_t *frames;			/* symbolizer frame ids */
	struct alloc_trace *next;		/* all traces, newest first */
	/* private: the hash handle and key */
	void *priv;
};

struct alloc_heap {
	struct alloc_trace *traces;	/* every trace, newest first */
	void *index;			/* traces by key */
	struct alloc_block *blocks;	/* live blocks by address */
	uint64_t ntraces, nblocks;
	uint64_t current, peak;		/* live bytes now, and at most */
	uint64_t allocated, allocations;	/* during the run */
	uint64_t unknown_frees;		/* frees of blocks from before the start */
};

void alloc_heap_init(struct alloc_heap *h);
void alloc_heap_free(struct alloc_heap *h);

/* The trace for these frames, made on first use; NULL on ENOMEM. */
struct alloc_trace *alloc_heap_trace(struct alloc_heap *h, uint32_t pid, uint32_t flags,
				     const uint32_t *frames, uint32_t n);

/* A block of size bytes at addr was allocated by trace, in its process
 * (replacing the block at old, for realloc(); 0 otherwise). A live block at
 * addr is replaced. Blocks are per process: the same address in two
 * processes is two blocks. */
int alloc_heap_alloc(struct alloc_heap *h, struct alloc_trace *t, uint64_t addr,
		     uint64_t size, uint64_t old);

/* The block at addr in process pid was freed; unknown addresses are
 * counted, not kept. */
void alloc_heap_release(struct alloc_heap *h, uint32_t pid, uint64_t addr);

/* Every block of pid starting in [addr, addr + len) was given back. */
void alloc_heap_unmap(struct alloc_heap *h, uint32_t pid, uint64_t addr, uint64_t len);

/* mremap(): pid's blocks in [addr, addr + len) now live at new_addr,
 * new_len long (those past new_len are gone). */
void alloc_heap_move(struct alloc_heap *h, uint32_t pid, uint64_t addr, uint64_t len,
		     uint64_t new_addr, uint64_t new_len);

/* pid's address space is gone (it exec'd, or a child exited): every block
 * of it is no longer live. Its traces keep what they allocated. */
void alloc_heap_forget(struct alloc_heap *h, uint32_t pid);

#endif /* ALLOC_HEAP_H */
