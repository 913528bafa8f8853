#include "p9_beneath.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define P9_RESOLVE (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)

/* EAGAIN: the kernel could not rule out a concurrent rename racing its checks; a few tries
 * settle it, and a path of checked elements never holds the ".." that needs them. */
#define EAGAIN_TRIES 4

int p9_open_beneath(int directory_fd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned int)(flags | O_NOFOLLOW | O_CLOEXEC),
		/* openat2 refuses a mode without O_CREAT (or O_TMPFILE). */
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = P9_RESOLVE,
	};
	long fd;

	for (int i = 0; i < EAGAIN_TRIES; i++) {
		fd = syscall(SYS_openat2, directory_fd, path[0] ? path : ".", &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return (int)fd;
}
