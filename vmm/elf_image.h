/*
 * The part of a static ELF64 executable the kernel needs to run it: the ELF header, the
 * program headers and the loadable segments. lvmm sandbox puts lvmm itself into the guest's
 * initrd as init; what a debugger needs (symbols, debug sections, section headers) only makes
 * the initrd bigger, and unpacking it costs guest time at every boot.
 */
#ifndef LVMM_ELF_IMAGE_H
#define LVMM_ELF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A malloc'd copy of the file's first bytes up to the end of its last loadable segment (and
 * its program headers), with the section header fields cleared since the sections are cut
 * off. NULL if image is no ELF64 executable this can trim (then the caller uses it whole) or
 * memory ran out. *trimmed_size gets the copy's size.
 */
uint8_t *elf_executable_trim(const uint8_t *image, size_t size, size_t *trimmed_size);

#endif
