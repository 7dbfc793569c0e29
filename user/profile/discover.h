/* The agent's discovery: which processes on the host are worth a look.
 * A look (py_target_open) reads a process's maps and ELF symbols, too
 * much to spend on every exec of a host; this is the cheap test before
 * it, one per process: a libpython among its mappings, or an executable
 * that defines _PyRuntime itself (a static or renamed interpreter). The
 * executables' verdicts are cached by file, under a budget: a host execs
 * the same few binaries over and over. */
#ifndef DISCOVER_H
#define DISCOVER_H

#include <stdint.h>
#include <sys/types.h>

#define DISCOVER_MAX_EXES 4096

struct exe_verdict {
	uint64_t dev, ino, size;
	int64_t mtime_ns;
	int python;		/* it defines _PyRuntime */
	uint64_t used;		/* for eviction: the oldest use goes */
};

struct discover_cache {
	struct exe_verdict v[DISCOVER_MAX_EXES];
	int n;
	uint64_t clock;
	uint64_t lookups, hits, elf_reads;
};

/* 1 when pid may be a CPython process (look at it), 0 when it is not
 * (now: an embedded interpreter may still be loaded), DISCOVER_LOADING
 * when it cannot tell yet (the dynamic loader is still at work), -ESRCH
 * when it is gone. */
#define DISCOVER_LOADING 2
int discover_candidate(struct discover_cache *c, pid_t pid);

#endif /* DISCOVER_H */
