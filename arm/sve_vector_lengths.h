#ifndef LVMM_ARM_SVE_VECTOR_LENGTHS_H
#define LVMM_ARM_SVE_VECTOR_LENGTHS_H

#include <stdbool.h>
#include <stdint.h>

/* The vector-length set KVM_REG_ARM64_SVE_VLS holds: bit (vq - 1) of words[(vq - 1) / 64] for
 * each length vq * 128 bits. Pure helpers, unit-tested. */
#define SVE_VLS_WORDS 8
/* Clears every length above max_vl bits; false if max_vl itself is not in the set. */
bool sve_vls_cap(uint64_t words[SVE_VLS_WORDS], unsigned int max_vl);
/* The longest length in the set in bits, 0 if empty. */
unsigned int sve_vls_longest(const uint64_t words[SVE_VLS_WORDS]);

#endif
