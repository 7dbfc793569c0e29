/* Reading another process's memory, behind an interface so that the
 * parsers can be fed a fake address space by the unit tests and the fuzzer. */
#ifndef REMOTE_MEM_H
#define REMOTE_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct remote_mem {
	/* Copy len bytes at addr into buf: 0, or -errno. All or nothing. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	void *ctx;
};

static inline int remote_read(const struct remote_mem *m, uint64_t addr,
			      void *buf, size_t len)
{
	return m->read(m->ctx, addr, buf, len);
}

/* A reader for a live process, through process_vm_readv(2). */
struct remote_mem remote_mem_pid(pid_t *pid);

#endif /* REMOTE_MEM_H */
