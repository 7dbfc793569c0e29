/* The one file writer (proc/output_file.c) and the SUDO_UID parser
 * (proc/sudo_user.c), in a temporary directory: a new file, a replaced one
 * keeping its mode, our own link followed, another user's link replaced
 * and its target untouched (as root), a failed write leaving the old file
 * and no temporary one, a missing directory named, a FIFO written to
 * directly. As root, the sudo errors too; the attacks themselves (another
 * user's directory, a device node) are in tests/hostile.bats. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "check.h"
#include "proc/output_file.h"
#include "proc/sudo_user.h"

static char dir[] = "/tmp/test_output_file_XXXXXX";

static const char *at(const char *name)
{
	static char path[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	CHECK(f && fputs(text, f) >= 0);
	if (f)
		fclose(f);
}

/* The file's content ("" when it cannot be read). */
static const char *content(const char *name)
{
	static char buf[256];
	FILE *f = fopen(at(name), "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* Entries of the directory: temporary files must not stay. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

struct text {
	const char *s;
	int fail;	/* -errno returned after writing s */
};

static int fill_text(void *ctx, FILE *out)
{
	const struct text *t = ctx;

	fputs(t->s, out);
	return t->fail;
}

/* Opens name and writes s to it: what output_file_write() returned. */
static int write_text(const char *name, const char *s, int fail, char *err, size_t errlen)
{
	struct output_file o;
	struct text t = { s, fail };
	int rc = output_file_open(&o, at(name), err, errlen);

	if (!rc)
		rc = output_file_write(&o, NULL, fill_text, &t, err, errlen);
	output_file_close(&o);
	return rc;
}

static void test_sudo_id_parse(void)
{
	static const struct { const char *s; int ok; unsigned v; } cases[] = {
		{ "0", 1, 0 }, { "65534", 1, 65534 }, { "007", 1, 7 }, { "4294967294", 1, 4294967294u },
		{ "4294967295", 0, 0 },	/* (uid_t)-1: "unchanged" to setuid() */
		{ "4294967296", 0, 0 }, { "99999999999999999999999", 0, 0 },
		{ "", 0, 0 }, { "garbage", 0, 0 }, { "12a", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 },
		{ "-1", 0, 0 }, { "+1", 0, 0 }, { "0x10", 0, 0 },
	};
	unsigned v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = sudo_id_parse(cases[i].s, &v);

		CHECK(cases[i].ok ? rc == 0 && v == cases[i].v : rc == -EINVAL, "'%s': %d", cases[i].s, rc);
	}
	CHECK(sudo_id_parse(NULL, &v) == -EINVAL);
}

static void test_sudo_user(void)
{
	struct sudo_user u;
	char err[256] = "";

	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
	CHECK(sudo_user_get(&u, err, sizeof(err)) == 0 && !u.set);
	if (geteuid() != 0) {
		SKIP("sudo_user_get's errors: not root (it reads SUDO_UID only as root)");
		return;
	}
	setenv("SUDO_UID", "", 1);
	setenv("SUDO_GID", "65534", 1);
	CHECK(sudo_user_get(&u, err, sizeof(err)) == -EINVAL && !u.set && strstr(err, "SUDO_UID=''"), "%s", err);
	setenv("SUDO_UID", "garbage", 1);
	CHECK(sudo_user_get(&u, err, sizeof(err)) == -EINVAL && strstr(err, "SUDO_UID='garbage'"), "%s", err);
	setenv("SUDO_UID", "65534", 1);
	setenv("SUDO_GID", "x", 1);
	CHECK(sudo_user_get(&u, err, sizeof(err)) == -EINVAL && strstr(err, "SUDO_GID='x'"), "%s", err);
	unsetenv("SUDO_GID");
	CHECK(sudo_user_get(&u, err, sizeof(err)) == -EINVAL && strstr(err, "SUDO_GID is not"), "%s", err);
	setenv("SUDO_GID", "65533", 1);
	CHECK(sudo_user_get(&u, err, sizeof(err)) == 0 && u.set && u.uid == 65534 && u.gid == 65533);
	unsetenv("SUDO_UID");
	unsetenv("SUDO_GID");
}

static void test_files(void)
{
	char err[512] = "", want[512];
	struct stat st;

	/* A new file, and nothing else left in the directory. */
	CHECK(write_text("a.txt", "hello\n", 0, err, sizeof(err)) == 0, "%s", err);
	CHECK(!strcmp(content("a.txt"), "hello\n"));
	CHECK(!stat(at("a.txt"), &st) && (st.st_mode & 0777) == 0644, "mode %o", st.st_mode & 0777);
	CHECK(entries() == 1, "%d entries", entries());

	/* Replaced, keeping the mode its owner gave it. */
	CHECK(chmod(at("a.txt"), 0600) == 0);
	CHECK(write_text("a.txt", "again\n", 0, err, sizeof(err)) == 0, "%s", err);
	CHECK(!strcmp(content("a.txt"), "again\n"));
	CHECK(!stat(at("a.txt"), &st) && (st.st_mode & 0777) == 0600, "mode %o", st.st_mode & 0777);

	/* A failed write: the old file stays, the temporary one goes, the
	 * errno is the one the writer gave. */
	CHECK(write_text("a.txt", "half", -ENOSPC, err, sizeof(err)) == -ENOSPC);
	CHECK(strstr(err, "No space left on device") && strstr(err, "a.txt"), "%s", err);
	CHECK(!strcmp(content("a.txt"), "again\n"));
	CHECK(entries() == 1, "%d entries", entries());

	/* Our own link (as root's /dev/stdout) is followed: its target is
	 * written, truncated first, as fopen() does. */
	put("mine", "a longer old text\n");
	CHECK(symlink(at("mine"), at("own.txt")) == 0);
	CHECK(write_text("own.txt", "new\n", 0, err, sizeof(err)) == 0, "%s", err);
	CHECK(!strcmp(content("mine"), "new\n"), "%s", content("mine"));
	CHECK(!lstat(at("own.txt"), &st) && S_ISLNK(st.st_mode));

	/* Another user's link at the name is replaced; its target is untouched. */
	put("victim", "keep\n");
	CHECK(symlink(at("victim"), at("link.txt")) == 0);
	if (geteuid() != 0) {
		SKIP("another user's link: not root, cannot give a link away");
	} else {
		CHECK(lchown(at("link.txt"), 65534, 65534) == 0);
		CHECK(write_text("link.txt", "new\n", 0, err, sizeof(err)) == 0, "%s", err);
		CHECK(!strcmp(content("victim"), "keep\n"));
		CHECK(!lstat(at("link.txt"), &st) && S_ISREG(st.st_mode));
		CHECK(!strcmp(content("link.txt"), "new\n"));
	}
	/* A dangling one too, and nothing is created where it points. */
	CHECK(symlink(at("nowhere"), at("dangling.txt")) == 0);
	CHECK(write_text("dangling.txt", "x\n", 0, err, sizeof(err)) == 0, "%s", err);
	CHECK(access(at("nowhere"), F_OK) && errno == ENOENT);
	CHECK(!lstat(at("dangling.txt"), &st) && S_ISREG(st.st_mode));

	/* A sibling of the file opened, as the numbered snapshots are. */
	{
		struct output_file o;
		struct text t = { "sibling\n", 0 };

		CHECK(output_file_open(&o, at("s.json"), err, sizeof(err)) == 0, "%s", err);
		CHECK(output_file_write(&o, "s.1.json", fill_text, &t, err, sizeof(err)) == 0, "%s", err);
		CHECK(!strcmp(content("s.1.json"), "sibling\n"));
		CHECK(access(at("s.json"), F_OK) && errno == ENOENT);
		output_file_close(&o);
		output_file_close(&o);
	}

	/* Refused at start-up, naming the directory and the errno. */
	CHECK(write_text("no/such/x", "", 0, err, sizeof(err)) == -ENOENT);
	snprintf(want, sizeof(want), "%s/no/such/x: directory %s/no/such: No such file or directory", dir, dir);
	CHECK(!strcmp(err, want), "%s", err);
	CHECK(mkdir(at("sub"), 0755) == 0);
	CHECK(write_text("sub", "", 0, err, sizeof(err)) == -EISDIR && strstr(err, "Is a directory"), "%s", err);
	CHECK(write_text("sub/", "", 0, err, sizeof(err)) == -EINVAL && strstr(err, "not a file name"), "%s", err);
	CHECK(write_text("a.txt/x", "", 0, err, sizeof(err)) == -ENOTDIR, "%s", err);
	if (geteuid() == 0) {
		SKIP("a directory the user may not write: root may write any");
	} else {
		CHECK(chmod(at("sub"), 0555) == 0);
		CHECK(write_text("sub/x", "", 0, err, sizeof(err)) == -EACCES && strstr(err, "Permission denied"), "%s", err);
		CHECK(chmod(at("sub"), 0755) == 0);
	}
}

static void test_fifo(void)
{
	char err[512] = "", buf[64] = "";
	struct stat st;
	ssize_t n;
	int rd;

	CHECK(mkfifo(at("fifo"), 0600) == 0);
	/* No reader: an error, not a hang, and the FIFO stays. */
	CHECK(write_text("fifo", "lost\n", 0, err, sizeof(err)) == -ENXIO && strstr(err, "no process reads"), "%s", err);
	CHECK(!lstat(at("fifo"), &st) && S_ISFIFO(st.st_mode));

	/* With one, written to directly: no temporary file, no rename. */
	rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0);
	CHECK(write_text("fifo", "through\n", 0, err, sizeof(err)) == 0, "%s", err);
	n = read(rd, buf, sizeof(buf) - 1);
	CHECK(n == 8 && !memcmp(buf, "through\n", 8), "%zd", n);
	CHECK(!lstat(at("fifo"), &st) && S_ISFIFO(st.st_mode));

	/* Through our own link to it, as -o /dev/stdout goes through root's. */
	CHECK(symlink(at("fifo"), at("to-fifo")) == 0);
	CHECK(write_text("to-fifo", "linked\n", 0, err, sizeof(err)) == 0, "%s", err);
	n = read(rd, buf, sizeof(buf) - 1);
	CHECK(n == 7 && !memcmp(buf, "linked\n", 7), "%zd", n);
	CHECK(!lstat(at("to-fifo"), &st) && S_ISLNK(st.st_mode));
	close(rd);
}

int main(void)
{
	umask(022);
	CHECK(mkdtemp(dir) != NULL);
	test_sudo_id_parse();
	test_sudo_user();
	test_files();
	test_fifo();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CHECK(system(cmd) == 0);
	}
	CHECK_DONE("output_file");
}
