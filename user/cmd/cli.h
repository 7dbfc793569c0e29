/* The command line the commands share: checked numbers, and the options
 * every profiling command takes the same way (-p, -r, -o, -f, -D, -v, and
 * a command to run after --). Bad values are reported through
 * argp_error(), which exits. */
#ifndef CLI_H
#define CLI_H

#include <argp.h>
#include <stdint.h>
#include <sys/types.h>
#include "out/writers.h"
#include "proc/output_file.h"

long cli_long(const char *arg, long min, long max, struct argp_state *state);
/* A size in bytes, with an optional K, M or G suffix (powers of 1024). */
unsigned long long cli_bytes(const char *arg, unsigned long long min, unsigned long long max,
			     struct argp_state *state);
double cli_seconds(const char *arg, double min, double max, struct argp_state *state);

#define CLI_MAX_PIDS 16

/* Long-only options' keys. */
enum { OPT_IDLE = 0x100, OPT_LOCALS, OPT_JSON, OPT_EXACT, OPT_LIVE, OPT_ALLOCATED,
       OPT_INCLUDE, OPT_EXCLUDE, OPT_ALL_FRAMES, OPT_TB_LIMIT, OPT_SNAPSHOT, OPT_SAMPLE_BYTES,
       OPT_SNAPSHOT_EVERY, OPT_SOURCE_ROOT };

/* What a command takes of the shared options: set before parsing. */
enum {
	CLI_RATE = 1 << 0,	/* -r HZ */
	CLI_OUTPUT = 1 << 1,	/* -o FILE, -f FORMAT */
	CLI_RUN = 1 << 2,	/* -- COMMAND instead of -p */
	CLI_ONE_PID = 1 << 3,	/* -p at most once */
	CLI_ALLOC = 1 << 4,	/* -f: only the formats alloc can write */
	CLI_DURATION = 1 << 5,	/* -d SECONDS */
	CLI_FOLLOW = 1 << 6,	/* -s, --subprocesses */
	CLI_IDLE = 1 << 7,	/* --idle */
};

struct cli_common {
	unsigned takes;		/* CLI_* */
	pid_t pids[CLI_MAX_PIDS];
	int npids;
	int hz;			/* -r, default 99 */
	const char *output;	/* -o */
	struct output_file out;	/* -o's, open from start-up (cli_output_open) */
	const struct writer *writer;	/* -f, else from -o's name */
	uint32_t max_depth;	/* -D, default PYBPFTOP_MAX_DEPTH */
	int verbose;		/* -v, -vv */
	double duration;	/* -d, seconds; 0: until Ctrl-C or the end */
	int subprocesses;	/* -s */
	int idle;		/* --idle: off-CPU threads too */
	char **command;		/* after -- */
};

/* The options' entries, for a command's argp_option array, in help group
 * g. -o's and -f's help text comes from the writer table (cli_help_filter). */
#define CLI_OPT_PID(what) { "pid", 'p', "PID", 0, what, 0 }
#define CLI_OPT_DURATION { "duration", 'd', "SECONDS", 0, "Stop after this long (default: until Ctrl-C or the processes exit)", 0 }
#define CLI_OPT_RATE { "rate", 'r', "HZ", 0, "Samples per second per CPU (default 99)", 0 }
#define CLI_OPT_FOLLOW(what) { "subprocesses", 's', NULL, 0, "Follow child processes too, forked or " \
			       "exec'd, started before or after attach; " what, 0 }
#define CLI_OPT_IDLE(what) { "idle", OPT_IDLE, NULL, 0, "Wall-clock time: " what, 0 }
#define CLI_OPT_OUTPUT(g) { "output", 'o', "FILE", 0, "(the formats)", g }, \
			  { "format", 'f', "FORMAT", 0, "(the formats)", g }
#define CLI_OPT_DEPTH(g) { "max-depth", 'D', "FRAMES", 0, "Frames kept per stack (default and most: 5000)", g }
#define CLI_OPT_VERBOSE(g) { "verbose", 'v', NULL, 0, "Print counters (-vv: libbpf's messages too)", g }

/* At start-up, before anything is recorded: opens the file option (-o,
 * --snapshot) names at path (proc/output_file.h). 0, or 1 with the
 * message printed: "pybpftop: -o PATH: directory DIR: <strerror>". */
int cli_output_open(struct output_file *o, const char *option, const char *path);

/* Defaults into c; takes is the CLI_* set. */
void cli_common_init(struct cli_common *c, unsigned takes);

/* Handles the shared options, stray arguments, the command after -- and
 * the checks at the end for a command's argp parser; ARGP_ERR_UNKNOWN for
 * any other key. state->input must be the struct cli_common. */
error_t cli_common_arg(int key, char *arg, struct argp_state *state, struct cli_common *c);

/* An argp help_filter: -o's and -f's text, made from the writer table.
 * argp's input must be the struct cli_common. */
char *cli_help_filter(int key, const char *text, void *input);

/* What a session takes of them: the targets, following, -v and -D. */
struct session_opts;
void cli_session_opts(const struct cli_common *c, struct session_opts *so);

#endif /* CLI_H */
