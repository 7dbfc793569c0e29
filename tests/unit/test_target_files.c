/* The opener of a target's files (proc/target_files.c), the source cache
 * over it (proc/source_lines.c) and ELF files read without a mapping
 * (proc/elf_image.c). A fake root of planted files: symlinks out, "..",
 * a FIFO, a directory, a huge file. The parts that take another user's
 * credentials need root and skip without it. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "proc/procfs.h"
#include "proc/elf_image.h"
#include "proc/source_lines.h"
#include "proc/target_files.h"

static char top[] = "/tmp/test_target_files_XXXXXX";
static char root[256];		/* top/root: the fake root; top/outside.txt is not in it */

static void plant(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	f = fopen(path, "w");
	CHECK(f && fputs(text, f) >= 0, "cannot write %s", path);
	if (f)
		fclose(f);
}

static void plant_link(const char *name, const char *to)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	CHECK(!symlink(to, path), "symlink %s: %s", path, strerror(errno));
}

static void setup(void)
{
	char path[512];

	CHECK(mkdtemp(top));
	chmod(top, 0755);
	snprintf(root, sizeof(root), "%s/root", top);
	CHECK(!mkdir(root, 0755));
	snprintf(path, sizeof(path), "%s/outside.txt", top);
	{
		FILE *f = fopen(path, "w");

		CHECK(f && fputs("OUTSIDE the root\n", f) >= 0);
		if (f)
			fclose(f);
	}
	plant("a.py", "def f():\n    return 1   \r\n\n\tx = 2\nlast line, no newline");
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	plant("etc/passwd", "INSIDE the root\n");
	plant_link("abs_out", "/etc/passwd");			/* absolute: stays in the root */
	plant_link("dotdot", "../../../../outside.txt");	/* ".." stops at the root */
	plant_link("dotdot_inside", "../etc/passwd");
	snprintf(path, sizeof(path), "%s/fifo.py", root);
	CHECK(!mkfifo(path, 0644));
	snprintf(path, sizeof(path), "%s/dir.py", root);
	CHECK(!mkdir(path, 0755));
}

static int first_line(struct target_root *r, const char *path, char *buf, size_t len)
{
	struct stat st;
	int fd = target_open(r, path, &st);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void test_resolution(void)
{
	struct target_root r;
	char buf[256];
	struct timespec t0, t1;
	int rc;

	CHECK(target_root_dir(&r, root) == 0);
	CHECK(first_line(&r, "/a.py", buf, sizeof(buf)) == 0 && !strcmp(buf, "def f():"));
	/* Absolute symlinks and ".." resolve in the root, never out of it. */
	CHECK(first_line(&r, "/abs_out", buf, sizeof(buf)) == 0 && !strcmp(buf, "INSIDE the root"),
	      "got '%s'", buf);
	CHECK(first_line(&r, "/../../../outside.txt", buf, sizeof(buf)) == -ENOENT);
	CHECK(first_line(&r, "/dotdot", buf, sizeof(buf)) == -ENOENT);
	CHECK(first_line(&r, "/dotdot_inside", buf, sizeof(buf)) == 0 && !strcmp(buf, "INSIDE the root"));
	/* Not a regular file: refused, and a FIFO without a writer at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = first_line(&r, "/fifo.py", buf, sizeof(buf));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(rc == -EINVAL, "fifo: %d", rc);
	CHECK(t1.tv_sec - t0.tv_sec < 2);
	CHECK(first_line(&r, "/dir.py", buf, sizeof(buf)) == -EINVAL);
	target_root_close(&r);
	CHECK(r.fd == -1 && first_line(&r, "/a.py", buf, sizeof(buf)) == -EBADF);
	/* No magic link: /proc/self/root would be a way out of any root. */
	CHECK(target_root_dir(&r, "/") == 0);
	rc = first_line(&r, "/proc/self/root/etc/passwd", buf, sizeof(buf));
	CHECK(rc == -ELOOP, "through /proc/self/root: %d", rc);
	target_root_close(&r);
}

static void test_self_as_target(void)
{
	struct target_root r;
	char buf[256], path[512];

	CHECK(target_root_open(&r, getpid()) == 0);
	CHECK(proc_start_ticks(getpid()) == r.start_time && r.start_time > 0);
	CHECK(r.as_target && r.creds.fsuid == (uid_t)setfsuid(-1));
	snprintf(path, sizeof(path), "%s/a.py", root);
	CHECK(first_line(&r, path, buf, sizeof(buf)) == 0 && !strcmp(buf, "def f():"));
	target_root_close(&r);
	CHECK(target_root_open(&r, 0x7ffffff0) < 0 && r.fd == -1);
}

/* A child that becomes uid:gid with groups, and waits to be killed. */
static pid_t start_as(uid_t uid, gid_t gid, int ngroups, const gid_t *groups)
{
	int p[2];
	char c;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		close(p[0]);
		if (setgroups(ngroups, groups) || setgid(gid) || setuid(uid))
			_exit(1);
		write(p[1], "r", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_target_credentials(void)
{
	const uid_t nobody = 65534;
	const gid_t group = 4242;
	struct target_root r;
	char buf[256], secret[512], shared[512];
	gid_t before[64], after[64];
	int nbefore, nafter;
	pid_t pid;

	if (geteuid()) {
		SKIP("the target's credentials: needs root");
		return;
	}
	snprintf(secret, sizeof(secret), "%s/secret.py", root);
	plant("secret.py", "root only\n");
	chmod(secret, 0600);
	snprintf(shared, sizeof(shared), "%s/group.py", root);
	plant("group.py", "group only\n");
	CHECK(!chown(shared, 0, group) && !chmod(shared, 0640));
	nbefore = getgroups(64, before);
	pid = start_as(nobody, nobody, 1, &group);
	CHECK(pid > 0);
	CHECK(target_root_open(&r, pid) == 0);
	CHECK(r.creds.fsuid == nobody && r.creds.fsgid == nobody && r.creds.ngroups == 1 &&
	      r.creds.groups[0] == group);
	/* Root could; the target's user cannot: not opened. */
	CHECK(first_line(&r, secret, buf, sizeof(buf)) == -EACCES);
	/* Through its supplementary group it can. */
	CHECK(first_line(&r, shared, buf, sizeof(buf)) == 0 && !strcmp(buf, "group only"));
	/* And we are ourselves again, this thread and its groups. */
	CHECK((uid_t)setfsuid(-1) == 0 && (gid_t)setfsgid(-1) == getegid());
	nafter = getgroups(64, after);
	CHECK(nafter == nbefore && !memcmp(before, after, nafter * sizeof(gid_t)));
	{
		struct target_root own;	/* with our own rights it opens */

		CHECK(target_root_dir(&own, "/") == 0 && first_line(&own, secret, buf, sizeof(buf)) == 0);
		target_root_close(&own);
	}
	/* After it exits, the credentials it last had stand. */
	stop(pid);
	CHECK(first_line(&r, secret, buf, sizeof(buf)) == -EACCES);
	CHECK(first_line(&r, shared, buf, sizeof(buf)) == 0);
	target_root_close(&r);
}

static void test_source_lines(void)
{
	struct source_lines c = { 0 };
	struct target_root r;
	const char *s;

	CHECK(target_root_dir(&r, root) == 0);
	CHECK((s = source_line(&c, &r, "/a.py", 1)) && !strcmp(s, "def f():"));
	CHECK((s = source_line(&c, &r, "/a.py", 2)) && !strcmp(s, "return 1"), "got '%s'", s);
	CHECK((s = source_line(&c, &r, "/a.py", 3)) && !strcmp(s, ""));
	CHECK((s = source_line(&c, &r, "/a.py", 4)) && !strcmp(s, "x = 2"));
	CHECK((s = source_line(&c, &r, "/a.py", 5)) && !strcmp(s, "last line, no newline"));
	CHECK(!source_line(&c, &r, "/a.py", 6) && !source_line(&c, &r, "/a.py", 0));
	CHECK(!source_line(&c, &r, "a.py", 1) && !source_line(&c, &r, "<string>", 1));
	CHECK(!source_line(&c, NULL, "/a.py", 1));
	CHECK(!source_line(&c, &r, "/fifo.py", 1) && !source_line(&c, &r, "/dir.py", 1));
	CHECK(!source_line(&c, &r, "/dotdot", 1));
	CHECK((s = source_line(&c, &r, "/abs_out", 1)) && !strcmp(s, "INSIDE the root"));
	CHECK(c.stats.unreadable == 3, "%llu", (unsigned long long)c.stats.unreadable);
	source_lines_free(&c);
	target_root_close(&r);
}

/* Twenty names of one 15 MB file: one entry, read as far as line 2. */
static void test_aliases_and_budgets(void)
{
	struct source_lines c = { 0 };
	struct target_root r;
	char path[512], name[64], *big;
	const size_t size = 15 << 20;
	const char *s;
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.py", root);
	f = fopen(path, "w");
	big = malloc(size);
	CHECK(f && big);
	if (!f || !big)
		return;
	memset(big, '#', size);
	for (size_t i = 79; i < size; i += 80)
		big[i] = '\n';
	memcpy(big, "first", 5);
	memcpy(big + size - 80, "at the end", 10);
	fwrite(big, 1, size, f);
	fclose(f);
	free(big);
	for (int i = 0; i < 20; i++) {
		char alias[512];

		snprintf(alias, sizeof(alias), "%s/alias%d.py", root, i);
		CHECK(!(i % 2 ? link(path, alias) : symlink("big.py", alias)));
	}
	CHECK(target_root_dir(&r, root) == 0);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "/alias%d.py", i);
		CHECK((s = source_line(&c, &r, name, 1)) && !strncmp(s, "first", 5));
	}
	CHECK(c.nfiles == 1 && c.stats.files == 1, "%zu files", c.nfiles);
	CHECK(c.stats.peak_bytes < 256 << 10, "%zu bytes held for line 1", c.stats.peak_bytes);
	/* Past the per-file cap: not shown, and counted. */
	CHECK(!source_line(&c, &r, "/alias0.py", size / 80));
	CHECK(c.stats.cut == 1 && c.stats.peak_bytes <= (6u << 20), "cut %llu, %zu bytes",
	      (unsigned long long)c.stats.cut, c.stats.peak_bytes);
	CHECK((s = source_line(&c, &r, "/alias3.py", 100)) && s[0] == '#');
	source_lines_free(&c);

	/* More files than the budget holds: the least recently used go. */
	for (int i = 0; i < 12; i++) {
		char p[512];

		snprintf(p, sizeof(p), "%s/copy%d.py", root, i);
		f = fopen(p, "w");
		for (int k = 0; k < 4 * 1024 * 1024 / 80; k++)
			fprintf(f, "%-78d\n", k + 1);
		fclose(f);
	}
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "/copy%d.py", i);
		CHECK((s = source_line(&c, &r, name, 40000)) && atoi(s) == 40000, "%s", name);
	}
	CHECK(c.stats.peak_bytes <= 32u << 20 && c.stats.evicted > 0, "%zu bytes, %llu evicted",
	      c.stats.peak_bytes, (unsigned long long)c.stats.evicted);
	/* An evicted file reads again. */
	CHECK((s = source_line(&c, &r, "/copy0.py", 7)) && atoi(s) == 7);
	source_lines_free(&c);

	/* More files than the entry limit. */
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "small%d.py", i);
		plant(name, "x\n");
		snprintf(name, sizeof(name), "/small%d.py", i);
		CHECK(source_line(&c, &r, name, 1));
	}
	CHECK(c.nfiles <= 256 && c.stats.evicted >= 44, "%zu files, %llu evicted", c.nfiles,
	      (unsigned long long)c.stats.evicted);
	source_lines_free(&c);
	target_root_close(&r);
}

/* An ELF file truncated after it is opened: an error, not a SIGBUS. */
static void test_elf_truncated(void)
{
	struct elf_image img;
	char path[512], cmd[1100];
	uint64_t addr;
	int fd;

	snprintf(path, sizeof(path), "%s/copy.elf", top);
	snprintf(cmd, sizeof(cmd), "cp /proc/%d/exe %s", getpid(), path);
	CHECK(!system(cmd));
	CHECK(elf_image_open(&img, open(path, O_RDONLY | O_CLOEXEC)) == 0);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	close(fd);
	CHECK(elf_image_symbol(&img, "main", &addr) == -ENOENT);
	elf_image_close(&img);
	CHECK(elf_image_open(&img, open(path, O_RDONLY | O_CLOEXEC)) == -ENOEXEC);
	CHECK(elf_image_open(&img, -ENOENT) == -ENOENT);
}

int main(void)
{
	char cmd[600];

	setup();
	test_resolution();
	test_self_as_target();
	test_target_credentials();
	test_source_lines();
	test_aliases_and_budgets();
	test_elf_truncated();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd))
		CHECK(0, "rm -rf %s", top);
	CHECK_DONE("target_files");
}
