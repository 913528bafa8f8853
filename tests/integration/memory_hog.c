/*
 * memory-hog: touches memory 1 MiB at a time until the kernel's OOM killer ends it (in lvmm
 * sandbox, whose guest has a little; tests/integration/suite.sh). Exits 1 if it ever gets
 * 16 GiB, which no test guest has. Its pages are locked (mlockall): unlocked, the kernel would
 * evict its program's pages and read them back over 9p again and again, long before it gave
 * up and called the OOM killer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int main(void)
{
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		perror("memory-hog: mlockall (going on unlocked)");
	for (unsigned int mib = 0; mib < 16384; mib++) {
		char *chunk = malloc(1 << 20);

		if (!chunk) {
			fprintf(stderr, "memory-hog: malloc failed after %u MiB\n", mib);
			return 1;
		}
		memset(chunk, 0x5a, 1 << 20);
	}
	return 1;
}
