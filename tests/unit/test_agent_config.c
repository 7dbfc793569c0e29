/* The agent's configuration (agent/config.c): the defaults, the shared
 * parsers, every key of the file, every error with its FILE:LINE and the
 * configuration left as it was, the file's mode and owner, and the secret
 * files. argv[1], when given, is etc/agent.conf: it must parse, and its
 * commented-out options must be the real defaults.
 *
 *   build/test_agent_config [etc/agent.conf] */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "check.h"
#include "agent/config.h"

static char dir[] = "/tmp/test_agent_config_XXXXXX";
static char err[1024];

static const char *at(const char *name)
{
	static char path[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, name);
	return path[i];
}

static void put(const char *name, mode_t mode, const char *text)
{
	FILE *f;

	unlink(at(name));
	f = fopen(at(name), "w");
	CHECK(f && fputs(text, f) >= 0);
	if (f)
		fclose(f);
	CHECK(chmod(at(name), mode) == 0);
}

/* Loads text as agent.conf (mode 0600) over the defaults. */
static int load(const char *text, struct agent_config *c)
{
	agent_config_defaults(c);
	put("agent.conf", 0600, text);
	return agent_config_load(at("agent.conf"), 1, c, err, sizeof(err));
}

/* The text must be refused, naming line `line` and saying `says`, and
 * leave the configuration exactly as it was. */
static void refused(const char *text, int line, const char *says)
{
	struct agent_config before, c;
	char where[300];
	int r;

	r = load(text, &c);
	agent_config_defaults(&before);
	snprintf(where, sizeof(where), "%s:%d: ", at("agent.conf"), line);
	CHECK(r == -EINVAL, "r=%d for: %s", r, text);
	CHECK(!strncmp(err, where, strlen(where)), "want '%s...', got '%s'", where, err);
	CHECK(strstr(err, says), "want '%s' in '%s'", says, err);
	CHECK(!memcmp(&before, &c, sizeof(c)), "changed by a refused file: %s", text);
}

static void test_defaults(void)
{
	struct agent_config c;

	agent_config_defaults(&c);
	CHECK(c.hz == 19);
	CHECK(c.window_s == 15);
	CHECK(!strcmp(c.spool, "/var/lib/pybpftop"));
	CHECK(c.spool_max == 1ULL << 30);
	CHECK(c.retention_s == 7 * 86400);
	CHECK(c.push_format == PUSH_PYROSCOPE && !c.push_url[0]);
	CHECK(c.queue_max == 64ULL << 20);
	CHECK(!c.metrics[0] && !c.idle && !c.alloc && !c.nlabels && !c.nrules);
	CHECK(!c.basic_user[0] && !c.basic_password[0] && !c.bearer_token[0] && !c.org_id[0]);
}

static void test_duration(void)
{
	static const struct { const char *s; double v; } good[] = {
		{ "15", 15 }, { "15s", 15 }, { "2m", 120 }, { "1h", 3600 }, { "7d", 604800 },
		{ "0", 0 }, { "0.5s", 0.5 }, { "1.5h", 5400 }, { "3650d", 3650 * 86400.0 },
	};
	static const char *const bad[] = {
		"", "s", "-1", "+1", " 1", "1 ", "1x", "1ss", "1sm", "1.2.3", "inf", "nan",
		"0x10", "1e3", "3651d", "1S", ".5",
	};
	double v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		CHECK(agent_parse_duration(good[i].s, &v) == 0 && v == good[i].v,
		      "'%s' -> %g, want %g", good[i].s, v, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		CHECK(agent_parse_duration(bad[i], &v) == -EINVAL && v == -1, "'%s' taken", bad[i]);
	}
	CHECK(agent_parse_duration(NULL, &v) == -EINVAL);
}

static void test_size(void)
{
	static const struct { const char *s; unsigned long long v; } good[] = {
		{ "4096", 4096 }, { "512K", 512 << 10 }, { "64M", 64ULL << 20 }, { "1G", 1ULL << 30 },
		{ "2T", 2ULL << 40 }, { "1k", 1024 }, { "64MiB", 64ULL << 20 }, { "64MB", 64ULL << 20 },
		{ "0", 0 }, { "16777215T", 16777215ULL << 40 },
		{ "18446744073709551615", ~0ULL },
	};
	static const char *const bad[] = {
		"", "K", "-1", " 1", "1 ", "1X", "1KK", "1Kb", "1iB", "1.5G", "16777216T",
		"18446744073709551616", "0x10",
	};
	unsigned long long v;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 1;
		CHECK(agent_parse_size(good[i].s, &v) == 0 && v == good[i].v, "'%s' -> %llu",
		      good[i].s, v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 1;
		CHECK(agent_parse_size(bad[i], &v) == -EINVAL && v == 1, "'%s' taken", bad[i]);
	}
}

static void test_label(void)
{
	static const char *const bad[] = {
		"", "env", "=prod", "env=", "1env=x", "e-nv=x", "e nv=x", "service_name=x",
		"host=x", "pid=1", "python_version=3", "container_id=x", "__name__=x", "__x=y",
		"thread_id=1", "thread_name=x", "env=a\nb", "env=a\tb",
	};
	struct agent_label l;
	char big[400];

	CHECK(agent_parse_label("env=prod", &l) == 0 && !strcmp(l.key, "env") &&
	      !strcmp(l.value, "prod"));
	CHECK(agent_parse_label("_A9=x=y z", &l) == 0 && !strcmp(l.key, "_A9") &&
	      !strcmp(l.value, "x=y z"));
	CHECK(agent_parse_label("_x=é", &l) == 0, "UTF-8 in a value is text");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(agent_parse_label(bad[i], &l) == -EINVAL, "'%s' taken", bad[i]);
	CHECK(agent_parse_label(NULL, &l) == -EINVAL);
	/* The longest of each that fits, and one more. */
	memset(big, 'k', 63);
	strcpy(big + 63, "=v");
	CHECK(agent_parse_label(big, &l) == 0 && strlen(l.key) == 63);
	memset(big, 'k', 64);
	strcpy(big + 64, "=v");
	CHECK(agent_parse_label(big, &l) == -EINVAL);
	strcpy(big, "k=");
	memset(big + 2, 'v', 255);
	big[257] = '\0';
	CHECK(agent_parse_label(big, &l) == 0 && strlen(l.value) == 255);
	strcat(big, "v");
	CHECK(agent_parse_label(big, &l) == -EINVAL);
}

static void test_every_key(void)
{
	struct agent_config c;
	char file[2048];
	int r;

	put("token", 0600, "tok-from-file\n");
	snprintf(file, sizeof(file),
		 "# a comment\n"
		 "; another\n"
		 "[agent]\n"
		 "rate = 99\n"
		 "window = 30s\n"
		 "spool = /srv/spool\n"
		 "spool_max = 2G\n"
		 "retention = 2.5d\n"
		 "idle = yes\n"
		 "alloc = on\n"
		 "metrics = 127.0.0.1:9464\n"
		 "\n"
		 "[push]\n"
		 "url = https://profiles.example.com:4040/base#x;y\n"
		 "format = otlp\n"
		 "bearer_token_file = %s\n"
		 "org_id = tenant-1\n"
		 "queue_max = 8M\n"
		 "[labels]\n"
		 "env = prod ; not a comment\n"
		 "region=eu-west-1\n"
		 "[service.web-api]\n"
		 "cmdline = *gunicorn*app:web*\n"
		 "comm = uwsgi\n"
		 "[service.batch]\n"
		 "exe = /opt/batch/bin/python*\n"
		 "cgroup = */batch.slice/*\n",
		 at("token"));
	r = load(file, &c);
	CHECK(r == 0, "r=%d %s", r, err);
	CHECK(c.hz == 99 && c.window_s == 30 && !strcmp(c.spool, "/srv/spool"));
	CHECK(c.spool_max == 2ULL << 30 && c.retention_s == 2.5 * 86400);
	CHECK(c.idle == 1 && c.alloc == 1 && !strcmp(c.metrics, "127.0.0.1:9464"));
	CHECK(!strcmp(c.push_url, "https://profiles.example.com:4040/base#x;y"), "%s", c.push_url);
	CHECK(c.push_format == PUSH_OTLP && !strcmp(c.bearer_token, "tok-from-file"));
	CHECK(!strcmp(c.org_id, "tenant-1") && c.queue_max == 8ULL << 20);
	CHECK(c.nlabels == 2 && !strcmp(c.labels[0].key, "env") &&
	      !strcmp(c.labels[0].value, "prod ; not a comment") &&
	      !strcmp(c.labels[1].key, "region") && !strcmp(c.labels[1].value, "eu-west-1"));
	CHECK(c.nrules == 4);
	CHECK(c.rules[0].what == MATCH_CMDLINE && !strcmp(c.rules[0].pattern, "*gunicorn*app:web*") &&
	      !strcmp(c.rules[0].service, "web-api"));
	CHECK(c.rules[1].what == MATCH_COMM && !strcmp(c.rules[1].pattern, "uwsgi") &&
	      !strcmp(c.rules[1].service, "web-api"));
	CHECK(c.rules[2].what == MATCH_EXE && !strcmp(c.rules[2].service, "batch"));
	CHECK(c.rules[3].what == MATCH_CGROUP && !strcmp(c.rules[3].pattern, "*/batch.slice/*"));

	/* Basic auth; empty values turn things off; booleans both ways; CRLF. */
	r = load("[agent]\r\nspool =\r\nmetrics=\r\nidle = False\r\nalloc = 0\r\nwindow = 1h\r\n"
		 "[push]\r\nurl = http://localhost:4040\r\nformat = pyroscope\r\n"
		 "basic_user = alice\r\nbasic_password = p;a#s s=w\r\n", &c);
	CHECK(r == 0, "r=%d %s", r, err);
	CHECK(!c.spool[0] && !c.metrics[0] && !c.idle && !c.alloc && c.window_s == 3600);
	CHECK(!strcmp(c.basic_user, "alice") && !strcmp(c.basic_password, "p;a#s s=w"), "'%s'",
	      c.basic_password);
	CHECK(!strcmp(c.push_url, "http://localhost:4040") && c.push_format == PUSH_PYROSCOPE);

	/* The password from a file; ':' also separates keys (inih's
	 * concession to Python's configparser); a BOM is allowed. */
	put("password", 0400, "s3cret\r\n");
	snprintf(file, sizeof(file), "\xef\xbb\xbf[push]\nbasic_user: bob\nbasic_password_file = %s\n",
		 at("password"));
	r = load(file, &c);
	CHECK(r == 0 && !strcmp(c.basic_password, "s3cret") && !strcmp(c.basic_user, "bob"),
	      "r=%d %s '%s'", r, err, c.basic_password);

	/* Empty secrets are none, and do not conflict. */
	r = load("[push]\nbearer_token =\nbearer_token_file =\nbasic_password =\n"
		 "basic_password_file =\nbasic_user =\n", &c);
	CHECK(r == 0 && !c.bearer_token[0] && !c.basic_password[0], "r=%d %s", r, err);

	/* An empty file, and one of comments only: the defaults. */
	struct agent_config d;

	agent_config_defaults(&d);
	CHECK(load("", &c) == 0 && !memcmp(&c, &d, sizeof(c)));
	CHECK(load("# nothing\n\n   \n[agent]\n", &c) == 0 && !memcmp(&c, &d, sizeof(c)));
}

/* Over a configuration that has labels and rules already (a reload over
 * the running one): the file's labels win key by key, its rules replace. */
static void test_over_existing(void)
{
	struct agent_config c;
	int r;

	agent_config_defaults(&c);
	CHECK(agent_parse_label("env=dev", &c.labels[c.nlabels++]) == 0);
	CHECK(agent_parse_label("team=a", &c.labels[c.nlabels++]) == 0);
	c.nrules = 1;
	snprintf(c.rules[0].pattern, sizeof(c.rules[0].pattern), "old");
	put("agent.conf", 0600, "[labels]\nenv = prod\nzone = b\n[service.new]\ncomm = new*\n");
	r = agent_config_load(at("agent.conf"), 1, &c, err, sizeof(err));
	CHECK(r == 0, "%s", err);
	CHECK(c.nlabels == 3 && !strcmp(c.labels[0].value, "prod") && !strcmp(c.labels[1].value, "a") &&
	      !strcmp(c.labels[2].key, "zone"));
	CHECK(c.nrules == 1 && !strcmp(c.rules[0].pattern, "new*") && !strcmp(c.rules[0].service, "new"));

	/* Without rules in the file, the old ones stay. */
	put("agent.conf", 0600, "[agent]\nrate = 7\n");
	r = agent_config_load(at("agent.conf"), 1, &c, err, sizeof(err));
	CHECK(r == 0 && c.hz == 7 && c.nrules == 1 && !strcmp(c.rules[0].pattern, "new*"));
}

static void test_errors(void)
{
	char text[1024], path[300];

	refused("rate = 19\n", 1, "outside a section");
	refused("[agent]\nrate = 19\n[pussh]\nurl = http://x\n", 3, "unknown section [pussh]");
	refused("[agent]\n[empty-but-unknown]\n", 2, "unknown section [empty-but-unknown]");
	refused("[service.]\ncomm = x\n", 1, "a service name is");
	refused("[service.a b]\ncomm = x\n", 1, "a service name is");
	refused("[agent]\nrates = 19\n", 2, "[agent] has no key 'rates'");
	refused("[push]\ntoken = x\n", 2, "[push] has no key 'token'");
	refused("[service.web]\nname = x\n", 2, "[service.web] has no key 'name'");
	refused("[agent]\nrate\n", 2, "not a 'key = value' line");
	refused("[agent\nrate = 1\n", 1, "not a 'key = value' line");
	refused("[agent]\n  rate = 19\n  cont\n", 3, "not a 'key = value' line");
	refused("[agent]\nrate = 19\nrate = 20\n", 3, "set twice (first on line 2)");
	refused("[agent]\nrate = 0\n", 2, "1 to 10000");
	refused("[agent]\nrate = 10001\n", 2, "1 to 10000");
	refused("[agent]\nrate = 19 Hz\n", 2, "not a sampling rate");
	refused("[agent]\nrate = -5\n", 2, "not a sampling rate");
	refused("[agent]\nrate =\n", 2, "not a sampling rate");
	refused("[agent]\nwindow = 0.5\n", 2, "from 1s to 1h");
	refused("[agent]\nwindow = 2h\n", 2, "from 1s to 1h");
	refused("[agent]\nwindow = 15 s\n", 2, "[agent] window");
	refused("[agent]\nspool = var/lib\n", 2, "not an absolute path");
	refused("[agent]\nspool_max = 512K\n", 2, "1M or more");
	refused("[agent]\nspool_max = lots\n", 2, "[agent] spool_max");
	refused("[agent]\nretention = 30s\n", 2, "1m or more");
	refused("[agent]\nretention = 1w\n", 2, "[agent] retention");
	refused("[agent]\nidle = maybe\n", 2, "not yes or no");
	refused("[agent]\nalloc = 2\n", 2, "not yes or no");
	refused("[agent]\nmetrics = 9464\n", 2, "not ADDR:PORT");
	refused("[agent]\nmetrics = :9464\n", 2, "not ADDR:PORT");
	refused("[agent]\nmetrics = localhost:0\n", 2, "not ADDR:PORT");
	refused("[agent]\nmetrics = localhost:65536\n", 2, "not ADDR:PORT");
	refused("[agent]\nmetrics = localhost:http\n", 2, "not ADDR:PORT");
	refused("[push]\nurl = ftp://x\n", 2, "not an http:// or https:// URL");
	refused("[push]\nurl = pyroscope:4040\n", 2, "not an http:// or https:// URL");
	refused("[push]\nurl = http://a b\n", 2, "blanks");
	refused("[push]\nformat = parca\n", 2, "not pyroscope or otlp");
	refused("[push]\nbasic_user = a:b\nbasic_password = x\n", 2, "cannot hold ':'");
	refused("[push]\nbasic_user = alice\n", 2, "basic_user needs basic_password");
	refused("[push]\n\nbasic_password = x\n", 3, "basic_password needs basic_user");
	refused("[push]\nbasic_user = a\nbasic_password = x\nbearer_token = t\n", 4,
		"both a bearer token and basic auth");
	refused("[push]\nqueue_max = 1K\n", 2, "64K or more");
	refused("[push]\norg_id = a\x01" "b\n", 2, "control characters");
	refused("[labels]\nservice_name = x\n", 2, "set by the agent itself");
	refused("[labels]\n__name__ = x\n", 2, "set by the agent itself");
	refused("[labels]\n9lives = x\n", 2, "letters, digits and '_'");
	refused("[labels]\nenv =\n", 2, "needs a value");
	refused("[labels]\nenv = a\n\nenv = b\n", 4, "[labels] env is set twice (first on line 2)");
	refused("[service.web]\ncomm =\n", 2, "give a glob pattern");
	refused("[service.web]\ncomm = a-very-long-process-name\n", 2, "longer than the 15 bytes");

	/* Lines: the longest inih takes is refused past, not split. */
	memset(text, 0, sizeof(text));
	strcpy(text, "[push]\norg_id = ");
	memset(text + strlen(text), 'o', 300);
	strcat(text, "\n");
	refused(text, 2, "longer than 198 bytes");

	/* Too many labels, too many rules. */
	strcpy(text, "[labels]\n");
	for (int i = 0; i <= AGENT_MAX_LABELS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "l%d = v\n", i);
	refused(text, AGENT_MAX_LABELS + 2, "more than 32 labels");
	strcpy(text, "[service.s]\n");
	for (int i = 0; i <= AGENT_MAX_RULES; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "comm = c%d\n", i);
	refused(text, AGENT_MAX_RULES + 2, "more than 64 rules");

	/* Secret files. */
	refused("[push]\nbearer_token_file = token\n", 2, "must be an absolute path");
	snprintf(text, sizeof(text), "[push]\nbearer_token_file = %s\n", at("absent"));
	refused(text, 2, "No such file");
	put("token", 0644, "t\n");
	snprintf(text, sizeof(text), "[push]\n\nbearer_token_file = %s\n", at("token"));
	refused(text, 3, "chmod 600");
	put("token", 0620, "t\n");
	refused(text, 3, "chmod 600");
	put("token", 0600, "\n");
	refused(text, 3, "is empty");
	put("token", 0600, "one\ntwo\n");
	refused(text, 3, "more than one line");
	put("token", 0600, "");
	refused(text, 3, "is empty");
	{
		char big[5000];

		memset(big, 't', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		put("token", 0600, big);
		refused(text, 3, "larger than 4096 bytes");
		big[2048] = '\0';
		put("token", 0600, big);
		refused(text, 3, "too long (at most 2047 bytes)");
		big[2047] = '\0';
		put("token", 0600, big);
		struct agent_config c;

		CHECK(load(text, &c) == 0 && strlen(c.bearer_token) == 2047, "%s", err);
	}
	put("token", 0600, "t\n");
	unlink(at("token-link"));
	CHECK(symlink(at("token"), at("token-link")) == 0);
	snprintf(text, sizeof(text), "[push]\nbearer_token_file = %s\n", at("token-link"));
	refused(text, 2, "a symbolic link");
	snprintf(text, sizeof(text), "[push]\nbearer_token_file = %s\n", dir);
	refused(text, 2, "not a regular file");
	snprintf(text, sizeof(text), "[push]\nbearer_token = x\nbearer_token_file = %s\n", at("token"));
	refused(text, 3, "both set: keep one");
	snprintf(path, sizeof(path), "%s", at("token"));
	snprintf(text, sizeof(text), "[push]\nbasic_user = u\nbasic_password_file = %s\n"
		 "basic_password = x\n", path);
	refused(text, 3, "basic_password and basic_password_file are both set");
}

/* The file's own mode and owner, and a missing file. */
static void test_file_checks(void)
{
	struct agent_config c, d;
	char f[300];
	int r;

	snprintf(f, sizeof(f), "%s", at("perm.conf"));
	agent_config_defaults(&d);
	c = d;
	r = agent_config_load(at("absent.conf"), 0, &c, err, sizeof(err));
	CHECK(r == 0 && !err[0] && !memcmp(&c, &d, sizeof(c)), "missing, not required: r=%d", r);
	r = agent_config_load(at("absent.conf"), 1, &c, err, sizeof(err));
	CHECK(r == -ENOENT && strstr(err, "absent.conf: No such file"), "r=%d %s", r, err);
	r = agent_config_load(dir, 1, &c, err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, "not a regular file"), "r=%d %s", r, err);

	put("perm.conf", 0644, "[agent]\nrate = 7\n");
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == 0 && c.hz == 7, "0644 without secrets is fine: %s", err);
	c = d;
	put("perm.conf", 0664, "[agent]\nrate = 7\n");
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EPERM && strstr(err, "chmod go-w") && c.hz == 19, "r=%d %s", r, err);
	put("perm.conf", 0602, "[agent]\nrate = 7\n");
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EPERM && strstr(err, "others can write it (mode 0602)"), "r=%d %s", r, err);
	put("perm.conf", 0644, "[push]\nurl = http://x\nbearer_token = t\n");
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, ":3: the file holds a secret and everyone can read it") &&
	      !c.bearer_token[0], "r=%d %s", r, err);
	put("perm.conf", 0640, "[push]\nurl = http://x\nbearer_token = t\n");
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == 0 && !strcmp(c.bearer_token, "t"), "0640 with a secret: %s", err);
	c = d;
	/* A secret in a file of its own keeps the configuration shareable. */
	put("token", 0600, "t\n");
	char text[400];

	snprintf(text, sizeof(text), "[push]\nbearer_token_file = %s\n", at("token"));
	put("perm.conf", 0644, text);
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == 0 && !strcmp(c.bearer_token, "t"), "%s", err);
	c = d;

	/* A NUL byte, a file too large. */
	FILE *fp = fopen(f, "w");

	CHECK(fp && fwrite("[agent]\0", 1, 8, fp) == 8);
	if (fp)
		fclose(fp);
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, "NUL byte"), "r=%d %s", r, err);
	CHECK(truncate(f, (2 << 20)) == 0);
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EFBIG, "r=%d %s", r, err);

	/* A path longer than the message buffer: cut, not overrun. */
	{
		char longpath[PATH_MAX], small[64];

		memset(longpath, 'a', 3000);
		longpath[0] = '/';
		longpath[3000] = '\0';
		r = agent_config_load(longpath, 1, &c, small, sizeof(small));
		CHECK(r < 0 && strlen(small) == sizeof(small) - 1, "r=%d '%s'", r, small);
		/* A real file that deep, with an error in it. */
		snprintf(longpath, sizeof(longpath), "%s", dir);
		for (int i = 0; i < 5; i++) {
			size_t n = strlen(longpath);

			longpath[n] = '/';
			memset(longpath + n + 1, 'd', 250);
			longpath[n + 251] = '\0';
			CHECK(mkdir(longpath, 0700) == 0);
		}
		strcat(longpath, "/agent.conf");
		FILE *deep = fopen(longpath, "w");

		CHECK(deep && fputs("[agent]\nrate = x\n", deep) >= 0);
		if (deep)
			fclose(deep);
		CHECK(chmod(longpath, 0600) == 0);
		r = agent_config_load(longpath, 1, &c, err, sizeof(err));
		CHECK(r == -EINVAL && !strncmp(err, longpath, 100) && c.hz == 19, "r=%d", r);
	}

	/* Another user's file: root only can make one. */
	if (geteuid() != 0) {
		SKIP("another user's files: needs root to chown");
		return;
	}
	put("perm.conf", 0644, "[agent]\nrate = 7\n");
	CHECK(chown(f, 65534, 65534) == 0);
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EPERM && strstr(err, "belongs to uid 65534") && strstr(err, "chown root") &&
	      c.hz == 19, "r=%d %s", r, err);
	put("token", 0600, "t\n");
	CHECK(chown(at("token"), 65534, 65534) == 0);
	snprintf(text, sizeof(text), "[push]\nbearer_token_file = %s\n", at("token"));
	put("perm.conf", 0600, text);
	r = agent_config_load(f, 1, &c, err, sizeof(err));
	CHECK(r == -EINVAL && strstr(err, ":2: [push] bearer_token_file") &&
	      strstr(err, "belongs to uid 65534"), "r=%d %s", r, err);
}

/* etc/agent.conf: it parses as shipped (everything commented out: the
 * defaults), and with its "#key = value" lines uncommented its [agent] and
 * [push] values are the defaults, so what it documents is what runs. */
static void test_shipped(const char *path)
{
	struct agent_config c, d;
	char line[1024], *text;
	size_t len = 0;
	FILE *in = fopen(path, "r");
	int r;

	CHECK(in, "%s: %s", path, strerror(errno));
	if (!in)
		return;
	text = calloc(1, 1 << 16);
	while (text && fgets(line, sizeof(line), in)) {
		/* Uncomment "#key = value" and "#[section]" lines, not prose ("# ..."). */
		const char *p = line[0] == '#' && line[1] != ' ' && line[1] != '\n' ? line + 1 : line;

		if (len + strlen(p) < (1 << 16) - 1) {
			strcpy(text + len, p);
			len += strlen(p);
		}
	}
	fclose(in);
	agent_config_defaults(&d);
	c = d;
	/* As shipped, copied here: the checkout may be another user's. */
	{
		char *shipped = NULL;
		size_t n = 0;
		FILE *f = fopen(path, "r");

		if (f) {
			shipped = calloc(1, 1 << 16);
			n = shipped ? fread(shipped, 1, (1 << 16) - 1, f) : 0;
			fclose(f);
		}
		CHECK(shipped && n > 0);
		put("shipped.conf", 0644, shipped ? shipped : "");
		free(shipped);
	}
	r = agent_config_load(at("shipped.conf"), 1, &c, err, sizeof(err));
	CHECK(r == 0 && !memcmp(&c, &d, sizeof(c)), "as shipped: r=%d %s", r, err);

	put("uncommented.conf", 0600, text ? text : "");
	free(text);
	r = agent_config_load(at("uncommented.conf"), 1, &c, err, sizeof(err));
	CHECK(r == 0, "uncommented: %s", err);
	CHECK(c.hz == d.hz && c.window_s == d.window_s && !strcmp(c.spool, d.spool), "%d %g %s",
	      c.hz, c.window_s, c.spool);
	CHECK(c.spool_max == d.spool_max && c.retention_s == d.retention_s);
	CHECK(c.idle == d.idle && c.alloc == d.alloc && !strcmp(c.metrics, d.metrics));
	CHECK(!strcmp(c.push_url, d.push_url) && c.push_format == d.push_format &&
	      c.queue_max == d.queue_max && !c.bearer_token[0] && !c.basic_password[0]);
	/* Its examples of labels and rules parse too. */
	CHECK(c.nlabels > 0 && c.nrules > 0, "labels %d rules %d", c.nlabels, c.nrules);
}

int main(int argc, char **argv)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_defaults();
	test_duration();
	test_size();
	test_label();
	test_every_key();
	test_over_existing();
	test_errors();
	test_file_checks();
	if (argc > 1)
		test_shipped(argv[1]);
	else
		SKIP("etc/agent.conf: give its path as the first argument");
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	CHECK_DONE("agent_config");
}
