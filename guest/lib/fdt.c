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

struct fdt_property_found {
	uint64_t value;           /* address of the property's value inside the blob */
	uint32_t length;
	uint32_t address_cells;   /* the root's, for decoding reg */
	uint32_t size_cells;
};

/*
 * Finds property prop of the root's child node called node (also "node@<unit>"). The blob
 * comes from lvmm, but the walk still bounds every read by the blob's own sizes.
 */
static bool fdt_find_root_child_property(uint64_t dtb, const char *node, const char *prop,
					 struct fdt_property_found *found)
{
	uint64_t pos, end, strings, strings_end;
	unsigned int depth = 0;
	bool in_node = false;
	char node_at[32];
	unsigned int n;

	for (n = 0; node[n] && n < sizeof(node_at) - 2; n++)
		node_at[n] = node[n];
	node_at[n] = '@';
	node_at[n + 1] = '\0';
	found->address_cells = 2; /* the spec's defaults */
	found->size_cells = 1;
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
			/* Children of the root are at depth 2. */
			in_node = depth == 2 && (string_is(pos, end, node_at, true) ||
						 string_is(pos, end, node, false));
			while (pos < end && *(const volatile char *)pos)
				pos++;
			pos = (pos + 4) & ~3ULL; /* past the NUL, to the next token */
			break;
		case FDT_END_NODE:
			in_node = false;
			if (depth-- == 0)
				return false;
			break;
		case FDT_PROP:
			if (pos + 8 > end)
				return false;
			length = be32(pos);
			name = strings + be32(pos + 4);
			pos += 8;
			if (pos + length > end)
				return false;
			if (depth == 1 && string_is(name, strings_end, "#address-cells", false))
				found->address_cells = be32(pos);
			else if (depth == 1 && string_is(name, strings_end, "#size-cells", false))
				found->size_cells = be32(pos);
			else if (in_node && string_is(name, strings_end, prop, false)) {
				found->value = pos;
				found->length = length;
				return true;
			}
			pos = (pos + length + 3) & ~3ULL;
			break;
		case FDT_NOP:
			break;
		default: /* FDT_END, or not a token */
			return false;
		}
	}
	return false;
}

bool fdt_memory_range(uint64_t dtb, uint64_t *base, uint64_t *size)
{
	struct fdt_property_found reg;
	bool one_or_two;

	if (!fdt_find_root_child_property(dtb, "memory", "reg", &reg))
		return false;
	one_or_two = (reg.address_cells == 1 || reg.address_cells == 2) &&
		     (reg.size_cells == 1 || reg.size_cells == 2);
	if (!one_or_two || reg.length < 4 * (reg.address_cells + reg.size_cells))
		return false;
	*base = cells(reg.value, reg.address_cells);
	*size = cells(reg.value + 4 * reg.address_cells, reg.size_cells);
	return true;
}

bool fdt_node_has_property(uint64_t dtb, const char *node, const char *prop)
{
	struct fdt_property_found found;

	return fdt_find_root_child_property(dtb, node, prop, &found);
}

static bool chosen_u64(uint64_t dtb, const char *prop, uint64_t *value)
{
	struct fdt_property_found found;

	if (!fdt_find_root_child_property(dtb, "chosen", prop, &found) ||
	    (found.length != 4 && found.length != 8))
		return false;
	*value = cells(found.value, found.length / 4);
	return true;
}

bool fdt_chosen_initrd(uint64_t dtb, uint64_t *start, uint64_t *end)
{
	return chosen_u64(dtb, "linux,initrd-start", start) &&
	       chosen_u64(dtb, "linux,initrd-end", end) && *end >= *start;
}

const char *fdt_chosen_bootargs(uint64_t dtb)
{
	struct fdt_property_found bootargs;

	if (!fdt_find_root_child_property(dtb, "chosen", "bootargs", &bootargs) ||
	    bootargs.length == 0 || *(const volatile char *)(bootargs.value + bootargs.length - 1))
		return "";
	return (const char *)bootargs.value;
}

/* "key=<decimal>" as a whole word of the command line, else fallback. */
uint64_t bootargs_number(const char *bootargs, const char *key, uint64_t fallback)
{
	const char *word = bootargs;

	while (*word) {
		const char *k = key, *p = word;

		while (*k && *p == *k) {
			k++;
			p++;
		}
		if (!*k && *p == '=' && p[1] >= '0' && p[1] <= '9') {
			uint64_t value = 0;

			for (p++; *p >= '0' && *p <= '9'; p++)
				value = value * 10 + (uint64_t)(*p - '0');
			if (*p == ' ' || *p == '\0')
				return value;
		}
		while (*word && *word != ' ')
			word++;
		while (*word == ' ')
			word++;
	}
	return fallback;
}
