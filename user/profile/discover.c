/* The cheap test of discover.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "proc/elf_image.h"
#include "proc/procfs.h"
#include "profile/discover.h"

/* The executable's verdict, read once per file. /proc/PID/exe opens the
 * very file the process runs, in whatever mount namespace it has; only a
 * regular file is read, within elf_image's budgets. */
static int exe_defines_runtime(struct discover_cache *c, pid_t pid)
{
	char path[64];
	struct elf_image img;
	struct exe_verdict *v, *oldest = NULL;
	struct stat st;
	uint64_t addr;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -ESRCH : 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	c->lookups++;
	c->clock++;
	for (int i = 0; i < c->n; i++) {
		v = &c->v[i];
		if (v->dev == st.st_dev && v->ino == st.st_ino && v->size == (uint64_t)st.st_size &&
		    v->mtime_ns == st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) {
			v->used = c->clock;
			c->hits++;
			close(fd);
			return v->python;
		}
		if (!oldest || v->used < oldest->used)
			oldest = v;
	}
	v = c->n < DISCOVER_MAX_EXES ? &c->v[c->n++] : oldest;
	*v = (struct exe_verdict){ st.st_dev, st.st_ino, st.st_size,
				   st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, 0, c->clock };
	c->elf_reads++;
	if (!elf_image_open(&img, fd)) {	/* it takes fd */
		v->python = !elf_image_symbol(&img, "_PyRuntime", &addr);
		elf_image_close(&img);
	}
	return v->python;
}

int discover_candidate(struct discover_cache *c, pid_t pid)
{
	struct proc_maps maps;
	int rc = exe_defines_runtime(c, pid), loader = 0, libs = 0;

	if (rc)
		return rc;
	if (proc_maps_read(pid, &maps))
		return -ESRCH;	/* gone, or a kernel thread */
	for (size_t i = 0; i < maps.n && !rc; i++) {
		const char *base = strrchr(maps.v[i].path, '/');

		if (!base)
			continue;
		base++;
		rc = !strncmp(base, "libpython", 9);
		if (!strncmp(base, "ld-", 3) || !strncmp(base, "ld.so", 5))
			loader = 1;
		else if (strstr(base, ".so"))
			libs = 1;
	}
	proc_maps_free(&maps);
	/* The dynamic loader alone: it has not mapped the libraries yet (a
	 * loaded machine can take a second), so no verdict. */
	return rc ? 1 : loader && !libs ? DISCOVER_LOADING : 0;
}
