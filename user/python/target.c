/* Finding the CPython runtime in a process and its version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "python/debug_offsets.h"
#include "proc/elf_image.h"
#include "proc/procfs.h"
#include "proc/target_files.h"
#include "python/detect.h"
#include "python/code_reader.h"
#include "python/target.h"

#define MAX_U16(a, b) ((a) > (b) ? (a) : (b))

/* The bytes the walker reads at once per frame and per thread state. */
static void derive_read_sizes(struct py_offsets *o)
{
	unsigned f = MAX_U16(o->frame_previous + 8u, o->frame_code + 8u);
	unsigned t = MAX_U16(o->tstate_next + 8u, o->tstate_frame + 8u);

	f = MAX_U16(f, o->frame_lasti + (o->lasti_kind == LASTI_PTR ? 8u : 4u));
	if (o->frame_owner != PYBPFTOP_NO_OFFSET)
		f = MAX_U16(f, o->frame_owner + 1u);
	if (o->frame_tlbc_index && o->frame_tlbc_index != PYBPFTOP_NO_OFFSET)
		f = MAX_U16(f, o->frame_tlbc_index + 4u);
	t = MAX_U16(t, o->tstate_thread_id + 8u);
	if (o->tstate_native_thread_id != PYBPFTOP_NO_OFFSET)
		t = MAX_U16(t, o->tstate_native_thread_id + 8u);
	t = MAX_U16(t, o->tstate_interp + 8u);
	if (o->tstate_status != PYBPFTOP_NO_OFFSET)
		t = MAX_U16(t, o->tstate_status + 4u);
	o->frame_read_size = f;
	o->tstate_read_size = t;
}

static void read_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int is_candidate(const char *path, const char *exe)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(path, exe) || !strncmp(base, "libpython", 9);
}

/* Open the file behind a mapping. /proc/PID/map_files names the very file
 * mapped, whatever namespace or chroot the target is in; without it (no
 * CAP_SYS_ADMIN), resolve the path in the target's root, as its user. */
static int open_mapped_file(pid_t pid, const struct proc_map *m, struct elf_image *img)
{
	struct target_root root;
	struct stat st;
	int rc;

	if (!elf_image_open(img, target_open_mapped(pid, m->start, m->end)))
		return 0;
	if ((rc = target_root_open(&root, pid)))
		return rc;
	rc = elf_image_open(img, target_open(&root, m->path, &st));
	target_root_close(&root);
	return rc;
}

/* Look for _PyRuntime in the executable and in any libpython. */
static int find_runtime(struct py_target *t, const struct proc_maps *maps,
			const char *exe, uint64_t *py_version_addr)
{
	for (size_t i = 0; i < maps->n; i++) {
		const char *path = maps->v[i].path;
		const struct proc_map *base;
		struct elf_image img;
		uint64_t sym, bias = 0;
		int found;

		if (maps->v[i].offset || !is_candidate(path, exe) ||
		    proc_maps_base(maps, path) != &maps->v[i])
			continue;
		if (open_mapped_file(t->pid, &maps->v[i], &img))
			continue;
		found = !elf_image_symbol(&img, "_PyRuntime", &sym);
		if (found) {
			base = &maps->v[i];
			if (img.is_dyn)
				bias = base->start - img.min_vaddr;
			t->runtime_addr = bias + sym;
			t->runtime_bias = bias;
			snprintf(t->runtime_file, sizeof(t->runtime_file), "%s", path);
			py_builtins_resolve(&img, bias, &t->builtins);
			if (!elf_image_symbol(&img, "Py_Version", &sym))
				*py_version_addr = bias + sym;
		}
		elf_image_close(&img);
		if (found)
			return 0;
	}
	return -ENOENT;
}

/* The full PY_VERSION ("3.10.13") of a version found by name, from the
 * .rodata of the file that defines _PyRuntime, else of `fallback` (a
 * libpython, or the executable): names only say "3.10". 0, or -errno. */
static int full_version_from_file(struct py_target *t, const struct proc_maps *maps,
				  const char *fallback)
{
	const char *path = t->runtime_file[0] ? t->runtime_file : fallback;
	const struct proc_map *m = proc_maps_base(maps, path);
	struct elf_image img;
	const void *rodata;
	size_t len;
	int err;

	if (!m || open_mapped_file(t->pid, m, &img))
		return -ENOENT;
	err = elf_image_section(&img, ".rodata", &rodata, &len) ?:
	      py_version_full_from_rodata(rodata, len, t->major, t->minor,
					  t->version, sizeof(t->version));
	elf_image_close(&img);
	return err;
}

/* The version, through a chain of fallbacks, most precise first. */
static int detect_version(struct py_target *t, const struct proc_maps *maps,
			  const char *exe, uint64_t py_version_addr)
{
	uint8_t dbg[16];
	uint64_t hex = 0;

	t->version[0] = '\0';
	if (t->runtime_addr && !remote_read(&t->mem, t->runtime_addr, dbg, sizeof(dbg)) &&
	    !memcmp(dbg, "xdebugpy", 8)) {
		memcpy(&hex, dbg + 8, sizeof(hex));
		if (!py_version_from_hex(hex, &t->major, &t->minor)) {
			t->version_source = "_Py_DebugOffsets";
			goto found_hex;
		}
	}
	if (py_version_addr && !remote_read(&t->mem, py_version_addr, &hex, sizeof(hex)) &&
	    !py_version_from_hex(hex, &t->major, &t->minor)) {
		t->version_source = "Py_Version";
		goto found_hex;
	}
	for (size_t i = 0; i < maps->n; i++) {
		const char *base = strrchr(maps->v[i].path, '/');

		if (base && !strncmp(base + 1, "libpython", 9) &&
		    !py_version_from_name(base + 1, &t->major, &t->minor)) {
			t->version_source = "libpython file name";
			if (!full_version_from_file(t, maps, maps->v[i].path)) {
				t->version_source = "libpython file name and version string";
				return 0;
			}
			goto found;
		}
	}
	if (!py_version_from_name(exe, &t->major, &t->minor)) {
		t->version_source = "executable name";
		if (!full_version_from_file(t, maps, exe)) {
			t->version_source = "executable name and version string";
			return 0;
		}
		goto found;
	}
	if (t->runtime_file[0] && proc_maps_base(maps, t->runtime_file)) {
		struct elf_image img;
		int err, full;

		if (!open_mapped_file(t->pid, proc_maps_base(maps, t->runtime_file), &img)) {
			const void *rodata;
			size_t len;

			/* The PY_VERSION literal, "3.X.Y". */
			err = elf_image_section(&img, ".rodata", &rodata, &len) ?:
			      py_version_from_rodata(rodata, len, &t->major, &t->minor);
			full = !err && !py_version_full_from_rodata(rodata, len, t->major, t->minor,
								    t->version, sizeof(t->version));
			elf_image_close(&img);
			if (!err) {
				t->version_source = "version string in the binary";
				if (full)
					return 0;
				goto found;
			}
		}
	}
	return -ENOENT;
found_hex:
	snprintf(t->version, sizeof(t->version), "%d.%d.%d", t->major, t->minor,
		 (int)((hex >> 8) & 0xff));
	return 0;
found:
	snprintf(t->version, sizeof(t->version), "%d.%d", t->major, t->minor);
	return 0;
}

int py_target_open(pid_t pid, struct py_target *t, char *err, size_t errlen)
{
	char path[64], exe[PATH_MAX];
	struct proc_maps maps;
	uint64_t py_version_addr = 0;
	struct stat st;
	ssize_t n;
	int rc;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->mem_pid = pid;
	t->mem = remote_mem_pid(&t->mem_pid);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (pid <= 0 || stat(path, &st)) {
		snprintf(err, errlen, "no process with pid %d: check the pid (ps -C python3 -o pid,cmd)", pid);
		return -ESRCH;
	}
	t->start_ticks = proc_start_ticks(pid);
	read_comm(pid, t->comm, sizeof(t->comm));
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0) {
		if (errno == ENOENT) {
			snprintf(err, errlen, "process %d (%s) is a kernel thread or a zombie, not a Python process", pid, t->comm);
			return -ENOEXEC;
		}
		snprintf(err, errlen, "cannot inspect process %d: %s: run as root or grant CAP_SYS_PTRACE", pid, strerror(errno));
		return -EACCES;
	}
	exe[n] = '\0';
	rc = proc_maps_read(pid, &maps);
	if (rc) {
		/* ENOENT: it exited meanwhile, which root does not help. */
		snprintf(err, errlen, "cannot read /proc/%d/maps: %s%s", pid, strerror(-rc),
			 rc == -ENOENT ? " (it exited)" : ": run as root");
		return rc == -ENOENT ? -ENOEXEC : -EACCES;
	}

	find_runtime(t, &maps, exe, &py_version_addr);
	rc = detect_version(t, &maps, exe, py_version_addr);
	proc_maps_free(&maps);
	if (rc && !t->runtime_addr) {
		char range[64];

		snprintf(err, errlen, "process %d (%s) is not a Python process: no _PyRuntime symbol in %s or a libpython it maps; pass the pid of a %s process",
			 pid, t->comm, exe, py_version_range(range, sizeof(range)));
		return -ENOEXEC;
	}
	if (rc) {
		snprintf(err, errlen, "process %d (%s) has a CPython runtime but its version could not be detected (tried _Py_DebugOffsets, Py_Version, file names, version string)", pid, t->comm);
		return -EOPNOTSUPP;
	}
	/* An unsupported version says so first (2.7 has no _PyRuntime either):
	 * py_layout_select refuses it without reading the target. */
	if (!t->runtime_addr && py_version_row_find(t->major, t->minor)) {
		snprintf(t->layout_source, sizeof(t->layout_source), "no _PyRuntime symbol was found");
		rc = -ENOENT;
	} else {
		rc = py_layout_select(&t->mem, t->runtime_addr, t->major, t->minor, &t->v,
				      t->layout_source, sizeof(t->layout_source));
	}
	if (rc) {
		snprintf(err, errlen, "process %d (%s) runs Python %s (found by %s), which is not supported: %s",
			 pid, t->comm, t->version, t->version_source, t->layout_source);
		return -EOPNOTSUPP;
	}
	if (t->v.free_threaded)		/* as sys.abiflags and the binary say it: 3.13.15t */
		strncat(t->version, "t", sizeof(t->version) - strlen(t->version) - 1);
	/* What was read must all be of one process: a pid that exited and
	 * was reused meanwhile is another process, with another start time. */
	if (t->start_ticks < 0 || proc_start_ticks(pid) != t->start_ticks) {
		snprintf(err, errlen, "process %d exited while it was inspected", pid);
		return -ESRCH;
	}
	return 0;
}

int py_layout_select(const struct remote_mem *m, uint64_t runtime_addr, int major, int minor,
		     struct py_version *out, char *why, size_t whylen)
{
	const struct py_version_row *row = py_version_row_find(major, minor);
	char range[64], reason[192];

	if (!row) {
		snprintf(why, whylen, "pybpftop supports %s", py_version_range(range, sizeof(range)));
		return -EOPNOTSUPP;
	}
	*out = *row->table;
	snprintf(why, whylen, "the built-in %d.%d table", major, minor);
	if (row->debug_offsets) {
		/* The version publishes its own layouts: trust them over our
		 * table, and when they do not pass, say why we did not. */
		size_t len = py_debug_offsets_size(row->debug_offsets);
		uint8_t *blob = calloc(1, len ? len : 1);
		const struct py_version_row *ft_row = py_version_row_find_build(major, minor, 1);
		uint64_t ft = 0;
		int rc, unread;

		if (!blob)
			return -ENOMEM;
		rc = remote_read(m, runtime_addr, blob, len);
		unread = rc != 0;
		if (unread)
			snprintf(reason, sizeof(reason), "%s", strerror(-rc));
		else
			rc = py_debug_offsets_parse(blob, len, NULL, NULL, out, reason, sizeof(reason));
		/* free_threaded sits at byte 16 in every layout (3.13-3.15):
		 * a blob rejected for another field still tells the build,
		 * and a free-threaded one needs its own table. */
		if (!unread && len >= 24)
			memcpy(&ft, blob + 16, sizeof(ft));
		free(blob);
		if (!rc) {
			const struct py_version_row *built =
				py_version_row_find_build(major, minor, out->free_threaded);
			const struct py_version *base = built ? built->table : row->table;

			snprintf(why, whylen, "the target's _Py_DebugOffsets (%d.%d layout%s)",
				 major, row->debug_offsets,
				 out->free_threaded ? ", a free-threaded build" : "");
			/* _co_firsttraceable is not in the blob: the table's
			 * offset holds only for the code layout it was read
			 * from (the free-threaded build's has its own table).
			 * Another layout leaves it unknown, and no frame is
			 * taken for incomplete. */
			if (out->user.code_filename != base->user.code_filename ||
			    out->bpf.code_adaptive != base->bpf.code_adaptive)
				out->user.code_firsttraceable = 0;
		} else if (unread) {
			snprintf(why, whylen, "the built-in %d.%d table: the target's _Py_DebugOffsets could not be read (%s)",
				 major, minor, reason);
		} else if (rc == -EOPNOTSUPP) {
			snprintf(why, whylen, "its build's layout is one pybpftop does not know (%s): pybpftop supports default builds of %s",
				 reason, py_version_range(range, sizeof(range)));
			return -EOPNOTSUPP;
		} else if (ft == 1 && ft_row) {
			*out = *ft_row->table;
			snprintf(why, whylen, "the built-in %d.%dt table: the target's _Py_DebugOffsets was rejected (%s)",
				 major, minor, reason);
		} else {
			snprintf(why, whylen, "the built-in %d.%d table: the target's _Py_DebugOffsets was rejected (%s)",
				 major, minor, reason);
		}
	}
	derive_read_sizes(&out->bpf);
	if (out->bpf.frame_read_size > PYBPFTOP_READ_MAX ||
	    out->bpf.tstate_read_size > PYBPFTOP_READ_MAX) {
		snprintf(why, whylen, "its struct layout is out of range (thread state needs %u bytes); please report this",
			 out->bpf.tstate_read_size);
		return -ERANGE;
	}
	return 0;
}

int py_layout_builtin(int major, int minor, int free_threaded, struct py_version *out)
{
	const struct py_version_row *row = py_version_row_find_build(major, minor, free_threaded);

	if (!row)
		return -EOPNOTSUPP;
	*out = *row->table;
	derive_read_sizes(&out->bpf);
	return 0;
}

void py_target_bpf_record(const struct py_target *t, struct py_proc *out)
{
	*out = (struct py_proc){
		.interp_head_addr = t->runtime_addr + t->v.bpf.runtime_interpreters_head,
		.start_ticks = (__u64)t->start_ticks,
		.off = t->v.bpf,
	};
	py_code_fp_fields(&t->v.user, &out->off.code_fp);
}

int py_target_alive(const struct py_target *t)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", t->pid);
	return stat(path, &st) == 0;
}
