/* Symbols and segments of an ELF file, through libelf. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "proc/elf_image.h"

int elf_image_open(struct elf_image *img, const char *path)
{
	GElf_Ehdr eh;
	size_t i, n;

	memset(img, 0, sizeof(*img));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0)
		return -errno;
	img->elf = elf_begin(img->fd, ELF_C_READ_MMAP, NULL);
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

static int find_in(struct elf_image *img, Elf64_Word type, const char *name,
		   uint64_t *addr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(img->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != type || !sh.sh_entsize)
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
	size_t shstrndx;

	if (elf_getshdrstrndx(img->elf, &shstrndx))
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
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			return -ENOENT;
		*buf = data->d_buf;
		*len = data->d_size;
		return 0;
	}
	return -ENOENT;
}
