/*
 * kexec-reboot KERNEL INITRD CMDLINE: loads KERNEL with kexec_file_load(2) and reboots into it
 * at once. The nested Linux test guest uses it to check that PV sched survives a kexec (its
 * busybox has no kexec applet). Static arm64 binary, built by make-guest-initrd.sh --kexec.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_or_die(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "kexec-reboot: cannot open '%s': %s\n", path, strerror(errno));
		_exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	int kernel, initrd;

	if (argc != 4) {
		fprintf(stderr, "usage: kexec-reboot KERNEL INITRD CMDLINE\n");
		return 2;
	}
	kernel = open_or_die(argv[1]);
	initrd = open_or_die(argv[2]);
	/* The length counts the terminating NUL, as kexec_file_load(2) requires. */
	if (syscall(SYS_kexec_file_load, kernel, initrd, strlen(argv[3]) + 1, argv[3], 0UL) < 0) {
		fprintf(stderr, "kexec-reboot: kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	fprintf(stderr, "kexec-reboot: reboot(LINUX_REBOOT_CMD_KEXEC): %s\n", strerror(errno));
	return 1;
}
