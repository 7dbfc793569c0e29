/* Unit test for user/proc/elf_image.c against hostile ELF files: a target
 * controls its executable and any file it maps under a libpython name.
 *
 * Each file is written here (a small ELF64 writer, below) and looked up
 * in a child process, as pybpftop does at attach (30 lookups and .rodata),
 * under a time limit; the child reports its peak RSS. Each attack below
 * took seconds to hours or gigabytes before elf_image.c bounded it, and
 * the truncated file killed the child with SIGBUS while libelf mapped it. */
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc/elf_image.h"
#include "check.h"

#define LIMIT_S		10	/* the child is killed after this */
#define BUDGET_S	2.0	/* what a lookup of any of these may take */
#define BUDGET_KB	(64 * 1024)

static char dir[] = "/tmp/test_elf_image.XXXXXX";

/* The file's parts; the writer lays them out in this order. */
struct elf_spec {
	uint32_t nsyms;		/* symbols: the null one, "_PyRuntime", then nameless ones */
	uint32_t extra_symtabs;	/* more SHT_SYMTAB headers sharing the symbols */
	uint64_t strtab_len;	/* 0: just the names; else this long, no final NUL */
	uint64_t symtab_size;	/* 0: nsyms * 24; else a claimed size, sparse */
	uint64_t claim_shnum;	/* 0: the real count; else extended numbering, sparse */
	int name_past_end;	/* _PyRuntime's st_name beyond its string table */
};

static void put(int fd, const void *p, size_t len, off_t at)
{
	if (pwrite(fd, p, len, at) != (ssize_t)len)
		abort();
}

/* Sections: null, .symtab, .strtab, .shstrtab, .rodata, extra symtabs. */
static void write_elf(const char *path, const struct elf_spec *s)
{
	static const char shstr[] = "\0.symtab\0.strtab\0.shstrtab\0.rodata";
	static const char rodata[] = "%s\0" "3.11.7\0";
	const char names[] = "\0_PyRuntime";
	uint32_t nsh = 5 + s->extra_symtabs;
	uint64_t off_sym = 0x1000, sym_size = (uint64_t)s->nsyms * sizeof(Elf64_Sym);
	uint64_t off_str = off_sym + sym_size, str_len = s->strtab_len ?: sizeof(names);
	uint64_t off_shstr = off_str + str_len, off_ro = off_shstr + sizeof(shstr);
	uint64_t off_sh = (off_ro + sizeof(rodata) + 63) & ~63ULL, end;
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
		.e_type = ET_DYN, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr), .e_shoff = off_sh,
		.e_ehsize = sizeof(Elf64_Ehdr), .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1,
		.e_shentsize = sizeof(Elf64_Shdr), .e_shnum = nsh, .e_shstrndx = 3,
	};
	Elf64_Phdr ph = { .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0, .p_vaddr = 0,
			  .p_filesz = off_sh, .p_memsz = off_sh, .p_align = 0x1000 };
	Elf64_Sym rt = { .st_name = s->name_past_end ? 0x7ffffff0 : 1,
			 .st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), .st_shndx = 4,
			 .st_value = 0x1234, .st_size = 8 };
	Elf64_Shdr sh[5] = {
		{ 0 },
		{ .sh_name = 1, .sh_type = SHT_SYMTAB, .sh_offset = off_sym,
		  .sh_size = s->symtab_size ?: sym_size, .sh_link = 2, .sh_info = 0,
		  .sh_addralign = 8, .sh_entsize = sizeof(Elf64_Sym) },
		{ .sh_name = 9, .sh_type = SHT_STRTAB, .sh_offset = off_str, .sh_size = str_len,
		  .sh_addralign = 1 },
		{ .sh_name = 17, .sh_type = SHT_STRTAB, .sh_offset = off_shstr,
		  .sh_size = sizeof(shstr), .sh_addralign = 1 },
		{ .sh_name = 27, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC, .sh_offset = off_ro,
		  .sh_size = sizeof(rodata), .sh_addralign = 1 },
	};
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		abort();
	if (s->claim_shnum) {
		eh.e_shnum = 0;
		sh[0].sh_size = s->claim_shnum;
	}
	put(fd, &eh, sizeof(eh), 0);
	put(fd, &ph, sizeof(ph), sizeof(eh));
	if (s->nsyms > 1) {
		Elf64_Sym *syms = calloc(s->nsyms, sizeof(Elf64_Sym));

		/* Defined and named "", so that each is a string looked up. */
		for (uint32_t i = 1; i < s->nsyms; i++)
			syms[i].st_shndx = 4;
		syms[1] = rt;
		put(fd, syms, sym_size, off_sym);
		free(syms);
	}
	if (s->strtab_len) {
		char *str = malloc(str_len);

		memset(str, 'A', str_len);
		memcpy(str, names, sizeof(names) - 1);
		put(fd, str, str_len, off_str);
		free(str);
	} else {
		put(fd, names, sizeof(names), off_str);
	}
	put(fd, shstr, sizeof(shstr), off_shstr);
	put(fd, rodata, sizeof(rodata), off_ro);
	put(fd, sh, sizeof(sh), off_sh);
	for (uint32_t i = 0; i < s->extra_symtabs; i++)
		put(fd, &sh[1], sizeof(sh[1]), off_sh + (5 + i) * sizeof(Elf64_Shdr));
	end = off_sh + nsh * sizeof(Elf64_Shdr);
	if (s->claim_shnum && off_sh + s->claim_shnum * sizeof(Elf64_Shdr) > end)
		end = off_sh + s->claim_shnum * sizeof(Elf64_Shdr);
	if (s->symtab_size && off_sym + s->symtab_size > end)
		end = off_sym + s->symtab_size;
	if (ftruncate(fd, end))
		abort();
	close(fd);
}

/* What the child saw, through a pipe. */
struct outcome {
	int open_rc, sym_rc, rodata_rc;
	uint64_t runtime;
	double seconds;
	long rss_kb;		/* the child's peak */
	int signal;		/* what killed it, or 0 */
};

/* The lookups of find_runtime and find_api: 30 names, then .rodata. With
 * empty_it, the file is emptied once it is open. */
static void lookups(const char *path, int empty_it, struct outcome *o)
{
	static const char *const names[] = { "_Py_NoneStruct", "PyLong_Type", "Py_Version",
					     "PyObject_Malloc", "_PyObject_Malloc" };
	struct elf_image img;
	struct timespec t0, t1;
	struct rusage ru;
	const void *buf;
	uint64_t addr;
	size_t len;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	o->open_rc = elf_image_open(&img, open(path, O_RDONLY | O_CLOEXEC));
	o->sym_rc = o->rodata_rc = -1;
	if (!o->open_rc) {
		if (empty_it && truncate(path, 0))
			abort();
		o->sym_rc = elf_image_symbol(&img, "_PyRuntime", &o->runtime);
		for (int i = 0; i < 29; i++)
			elf_image_symbol(&img, names[i % 5], &addr);
		o->rodata_rc = elf_image_section(&img, ".rodata", &buf, &len);
		elf_image_close(&img);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	o->rss_kb = ru.ru_maxrss;
}

static struct outcome run(const struct elf_spec *s, int empty_it)
{
	struct outcome o = { 0 };
	char path[64];
	int p[2], status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/f", dir);
	write_elf(path, s);
	if (pipe(p))
		abort();
	pid = fork();
	if (pid == 0) {
		alarm(LIMIT_S);
		lookups(path, empty_it, &o);
		if (write(p[1], &o, sizeof(o)) != sizeof(o))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &o, sizeof(o)) != sizeof(o))
		o.open_rc = o.sym_rc = o.rodata_rc = -1000;
	close(p[0]);
	waitpid(pid, &status, 0);
	o.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	unlink(path);
	return o;
}

/* Survived, within the time and memory budgets. */
#define BOUNDED(o, what) \
	CHECK(!(o).signal && (o).seconds < BUDGET_S && (o).rss_kb < BUDGET_KB, \
	      "%s: signal %d, %.2f s, %ld KB peak", what, (o).signal, (o).seconds, (o).rss_kb)

int main(void)
{
	struct outcome o;

	if (!mkdtemp(dir))
		return 1;

	/* The writer's own file: found. */
	o = run(&(struct elf_spec){ .nsyms = 2 }, 0);
	BOUNDED(o, "a plain file");
	CHECK(!o.open_rc && !o.sym_rc && o.runtime == 0x1234 && !o.rodata_rc,
	      "open %d, _PyRuntime %d (%#llx), .rodata %d", o.open_rc, o.sym_rc,
	      (unsigned long long)o.runtime, o.rodata_rc);

	/* Truncated once open: read, not mapped, so no SIGBUS. */
	o = run(&(struct elf_spec){ .nsyms = 2 }, 1);
	CHECK(!o.signal, "truncated while open: killed by signal %d", o.signal);

	/* A string table without its final NUL (16 MiB): elf_strptr scans it
	 * for each name, 2,000 symbols x 30 lookups. Refused. */
	o = run(&(struct elf_spec){ .nsyms = 2000, .strtab_len = 16u << 20 }, 0);
	BOUNDED(o, "a string table without a final NUL");
	CHECK(o.sym_rc == -ENOENT, "found %d", o.sym_rc);

	/* 60,000 symbol tables sharing 20,000 symbols: only the first is read. */
	o = run(&(struct elf_spec){ .nsyms = 20000, .extra_symtabs = 60000 }, 0);
	BOUNDED(o, "60,000 symbol tables");
	CHECK(!o.sym_rc, "the first table's _PyRuntime: %d", o.sym_rc);

	/* A 1.5 GiB symbol table in a sparse file: over the budget, unread. */
	o = run(&(struct elf_spec){ .nsyms = 2, .symtab_size = 24ULL << 26 }, 0);
	BOUNDED(o, "a 1.5 GiB symbol table");
	CHECK(o.sym_rc == -ENOENT, "found %d", o.sym_rc);

	/* 4M sections claimed through extended numbering, in a sparse file:
	 * libelf would allocate a descriptor for each. Refused at open. */
	o = run(&(struct elf_spec){ .nsyms = 2, .claim_shnum = 4u << 20 }, 0);
	BOUNDED(o, "4M sections");
	CHECK(o.open_rc == -ENOEXEC, "open: %d", o.open_rc);

	/* A name beyond its string table: not found, nothing read there. */
	o = run(&(struct elf_spec){ .nsyms = 2, .name_past_end = 1 }, 0);
	BOUNDED(o, "a name past its string table");
	CHECK(o.sym_rc == -ENOENT, "found %d", o.sym_rc);

	rmdir(dir);
	CHECK_DONE("elf_image");
}
