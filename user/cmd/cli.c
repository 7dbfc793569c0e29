/* Checked parsing of command-line numbers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cli.h"

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

error_t cli_target_arg(int key, char *arg, struct argp_state *state, struct cli_target *t)
{
	switch (key) {
	case 'p':
		if (t->npids == CLI_MAX_PIDS)
			argp_error(state, "at most %d processes", CLI_MAX_PIDS);
		t->pids[t->npids++] = cli_long(arg, 1, 0x7fffffff, state);
		break;
	case 'r':
		t->hz = cli_long(arg, 1, 10000, state);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!t->npids)
			argp_error(state, "which process? give -p PID");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}
