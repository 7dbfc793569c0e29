/* The live-heap table of `pybpftop alloc`: accounting, trace interning,
 * munmap and mremap of ranges. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "alloc/heap.h"

#define P 4096ULL
#define PID 1		/* the process of trace1()'s blocks */

/* Was a block of pid live at addr? The table is private, so ask by releasing it:
 * a known address is not an unknown free. The block is gone afterwards. */
static int live_in(struct alloc_heap *h, uint32_t pid, uint64_t addr)
{
	uint64_t unknown = h->unknown_frees;

	alloc_heap_release(h, pid, addr);
	return h->unknown_frees == unknown;
}

static int live(struct alloc_heap *h, uint64_t addr)
{
	return live_in(h, PID, addr);
}

/* The sum of the traces' live sizes and counts equals the heap's. */
static int consistent(const struct alloc_heap *h)
{
	uint64_t size = 0, count = 0;

	for (const struct alloc_trace *t = h->traces; t; t = t->next) {
		size += t->live_size;
		count += t->live_count;
	}
	return size == h->current && count == h->nblocks;
}

static struct alloc_trace *trace1(struct alloc_heap *h, uint32_t frame)
{
	return alloc_heap_trace(h, PID, 0, &frame, 1);
}

static void test_accounting(void)
{
	struct alloc_heap h;
	struct alloc_trace *a, *b;

	alloc_heap_init(&h);
	a = trace1(&h, 1);
	b = trace1(&h, 2);
	CHECK(a && b && a != b);
	CHECK(alloc_heap_alloc(&h, a, 0x1000, 100, 0) == 0);
	CHECK(alloc_heap_alloc(&h, a, 0x2000, 50, 0) == 0);
	CHECK(alloc_heap_alloc(&h, b, 0x3000, 1000, 0) == 0);
	CHECK(h.current == 1150 && h.peak == 1150);
	CHECK(h.allocated == 1150 && h.allocations == 3 && h.nblocks == 3);
	CHECK(a->live_size == 150 && a->live_count == 2 && a->alloc_size == 150 && a->alloc_count == 2);
	CHECK(b->live_size == 1000 && b->live_count == 1);

	alloc_heap_release(&h, PID, 0x3000);
	CHECK(h.current == 150 && h.peak == 1150 && h.nblocks == 2);
	CHECK(b->live_size == 0 && b->live_count == 0 && b->alloc_size == 1000 && b->alloc_count == 1);
	CHECK(h.allocated == 1150 && h.allocations == 3 && h.unknown_frees == 0);

	/* A free of an address never seen: counted, nothing else changes. */
	alloc_heap_release(&h, PID, 0x3000);
	alloc_heap_release(&h, PID, 0x1001);
	CHECK(h.unknown_frees == 2);
	CHECK(h.current == 150 && h.nblocks == 2 && a->live_size == 150 && a->live_count == 2);

	/* realloc(0x1000 -> 0x5000, 300) by b: a loses the block, b gets it. */
	CHECK(alloc_heap_alloc(&h, b, 0x5000, 300, 0x1000) == 0);
	CHECK(a->live_size == 50 && a->live_count == 1 && a->alloc_count == 2);
	CHECK(b->live_size == 300 && b->live_count == 1 && b->alloc_size == 1300 && b->alloc_count == 2);
	CHECK(h.current == 350 && h.nblocks == 2 && h.allocated == 1450 && h.allocations == 4);
	CHECK(h.unknown_frees == 2);

	/* realloc in place (old == addr). */
	CHECK(alloc_heap_alloc(&h, b, 0x5000, 400, 0x5000) == 0);
	CHECK(b->live_size == 400 && b->live_count == 1 && h.current == 450 && h.nblocks == 2);

	/* realloc of a block from before the start: an unknown free. */
	CHECK(alloc_heap_alloc(&h, a, 0x6000, 10, 0x9999) == 0);
	CHECK(h.unknown_frees == 3 && h.current == 460 && h.nblocks == 3);

	/* An alloc where a block is live (we missed its free) replaces it. */
	CHECK(alloc_heap_alloc(&h, b, 0x2000, 7, 0) == 0);
	CHECK(a->live_size == 10 && a->live_count == 1);
	CHECK(b->live_size == 407 && b->live_count == 2);
	CHECK(h.current == 417 && h.nblocks == 3 && h.peak == 1150);
	CHECK(consistent(&h));
	CHECK(live(&h, 0x2000) && !live(&h, 0x2000));
	alloc_heap_free(&h);
	CHECK(h.traces == NULL && h.current == 0);
}

static void test_interning(void)
{
	struct alloc_heap h;
	uint32_t f1[] = { 1, 2, 3 }, f2[] = { 1, 2, 4 }, f3[] = { 1, 2, 3 };
	uint32_t big[200], big2[200];
	struct alloc_trace *t, *u;

	alloc_heap_init(&h);
	t = alloc_heap_trace(&h, 10, 0, f1, 3);
	CHECK(t && t->n == 3 && t->pid == 10 && t->flags == 0);
	CHECK(t && !memcmp(t->frames, f1, sizeof(f1)) && t->frames != f1);
	CHECK(alloc_heap_trace(&h, 10, 0, f3, 3) == t);
	CHECK(h.ntraces == 1);
	CHECK(alloc_heap_trace(&h, 10, 0, f2, 3) != t);	/* another frame */
	CHECK(alloc_heap_trace(&h, 11, 0, f1, 3) != t);	/* another pid */
	CHECK(alloc_heap_trace(&h, 10, 1, f1, 3) != t);	/* another flag */
	CHECK(alloc_heap_trace(&h, 10, 0, f1, 2) != t);	/* a prefix */
	CHECK(h.ntraces == 5);
	u = alloc_heap_trace(&h, 10, 0, NULL, 0);		/* no frames */
	CHECK(u && u->n == 0 && alloc_heap_trace(&h, 10, 0, NULL, 0) == u);
	CHECK(h.ntraces == 6 && h.traces == u);		/* newest first */

	/* Stacks of 61 frames fit the on-stack key, longer ones do not. */
	for (uint32_t n = 60; n <= 64; n++) {
		for (uint32_t i = 0; i < 200; i++)
			big[i] = big2[i] = 1000 + i;
		t = alloc_heap_trace(&h, 10, 0, big, n);
		CHECK(t && t->n == n && !memcmp(t->frames, big, n * sizeof(*big)));
		CHECK(alloc_heap_trace(&h, 10, 0, big2, n) == t);
		big2[n - 1] = 7;	/* the last frame counts too */
		CHECK(alloc_heap_trace(&h, 10, 0, big2, n) != t);
	}
	t = alloc_heap_trace(&h, 10, 0, big, 200);
	CHECK(t && t->n == 200 && alloc_heap_trace(&h, 10, 0, big, 200) == t);
	CHECK(t && t->frames[199] == 1199);
	alloc_heap_free(&h);
}

/* A heap with one page-sized block at each of base + k * P for k in ks,
 * plus "many" blocks far away so that short ranges take the page path. */
static struct alloc_trace *fill(struct alloc_heap *h, uint64_t base, const int *ks, int nk,
				int many)
{
	struct alloc_trace *t;

	alloc_heap_init(h);
	t = trace1(h, 1);
	for (int i = 0; i < nk; i++)
		alloc_heap_alloc(h, t, base + ks[i] * P, P, 0);
	for (int i = 0; i < many; i++)
		alloc_heap_alloc(h, trace1(h, 2), 0x7f0000000000ULL + i * P, P, 0);
	return t;
}

static void test_unmap(void)
{
	static const int ks[] = { 0, 1, 2, 3, 5, 8 };
	const uint64_t base = 0x10000000;
	struct alloc_heap h;
	struct alloc_trace *t;

	for (int many = 0; many <= 100; many += 100) {
		/* [1, 4) pages: page path with 100 blocks more, scan path without. */
		t = fill(&h, base, ks, 6, many);
		alloc_heap_unmap(&h, PID, base + P, 3 * P);
		CHECK(t->live_count == 3 && t->live_size == 3 * P);
		CHECK(h.nblocks == 3u + many && h.current == (3u + many) * P);
		CHECK(live(&h, base) && !live(&h, base + P) && !live(&h, base + 3 * P));
		CHECK(live(&h, base + 5 * P) && live(&h, base + 8 * P));
		CHECK(consistent(&h));
		alloc_heap_free(&h);

		/* A length that is not a multiple of the page: a block starting in
		 * the last, partial page goes too; one starting at the end does not. */
		t = fill(&h, base, ks, 6, many);
		alloc_heap_unmap(&h, PID, base + 3 * P, 2 * P + 1);
		CHECK(t->live_count == 4 && !live(&h, base + 3 * P) && !live(&h, base + 5 * P));
		CHECK(live(&h, base + 2 * P) && live(&h, base + 8 * P));
		alloc_heap_free(&h);

		/* An unaligned start: blocks from addr on, not the one before. */
		t = fill(&h, base, ks, 6, many);
		alloc_heap_unmap(&h, PID, base + 1, 3 * P);
		CHECK(t->live_count == 3 && live(&h, base) && !live(&h, base + P) &&
		      !live(&h, base + 3 * P) && live(&h, base + 5 * P));
		alloc_heap_free(&h);
	}

	/* Blocks that are not page-aligned, a long range: the scan. */
	alloc_heap_init(&h);
	t = trace1(&h, 1);
	for (uint64_t a = base; a < base + 100; a += 10)
		alloc_heap_alloc(&h, t, a, 10, 0);
	alloc_heap_unmap(&h, PID, base + 15, 50);	/* 20, 30, 40, 50, 60 */
	CHECK(t->live_count == 5 && h.current == 50 && live(&h, base + 10) && live(&h, base + 70));
	alloc_heap_unmap(&h, PID, 0, ~0ULL);		/* everything */
	CHECK(h.nblocks == 0 && h.current == 0 && t->live_size == 0 && consistent(&h));
	alloc_heap_free(&h);

	/* A zero-length range drops nothing. */
	t = fill(&h, base, ks, 6, 100);
	alloc_heap_unmap(&h, PID, base, 0);
	CHECK(t->live_count == 6);
	alloc_heap_free(&h);
}

/* Ranges that end at, or wrap past, the top of the address space: neither
 * path may miss the blocks there, run away or touch the bottom. */
static void test_unmap_top(void)
{
	static const int ks[] = { -3, -2, -1 };
	const uint64_t top = 0;	/* base + k * P wraps to the last pages */
	struct alloc_heap h;
	struct alloc_trace *t, *low;

	for (int many = 0; many <= 100; many += 100) {
		/* The last two pages, exactly up to 2^64. */
		t = fill(&h, top, ks, 3, many);
		low = trace1(&h, 3);
		alloc_heap_alloc(&h, low, 0, P, 0);
		alloc_heap_alloc(&h, low, P, P, 0);
		alloc_heap_unmap(&h, PID, -2 * P, 2 * P);
		CHECK(t->live_count == 1 && live(&h, -3 * P));
		CHECK(low->live_count == 2);
		alloc_heap_free(&h);

		/* A length that wraps past 2^64. */
		t = fill(&h, top, ks, 3, many);
		low = trace1(&h, 3);
		alloc_heap_alloc(&h, low, 0, P, 0);
		alloc_heap_unmap(&h, PID, -2 * P, 4 * P);
		CHECK(t->live_count == 1 && low->live_count == 1);
		alloc_heap_unmap(&h, PID, -3 * P, ~0ULL);
		CHECK(t->live_count == 0 && low->live_count == 1);
		alloc_heap_free(&h);

		/* An unaligned start near the top: the scan. */
		t = fill(&h, top, ks, 3, many);
		low = trace1(&h, 3);
		alloc_heap_alloc(&h, low, 0, P, 0);
		alloc_heap_unmap(&h, PID, -2 * P - 1, 4 * P);
		CHECK(t->live_count == 1 && live(&h, -3 * P) && low->live_count == 1);
		alloc_heap_free(&h);

		/* Part of the last page. */
		t = fill(&h, top, ks, 3, many);
		low = trace1(&h, 3);
		alloc_heap_alloc(&h, low, 0, P, 0);
		alloc_heap_unmap(&h, PID, -P, 100);
		CHECK(t->live_count == 2 && !live(&h, -P) && low->live_count == 1);
		alloc_heap_free(&h);
	}
}

static void test_move(void)
{
	static const int ks[] = { 0, 1, 3, 6 };
	const uint64_t base = 0x10000000, dest = 0x20000000;
	struct alloc_heap h;
	struct alloc_trace *t, *other;

	/* Moved elsewhere, shrunk to 4 pages: the block at 6 is gone. */
	t = fill(&h, base, ks, 4, 0);
	alloc_heap_move(&h, PID, base, 8 * P, dest, 4 * P);
	CHECK(t->live_count == 3 && h.nblocks == 3 && h.current == 3 * P);
	CHECK(!live(&h, base) && !live(&h, base + P) && !live(&h, base + 6 * P));
	CHECK(live(&h, dest) && live(&h, dest + P) && live(&h, dest + 3 * P));
	CHECK(!live(&h, dest + 6 * P));
	alloc_heap_free(&h);

	/* Grown: everything moves; blocks past the old range stay. */
	t = fill(&h, base, ks, 4, 0);
	alloc_heap_move(&h, PID, base, 4 * P, dest, 16 * P);
	CHECK(t->live_count == 4 && h.current == 4 * P);
	CHECK(live(&h, dest) && live(&h, dest + 3 * P) && live(&h, base + 6 * P));
	CHECK(!live(&h, dest + 6 * P));
	alloc_heap_free(&h);

	/* Same address, shrunk: the tail goes (scan and page paths). */
	for (int many = 0; many <= 100; many += 100) {
		t = fill(&h, base, ks, 4, many);
		alloc_heap_move(&h, PID, base, 8 * P, base, 2 * P);
		CHECK(t->live_count == 2 && live(&h, base) && live(&h, base + P));
		CHECK(!live(&h, base + 3 * P));
		alloc_heap_free(&h);
	}
	/* Same address, grown: nothing changes. */
	t = fill(&h, base, ks, 4, 0);
	alloc_heap_move(&h, PID, base, 8 * P, base, 16 * P);
	CHECK(t->live_count == 4);
	alloc_heap_free(&h);

	/* Overlapping: one page up. The block at 0 lands on 1's old place and
	 * must not be mistaken for a stale one. */
	t = fill(&h, base, ks, 4, 0);
	alloc_heap_move(&h, PID, base, 8 * P, base + P, 8 * P);
	CHECK(t->live_count == 4 && h.current == 4 * P && consistent(&h));
	CHECK(!live(&h, base) && live(&h, base + P) && live(&h, base + 2 * P) &&
	      live(&h, base + 4 * P) && live(&h, base + 7 * P));
	alloc_heap_free(&h);
	/* One page down. */
	t = fill(&h, base + P, ks, 4, 0);
	alloc_heap_move(&h, PID, base + P, 8 * P, base, 8 * P);
	CHECK(t->live_count == 4 && h.current == 4 * P && consistent(&h));
	CHECK(live(&h, base) && live(&h, base + P) && live(&h, base + 3 * P) &&
	      live(&h, base + 6 * P) && !live(&h, base + 7 * P));
	alloc_heap_free(&h);

	/* A block at a destination address (its free was missed) is replaced. */
	t = fill(&h, base, ks, 4, 0);
	other = trace1(&h, 9);
	alloc_heap_alloc(&h, other, dest + P, 100, 0);
	CHECK(h.current == 4 * P + 100);
	alloc_heap_move(&h, PID, base, 8 * P, dest, 8 * P);
	CHECK(other->live_count == 0 && other->live_size == 0);
	CHECK(t->live_count == 4 && h.current == 4 * P && h.nblocks == 4 && consistent(&h));
	alloc_heap_free(&h);

	/* mremap(MREMAP_FIXED) unmaps whatever the new range held, with no
	 * munmap for us to see: a block there that nothing moves onto is gone
	 * too, and one just past the new range stays. */
	t = fill(&h, base, ks, 4, 0);
	other = trace1(&h, 9);
	alloc_heap_alloc(&h, other, dest + 2 * P, P, 0);
	alloc_heap_alloc(&h, other, dest + 8 * P, P, 0);
	alloc_heap_move(&h, PID, base, 8 * P, dest, 8 * P);
	CHECK(t->live_count == 4 && h.current == 5 * P && consistent(&h));
	CHECK(other->live_count == 1 && live(&h, dest + 8 * P));
	alloc_heap_free(&h);
}

/* Blocks are per process: the same address in two processes is two
 * blocks, frees and unmaps touch one process, and forgetting one (it
 * exec'd, or a child exited) keeps the other's and every trace's totals. */
static void test_processes(void)
{
	struct alloc_heap h;
	uint32_t frame = 1;
	struct alloc_trace *a, *b;

	alloc_heap_init(&h);
	a = alloc_heap_trace(&h, 100, 0, &frame, 1);
	b = alloc_heap_trace(&h, 200, 0, &frame, 1);
	CHECK(a && b && a != b);
	CHECK(alloc_heap_alloc(&h, a, 0x1000, P, 0) == 0);
	CHECK(alloc_heap_alloc(&h, b, 0x1000, 2 * P, 0) == 0);
	CHECK(h.nblocks == 2 && h.current == 3 * P, "%llu blocks", (unsigned long long)h.nblocks);
	alloc_heap_release(&h, 100, 0x1000);
	CHECK(a->live_size == 0 && b->live_size == 2 * P && h.unknown_frees == 0);
	alloc_heap_release(&h, 300, 0x1000);		/* nobody's */
	CHECK(h.unknown_frees == 1 && b->live_size == 2 * P);
	CHECK(alloc_heap_alloc(&h, a, 0x1000, P, 0) == 0);
	alloc_heap_unmap(&h, 200, 0, 0x10000);
	CHECK(a->live_size == P && b->live_size == 0);
	CHECK(alloc_heap_alloc(&h, b, 0x5000, P, 0) == 0);
	alloc_heap_move(&h, 100, 0x1000, P, 0x9000, P);
	CHECK(live_in(&h, 200, 0x5000) && !live_in(&h, 100, 0x1000));
	CHECK(alloc_heap_alloc(&h, a, 0x2000, P, 0) == 0 && alloc_heap_alloc(&h, b, 0x2000, P, 0) == 0);
	alloc_heap_forget(&h, 100);
	CHECK(a->live_size == 0 && a->live_count == 0 && b->live_size == P && h.current == P);
	CHECK(a->alloc_size == 3 * P && a->alloc_count == 3 && h.allocated == 7 * P);
	CHECK(consistent(&h));
	alloc_heap_free(&h);
}

int main(void)
{
	alarm(20);	/* a runaway range loop fails the test instead of hanging it */
	test_accounting();
	test_interning();
	test_unmap();
	test_unmap_top();
	test_move();
	test_processes();
	CHECK_DONE("alloc_heap");
}
