/* remote_readv() through process_vm_readv(2), on this process's own
 * memory (no privilege needed): every range gets its own result, a range
 * the kernel stops at fails alone, the ones after it are still read, and
 * batches longer than one system call's are split. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "check.h"
#include "proc/remote_mem.h"

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	pid_t pid = getpid();
	struct remote_mem m = remote_mem_pid(&pid);
	uint8_t *map = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *hole, bufs[200][16];
	struct remote_iov iov[200];
	size_t n = 0;

	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		CHECK_DONE("remote_mem");
	for (long i = 0; i < 3 * page; i++)
		map[i] = (uint8_t)(i * 7);
	hole = map + page;
	CHECK(munmap(hole, page) == 0);
	memset(bufs, 0xee, sizeof(bufs));
	/* 0: readable; 1: runs into the hole; 2: readable after it; 3: empty;
	 * 4: wraps; 5: in the hole; 6..199: readable, past one call's 64. */
	iov[n++] = (struct remote_iov){ (uintptr_t)map, bufs[0], 16, 1 };
	iov[n++] = (struct remote_iov){ (uintptr_t)hole - 8, bufs[1], 16, 1 };
	iov[n++] = (struct remote_iov){ (uintptr_t)map + 2 * page, bufs[2], 16, 1 };
	iov[n++] = (struct remote_iov){ (uintptr_t)map, bufs[3], 0, 1 };
	iov[n++] = (struct remote_iov){ UINT64_MAX - 4, bufs[4], 16, 1 };
	iov[n++] = (struct remote_iov){ (uintptr_t)hole, bufs[5], 16, 1 };
	for (; n < 200; n++)
		iov[n] = (struct remote_iov){ (uintptr_t)map + 2 * page + n, bufs[n], 16, 1 };
	remote_readv(&m, iov, n);
	CHECK(iov[0].rc == 0 && memcmp(bufs[0], map, 16) == 0, "rc %d", iov[0].rc);
	CHECK(iov[1].rc == -EFAULT, "a range into the hole: rc %d", iov[1].rc);
	CHECK(iov[2].rc == 0 && memcmp(bufs[2], map + 2 * page, 16) == 0,
	      "the range after a failed one: rc %d", iov[2].rc);
	CHECK(iov[3].rc == 0 && bufs[3][0] == 0xee, "an empty range: rc %d", iov[3].rc);
	CHECK(iov[4].rc == -EFAULT, "a wrapping range: rc %d", iov[4].rc);
	CHECK(iov[5].rc == -EFAULT, "a range in the hole: rc %d", iov[5].rc);
	for (size_t i = 6; i < n; i++)
		CHECK(iov[i].rc == 0 && memcmp(bufs[i], map + 2 * page + i, 16) == 0,
		      "range %zu: rc %d", i, iov[i].rc);
	/* What the one-by-one reader says of each, it says in a batch. */
	for (size_t i = 0; i < 6; i++)
		CHECK(remote_read(&m, iov[i].addr, bufs[i], iov[i].len) == iov[i].rc,
		      "range %zu: remote_read and remote_readv disagree", i);
	/* A process that is gone: every range says so. */
	{
		pid_t gone = 0x3ffffff0;	/* above any pid_max */
		struct remote_mem g = remote_mem_pid(&gone);

		remote_readv(&g, iov, 3);
		CHECK(iov[0].rc == -ESRCH && iov[2].rc == -ESRCH, "rc %d %d", iov[0].rc, iov[2].rc);
	}
	munmap(map, page);
	munmap(map + 2 * page, page);
	CHECK_DONE("remote_mem");
}
