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
	if (img->fd >= 0)
		close(img->fd);
	img->elf = NULL;
	img->fd = -1;
}

/* Whether the section's bytes lie within the file (NOBITS has none). */
static int in_file(const struct elf_image *img, const GElf_Shdr *sh)
{
	return sh->sh_type == SHT_NOBITS ||
	       (sh->sh_offset <= img->size && sh->sh_size <= img->size - sh->sh_offset);
}

/* Section ndx's header, if it lies within the file. */
static int shdr_in_file(const struct elf_image *img, size_t ndx, GElf_Shdr *sh)
{
	Elf_Scn *scn = elf_getscn(img->elf, ndx);

	return scn && gelf_getshdr(scn, sh) && in_file(img, sh);
}

static int find_in(struct elf_image *img, Elf64_Word type, const char *name,
		   uint64_t *addr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh, strs;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize ||
		    !in_file(img, &sh) || !shdr_in_file(img, sh.sh_link, &strs))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *s;

			if (!gelf_getsym(data, i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			s = elf_strptr(img->elf, sh.sh_link, sym.st_name);
			if (s && !strcmp(s, name)) {
				*addr = sym.st_value;
				return 0;
			}
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
	GElf_Shdr strs;
	size_t shstrndx;

	if (elf_getshdrstrndx(img->elf, &shstrndx) || !shdr_in_file(img, shstrndx, &strs))
		return -ENOEXEC;
	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		const char *sname;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		sname = elf_strptr(img->elf, shstrndx, sh.sh_name);
		if (!sname || strcmp(sname, name))
			continue;
		if (!in_file(img, &sh))
			return -ENOEXEC;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			return -ENOENT;
		*buf = data->d_buf;
		*len = data->d_size;
		return 0;
	}
	return -ENOENT;
}
