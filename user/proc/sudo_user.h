/* The user who ran sudo, from SUDO_UID and SUDO_GID, read strictly: run
 * mode's child runs as this user, and output files belong to them. */
#ifndef SUDO_USER_H
#define SUDO_USER_H

#include <stddef.h>
#include <sys/types.h>

struct sudo_user {
	int set;		/* under sudo: we are root and SUDO_UID/SUDO_GID name a user */
	uid_t uid;
	gid_t gid;
};

/* A SUDO_UID or SUDO_GID value: only decimal digits, at least one, below
 * (uid_t)-1, which set*id() take as "unchanged". 0, or -EINVAL. */
int sudo_id_parse(const char *s, unsigned *id);

/* u->set = 0 when we are not root, or neither variable is set. A value
 * that does not parse, or one without the other, is an error (never read
 * as 0, root): -EINVAL with a message in err. */
int sudo_user_get(struct sudo_user *u, char *err, size_t errlen);

#endif /* SUDO_USER_H */
