/* Run mode: start the command to profile, held until pybpftop is ready,
 * as the user who ran sudo rather than as root. */
#ifndef SPAWN_H
#define SPAWN_H

#include <sys/types.h>

struct child {
	pid_t pid;
	int go_fd;		/* write end: closing it lets the child exec */
	int err_fd;		/* read end: the child's errno if exec failed */
};

/* Forks the child, which waits; it will run argv[0] (PATH searched) as
 * SUDO_UID/SUDO_GID with their HOME when those are set and we are root.
 * Returns 0, or -errno with a message in err. */
int child_spawn(struct child *c, char *const argv[], char *err, size_t errlen);

/* Lets the child exec; returns 0 once it has, or -errno (and a message)
 * if it could not (then the child has exited with status 127). */
int child_release(struct child *c, char *const argv[], char *err, size_t errlen);

/* pybpftop's exit status for the child's wait status: its exit code, or
 * 128 + the signal that killed it, as a shell reports it. */
int child_exit_code(int status);

#endif /* SPAWN_H */
