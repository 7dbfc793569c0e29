/* What a process is called in the profiles: service_name and
 * container_id. Everything read here is the target's (its command line,
 * its cgroup path): bounded, and made printable before use. */
#ifndef AGENT_SERVICE_H
#define AGENT_SERVICE_H

#include <sys/types.h>
#include "agent/config.h"

struct service_info {
	char service[128];	/* never empty */
	const char *source;	/* "rule", "systemd", "container", "script", "module", "executable" */
	char container_id[80];	/* "" when it runs in no container */
};

/* service_name, in order: the first rule that matches; the systemd unit
 * (foo.service, or a user unit) or the container in /proc/PID/cgroup;
 * the script or -m module in the command line; the executable's name.
 * Reads /proc/PID/{cgroup,cmdline,comm,exe}. */
void service_identify(pid_t pid, const struct service_rule *rules, int nrules,
		      struct service_info *out);

/* The pure steps, for the unit tests: */
/* From a cgroup file's text: the unit ("web.service") and the container
 * id (64 hex digits of docker, containerd/cri, cri-o, or podman/libpod). */
void service_from_cgroup(const char *cgroup, char *unit, size_t unitlen, char *container,
			 size_t containerlen);
/* From a unit: "web.service" -> "web"; a template's instances are one
 * service: "celery@worker1.service" -> "celery". */
void service_from_unit(const char *unit, char *out, size_t outlen);
/* From argv (NUL-separated, len bytes): "app.py" -> "app", "-m pkg.mod"
 * -> "pkg.mod", or "" when it names neither. */
void service_from_cmdline(const char *argv, size_t len, char *out, size_t outlen);

#endif /* AGENT_SERVICE_H */
