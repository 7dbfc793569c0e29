/* A profiling session: the targets, the sampler and the aggregated profile,
 * shared by the commands that sample (record, top). */
#ifndef SESSION_H
#define SESSION_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include "profile.h"
#include "py_target.h"
#include "sampler.h"
#include "symbolizer.h"

#define SESSION_MAX_TARGETS 16

struct session {
	struct py_target *targets[SESSION_MAX_TARGETS];
	int pidfds[SESSION_MAX_TARGETS];	/* readable when the target exits */
	int ntargets, alive;
	pid_t exited;			/* the last target seen to exit */
	struct sampler *sampler;
	struct symbolizer sym;
	struct profile prof;
	uint32_t ids[PYBPFTOP_MAX_DEPTH];
	double start;
};

struct session_opts {
	const pid_t *pids;
	int npids;
	int hz;
	uint32_t max_depth;
	int verbose;
};

/* Check the system and the targets, load and attach. On failure prints one
 * line naming the fix and returns non-zero; session_close() is still due. */
int session_open(struct session *s, const struct session_opts *o);

/* Wait up to ms (less on a signal or a target's exit), then take in the
 * samples that arrived. */
void session_tick(struct session *s, int ms);

/* Stop sampling and take in the last samples. */
void session_finish(struct session *s);

void session_close(struct session *s);

double session_now(void);

/* Set by SIGINT and SIGTERM once session_open() has run. */
extern volatile sig_atomic_t session_stop;

#endif /* SESSION_H */
