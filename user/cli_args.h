/* Checked parsing of command-line numbers, shared by the commands. Each
 * reports a bad value through argp_error(), which exits. */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <argp.h>
#include <sys/types.h>

long cli_long(const char *arg, long min, long max, struct argp_state *state);
double cli_seconds(const char *arg, double min, double max, struct argp_state *state);

/* Append a pid to pids[*n] (at most max of them). */
void cli_add_pid(const char *arg, pid_t *pids, int *n, int max, struct argp_state *state);

#endif /* CLI_ARGS_H */
