/* SUDO_UID and SUDO_GID, parsed once and strictly. strtoul() took "" and
 * "garbage" as 0, and run mode then ran the command as root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "proc/sudo_user.h"

int sudo_id_parse(const char *s, unsigned *id)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
		/* (uid_t)-1 means "no change" to setuid() and chown(). */
		if (v >= (uid_t)-1)
			return -EINVAL;
	}
	*id = (unsigned)v;
	return 0;
}

int sudo_user_get(struct sudo_user *u, char *err, size_t errlen)
{
	const char *suid = getenv("SUDO_UID"), *sgid = getenv("SUDO_GID");
	unsigned uid, gid;

	*u = (struct sudo_user){ 0 };
	if (geteuid() != 0 || (!suid && !sgid))
		return 0;
	if (!suid || !sgid) {
		snprintf(err, errlen, "%s is set but %s is not: run pybpftop through sudo, or unset both",
			 suid ? "SUDO_UID" : "SUDO_GID", suid ? "SUDO_GID" : "SUDO_UID");
		return -EINVAL;
	}
	if (sudo_id_parse(suid, &uid) || sudo_id_parse(sgid, &gid)) {
		int bad_uid = sudo_id_parse(suid, &uid) != 0;

		snprintf(err, errlen, "%s='%.40s' is not a %s id (decimal digits): run pybpftop through sudo, or unset SUDO_UID and SUDO_GID",
			 bad_uid ? "SUDO_UID" : "SUDO_GID", bad_uid ? suid : sgid, bad_uid ? "user" : "group");
		return -EINVAL;
	}
	*u = (struct sudo_user){ .set = 1, .uid = uid, .gid = gid };
	return 0;
}
