/* libFuzzer harness: what lvmm does with a -k file before the guest runs: gzip detection and
 * inflation (bounded), the Image header (or a flat binary), and the placement in RAM. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arm/boot_layout.h"
#include "vmm/arch.h"
#include "vmm/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct payload payload = { 0 };
	struct boot_layout layout;
	uint64_t offset, load_size;
	char err[512];

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	payload = (struct payload){ .data = copy, .size = size, .mapping = copy, .mapping_size = size };
	/* 64 MiB of guest RAM: enough for real Images, small enough for the fuzzer's memory. */
	if (payload_gunzip(&payload, 64ull << 20, PAYLOAD_IMAGE_MAX_BYTES, "fuzz", err, sizeof(err)) == 0 &&
	    arch_kernel_image_parse(payload.data, payload.size, &offset, &load_size, err, sizeof(err)) == 0) {
		struct boot_layout_request request = {
			.ram_base = 0x80000000ull, .ram_size = 64ull << 20, .load_offset = offset,
			.load_size = load_size, .initrd_size = size,
		};

		boot_layout_place(&request, &layout, err, sizeof(err));
	}
	if (payload.compressed)
		free(payload.data);
	free(copy);
	return 0;
}
