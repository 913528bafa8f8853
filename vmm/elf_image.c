#include "elf_image.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

uint8_t *elf_executable_trim(const uint8_t *image, size_t size, size_t *trimmed_size)
{
	Elf64_Ehdr header;
	size_t end;
	uint8_t *copy;

	if (size < sizeof(header))
		return NULL;
	memcpy(&header, image, sizeof(header));
	if (memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS64 ||
	    header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phoff > size ||
	    header.e_phnum > (size - header.e_phoff) / sizeof(Elf64_Phdr))
		return NULL;
	end = header.e_phoff + (size_t)header.e_phnum * sizeof(Elf64_Phdr);
	/* The header itself always stays, even when the program headers sit before its end (or
	 * there are none): found by fuzz_sandbox_spec. */
	if (end < sizeof(header))
		end = sizeof(header);
	for (unsigned int i = 0; i < header.e_phnum; i++) {
		Elf64_Phdr segment;

		memcpy(&segment, image + header.e_phoff + i * sizeof(segment), sizeof(segment));
		if (segment.p_type == PT_NULL)
			continue;
		/* Every segment with file contents stays (PT_NOTE, PT_TLS... lie inside PT_LOADs). */
		if (segment.p_offset > size || segment.p_filesz > size - segment.p_offset)
			return NULL;
		if (segment.p_offset + segment.p_filesz > end)
			end = segment.p_offset + segment.p_filesz;
	}
	copy = malloc(end);
	if (!copy)
		return NULL;
	memcpy(copy, image, end);
	if (end < size) {
		header.e_shoff = 0;
		header.e_shnum = 0;
		header.e_shstrndx = SHN_UNDEF;
		memcpy(copy, &header, sizeof(header));
	}
	*trimmed_size = end;
	return copy;
}
