/*
 * The sandbox's init as a program of its own (vmm/sandbox_init.h): built static against musl
 * (Debian's musl-dev) so that it is tens of KiB, not the megabyte of lvmm's glibc build. Under
 * emulation the guest kernel copies every byte of the initrd and faults in every page init
 * touches, so its size is boot time (docs/sandbox.md). lvmm carries it (vmm/sandbox_init_image.S).
 */
#include <stdio.h>
#include <unistd.h>

#include "sandbox_init.h"

int main(void)
{
	if (!sandbox_init_wanted()) {
		fputs("lvmm-sandbox-init: this is the init of an lvmm sandbox guest; it runs only as "
		      "its process 1 (lvmm sandbox -- CMD)\n", stderr);
		return 2;
	}
	sandbox_init_main();
}
