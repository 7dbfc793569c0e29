/* Checked parsing of command-line numbers. */
#include <errno.h>
#include <stdlib.h>
#include "cli_args.h"

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

void cli_add_pid(const char *arg, pid_t *pids, int *n, int max, struct argp_state *state)
{
	if (*n == max)
		argp_error(state, "at most %d processes", max);
	pids[(*n)++] = cli_long(arg, 1, 0x7fffffff, state);
}
