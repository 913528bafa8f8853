/* Runs a command as uid/gid 65534 with no supplementary groups: the suite's "no permission on
 * /dev/kvm" check needs an unprivileged user, and the emulated host's busybox cannot switch. */
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: run-as-nobody COMMAND [ARGS...]\n");
		return 2;
	}
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("run-as-nobody");
		return 1;
	}
	execv(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
