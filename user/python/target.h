/* A running CPython process: where its runtime is, which version it runs,
 * and the struct layouts for that version. */
#ifndef PY_TARGET_H
#define PY_TARGET_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>
#include "python/builtins.h"
#include "python/versions.h"
#include "proc/remote_mem.h"

struct py_target {
	pid_t pid;
	long long start_ticks;		/* proc_start_ticks(): with the pid, the process */
	char comm[32];
	char cmdline[512];		/* /proc/PID/cmdline, spaces between arguments */
	char runtime_file[PATH_MAX];	/* the file defining _PyRuntime */
	uint64_t runtime_addr;		/* &_PyRuntime in the target */
	uint64_t runtime_bias;		/* load bias of runtime_file (0 unless ET_DYN) */
	struct py_builtins builtins;	/* types and singletons, from runtime_file's symbols */
	int major, minor;
	char version[24];		/* "3.11.2", or "3.11" when only the minor is known */
	const char *version_source;	/* which step of the fallback chain worked */
	struct py_version v;		/* the table, with _Py_DebugOffsets applied */
	char layout_source[384];	/* where v came from, for -v; or why it was refused */
	struct remote_mem mem;
	pid_t mem_pid;			/* the reader's context */
};

/* Inspect process pid. On failure returns -errno and writes a one-line
 * message naming the fix into err: -ESRCH no such process, -ENOEXEC not a
 * Python process, -EOPNOTSUPP an unsupported version or build, -EACCES
 * not allowed to look. */
int py_target_open(pid_t pid, struct py_target *t, char *err, size_t errlen);

/* The layouts of a target running major.minor whose _PyRuntime is at
 * runtime_addr in m, as its row in the registry says: the built-in table,
 * or the target's own _Py_DebugOffsets over it. `why` says which was used
 * ("the built-in 3.11 table", "the target's _Py_DebugOffsets (3.13
 * layout)"), that a blob was rejected and why (the table is used then), or
 * why there is none. 0, or -errno (unsupported, or a layout out of range).
 * The live path and the walker's replay test both use this. */
int py_layout_select(const struct remote_mem *m, uint64_t runtime_addr, int major, int minor,
		     struct py_version *out, char *why, size_t whylen);

/* The built-in table of major.minor's default (free_threaded 0) or
 * free-threaded build, with the walker's read sizes derived, as
 * py_layout_select() gives it when the target publishes no layout (the
 * replay test's synthetic images). 0, or -EOPNOTSUPP with no such row. */
int py_layout_builtin(int major, int minor, int free_threaded, struct py_version *out);

/* The record the BPF walker gets for the target (the procs map). */
void py_target_bpf_record(const struct py_target *t, struct py_proc *out);

/* Whether the process still exists. */
int py_target_alive(const struct py_target *t);

#endif /* PY_TARGET_H */
