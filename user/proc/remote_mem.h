/* Reading another process's memory, behind an interface so that the
 * parsers can be fed a fake address space by the unit tests and the fuzzer. */
#ifndef REMOTE_MEM_H
#define REMOTE_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One of a batch of reads, and how it went: 0, or -errno. */
struct remote_iov {
	uint64_t addr;
	void *buf;
	size_t len;
	int rc;
};

struct remote_mem {
	/* Copy len bytes at addr into buf: 0, or -errno. All or nothing. */
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	/* Optional: the reads of iov[0..n), each all or nothing, in fewer
	 * system calls than one each (a live reader pays its permission
	 * check and page-table walk setup per call). */
	void (*readv)(void *ctx, struct remote_iov *iov, size_t n);
	void *ctx;
};

static inline int remote_read(const struct remote_mem *m, uint64_t addr,
			      void *buf, size_t len)
{
	return m->read(m->ctx, addr, buf, len);
}

/* Every iov[i].rc set as remote_read() would set it. */
static inline void remote_readv(const struct remote_mem *m, struct remote_iov *iov, size_t n)
{
	if (m->readv) {
		m->readv(m->ctx, iov, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		iov[i].rc = m->read(m->ctx, iov[i].addr, iov[i].buf, iov[i].len);
}

/* A reader for a live process, through process_vm_readv(2). */
struct remote_mem remote_mem_pid(pid_t *pid);

#endif /* REMOTE_MEM_H */
