/*
 * Sizes shared by head.S and the C library. Plain #defines only: head.S includes this too.
 * 8 CPUs x 16 KiB keeps every image's BSS at 128 KiB, well inside lvmm's 16 MiB minimum RAM.
 */
#ifndef GUEST_LIMITS_H
#define GUEST_LIMITS_H

#define GUEST_MAX_CPUS   8
#define GUEST_STACK_SIZE 16384

#endif
