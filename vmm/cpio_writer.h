/*
 * A cpio archive in the "newc" format (the kernel's initramfs format), built in memory: what
 * lvmm sandbox hands the guest kernel as its initrd (vmm/sandbox_initrd.c).
 */
#ifndef LVMM_CPIO_WRITER_H
#define LVMM_CPIO_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cpio_writer {
	uint8_t *bytes;
	size_t size;
	size_t capacity;
	uint32_t next_inode;
	int failed;           /* an allocation failed: every later call does nothing */
};

void cpio_writer_init(struct cpio_writer *writer);
/* A directory, a regular file with data, or a character device node. Names are relative
 * ("init", "dev/console"); parents come first. */
void cpio_add_directory(struct cpio_writer *writer, const char *name, mode_t permissions);
void cpio_add_file(struct cpio_writer *writer, const char *name, mode_t permissions,
		   const void *data, size_t size);
void cpio_add_char_device(struct cpio_writer *writer, const char *name, mode_t permissions,
			  unsigned int major, unsigned int minor);
/* Ends the archive (the TRAILER!!! entry). 0 and the archive in writer->bytes/size (the
 * caller frees bytes), or -1 when memory ran out (nothing to free). */
int cpio_finish(struct cpio_writer *writer);

#endif
