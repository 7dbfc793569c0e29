/* Symbols and segments of an ELF file, through libelf.
 *
 * The file is a target's (its executable, its libpython), and the target
 * may own it and truncate it while we parse it. libelf's ELF_C_READ_MMAP
 * would then fault (SIGBUS) on the pages past the new end. ELF_C_READ
 * maps nothing: elfutils reads the headers with pread() at elf_begin() and
 * each section's data with pread() into memory of its own when it is first
 * asked for, so a short read is an error (ELF_E_READ_ERROR), not a signal.
 * It does not bound a section by the file's size (its maximum is "unknown"
 * when it reads): a section whose header claims more than the file holds
 * is skipped here before libelf is asked for its data. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "proc/elf_image.h"

/* Whether the header claims more sections or segments than its 16-bit
 * counts hold (extended numbering, the count in section 0). No interpreter
 * has that many, and libelf allocates a descriptor per section in
 * elf_begin: a sparse file of a few KB on disk that claims 4M sections
 * took 1.3 GB and 44 s of lookups. Read from the first bytes, before
 * libelf sees the file. */
static int extended_numbering(int fd)
{
	char buf[sizeof(Elf64_Ehdr)];
	GElf_Ehdr eh;
	Elf *e;
	int ext = 0;

	if (pread(fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		return 0;
	e = elf_memory(buf, sizeof(buf));
	if (e && gelf_getehdr(e, &eh))
		ext = (eh.e_shnum == 0 && eh.e_shoff) || eh.e_phnum == PN_XNUM;
	elf_end(e);
	return ext;
}

int elf_image_open(struct elf_image *img, int fd)
{
	struct stat st;
	GElf_Ehdr eh;
	size_t i, n;

	memset(img, 0, sizeof(*img));
	img->fd = fd;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		elf_image_close(img);
		return -EINVAL;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		int rc = -errno;

		elf_image_close(img);
		return rc;
	}
	img->size = st.st_size;
	if (extended_numbering(fd)) {
		elf_image_close(img);
		return -ENOEXEC;
	}
	img->elf = elf_begin(img->fd, ELF_C_READ, NULL);
	if (!img->elf || !gelf_getehdr(img->elf, &eh) || elf_getphdrnum(img->elf, &n)) {
		elf_image_close(img);
		return -ENOEXEC;
	}
	img->is_dyn = eh.e_type == ET_DYN;
	img->min_vaddr = UINT64_MAX;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(img->elf, i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_vaddr < img->min_vaddr)
			img->min_vaddr = ph.p_vaddr & ~(uint64_t)0xfff;
	}
	if (img->min_vaddr == UINT64_MAX)
		img->min_vaddr = 0;
	return 0;
}

void elf_image_close(struct elf_image *img)
{
	if (img->elf)
		elf_end(img->elf);
	if (img->fd > 0)
		close(img->fd);
	img->elf = NULL;
	img->fd = -1;
}

/* The contents of a section, if it is within the budget (checked before
 * libelf reads or converts it). */
static Elf_Data *section_data(const struct elf_image *img, Elf_Scn *scn, GElf_Shdr *sh)
{
	Elf_Data *d;

	if (!gelf_getshdr(scn, sh) || sh->sh_size > ELF_IMAGE_SECTION_MAX)
		return NULL;
	/* Bytes the file does not hold (NOBITS holds none). */
	if (sh->sh_type != SHT_NOBITS &&
	    (sh->sh_offset > img->size || sh->sh_size > img->size - sh->sh_offset))
		return NULL;
	d = elf_getdata(scn, NULL);
	return d && d->d_buf ? d : NULL;
}

/* String table ndx, if it is one whose offsets can be indexed as they
 * are: a STRTAB ending in NUL, as the gABI requires. elf_strptr accepts
 * one that does not, but then scans back from its end for each string
 * looked up: 16 MiB of it made 30 lookups take 5 s. */
static const char *string_table(const struct elf_image *img, size_t ndx, size_t *len)
{
	Elf_Scn *scn = elf_getscn(img->elf, ndx);
	Elf_Data *d;
	GElf_Shdr sh;

	if (!scn || !(d = section_data(img, scn, &sh)) || sh.sh_type != SHT_STRTAB ||
	    !d->d_size || ((const char *)d->d_buf)[d->d_size - 1])
		return NULL;
	*len = d->d_size;
	return d->d_buf;
}

static int find_in(struct elf_image *img, Elf64_Word type, const char *name,
		   uint64_t *addr)
{
	size_t i, n, strs_len;
	Elf_Scn *scn = NULL;
	const char *strs;
	Elf_Data *data;
	GElf_Shdr sh;

	/* Only the first table of the type: a file has one of each (the
	 * gABI), and many that share their symbols would make each lookup
	 * cost their number times the symbols'. */
	while ((scn = elf_nextscn(img->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == type)
			break;
	if (!scn || !(data = section_data(img, scn, &sh)) ||
	    !(strs = string_table(img, sh.sh_link, &strs_len)))
		return -ENOENT;
	n = data->d_size / gelf_fsize(img->elf, ELF_T_SYM, 1, EV_CURRENT);
	for (i = 0; i < n; i++) {
		GElf_Sym sym;

		if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF ||
		    sym.st_name >= strs_len)
			continue;
		if (!strcmp(strs + sym.st_name, name)) {
			*addr = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_image_symbol(struct elf_image *img, const char *name, uint64_t *addr)
{
	if (!find_in(img, SHT_SYMTAB, name, addr))
		return 0;
	return find_in(img, SHT_DYNSYM, name, addr);
}

int elf_image_file_offset(struct elf_image *img, uint64_t vaddr, uint64_t *off)
{
	size_t n;

	if (elf_getphdrnum(img->elf, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(img->elf, i, &ph) && ph.p_type == PT_LOAD &&
		    vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz) {
			*off = vaddr - ph.p_vaddr + ph.p_offset;
			return 0;
		}
	}
	return -ENOENT;
}

int elf_image_section(struct elf_image *img, const char *name, const void **buf, size_t *len)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx, names_len;
	const char *names;

	if (elf_getshdrstrndx(img->elf, &shstrndx) ||
	    !(names = string_table(img, shstrndx, &names_len)))
		return -ENOEXEC;
	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    sh.sh_name >= names_len || strcmp(names + sh.sh_name, name))
			continue;
		data = section_data(img, scn, &sh);
		if (!data)
			return -ENOENT;
		*buf = data->d_buf;
		*len = data->d_size;
		return 0;
	}
	return -ENOENT;
}
