/* What a process is called in the profiles (service.h). The target
 * controls its command line, its names and, in a container, much of its
 * cgroup path: every read is bounded, every name is cut and reduced to
 * [A-Za-z0-9._-] before it becomes a label. */
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent/service.h"
#include "proc/procfs.h"

/* Enough for any interpreter's options and script; the rest of a 2 MiB
 * argv names no service. */
#define CMDLINE_MAX 16384
/* A cgroup v1 host lists a dozen hierarchies; paths are short. */
#define CGROUP_MAX 16384
#define COMPONENT_MAX 255	/* a cgroup directory name, as for any file */

static int safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/* in[0..n) into out, each byte outside the safe set (and `also`) made
 * '_', cut to fit. "" when nothing is left, or only dots (".", ".." name
 * nothing). */
static void sanitize_keep(char *out, size_t outlen, const char *in, size_t n, char also)
{
	size_t k = 0;
	int dots_only = 1;

	for (size_t i = 0; i < n && k + 1 < outlen; i++) {
		unsigned char c = (unsigned char)in[i];

		out[k++] = safe_char(c) || (also && c == (unsigned char)also) ? (char)c : '_';
		dots_only &= c == '.';
	}
	out[dots_only ? 0 : k] = '\0';
}

static void sanitize(char *out, size_t outlen, const char *in, size_t n)
{
	sanitize_keep(out, outlen, in, n, 0);
}

static int has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && !memcmp(s + n - k, suffix, k);
}

static int has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return n > 0;
}

/* A cgroup directory that is a container: its id (64 hex digits), or
 * NULL. systemd's driver names the scope after the runtime
 * ("docker-ID.scope", "cri-containerd-ID.scope", "crio-ID.scope",
 * "libpod-ID.scope"); the cgroupfs driver uses the id alone
 * (".../docker/ID", "/kubepods/burstable/podUID/ID") or "libpod-ID".
 * "crio-conmon-ID.scope", "libpod-conmon-ID.scope" are the runtime's
 * monitor, not the container, and do not match. */
static const char *container_dir(const char *c, size_t n)
{
	static const char *const runtimes[] = { "docker-", "cri-containerd-", "crio-", "libpod-" };

	if (has_suffix(c, n, ".scope"))
		n -= strlen(".scope");
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (has_prefix(c, n, runtimes[i])) {
			c += strlen(runtimes[i]);
			n -= strlen(runtimes[i]);
			break;
		}
	return n == 64 && all_hex(c, n) ? c : NULL;
}

/* Services that start other people's programs: a Python process in one
 * of them is named by its command line, not "cron". */
static int launcher_unit(const char *c, size_t n)
{
	static const char *const launchers[] = {
		"cron", "crond", "anacron", "atd", "ssh", "sshd", "supervisor", "supervisord",
		"containerd", "docker", "podman", "console-getty", "systemd-logind",
	};
	size_t stem = n - strlen(".service");

	for (size_t i = 0; i < sizeof(launchers) / sizeof(launchers[0]); i++)
		if (stem == strlen(launchers[i]) && !memcmp(c, launchers[i], stem))
			return 1;
	/* The user manager itself (its units are below it), gettys, and
	 * systemd-run's "run-u123.service" / "run-r<hex>.service", whose names
	 * are made up on the spot. */
	return has_prefix(c, n, "user@") || has_prefix(c, n, "user-runtime-dir@") ||
	       has_prefix(c, n, "getty@") || has_prefix(c, n, "serial-getty@") ||
	       has_prefix(c, n, "container-getty@") ||
	       (has_prefix(c, n, "run-u") && stem > 5 && strspn(c + 5, "0123456789") == stem - 5) ||
	       (has_prefix(c, n, "run-r") && stem > 5 && all_hex(c + 5, stem - 5));
}

/* One cgroup path: the outermost container in it, and the deepest
 * service unit below that container (a systemd inside it), or in the
 * whole path when there is no container. Outermost: the runtime on the
 * host names that directory, while a container that may write its own
 * cgroup tree (systemd in it) could make "docker-<another id>.scope"
 * below; a container in a container (kind) is the outer one's. Scopes (session-N.scope, init.scope, a
 * terminal's or systemd-run's) and slices name no service. */
static void cgroup_path(const char *p, size_t len, char *unit, size_t unitlen, char *container,
			size_t containerlen)
{
	const char *end = p + len;

	unit[0] = container[0] = '\0';
	while (p < end) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = (size_t)((slash ? slash : end) - p);
		const char *id;

		if (n && n <= COMPONENT_MAX) {
			if (!container[0] && (id = container_dir(p, n))) {
				sanitize(container, containerlen, id, 64);
				unit[0] = '\0';		/* the host's units are above it */
			} else if (has_suffix(p, n, ".service") && n > strlen(".service") &&
				   !launcher_unit(p, n)) {
				sanitize_keep(unit, unitlen, p, n, '@');	/* a template's */
			}
		}
		p += n + 1;
	}
}

void service_from_cgroup(const char *cgroup, char *unit, size_t unitlen, char *container,
			 size_t containerlen)
{
	char u[COMPONENT_MAX + 1], c[80];
	int unit_rank = 0, unit_in_container = 0;

	unit[0] = container[0] = '\0';
	/* "ID:CONTROLLERS:PATH" per line: "0::/..." is cgroup v2 (and the
	 * unified tree of a hybrid host), "N:name=systemd:/..." systemd's
	 * tree on v1; both follow units. The container may be in any line. */
	for (const char *line = cgroup; *line;) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		const char *c1 = memchr(line, ':', (size_t)(end - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;

		if (c2) {
			int rank = (c1 == line + 1 && line[0] == '0' && c2 == c1 + 1) ||
						   (c2 - c1 - 1 == 12 && !memcmp(c1 + 1, "name=systemd", 12))
					   ? 2 : 1;

			cgroup_path(c2 + 1, (size_t)(end - c2 - 1), u, sizeof(u), c, sizeof(c));
			if (c[0] && !container[0])
				snprintf(container, containerlen, "%s", c);
			if (u[0] && rank > unit_rank) {
				snprintf(unit, unitlen, "%s", u);
				unit_rank = rank;
				unit_in_container = c[0] != 0;
			}
		}
		line = nl ? nl + 1 : end;
	}
	/* A unit from a line that does not show the container is the host's,
	 * not the container's own. */
	if (container[0] && !unit_in_container)
		unit[0] = '\0';
}

void service_from_unit(const char *unit, char *out, size_t outlen)
{
	size_t len = strlen(unit);
	const char *at;

	if (has_suffix(unit, len, ".service"))
		len -= strlen(".service");
	at = memchr(unit, '@', len);
	sanitize(out, outlen, unit, at && at > unit ? (size_t)(at - unit) : len);
}

/* The name a script's path gives: its file name without .py (or .pyc,
 * .pyw, .pyz); a package run as a directory or "__main__.py" gives its
 * directory's name. */
static void script_name(const char *path, size_t n, char *out, size_t outlen)
{
	static const char *const exts[] = { ".py", ".pyc", ".pyw", ".pyz" };
	const char *base;

	while (n > 1 && path[n - 1] == '/')
		n--;
	base = memrchr(path, '/', n);
	base = base ? base + 1 : path;
	n -= (size_t)(base - path);
	if ((n == 11 && !memcmp(base, "__main__.py", 11)) ||
	    (n == 12 && !memcmp(base, "__main__.pyc", 12))) {
		if (base > path + 1) {
			script_name(path, (size_t)(base - 1 - path), out, outlen);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (has_suffix(base, n, exts[i])) {
			n -= strlen(exts[i]);
			break;
		}
	sanitize(out, outlen, base, n);
}

enum cmdline_kind { CMD_NONE, CMD_SCRIPT, CMD_MODULE };

#define ARGS_MAX 64	/* options before the script: CPython has ~20 */

/* CPython's own reading of its command line (Python/getopt.c, the short
 * options "bBc:dEhiIm:OPqRsStuvVW:xX:?"): flags may be grouped ("-uB"),
 * an option's argument is the rest of its word or the next word ("-Wignore",
 * "-W ignore"), "-c" and "-" run no file, "--" ends the options. */
static enum cmdline_kind cmdline_service(const char *argv, size_t len, char *out, size_t outlen)
{
	const char *arg[ARGS_MAX];
	size_t arglen[ARGS_MAX], nargs = 0;
	const char *base;

	out[0] = '\0';
	for (size_t i = 0; i < len && nargs < ARGS_MAX;) {
		const char *nul = memchr(argv + i, '\0', len - i);
		size_t n = nul ? (size_t)(nul - argv - i) : len - i;

		arg[nargs] = argv + i;
		arglen[nargs++] = n;
		i += n + 1;
	}
	if (!nargs)
		return CMD_NONE;
	/* Only an interpreter's command line is read as one: uwsgi's or an
	 * embedding program's arguments are their own. */
	base = memrchr(arg[0], '/', arglen[0]);
	base = base ? base + 1 : arg[0];
	if (!has_prefix(base, arglen[0] - (size_t)(base - arg[0]), "python"))
		return CMD_NONE;
	for (size_t i = 1; i < nargs; i++) {
		const char *a = arg[i];
		size_t n = arglen[i];

		if (n == 2 && !memcmp(a, "--", 2)) {
			if (i + 1 < nargs && arglen[i + 1]) {
				script_name(arg[i + 1], arglen[i + 1], out, outlen);
				return out[0] ? CMD_SCRIPT : CMD_NONE;
			}
			return CMD_NONE;
		}
		if (has_prefix(a, n, "--")) {
			/* The one long option with an argument; the others
			 * (--help, --version...) print and exit. */
			if (n == 23 && !memcmp(a, "--check-hash-based-pycs", 23)) {
				i++;
				continue;
			}
			return CMD_NONE;
		}
		if (n == 0 || (n == 1 && a[0] == '-'))
			return CMD_NONE;	/* "" is an empty script name; "-" is stdin */
		if (a[0] != '-') {
			script_name(a, n, out, outlen);
			return out[0] ? CMD_SCRIPT : CMD_NONE;
		}
		for (size_t k = 1; k < n; k++) {
			char opt = a[k];
			const char *optarg;
			size_t optlen;

			if (opt != 'c' && opt != 'm' && opt != 'W' && opt != 'X')
				continue;
			if (k + 1 < n) {
				optarg = a + k + 1;
				optlen = n - k - 1;
			} else if (i + 1 < nargs) {
				optarg = arg[++i];
				optlen = arglen[i];
			} else {
				return CMD_NONE;	/* CPython: "Argument expected" */
			}
			if (opt == 'c')
				return CMD_NONE;
			if (opt == 'm') {
				if (has_suffix(optarg, optlen, ".__main__"))
					optlen -= strlen(".__main__");
				sanitize(out, outlen, optarg, optlen);
				return out[0] ? CMD_MODULE : CMD_NONE;
			}
			break;	/* -W, -X: the rest of the word was the argument */
		}
	}
	return CMD_NONE;
}

void service_from_cmdline(const char *argv, size_t len, char *out, size_t outlen)
{
	cmdline_service(argv, len, out, outlen);
}

/* Does the rule's glob match any of the cgroup file's paths? */
static int cgroup_matches(const char *pattern, const char *cgroup)
{
	char path[PATH_MAX];

	for (const char *line = cgroup; *line;) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		const char *c1 = memchr(line, ':', (size_t)(end - line));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;

		if (c2 && (size_t)(end - c2 - 1) < sizeof(path)) {
			memcpy(path, c2 + 1, (size_t)(end - c2 - 1));
			path[end - c2 - 1] = '\0';
			if (!fnmatch(pattern, path, 0))
				return 1;
		}
		line = nl ? nl + 1 : end;
	}
	return 0;
}

void service_identify(pid_t pid, const struct service_rule *rules, int nrules,
		      struct service_info *out)
{
	char *argv = malloc(CMDLINE_MAX), *joined = malloc(CMDLINE_MAX), *cgroup = malloc(CGROUP_MAX);
	char comm[64] = "", exe[PATH_MAX] = "", unit[COMPONENT_MAX + 1], link[32];
	ssize_t argc = -1, n;
	const char *base;

	memset(out, 0, sizeof(*out));
	if (argv && joined && cgroup) {
		argc = proc_file_read(pid, "cmdline", argv, CMDLINE_MAX);
		for (ssize_t i = 0; i < argc; i++)
			joined[i] = argv[i] ? argv[i] : ' ';
		while (argc > 0 && !argv[argc - 1])
			argc--;		/* the last argument's NUL */
		joined[argc > 0 ? argc : 0] = '\0';
		if (proc_file_read(pid, "cgroup", cgroup, CGROUP_MAX) < 0)
			cgroup[0] = '\0';
	} else if (cgroup) {
		cgroup[0] = '\0';
	}
	if (proc_file_read(pid, "comm", comm, sizeof(comm)) > 0)
		comm[strcspn(comm, "\n")] = '\0';
	snprintf(link, sizeof(link), "/proc/%d/exe", pid);
	n = readlink(link, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)"))
		exe[n - 10] = '\0';	/* upgraded under a running process */

	if (cgroup)
		service_from_cgroup(cgroup, unit, sizeof(unit), out->container_id,
				    sizeof(out->container_id));
	else
		unit[0] = '\0';

	for (int i = 0; i < nrules; i++) {
		const struct service_rule *r = &rules[i];
		int hit = 0;

		switch (r->what) {
		case MATCH_COMM:
			hit = !fnmatch(r->pattern, comm, 0);
			break;
		case MATCH_EXE:
			/* /proc/PID/exe has its symlinks resolved: a venv's
			 * bin/python is /usr/bin/python3.X there, and only its
			 * argv[0] still says /opt/app/venv/bin/python. */
			hit = !fnmatch(r->pattern, exe, 0) ||
			      (argc > 0 && argv[0] == '/' && !fnmatch(r->pattern, argv, 0));
			break;
		case MATCH_CMDLINE:
			hit = joined && argc > 0 && !fnmatch(r->pattern, joined, 0);
			break;
		case MATCH_CGROUP:
			hit = cgroup && cgroup_matches(r->pattern, cgroup);
			break;
		}
		if (hit) {
			sanitize(out->service, sizeof(out->service), r->service, strlen(r->service));
			if (out->service[0]) {
				out->source = "rule";
				goto done;
			}
		}
	}
	if (unit[0]) {
		service_from_unit(unit, out->service, sizeof(out->service));
		if (out->service[0]) {
			out->source = "systemd";
			goto done;
		}
	}
	if (out->container_id[0]) {
		/* What `docker ps` shows: the id's first 12 digits. */
		sanitize(out->service, sizeof(out->service), out->container_id, 12);
		out->source = "container";
		goto done;
	}
	if (argc > 0) {
		enum cmdline_kind k = cmdline_service(argv, (size_t)argc, out->service,
						      sizeof(out->service));

		if (k != CMD_NONE) {
			out->source = k == CMD_MODULE ? "module" : "script";
			goto done;
		}
	}
	out->source = "executable";
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	sanitize(out->service, sizeof(out->service), base, strlen(base));
	if (!out->service[0])
		sanitize(out->service, sizeof(out->service), comm, strlen(comm));
	if (!out->service[0])
		snprintf(out->service, sizeof(out->service), "unknown");
done:
	free(argv);
	free(joined);
	free(cgroup);
}
