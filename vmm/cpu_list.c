#include "cpu_list.h"

#include <stdio.h>
#include <string.h>

/* A CPU number: decimal digits only (no sign, no spaces), below CPU_SETSIZE. */
static bool parse_cpu(const char **cursor, unsigned int *cpu)
{
	const char *p = *cursor;
	unsigned long value = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		value = value * 10 + (unsigned long)(*p - '0');
		if (value >= CPU_SETSIZE)
			return false;
		p++;
	}
	*cursor = p;
	*cpu = (unsigned int)value;
	return true;
}

bool cpu_list_parse(const char *text, cpu_set_t *set)
{
	const char *p = text;

	CPU_ZERO(set);
	for (;;) {
		unsigned int first, last;

		if (!parse_cpu(&p, &first))
			return false;
		last = first;
		if (*p == '-') {
			p++;
			if (!parse_cpu(&p, &last) || last < first)
				return false;
		}
		for (unsigned int cpu = first; cpu <= last; cpu++)
			CPU_SET(cpu, set);
		if (*p == '\0')
			return true;
		if (*p != ',')
			return false;
		p++;
	}
}

void cpu_list_format(const cpu_set_t *set, char *out, size_t out_size)
{
	size_t used = 0;

	if (out_size == 0)
		return;
	out[0] = '\0';
	for (unsigned int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		unsigned int last = cpu;
		int n;

		if (!CPU_ISSET(cpu, set))
			continue;
		while (last + 1 < CPU_SETSIZE && CPU_ISSET(last + 1, set))
			last++;
		n = last == cpu ? snprintf(out + used, out_size - used, "%s%u", used ? "," : "", cpu) :
				  snprintf(out + used, out_size - used, "%s%u-%u", used ? "," : "", cpu, last);
		if (n < 0 || (size_t)n >= out_size - used) {
			out[out_size - 1] = '\0';
			return;
		}
		used += (size_t)n;
		cpu = last;
	}
}
