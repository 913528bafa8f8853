/* What lvmm sandbox reads in the guest kernel's log, which it keeps (vmm/sandbox.c). */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

bool sandbox_oom_victim(const char *log, size_t size, char *victim, size_t victim_size)
{
	static const char marker[] = "of memory: Killed process ";
	const char *found = NULL, *at = log, *end = log + size, *name_end;

	/* The last kill: the one that ended the command, when there were several. */
	while (at < end && (at = memmem(at, (size_t)(end - at), marker, sizeof(marker) - 1))) {
		found = at + sizeof(marker) - 1;
		at = found;
	}
	if (!found)
		return false;
	/* "PID (NAME)": up to the closing parenthesis on that line. */
	name_end = memchr(found, ')', (size_t)(end - found));
	if (!name_end || memchr(found, '\n', (size_t)(name_end - found)) || victim_size == 0)
		return false;
	snprintf(victim, victim_size, "%.*s", (int)(name_end + 1 - found), found);
	return true;
}
