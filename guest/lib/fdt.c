#include "fdt.h"

#include <stddef.h>

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

/* The blob is big-endian and its tokens 4-byte aligned: only aligned 32-bit loads here. */
static uint32_t be32(uint64_t address)
{
	return __builtin_bswap32(*(const volatile uint32_t *)address);
}

static bool string_is(uint64_t address, uint64_t limit, const char *want, bool prefix_only)
{
	const volatile char *s = (const volatile char *)address;

	for (; *want; want++, s++)
		if ((uint64_t)s >= limit || *s != *want)
			return false;
	return prefix_only || ((uint64_t)s < limit && *s == '\0');
}

static uint64_t cells(uint64_t address, uint32_t count)
{
	return count == 2 ? (uint64_t)be32(address) << 32 | be32(address + 4) : be32(address);
}

bool fdt_memory_range(uint64_t dtb, uint64_t *base, uint64_t *size)
{
	uint32_t address_cells = 2, size_cells = 1; /* the spec's defaults */
	uint64_t pos, end, strings, strings_end;
	unsigned int depth = 0;
	bool in_memory = false;

	if (dtb % 8 || be32(dtb) != FDT_MAGIC || be32(dtb + 20) < 17)
		return false;
	pos = dtb + be32(dtb + 8);
	end = pos + be32(dtb + 36);
	strings = dtb + be32(dtb + 12);
	strings_end = strings + be32(dtb + 32);
	while (pos + 4 <= end) {
		uint32_t token = be32(pos), length;
		uint64_t name;

		pos += 4;
		switch (token) {
		case FDT_BEGIN_NODE:
			depth++;
			/* Children of the root are at depth 2: "memory" or "memory@<address>". */
			in_memory = depth == 2 && (string_is(pos, end, "memory@", true) ||
						   string_is(pos, end, "memory", false));
			while (pos < end && *(const volatile char *)pos)
				pos++;
			pos = (pos + 4) & ~3ULL; /* past the NUL, to the next token */
			break;
		case FDT_END_NODE:
			in_memory = false;
			if (depth-- == 0)
				return false;
			break;
		case FDT_PROP:
			if (pos + 8 > end)
				return false;
			length = be32(pos);
			name = strings + be32(pos + 4);
			pos += 8;
			if (depth == 1 && string_is(name, strings_end, "#address-cells", false))
				address_cells = be32(pos);
			else if (depth == 1 && string_is(name, strings_end, "#size-cells", false))
				size_cells = be32(pos);
			else if (in_memory && string_is(name, strings_end, "reg", false)) {
				bool one_or_two = (address_cells == 1 || address_cells == 2) &&
						  (size_cells == 1 || size_cells == 2);

				if (!one_or_two || length < 4 * (address_cells + size_cells) ||
				    pos + length > end)
					return false;
				*base = cells(pos, address_cells);
				*size = cells(pos + 4 * address_cells, size_cells);
				return true;
			}
			pos = (pos + length + 3) & ~3ULL;
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END, or not a token: no memory node */
			return false;
		}
	}
	return false;
}
