/* Checked parsing of command-line numbers, and the options the commands
 * share. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pybpftop.h"
#include "cmd/cli.h"
#include "profile/session.h"

long cli_long(const char *arg, long min, long max, struct argp_state *state)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		argp_error(state, "'%s' is not a number between %ld and %ld", arg, min, max);
	return v;
}

unsigned long long cli_bytes(const char *arg, unsigned long long min, unsigned long long max,
			     struct argp_state *state)
{
	static const char units[] = "KMG";
	unsigned long long v;
	const char *u;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (*end && (u = strchr(units, *end)) && !end[1]) {
		for (int i = 0; i <= u - units && v <= max; i++)
			v *= 1024;
		end++;
	}
	if (errno || end == arg || *end || *arg == '-' || v < min || v > max)
		argp_error(state, "'%s' is not a size between %llu and %llu bytes (a K, M or G suffix may follow)",
			   arg, min, max);
	return v;
}

double cli_seconds(const char *arg, double min, double max, struct argp_state *state)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= min && v <= max))
		argp_error(state, "'%s' is not a number of seconds between %g and %g", arg, min, max);
	return v;
}

int cli_output_open(struct output_file *o, const char *option, const char *path)
{
	char err[PATH_MAX + 256];

	if (!output_file_open(o, path, err, sizeof(err)))
		return 0;
	fprintf(stderr, "pybpftop: %s %s\n", option, err);
	return 1;
}

void cli_common_init(struct cli_common *c, unsigned takes)
{
	memset(c, 0, sizeof(*c));
	c->takes = takes;
	c->hz = 99;
	c->max_depth = PYBPFTOP_MAX_DEPTH;
}

error_t cli_common_arg(int key, char *arg, struct argp_state *state, struct cli_common *c)
{
	char names[128];

	switch (key) {
	case 'p':
		if (c->npids && (c->takes & CLI_ONE_PID))
			argp_error(state, "this command profiles one process: give -p once");
		if (c->npids == CLI_MAX_PIDS)
			argp_error(state, "at most %d processes", CLI_MAX_PIDS);
		c->pids[c->npids++] = cli_long(arg, 1, 0x7fffffff, state);
		break;
	case 'r':
		c->hz = cli_long(arg, 1, 10000, state);
		break;
	case 'o':
		c->output = arg;
		break;
	case 'f':
		c->writer = writer_named(arg);
		if (!c->writer || ((c->takes & CLI_ALLOC) && !c->writer->alloc)) {
			writer_names(names, sizeof(names), c->takes & CLI_ALLOC);
			argp_error(state, "unknown format '%s': use %s", arg, names);
		}
		break;
	case 'D':
		c->max_depth = cli_long(arg, 1, PYBPFTOP_MAX_DEPTH, state);
		break;
	case 'd':
		c->duration = cli_seconds(arg, 0.001, 1e9, state);
		break;
	case 's':
		c->subprocesses = 1;
		break;
	case OPT_IDLE:
		c->idle = 1;
		break;
	case 'v':
		c->verbose++;
		break;
	case ARGP_KEY_ARG:
		if (c->takes & CLI_RUN)
			return ARGP_ERR_UNKNOWN;	/* then ARGP_KEY_ARGS: the command */
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_ARGS:
		c->command = state->argv + state->next;
		break;
	case ARGP_KEY_END:
		if (!c->command && !c->npids)
			argp_error(state, (c->takes & CLI_RUN) ?
				   "which process? give -p PID, or a command to run after --" :
				   "which process? give -p PID");
		if (c->command && c->npids)
			argp_error(state, "give -p PID or a command to run, not both");
		if (c->output && !c->writer)
			c->writer = writer_for_path(c->output);
		if (c->writer && (c->takes & CLI_ALLOC) && !c->writer->alloc) {
			writer_names(names, sizeof(names), 1);
			argp_error(state, "%s cannot hold this profile: use %s", c->output, names);
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void cli_session_opts(const struct cli_common *c, struct session_opts *so)
{
	so->pids = c->pids;
	so->npids = c->npids;
	so->command = c->command;
	so->subprocesses = c->subprocesses;
	so->verbose = c->verbose;
	so->max_depth = c->max_depth;
	so->idle = c->idle;
}

char *cli_help_filter(int key, const char *text, void *input)
{
	const struct cli_common *c = input;
	int alloc = c && (c->takes & CLI_ALLOC);
	char list[256], *out = NULL;

	if (key == 'o') {
		writer_suffix_list(list, sizeof(list), alloc);
		if (asprintf(&out, "Write %s to FILE, in the format its name ends in: %s",
			     alloc ? "a flame graph of the bytes" : "the profile", list) < 0)
			out = NULL;
	} else if (key == 'f') {
		writer_names(list, sizeof(list), alloc);
		if (asprintf(&out, "%s (default: from -o's name)", list) < 0)
			out = NULL;
	}
	return out ? out : (char *)text;
}
