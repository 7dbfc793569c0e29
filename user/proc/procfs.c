/* File-backed mappings of a process, from /proc/PID/maps. */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "proc/procfs.h"

int proc_maps_read(pid_t pid, struct proc_maps *maps)
{
	char path[64], *line = NULL;
	size_t cap = 0, alloc = 0;
	FILE *f;

	maps->v = NULL;
	maps->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		uint64_t start, end, off;
		int name_at = 0;
		char *name;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64 " %*s %*u %n",
			   &start, &end, &off, &name_at) < 3 || !name_at)
			continue;
		name = line + name_at;
		name[strcspn(name, "\n")] = '\0';
		if (name[0] != '/')
			continue;	/* anonymous, [heap], [stack], ... */
		if (maps->n == alloc) {
			struct proc_map *v;

			alloc = alloc ? alloc * 2 : 64;
			v = realloc(maps->v, alloc * sizeof(*v));
			if (!v)
				break;
			maps->v = v;
		}
		maps->v[maps->n].start = start;
		maps->v[maps->n].end = end;
		maps->v[maps->n].offset = off;
		maps->v[maps->n].path = strdup(name);
		if (maps->v[maps->n].path)
			maps->n++;
	}
	free(line);
	fclose(f);
	return maps->n ? 0 : -ENOENT;
}

void proc_maps_free(struct proc_maps *maps)
{
	for (size_t i = 0; i < maps->n; i++)
		free(maps->v[i].path);
	free(maps->v);
	maps->v = NULL;
	maps->n = 0;
}

const struct proc_map *proc_maps_base(const struct proc_maps *maps, const char *path)
{
	const struct proc_map *best = NULL;

	for (size_t i = 0; i < maps->n; i++)
		if (maps->v[i].offset == 0 && !strcmp(maps->v[i].path, path) &&
		    (!best || maps->v[i].start < best->start))
			best = &maps->v[i];
	return best;
}

int proc_thread_comm(uint32_t pid, uint32_t tid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, len, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ok = 1;
	}
	fclose(f);
	return ok;
}

int proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	size_t n;

	if (!len)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	while (n && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0' || buf[i] == '\n')
			buf[i] = ' ';
	buf[n] = '\0';
	return n > 0;
}

ssize_t proc_file_read(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	size_t n = 0;
	int fd;

	if (!len)
		return -EINVAL;
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* procfs files come in pieces (a page of cmdline at a time): read
	 * until EOF or full. */
	while (n < len - 1) {
		ssize_t r = read(fd, buf + n, len - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			buf[0] = '\0';
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* Field `field` (3 or more: those after the command name, which may hold
 * anything, so counted from the last ')') of /proc/PID/stat, or -1. */
static long long proc_stat_field(pid_t pid, int field)
{
	char path[64], buf[1024], *p, *end;
	long long v = -1;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* The whole line at once, not fgets: the command name may hold a
	 * newline (prctl(PR_SET_NAME)), and then the fields after it would be
	 * on "another line", the process unprofilable. */
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	if (n && (p = strrchr(buf, ')'))) {
		for (int i = 2; i < field && p; i++)
			p = strchr(p + 1, ' ');
		if (p) {
			errno = 0;
			v = strtoll(p + 1, &end, 10);
			if (errno || end == p + 1)
				v = -1;
		}
	}
	fclose(f);
	return v;
}

static pid_t proc_ppid(pid_t pid)
{
	return (pid_t)proc_stat_field(pid, 4);
}

long long proc_start_ticks(pid_t pid)
{
	return proc_stat_field(pid, 22);
}

int proc_descendants(pid_t root, pid_t *out, int max)
{
	pid_t *pids = NULL, *ppids = NULL;
	int n = 0, cap = 0, found = 0;
	struct dirent *d;
	DIR *dir = opendir("/proc");

	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 512;
			pid_t *a = realloc(pids, cap * sizeof(*a)), *b;

			if (a)
				pids = a;
			b = realloc(ppids, cap * sizeof(*b));
			if (b)
				ppids = b;
			if (!a || !b)
				break;
		}
		pids[n] = pid;
		ppids[n++] = proc_ppid(pid);
	}
	closedir(dir);
	/* Breadth first from root: out[] is also the queue. */
	for (int head = -1; head < found; head++) {
		pid_t parent = head < 0 ? root : out[head];

		for (int i = 0; i < n && found < max; i++)
			if (ppids[i] == parent && pids[i] != root)
				out[found++] = pids[i];
	}
	free(pids);
	free(ppids);
	return found;
}
