/* The agent's configuration file (INI, parsed by inih) and the parsers
 * the file and the command line share. The format is in
 * docs/man/pybpftop-agent.8 and docs/agent-install.md; etc/agent.conf is
 * the default, with every option.
 *
 * The file is read whole into memory (bounded) from one descriptor, and
 * its mode and owner are checked on that descriptor, so what is checked is
 * what is parsed. inih reads it line by line through our reader, which
 * counts lines: every error names FILE:LINE. Everything is parsed into a
 * copy of the configuration, which replaces the caller's only when the
 * whole file is good: a bad SIGHUP reload changes nothing. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <ini.h>
#include "agent/config.h"

#define CONFIG_MAX_BYTES (1 << 20)	/* a configuration, not a data file */
#define SECRET_MAX_BYTES 4096		/* a token file: bearer_token[] and some slack */

void agent_config_defaults(struct agent_config *c)
{
	memset(c, 0, sizeof(*c));
	/* Chosen from bench/agent.sh (docs/agent.md, "Budgets"): within the
	 * CPU budget with room at 8 busy processes, near it at 32. Below the
	 * OpenTelemetry profiler's 20 Hz, and prime, so that it does not beat
	 * with periodic work. */
	c->hz = 19;
	c->window_s = 15;
	snprintf(c->spool, sizeof(c->spool), "%s", "/var/lib/pybpftop");
	c->spool_max = 1ULL << 30;
	c->retention_s = 7 * 86400.0;
	c->push_format = PUSH_PYROSCOPE;
	c->queue_max = 64ULL << 20;
	/* metrics "" : no /metrics unless asked for. */
}

/* --- The parsers shared with the command line --- */

int agent_parse_duration(const char *s, double *out)
{
	static const struct { char suffix; double seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
	};
	const char *p = s;
	char *end;
	double v, mult = 1;

	/* Plain decimals only: strtod would take "inf", "nan", hex, exponents
	 * and leading blanks. */
	if (!s || !isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end != p)
		return -EINVAL;
	if (*end) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end[0] == units[i].suffix && !end[1])
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		mult = units[i].seconds;
	}
	v *= mult;
	/* Ten years: anything above is a typo, and keeps sums finite. */
	if (!isfinite(v) || v < 0 || v > 10 * 365 * 86400.0)
		return -EINVAL;
	*out = v;
	return 0;
}

int agent_parse_size(const char *s, unsigned long long *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	/* strtoull takes "-1" (as a huge number) and leading blanks. */
	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		/* "64M", "64MB" and "64MiB" all mean 64 << 20. */
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
	}
	*out = v;
	return 0;
}

/* Label names as Prometheus and Pyroscope take them. */
static int label_name_ok(const char *k)
{
	if (!*k || !(isalpha((unsigned char)*k) || *k == '_'))
		return 0;
	for (; *k; k++)
		if (!(isalnum((unsigned char)*k) || *k == '_'))
			return 0;
	return 1;
}

/* The labels the agent sets itself: a user's label must not hide them.
 * thread_name and thread_id are the per-sample labels; "__" names are
 * Prometheus' own (__name__ is the profile type in Pyroscope). */
static int label_reserved(const char *k)
{
	static const char *const reserved[] = {
		"service_name", "host", "pid", "python_version", "container_id",
		"thread_name", "thread_id",
	};

	if (!strncmp(k, "__", 2))
		return 1;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(k, reserved[i]))
			return 1;
	return 0;
}

/* Text that goes into HTTP headers, labels and log lines: no control
 * bytes (a newline in a token would be a header injection). */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The checks of a label, with the reason for the caller's message. */
static const char *label_problem(const char *key, const char *value)
{
	if (!label_name_ok(key))
		return "a label name is letters, digits and '_', not starting with a digit";
	if (strlen(key) >= sizeof(((struct agent_label *)0)->key))
		return "a label name is at most 63 characters";
	if (label_reserved(key))
		return "that label is set by the agent itself (service_name, host, pid, python_version, "
		       "container_id, thread_name, thread_id, and names starting with __); choose another name";
	if (!*value)
		return "a label needs a value";
	if (strlen(value) >= sizeof(((struct agent_label *)0)->value))
		return "a label value is at most 255 bytes";
	if (!printable(value))
		return "a label value cannot hold control characters";
	return NULL;
}

int agent_parse_label(const char *kv, struct agent_label *out)
{
	const char *eq = kv ? strchr(kv, '=') : NULL;
	char key[sizeof(out->key)];
	size_t klen;

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - kv);
	if (klen == 0 || klen >= sizeof(key))
		return -EINVAL;
	memcpy(key, kv, klen);
	key[klen] = '\0';
	if (label_problem(key, eq + 1))
		return -EINVAL;
	snprintf(out->key, sizeof(out->key), "%s", key);
	snprintf(out->value, sizeof(out->value), "%s", eq + 1);
	return 0;
}

/* --- The file --- */

/* One line number for every option set once, to refuse a second setting
 * and to name the line of a cross-option error. */
enum seen_key {
	K_RATE, K_WINDOW, K_SPOOL, K_SPOOL_MAX, K_RETENTION, K_IDLE, K_ALLOC, K_METRICS,
	K_URL, K_FORMAT, K_BASIC_USER, K_BASIC_PASSWORD, K_BASIC_PASSWORD_FILE,
	K_BEARER_TOKEN, K_BEARER_TOKEN_FILE, K_ORG_ID, K_QUEUE_MAX, K_COUNT
};

struct parse_state {
	struct agent_config c;		/* the copy the file is parsed into */
	const char *path;
	const char *text;		/* the file, NUL-terminated */
	size_t pos;
	int line;			/* of the line inih is parsing now */
	int failed;			/* an error is in err */
	int err_line;			/* its line; 0 for the whole file */
	char err[1024];
	int seen[K_COUNT];		/* line that set it, 0 if none */
	int given[K_COUNT];		/* ... to something: "" is "none" */
	int label_line[AGENT_MAX_LABELS];	/* 0 for a label from before the file */
	int file_rules;			/* rules replace the caller's: reset at the first */
	int inline_secret;		/* a password or token in the file itself */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (st->failed)
		return 0;	/* the first error is the one to fix */
	st->failed = 1;
	st->err_line = st->line;
	if (st->line > 0)
		n = snprintf(st->err, sizeof(st->err), "%s:%d: ", st->path, st->line);
	else
		n = snprintf(st->err, sizeof(st->err), "%s: ", st->path);
	if (n < 0 || (size_t)n >= sizeof(st->err))
		return 0;	/* a path longer than the message: the path alone */
	va_start(ap, fmt);
	vsnprintf(st->err + n, sizeof(st->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;	/* what an inih handler returns for an error */
}

static int set_once(struct parse_state *st, enum seen_key k, const char *section, const char *name)
{
	if (st->seen[k])
		return fail(st, "[%s] %s is set twice (first on line %d): keep one", section, name,
			    st->seen[k]);
	st->seen[k] = st->line;
	st->given[k] = st->line;
	return 1;
}

static int copy_text(struct parse_state *st, char *dst, size_t size, const char *v, const char *what)
{
	if (strlen(v) >= size)
		return fail(st, "%s is too long (at most %zu bytes)", what, size - 1);
	if (!printable(v))
		return fail(st, "%s cannot hold control characters", what);
	snprintf(dst, size, "%s", v);
	return 1;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	}
	return -EINVAL;
}

/* A secret in a file of its own (bearer_token_file, basic_password_file):
 * opened without following a link, a regular file readable by no one but
 * its owner (root or us), bounded; one line, its newline dropped. */
static int read_secret_into(struct parse_state *st, const char *name, const char *path, char *dst,
			    size_t size, char buf[SECRET_MAX_BYTES + 1])
{
	struct stat sb;
	ssize_t n;
	int fd;

	if (path[0] != '/')
		return fail(st, "%s must be an absolute path, not '%s'", name, path);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(st, "%s %s: %s%s", name, path, strerror(errno),
			    errno == ELOOP ? " (a symbolic link: name the file itself)" : "");
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return fail(st, "%s %s is not a regular file", name, path);
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		close(fd);
		return fail(st, "%s %s belongs to uid %u, who could change it: chown root %s", name, path,
			    (unsigned)sb.st_uid, path);
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH | S_IROTH)) {
		close(fd);
		return fail(st, "%s %s is readable or writable by others (mode %04o): chmod 600 %s", name,
			    path, (unsigned)(sb.st_mode & 07777), path);
	}
	n = read(fd, buf, SECRET_MAX_BYTES + 1);
	close(fd);
	if (n < 0)
		return fail(st, "%s %s: %s", name, path, strerror(errno));
	if (n > SECRET_MAX_BYTES)
		return fail(st, "%s %s is larger than %d bytes: it should hold one secret", name, path,
			    SECRET_MAX_BYTES);
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n))
		return fail(st, "%s %s holds a NUL byte", name, path);
	/* echo TOKEN > file writes a newline; CRLF from elsewhere. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (!n)
		return fail(st, "%s %s is empty", name, path);
	if (!printable(buf))
		return fail(st, "%s %s holds more than one line, or control characters: "
			    "put the secret alone on one line", name, path);
	if ((size_t)n >= size)
		return fail(st, "the secret in %s %s is too long (at most %zu bytes)", name, path,
			    size - 1);
	memcpy(dst, buf, (size_t)n + 1);
	return 1;
}

/* The secret's copy on the stack is wiped, whatever went wrong. */
static int read_secret(struct parse_state *st, const char *name, const char *path, char *dst,
		       size_t size)
{
	char buf[SECRET_MAX_BYTES + 1];
	int ok = read_secret_into(st, name, path, dst, size, buf);

	explicit_bzero(buf, sizeof(buf));
	return ok;
}

static int agent_key(struct parse_state *st, const char *name, const char *v)
{
	struct agent_config *c = &st->c;
	unsigned long long size;
	double d;
	char *end;
	long l;

	if (!strcmp(name, "rate")) {
		if (!set_once(st, K_RATE, "agent", name))
			return 0;
		errno = 0;
		l = strtol(v, &end, 10);
		if (errno || end == v || *end || !isdigit((unsigned char)v[0]) || l < 1 || l > 10000)
			return fail(st, "[agent] rate: '%s' is not a sampling rate: give samples per "
				    "second, 1 to 10000 (e.g. rate = 19)", v);
		c->hz = (int)l;
	} else if (!strcmp(name, "window")) {
		if (!set_once(st, K_WINDOW, "agent", name))
			return 0;
		if (agent_parse_duration(v, &d) || d < 1 || d > 3600)
			return fail(st, "[agent] window: '%s' is not a duration from 1s to 1h "
				    "(e.g. window = 15s)", v);
		c->window_s = d;
	} else if (!strcmp(name, "spool")) {
		if (!set_once(st, K_SPOOL, "agent", name))
			return 0;
		if (*v && v[0] != '/')
			return fail(st, "[agent] spool: '%s' is not an absolute path: give one, or "
				    "leave it empty for no spool", v);
		return copy_text(st, c->spool, sizeof(c->spool), v, "[agent] spool");
	} else if (!strcmp(name, "spool_max")) {
		if (!set_once(st, K_SPOOL_MAX, "agent", name))
			return 0;
		if (agent_parse_size(v, &size) || size < (1ULL << 20))
			return fail(st, "[agent] spool_max: '%s' is not a size of 1M or more "
				    "(e.g. spool_max = 1G)", v);
		c->spool_max = size;
	} else if (!strcmp(name, "retention")) {
		if (!set_once(st, K_RETENTION, "agent", name))
			return 0;
		if (agent_parse_duration(v, &d) || d < 60)
			return fail(st, "[agent] retention: '%s' is not a duration of 1m or more "
				    "(e.g. retention = 7d)", v);
		c->retention_s = d;
	} else if (!strcmp(name, "idle") || !strcmp(name, "alloc")) {
		int *flag = name[0] == 'i' ? &c->idle : &c->alloc;

		if (!set_once(st, name[0] == 'i' ? K_IDLE : K_ALLOC, "agent", name))
			return 0;
		if (parse_bool(v, flag))
			return fail(st, "[agent] %s: '%s' is not yes or no", name, v);
	} else if (!strcmp(name, "metrics")) {
		const char *colon = strrchr(v, ':');

		if (!set_once(st, K_METRICS, "agent", name))
			return 0;
		/* Whether it is loopback is metrics_serve()'s to say; here,
		 * that it has the shape ADDR:PORT. */
		if (*v) {
			errno = 0;
			l = colon ? strtol(colon + 1, &end, 10) : 0;
			if (!colon || colon == v || errno || !isdigit((unsigned char)colon[1]) ||
			    *end || l < 1 || l > 65535)
				return fail(st, "[agent] metrics: '%s' is not ADDR:PORT (e.g. metrics = "
					    "127.0.0.1:9464), or empty for none", v);
		}
		return copy_text(st, c->metrics, sizeof(c->metrics), v, "[agent] metrics");
	} else {
		return fail(st, "[agent] has no key '%s' (keys: rate, window, spool, spool_max, "
			    "retention, idle, alloc, metrics)", name);
	}
	return 1;
}

static int push_key(struct parse_state *st, const char *name, const char *v)
{
	struct agent_config *c = &st->c;
	unsigned long long size;

	if (!strcmp(name, "url")) {
		if (!set_once(st, K_URL, "push", name))
			return 0;
		if (*v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			return fail(st, "[push] url: '%s' is not an http:// or https:// URL "
				    "(e.g. url = http://pyroscope:4040), or empty for no push", v);
		if (strpbrk(v, " \t"))
			return fail(st, "[push] url cannot hold blanks: write %%20");
		return copy_text(st, c->push_url, sizeof(c->push_url), v, "[push] url");
	} else if (!strcmp(name, "format")) {
		if (!set_once(st, K_FORMAT, "push", name))
			return 0;
		if (!strcmp(v, "pyroscope"))
			c->push_format = PUSH_PYROSCOPE;
		else if (!strcmp(v, "otlp"))
			c->push_format = PUSH_OTLP;
		else
			return fail(st, "[push] format: '%s' is not pyroscope or otlp", v);
	} else if (!strcmp(name, "basic_user")) {
		if (!set_once(st, K_BASIC_USER, "push", name))
			return 0;
		if (strchr(v, ':'))
			return fail(st, "[push] basic_user cannot hold ':' (HTTP basic auth splits on it)");
		return copy_text(st, c->basic_user, sizeof(c->basic_user), v, "[push] basic_user");
	} else if (!strcmp(name, "basic_password")) {
		if (!set_once(st, K_BASIC_PASSWORD, "push", name))
			return 0;
		if (!*v)
			st->given[K_BASIC_PASSWORD] = 0;
		else
			st->inline_secret = 1;
		return copy_text(st, c->basic_password, sizeof(c->basic_password), v,
				 "[push] basic_password");
	} else if (!strcmp(name, "basic_password_file")) {
		if (!set_once(st, K_BASIC_PASSWORD_FILE, "push", name))
			return 0;
		if (!*v)
			return st->given[K_BASIC_PASSWORD_FILE] = 0, 1;
		return read_secret(st, "[push] basic_password_file", v, c->basic_password,
				   sizeof(c->basic_password));
	} else if (!strcmp(name, "bearer_token")) {
		if (!set_once(st, K_BEARER_TOKEN, "push", name))
			return 0;
		if (!*v)
			st->given[K_BEARER_TOKEN] = 0;
		else
			st->inline_secret = 1;
		return copy_text(st, c->bearer_token, sizeof(c->bearer_token), v, "[push] bearer_token");
	} else if (!strcmp(name, "bearer_token_file")) {
		if (!set_once(st, K_BEARER_TOKEN_FILE, "push", name))
			return 0;
		if (!*v)
			return st->given[K_BEARER_TOKEN_FILE] = 0, 1;
		return read_secret(st, "[push] bearer_token_file", v, c->bearer_token,
				   sizeof(c->bearer_token));
	} else if (!strcmp(name, "org_id")) {
		if (!set_once(st, K_ORG_ID, "push", name))
			return 0;
		return copy_text(st, c->org_id, sizeof(c->org_id), v, "[push] org_id");
	} else if (!strcmp(name, "queue_max")) {
		if (!set_once(st, K_QUEUE_MAX, "push", name))
			return 0;
		if (agent_parse_size(v, &size) || size < (64ULL << 10))
			return fail(st, "[push] queue_max: '%s' is not a size of 64K or more "
				    "(e.g. queue_max = 64M)", v);
		c->queue_max = size;
	} else {
		return fail(st, "[push] has no key '%s' (keys: url, format, basic_user, basic_password, "
			    "basic_password_file, bearer_token, bearer_token_file, org_id, queue_max)", name);
	}
	return 1;
}

static int label_key(struct parse_state *st, const char *name, const char *v)
{
	struct agent_config *c = &st->c;
	const char *why = label_problem(name, v);
	int i;

	if (why)
		return fail(st, "[labels] %s: %s", name, why);
	for (i = 0; i < c->nlabels; i++)
		if (!strcmp(c->labels[i].key, name))
			break;
	if (i < c->nlabels && st->label_line[i])
		return fail(st, "[labels] %s is set twice (first on line %d): keep one", name,
			    st->label_line[i]);
	if (i == c->nlabels) {
		if (c->nlabels == AGENT_MAX_LABELS)
			return fail(st, "[labels]: more than %d labels", AGENT_MAX_LABELS);
		c->nlabels++;
	}
	/* A label given before the file (the caller's) takes the file's value. */
	snprintf(c->labels[i].key, sizeof(c->labels[i].key), "%s", name);
	snprintf(c->labels[i].value, sizeof(c->labels[i].value), "%s", v);
	st->label_line[i] = st->line;
	return 1;
}

/* "service.NAME": NAME is what the profiles call the process. */
static int service_name_ok(const char *s)
{
	if (!*s || strlen(s) >= sizeof(((struct service_rule *)0)->service))
		return 0;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("_.-", *s)))
			return 0;
	return 1;
}

static int rule_key(struct parse_state *st, const char *service, const char *name, const char *v)
{
	static const struct { const char *key; enum service_match what; } keys[] = {
		{ "comm", MATCH_COMM }, { "exe", MATCH_EXE },
		{ "cmdline", MATCH_CMDLINE }, { "cgroup", MATCH_CGROUP },
	};
	struct agent_config *c = &st->c;
	struct service_rule *r;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(name, keys[i].key))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return fail(st, "[service.%s] has no key '%s' (keys: comm, exe, cmdline, cgroup, "
			    "each a glob)", service, name);
	if (!*v)
		return fail(st, "[service.%s] %s: give a glob pattern (e.g. %s = gunicorn*)", service,
			    name, name);
	if (strlen(v) >= sizeof(r->pattern))
		return fail(st, "[service.%s] %s: the pattern is longer than %zu bytes", service, name,
			    sizeof(r->pattern) - 1);
	if (!printable(v))
		return fail(st, "[service.%s] %s: the pattern cannot hold control characters", service,
			    name);
	/* The kernel cuts comm to 15 bytes (TASK_COMM_LEN): a longer plain
	 * name would never match. */
	if (keys[i].what == MATCH_COMM && strlen(v) > 15 && !strpbrk(v, "*?["))
		return fail(st, "[service.%s] comm: '%s' is longer than the 15 bytes of a comm, so it "
			    "never matches: use exe or cmdline, or end it with *", service, v);
	/* The file's rules are the rules: a reload does not append to the
	 * old ones. */
	if (!st->file_rules) {
		st->file_rules = 1;
		c->nrules = 0;
	}
	if (c->nrules == AGENT_MAX_RULES)
		return fail(st, "[service.%s]: more than %d rules in all", service, AGENT_MAX_RULES);
	r = &c->rules[c->nrules++];
	r->what = keys[i].what;
	snprintf(r->pattern, sizeof(r->pattern), "%s", v);
	snprintf(r->service, sizeof(r->service), "%s", service);
	return 1;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;

	if (st->failed)
		return 0;
	if (!strcmp(section, "agent"))
		return agent_key(st, name, value);
	if (!strcmp(section, "push"))
		return push_key(st, name, value);
	if (!strcmp(section, "labels"))
		return label_key(st, name, value);
	if (!strncmp(section, "service.", 8))
		return rule_key(st, section + 8, name, value);
	if (!*section)
		return fail(st, "'%s' is outside a section: put it under [agent], [push], [labels] "
			    "or [service.NAME]", name);
	/* Sections are checked as they are read (section_ok): not reached. */
	return fail(st, "unknown section [%s]", section);
}

/* A section header line, checked as it is read so that an unknown
 * section is refused even when it holds no keys (inih tells the handler
 * only about keys). */
static void section_ok(struct parse_state *st, const char *line)
{
	const char *p = line, *end;
	char name[256];
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '[' || !(end = strchr(p, ']')))
		return;		/* a key, a comment, or a syntax error inih names */
	n = (size_t)(end - p - 1);
	if (n >= sizeof(name)) {
		fail(st, "the section name is too long");
		return;
	}
	memcpy(name, p + 1, n);
	name[n] = '\0';
	if (!strcmp(name, "agent") || !strcmp(name, "push") || !strcmp(name, "labels"))
		return;
	if (!strncmp(name, "service.", 8)) {
		if (!service_name_ok(name + 8))
			fail(st, "[%s]: a service name is 1 to 127 letters, digits, '_', '.' or '-'", name);
		return;
	}
	fail(st, "unknown section [%s] (sections: [agent], [push], [labels], [service.NAME])", name);
}

/* inih's reader (fgets' contract), over the file in memory, counting
 * lines. A line longer than inih's buffer would be split in two and the
 * rest read as a line of its own: refused instead. */
static char *read_line(char *buf, int size, void *user)
{
	struct parse_state *st = user;
	const char *p = st->text + st->pos, *nl;
	size_t n;

	if (!*p || st->failed)
		return NULL;
	nl = strchr(p, '\n');
	n = nl ? (size_t)(nl - p) + 1 : strlen(p);
	st->line++;
	if (n > (size_t)size - 1) {
		fail(st, "the line is longer than %d bytes: shorten it (a long token goes in "
		     "bearer_token_file)", size - 2);
		return NULL;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	st->pos += n;
	section_ok(st, buf);
	return st->failed ? NULL : buf;
}

/* What only the whole file can say. */
static void check_whole(struct parse_state *st, const struct stat *sb)
{
	struct agent_config *c = &st->c;
	const int *seen = st->seen, *given = st->given;

#define AT(k) (st->line = seen[k])
	if (given[K_BASIC_PASSWORD] && given[K_BASIC_PASSWORD_FILE])
		AT(K_BASIC_PASSWORD_FILE), fail(st, "[push] basic_password and basic_password_file "
						"are both set: keep one");
	else if (given[K_BEARER_TOKEN] && given[K_BEARER_TOKEN_FILE])
		AT(K_BEARER_TOKEN_FILE), fail(st, "[push] bearer_token and bearer_token_file are both "
					      "set: keep one");
	else if (c->bearer_token[0] && (c->basic_user[0] || c->basic_password[0]))
		AT(given[K_BEARER_TOKEN] ? K_BEARER_TOKEN : K_BEARER_TOKEN_FILE),
			fail(st, "[push] has both a bearer token and basic auth: choose one");
	else if (c->basic_password[0] && !c->basic_user[0])
		AT(given[K_BASIC_PASSWORD] ? K_BASIC_PASSWORD : K_BASIC_PASSWORD_FILE),
			fail(st, "[push] basic_password needs basic_user");
	else if (c->basic_user[0] && !c->basic_password[0])
		AT(K_BASIC_USER), fail(st, "[push] basic_user needs basic_password or "
				       "basic_password_file");
#undef AT
	/* A password in a file others can read is a password they have. */
	if (!st->failed && st->inline_secret && (sb->st_mode & S_IROTH)) {
		st->line = given[K_BEARER_TOKEN] ? given[K_BEARER_TOKEN] : given[K_BASIC_PASSWORD];
		fail(st, "the file holds a secret and everyone can read it (mode %04o): chmod 600 %s, "
		     "or move the secret to bearer_token_file or basic_password_file",
		     (unsigned)(sb->st_mode & 07777), st->path);
	}
}

/* The file, whole, from one descriptor whose mode and owner are checked:
 * NUL-terminated, malloc'd. */
static int read_config(const char *path, char **text, struct stat *sb, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK), e;
	size_t len = 0;
	ssize_t n;
	char *buf;

	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, sb) || !S_ISREG(sb->st_mode)) {
		close(fd);
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	/* The agent runs as root: a file someone else can change is their
	 * way to choose what it runs against and where it sends. */
	if (sb->st_uid != 0 && sb->st_uid != geteuid()) {
		close(fd);
		snprintf(err, errlen, "%s: belongs to uid %u, who could change the agent's "
			 "configuration: chown root %s", path, (unsigned)sb->st_uid, path);
		return -EPERM;
	}
	if (sb->st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		snprintf(err, errlen, "%s: others can write it (mode %04o): chmod go-w %s", path,
			 (unsigned)(sb->st_mode & 07777), path);
		return -EPERM;
	}
	if (sb->st_size > CONFIG_MAX_BYTES) {
		close(fd);
		snprintf(err, errlen, "%s: larger than %d bytes: is it the configuration?", path,
			 CONFIG_MAX_BYTES);
		return -EFBIG;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	/* Read to the cap, not to st_size: the file may grow meanwhile. */
	while (len < CONFIG_MAX_BYTES + 1 &&
	       (n = read(fd, buf + len, CONFIG_MAX_BYTES + 1 - len)) != 0) {
		if (n < 0) {
			e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			free(buf);
			snprintf(err, errlen, "%s: %s", path, strerror(e));
			return -e;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len > CONFIG_MAX_BYTES) {
		free(buf);
		snprintf(err, errlen, "%s: larger than %d bytes: is it the configuration?", path,
			 CONFIG_MAX_BYTES);
		return -EFBIG;
	}
	if (memchr(buf, '\0', len)) {
		free(buf);
		snprintf(err, errlen, "%s: holds a NUL byte: is it a text file?", path);
		return -EINVAL;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

int agent_config_load(const char *path, int must_exist, struct agent_config *c, char *err,
		      size_t errlen)
{
	struct parse_state *st;
	struct stat sb;
	char *text = NULL;
	int r;

	if (errlen)
		err[0] = '\0';
	r = read_config(path, &text, &sb, err, errlen);
	if (r == -ENOENT && !must_exist) {
		err[0] = '\0';
		return 0;
	}
	if (r)
		return r;
	/* ~20 KiB of copy and bookkeeping: on the heap, not the stack. */
	st = calloc(1, sizeof(*st));
	if (!st) {
		free(text);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	st->c = *c;
	st->path = path;
	st->text = text;
	/* inih's switches are globals of the library (Debian builds it
	 * shared): set them each time, since only this file uses it. One key
	 * per line (no continuation lines, which would call us twice for one
	 * key), no inline comments (a ';' or '#' in a password or URL is
	 * text), stop at the first error. */
	ini_allow_multiline = 0;
	ini_allow_inline_comments = 0;
	ini_stop_on_first_error = 1;
	ini_allow_no_value = 0;
	r = ini_parse_stream(read_line, st, on_key, st);
	if (r > 0 && (!st->failed || r < st->err_line)) {
		st->failed = 0;
		st->line = r;
		fail(st, "not a 'key = value' line, nor a [section]: fix or remove it "
		     "(comments are whole lines starting with # or ;)");
	} else if (r < 0 && !st->failed) {
		st->line = 0;
		fail(st, "the parser failed (%d)", r);
	}
	if (!st->failed)
		check_whole(st, &sb);
	if (st->failed) {
		snprintf(err, errlen, "%s", st->err);
		r = -EINVAL;
	} else {
		*c = st->c;
		r = 0;
	}
	explicit_bzero(st, sizeof(*st));
	explicit_bzero(text, strlen(text));
	free(st);
	free(text);
	return r;
}
