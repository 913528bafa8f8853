#include "sve_vector_lengths.h"

#define SVE_VQ_BITS 128u
#define SVE_VQ_COUNT (SVE_VLS_WORDS * 64u)

bool sve_vls_cap(uint64_t words[SVE_VLS_WORDS], unsigned int max_vl)
{
	unsigned int max_vq = max_vl / SVE_VQ_BITS;

	if (max_vq == 0 || max_vq > SVE_VQ_COUNT || max_vl % SVE_VQ_BITS ||
	    !(words[(max_vq - 1) / 64] & (1ULL << ((max_vq - 1) % 64))))
		return false;
	for (unsigned int vq = max_vq + 1; vq <= SVE_VQ_COUNT; vq++)
		words[(vq - 1) / 64] &= ~(1ULL << ((vq - 1) % 64));
	return true;
}

unsigned int sve_vls_longest(const uint64_t words[SVE_VLS_WORDS])
{
	for (unsigned int vq = SVE_VQ_COUNT; vq > 0; vq--) {
		if (words[(vq - 1) / 64] & (1ULL << ((vq - 1) % 64)))
			return vq * SVE_VQ_BITS;
	}
	return 0;
}
