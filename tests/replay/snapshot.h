/* A walker replay snapshot: the memory a walk of a live CPython read, what
 * the kernel said about its threads, and each thread's stack as the
 * interpreter itself reported it (the truth). Written by
 * tools/record_walk.c, replayed by tests/replay/replay.c.
 *
 * The file is JSON (docs/design.md, "The walker's replay test"):
 *   {"format": "pybpftop walker replay", "format_version": 1,
 *    "python": {"version", "build", "sys_version", "executable", "major", "minor"},
 *    "pid", "runtime_addr": "0x...",
 *    "threads": [{"name", "tid", "ns_tid", "fsbase": "0x...", "ident", "native_id",
 *                 "interpreter" (optional, PyInterpreterState.id, 0 if absent),
 *                 "frames": [{"name", "file", "line"}, ...innermost first]}],
 *    "memory": [{"addr": "0x...", "len", "what", "hex": ["32 bytes", ...]}]}
 * No layout is stored: the replay derives it from the version. */
#ifndef REPLAY_SNAPSHOT_H
#define REPLAY_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "proc/remote_mem.h"

#define SNAPSHOT_FORMAT		"pybpftop walker replay"
#define SNAPSHOT_VERSION	1

struct snap_frame {
	char *name;		/* co_qualname (3.11+), else co_name */
	char *file;		/* co_filename */
	int line;		/* f_lineno */
};

struct snap_thread {
	char *name;		/* threading.current_thread().name */
	uint32_t tid;		/* root pid namespace */
	uint64_t ns_tid;	/* the kernel's: its tid in its own pid namespace */
	uint64_t fsbase;	/* the kernel's: thread.fsbase */
	uint64_t ident;		/* the interpreter's: threading.get_ident() */
	uint64_t native_id;	/* the interpreter's: threading.get_native_id() */
	int64_t interp_id;	/* its interpreter's id ("interpreter", 0 if absent) */
	struct snap_frame *frames;
	size_t nframes;
};

/* Who read a range, for a reader of the file ("what": "walk+code"). */
enum snap_what {
	SNAP_RUNTIME = 1 << 0,	/* py_layout_select(): _Py_DebugOffsets */
	SNAP_WALK = 1 << 1,	/* the walker: thread list, thread states, frames */
	SNAP_CODE = 1 << 2,	/* py_read_code(): code objects, their str and bytes */
};

struct snap_range {
	uint64_t addr;
	size_t len;
	uint8_t *data;
	unsigned what;		/* enum snap_what bits */
};

struct snapshot {
	char version[24];	/* "3.11.7" */
	char build[64];		/* "pyenv", "debian", "sid" */
	char *sys_version;	/* sys.version */
	char *executable;	/* sys.executable */
	int major, minor;
	int free_threaded;	/* set by the replay from the layout (not stored) */
	uint32_t pid;
	uint64_t runtime_addr;	/* &_PyRuntime */
	struct snap_thread *threads;
	size_t nthreads;
	struct snap_range *ranges;	/* sorted and disjoint once merged */
	size_t nranges;
};

/* 0, or -1 with a message in err. */
int snapshot_load(const char *path, struct snapshot *s, char *err, size_t errlen);
int snapshot_save(const char *path, const struct snapshot *s, char *err, size_t errlen);
void snapshot_free(struct snapshot *s);

/* The threads and frames of a truth object ({"threads": [...]}, the part
 * of the file the workload writes) into s->threads. */
int snapshot_parse_threads(json_t *truth, struct snapshot *s, char *err, size_t errlen);

/* Recording: keep len bytes read at addr; then sort and coalesce. Merging
 * fails (-1) when two reads of the same byte disagree (torn memory). */
int snapshot_add(struct snapshot *s, uint64_t addr, const void *data, size_t len,
		 unsigned what);
int snapshot_merge(struct snapshot *s, char *err, size_t errlen);
size_t snapshot_bytes(const struct snapshot *s);

/* The recorded memory as an address space: a read is served when it lies
 * inside one range, else it fails with -EFAULT (as a hole would). */
struct remote_mem snapshot_mem(const struct snapshot *s);

/* Overwrite recorded bytes (the test's corruptions); the old ones are
 * saved in old when it is not NULL. -EFAULT when not recorded. */
int snapshot_poke(struct snapshot *s, uint64_t addr, const void *data, size_t len, void *old);

#endif /* REPLAY_SNAPSHOT_H */
