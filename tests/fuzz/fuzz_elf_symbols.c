/* libFuzzer target: the ELF lookups pybpftop makes in a target's executable
 * or libpython, a file the target controls (it can be one it built).
 *
 * Input: the file's bytes. They go into a memfd, which is opened by its
 * /proc/self/fd path (a new file description: the image closes it), and then
 * looked up as pybpftop does:
 *   - python/target.c find_runtime: _PyRuntime, the built-in types and
 *     singletons (py_builtins_resolve), Py_Version, with a load bias for
 *     ET_DYN;
 *   - python/target.c detect_version and py_layout_select: the 16 bytes
 *     at _PyRuntime ("xdebugpy" and a version), Py_Version's value, the
 *     version string in .rodata, then the layout with the file's
 *     _Py_DebugOffsets. "Memory" is the file through its PT_LOAD segments:
 *     what a process mapping it would read there before it runs;
 *   - probe/alloc.c find_api: the allocator API's symbols and their file
 *     offsets through the segments.
 * Seeds: built by the Makefile (build/fuzz_elf_seeds: tiny ELF files from
 * tests/fuzz/elf_seed.c in several shapes, and the symbol tables of the
 * host's libpython); regressions: tests/fuzz/corpus_elf/; dictionary:
 * tests/fuzz/elf_symbols.dict. */
#include <fcntl.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc/elf_image.h"
#include "python/builtins.h"
#include "python/detect.h"
#include "python/target.h"

static int memfd = -1;

/* Where a process that maps the file with this bias reads: the file's
 * bytes, through the PT_LOAD segment holding the whole range. */
struct file_mem {
	struct elf_image *img;
	uint64_t bias;
};

static int file_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct file_mem *fm = ctx;
	uint64_t vaddr = addr - fm->bias, first, last;

	if (!len)
		return 0;
	if (vaddr + len < vaddr ||
	    elf_image_file_offset(fm->img, vaddr, &first) ||
	    elf_image_file_offset(fm->img, vaddr + len - 1, &last) || last - first != len - 1)
		return -EFAULT;
	return pread(memfd, buf, len, first) == (ssize_t)len ? 0 : -EFAULT;
}

/* find_runtime, then detect_version's steps that read the file. */
static void runtime(struct elf_image *img)
{
	const uint64_t load_start = 0x7f1234560000ULL;
	uint64_t sym, bias = 0, runtime_addr, py_version_addr = 0, hex = 0;
	struct file_mem fm = { img, 0 };
	struct remote_mem mem = { .read = file_read, .ctx = &fm };
	struct py_builtins b;
	struct py_version v;
	char why[384];
	uint8_t dbg[16];
	const void *rodata;
	size_t len;
	int major = 0, minor = 0, have = 0;

	if (elf_image_symbol(img, "_PyRuntime", &sym))
		return;
	if (img->is_dyn)
		bias = load_start - img->min_vaddr;
	runtime_addr = bias + sym;
	fm.bias = bias;
	py_builtins_resolve(img, bias, &b);
	if (!elf_image_symbol(img, "Py_Version", &sym))
		py_version_addr = bias + sym;

	if (!remote_read(&mem, runtime_addr, dbg, sizeof(dbg)) && !memcmp(dbg, "xdebugpy", 8)) {
		memcpy(&hex, dbg + 8, sizeof(hex));
		have = !py_version_from_hex(hex, &major, &minor);
	}
	if (!have && py_version_addr && !remote_read(&mem, py_version_addr, &hex, sizeof(hex)))
		have = !py_version_from_hex(hex, &major, &minor);
	if (!elf_image_section(img, ".rodata", &rodata, &len)) {
		int ma, mi;

		if (!py_version_from_rodata(rodata, len, &ma, &mi) && !have) {
			major = ma;
			minor = mi;
			have = 1;
		}
	}
	if (have)
		py_layout_select(&mem, runtime_addr, major, minor, &v, why, sizeof(why));
}

/* find_api: each allocator function's symbol and file offset. */
static void alloc_api(struct elf_image *img)
{
	static const char *const api[] = {
		"PyObject_Malloc", "PyObject_Calloc", "PyObject_Realloc", "PyObject_Free",
		"PyMem_Malloc", "PyMem_Calloc", "PyMem_Realloc", "PyMem_Free",
		"PyMem_RawMalloc", "PyMem_RawCalloc", "PyMem_RawRealloc", "PyMem_RawFree",
		"_PyObject_Malloc",
	};
	uint64_t addr, off;

	for (size_t i = 0; i < sizeof(api) / sizeof(api[0]); i++)
		if (!elf_image_symbol(img, api[i], &addr))
			elf_image_file_offset(img, addr, &off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	char path[64];

	if (memfd < 0) {
		memfd = memfd_create("fuzz_elf", MFD_CLOEXEC);
		if (memfd < 0)
			abort();
	}
	if (ftruncate(memfd, 0) || pwrite(memfd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	if (elf_image_open(&img, open(path, O_RDONLY | O_CLOEXEC)))
		return 0;
	runtime(&img);
	alloc_api(&img);
	elf_image_close(&img);
	return 0;
}
