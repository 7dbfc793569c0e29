/* Symbols and segments of an ELF file, through libelf. */
#ifndef ELF_IMAGE_H
#define ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

/* The most of one section (a symbol or string table, .rodata) that is read:
 * a target controls the file, and a section's size is what libelf
 * allocates. The largest in the interpreters we test: python3.15's .rodata,
 * 2.7 MB; libpython3.14d's .symtab, 0.6 MB. Larger ones are not read. */
#define ELF_IMAGE_SECTION_MAX (16u << 20)

struct elf_image {
	int fd;
	Elf *elf;
	uint64_t size;		/* the file's, when opened: no section reaches past it */
	int is_dyn;		/* ET_DYN (PIE or shared library): needs a load bias */
	uint64_t min_vaddr;	/* lowest PT_LOAD address, page aligned */
};

/* Takes fd (from target_open() or target_open_mapped(); a negative fd is
 * returned as the error) and reads the file with pread(), never a mapping:
 * a file truncated under us is an error, not a SIGBUS. 0, or -errno. */
int elf_image_open(struct elf_image *img, int fd);
void elf_image_close(struct elf_image *img);

/* The address of a symbol (st_value), looked up in .symtab then .dynsym
 * (the first table of each type, within ELF_IMAGE_SECTION_MAX).
 * 0 when found, -ENOENT when not. */
int elf_image_symbol(struct elf_image *img, const char *name, uint64_t *addr);

/* The file offset of a virtual address (st_value), through the PT_LOAD
 * segments: what uprobes are attached by. 0 when found, -ENOENT when not. */
int elf_image_file_offset(struct elf_image *img, uint64_t vaddr, uint64_t *off);

/* The contents of the section called name (of type PROGBITS, such as
 * ".rodata"), valid until elf_image_close(). 0 when found; -ENOENT also
 * when it is over ELF_IMAGE_SECTION_MAX. */
int elf_image_section(struct elf_image *img, const char *name, const void **buf, size_t *len);

#endif /* ELF_IMAGE_H */
