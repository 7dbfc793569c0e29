/* Reading a live process's memory with process_vm_readv(2). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* process_vm_readv, mkstemps */
#endif
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <sys/uio.h>

#include "proc/remote_mem.h"

/* process_vm_readv(2) stops at the first remote range it cannot read
 * whole and reports the bytes before it: the ranges before it are done,
 * that one failed, and the next call starts after it. */
static void pid_readv(void *ctx, struct remote_iov *iov, size_t n)
{
	pid_t pid = *(const pid_t *)ctx;
	struct iovec local[64], remote[64];
	size_t idx[64];

	for (size_t i = 0; i < n;) {
		size_t k = 0;
		ssize_t got;

		/* Empty and wrapping ranges are settled here, the rest sent
		 * in calls of up to 64 (IOV_MAX is 1024; 64 keeps the
		 * arrays on the stack and already makes a call's cost small
		 * next to the copies). */
		for (; i < n && k < 64; i++) {
			iov[i].rc = 0;
			if (iov[i].len == 0)
				continue;
			if (iov[i].addr + iov[i].len < iov[i].addr || iov[i].len > SSIZE_MAX) {
				iov[i].rc = -EFAULT;
				continue;
			}
			local[k] = (struct iovec){ .iov_base = iov[i].buf, .iov_len = iov[i].len };
			remote[k] = (struct iovec){ .iov_base = (void *)(uintptr_t)iov[i].addr,
						    .iov_len = iov[i].len };
			idx[k++] = i;
		}
		for (size_t j = 0; j < k;) {
			got = process_vm_readv(pid, local + j, k - j, remote + j, k - j, 0);
			if (got < 0 && errno != EFAULT) {
				int err = -errno;

				for (; j < k; j++)
					iov[idx[j]].rc = err;
				break;
			}
			if (got < 0)
				got = 0;
			for (; j < k && (size_t)got >= local[j].iov_len; j++)
				got -= (ssize_t)local[j].iov_len;
			if (j < k)
				iov[idx[j++]].rc = -EFAULT;	/* the one it stopped at */
		}
	}
}

/* One range is a batch of one: the same checks, the same results. */
static int pid_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct remote_iov iov = { .addr = addr, .buf = buf, .len = len };

	pid_readv(ctx, &iov, 1);
	return iov.rc;
}

/* The pid is kept by reference, so the caller owns its lifetime (usually
 * a field of the per-process state) and no allocation is needed. */
struct remote_mem remote_mem_pid(pid_t *pid)
{
	return (struct remote_mem){ .read = pid_read, .readv = pid_readv, .ctx = pid };
}
