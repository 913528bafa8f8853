/*
 * dynamic-hello: a dynamically linked program (glibc's loader, /lib/ld-linux-aarch64.so.1),
 * for a root that does not have that loader: the emulated host's busybox root. The suite
 * checks what lvmm sandbox says when exec finds the program but not its loader.
 */
#include <stdio.h>

int main(void)
{
	puts("dynamic-hello ran");
	return 0;
}
