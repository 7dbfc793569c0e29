/* The agent's configuration: defaults, then the file (--config, INI,
 * parsed by inih), then the command line over both. SIGHUP reloads the
 * file the same way; what needs the BPF programs reloaded (the rate,
 * --idle, --alloc) keeps its old value, and the log says so. */
#ifndef AGENT_CONFIG_H
#define AGENT_CONFIG_H

#include <limits.h>
#include <stddef.h>

#define AGENT_MAX_LABELS 32
#define AGENT_MAX_RULES 64
#define AGENT_DEFAULT_CONFIG "/etc/pybpftop/agent.conf"

struct agent_label {
	char key[64];		/* [a-zA-Z_][a-zA-Z0-9_]* (Prometheus and Pyroscope label names) */
	char value[256];
};

/* A service-name rule: the first rule with a pattern matching the process
 * names it. Patterns are fnmatch(3) globs. */
enum service_match { MATCH_COMM, MATCH_EXE, MATCH_CMDLINE, MATCH_CGROUP };

struct service_rule {
	enum service_match what;
	char pattern[256];
	char service[128];
};

enum push_format { PUSH_PYROSCOPE, PUSH_OTLP };

struct agent_config {
	int hz;				/* --rate */
	double window_s;		/* --window */
	char spool[PATH_MAX];		/* --spool; "" with --no-spool */
	unsigned long long spool_max;	/* --spool-max, bytes */
	double retention_s;		/* --retention */
	char push_url[1024];		/* --push; "" for none */
	enum push_format push_format;
	/* [push] in the file only: secrets stay out of `ps`. */
	char basic_user[256], basic_password[256];
	char bearer_token[2048];
	char org_id[256];		/* X-Scope-OrgID */
	unsigned long long queue_max;	/* bytes of windows waiting to be pushed */
	struct agent_label labels[AGENT_MAX_LABELS];
	int nlabels;
	struct service_rule rules[AGENT_MAX_RULES];
	int nrules;
	int idle, alloc;		/* --idle, --alloc */
	char metrics[128];		/* --metrics ADDR:PORT; "" for none */
	int verbose;
};

/* The defaults: 19 Hz... (see docs/agent.md for why). */
void agent_config_defaults(struct agent_config *c);

/* Reads the INI file at path over c. A missing file is an error only
 * when must_exist. 0, or -errno with "FILE:LINE: what is wrong, and the
 * fix" in err; c is left unchanged on an error. */
int agent_config_load(const char *path, int must_exist, struct agent_config *c, char *err,
		      size_t errlen);

/* Parsers the file and the command line share: 0, or -EINVAL. */
int agent_parse_duration(const char *s, double *out);	/* "15", "15s", "2m", "7d" */
int agent_parse_size(const char *s, unsigned long long *out);	/* "1G", "512M", "4096" */
int agent_parse_label(const char *kv, struct agent_label *out);	/* "KEY=VALUE" */

#endif /* AGENT_CONFIG_H */
