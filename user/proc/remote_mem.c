/* Reading a live process's memory with process_vm_readv(2). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* process_vm_readv, mkstemps */
#endif
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/uio.h>

#include "proc/remote_mem.h"

static int pid_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	pid_t pid = *(const pid_t *)ctx;
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n;

	if (len == 0)
		return 0;
	/* An address range that wraps cannot exist in the target. */
	if (addr + len < addr || len > SSIZE_MAX)
		return -EFAULT;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	/* The kernel stops at the first unmapped page and reports the bytes
	 * before it: callers never want half an object, so that is a fault. */
	if ((size_t)n != len)
		return -EFAULT;
	return 0;
}

/* The pid is kept by reference, so the caller owns its lifetime (usually
 * a field of the per-process state) and no allocation is needed. */
struct remote_mem remote_mem_pid(pid_t *pid)
{
	return (struct remote_mem){ .read = pid_read, .ctx = pid };
}
