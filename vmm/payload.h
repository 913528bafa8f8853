#ifndef LVMM_PAYLOAD_H
#define LVMM_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/*
 * A file's contents. Payloads are loaded at every (re)boot and freed as soon as they are in
 * guest RAM, so lvmm holds no copy of them while the guest runs; the file is mapped, not read.
 */
struct payload {
	uint8_t *data;        /* the contents: the mapping, or the decompressed copy */
	size_t size;
	uint8_t *mapping;     /* the file, mapped read-only (NULL for an empty file) */
	size_t mapping_size;
	bool compressed;      /* data is a malloc'd decompressed copy of the mapping */
	bool built;           /* data was made by lvmm (malloc'd), not read from a file */
};

struct payloads {
	struct payload kernel;    /* decompressed if it was gzip-compressed */
	struct payload initrd;
	struct payload firmware;
	uint64_t load_offset;     /* text_offset for a kernel, 0 for firmware */
	uint64_t load_size;       /* image_size (BSS included) or the firmware's size */
};

/* Maps a whole file (at most max_size bytes). 0 or -1 with a one-line reason in err. */
int payload_read_file(const char *path, uint64_t max_size, struct payload *payload, char *err,
		      size_t err_size);
/* No arm64 kernel Image decompresses to more than this (a few tens of MiB is usual): past it a
 * compressed -k is not a kernel, and lvmm says so instead of advising a larger -m. */
#define PAYLOAD_IMAGE_MAX_BYTES (1ULL << 30)

/* A check payload_gunzip() makes at least every 8 MiB of output: when it returns true the
 * decompression stops with an error (lvmm: a stop signal is pending). NULL: none. */
void payload_set_interrupt_check(bool (*interrupted)(void));
/* Replaces a gzip-compressed payload by its contents, all members of it, at most
 * min(ram_size, image_max) bytes; other payloads stay as they are. */
int payload_gunzip(struct payload *payload, uint64_t ram_size, uint64_t image_max, const char *path,
		   char *err, size_t err_size);
/* Reads and checks everything -k/-i/-f name. */
int payloads_load(const struct run_options *opts, struct payloads *payloads, char *err,
		  size_t err_size);
void payloads_free(struct payloads *payloads);

#endif
