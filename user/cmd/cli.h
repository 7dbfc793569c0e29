/* Checked parsing of command-line numbers, shared by the commands. Each
 * reports a bad value through argp_error(), which exits. */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <argp.h>
#include <sys/types.h>

long cli_long(const char *arg, long min, long max, struct argp_state *state);
/* A size in bytes, with an optional K, M or G suffix (powers of 1024). */
unsigned long long cli_bytes(const char *arg, unsigned long long min, unsigned long long max,
			     struct argp_state *state);
double cli_seconds(const char *arg, double min, double max, struct argp_state *state);

#define CLI_MAX_PIDS 16

/* Long-only options' keys. */
enum { OPT_IDLE = 0x100, OPT_LOCALS, OPT_JSON, OPT_EXACT, OPT_LIVE, OPT_ALLOCATED,
       OPT_INCLUDE, OPT_EXCLUDE, OPT_ALL_FRAMES, OPT_TB_LIMIT, OPT_SNAPSHOT, OPT_SAMPLE_BYTES,
       OPT_SNAPSHOT_EVERY };

/* What every sampling command takes: the processes and the rate. */
struct cli_target {
	pid_t pids[CLI_MAX_PIDS];
	int npids;
	int hz;
};

#define CLI_TARGET_OPTIONS \
	{ "pid", 'p', "PID", 0, "Process to profile (may repeat)", 0 }, \
	{ "rate", 'r', "HZ", 0, "Samples per second per CPU (default 99)", 0 }

/* Handles -p, -r, stray arguments and a missing -p for a command's argp
 * parser; ARGP_ERR_UNKNOWN for any other key. */
error_t cli_target_arg(int key, char *arg, struct argp_state *state, struct cli_target *t);

#endif /* CLI_ARGS_H */
