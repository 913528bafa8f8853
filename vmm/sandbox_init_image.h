/*
 * The sandbox's init program, built into lvmm (vmm/sandbox_init_image.S): the bytes of a
 * static aarch64 executable, written as /init into each sandbox's initrd.
 */
#ifndef LVMM_SANDBOX_INIT_IMAGE_H
#define LVMM_SANDBOX_INIT_IMAGE_H

#include <stdint.h>

extern const uint8_t sandbox_init_image[];
extern const uint8_t sandbox_init_image_end[];

#endif
