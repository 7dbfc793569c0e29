/* Run mode's child: fork, wait for the go, drop privileges, exec. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "proc/spawn.h"
#include "proc/sudo_user.h"

/* Under sudo, run the command as the user who ran sudo, with their home
 * directory: a profiler must not change who the program runs as. */
static int drop_privileges(const struct sudo_user *u)
{
	struct passwd *pw;

	if (!u->set)
		return 0;
	pw = getpwuid(u->uid);
	if (pw ? initgroups(pw->pw_name, u->gid) : setgroups(0, NULL))
		return -errno;
	if (setgid(u->gid) || setuid(u->uid))
		return -errno;
	if (pw) {
		setenv("HOME", pw->pw_dir, 1);
		setenv("USER", pw->pw_name, 1);
		setenv("LOGNAME", pw->pw_name, 1);
	}
	return 0;
}

int child_spawn(struct child *c, char *const argv[], char *err, size_t errlen)
{
	struct sudo_user u;
	int go[2], ex[2];

	/* Before the fork: a bad SUDO_UID stops us here, with its message. */
	if (sudo_user_get(&u, err, errlen))
		return -EINVAL;
	if (pipe2(go, O_CLOEXEC) || pipe2(ex, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
		return -errno;
	}
	c->pid = fork();
	if (c->pid < 0) {
		snprintf(err, errlen, "cannot start %s: %s", argv[0], strerror(errno));
		return -errno;
	}
	if (c->pid == 0) {
		char b;
		int e;

		close(go[1]);
		close(ex[0]);
		/* Wait until the profiler is attached: EOF means go. */
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		e = drop_privileges(&u);
		if (!e) {
			execvp(argv[0], argv);
			e = -errno;
		}
		e = -e;
		if (write(ex[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	c->go_fd = go[1];
	c->err_fd = ex[0];
	return 0;
}

int child_release(struct child *c, char *const argv[], char *err, size_t errlen)
{
	int e = 0;
	ssize_t n;

	close(c->go_fd);
	c->go_fd = -1;
	/* The pipe closes on a successful exec (O_CLOEXEC): EOF. */
	while ((n = read(c->err_fd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(c->err_fd);
	c->err_fd = -1;
	if (n == sizeof(e) && e) {
		snprintf(err, errlen, "cannot run %s: %s%s", argv[0], strerror(e),
			 e == ENOENT ? " (not found in PATH)" : "");
		waitpid(c->pid, NULL, 0);
		return -e;
	}
	return 0;
}

int child_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}
