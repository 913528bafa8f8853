#include "sandbox_init_terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "sandbox_input_frames.h"

/* The devpts init mounts in the new root, not whatever /dev/ptmx node the root may hold. */
#define PTMX_PATH "/dev/pts/ptmx"

int sandbox_terminal_open(unsigned short rows, unsigned short columns, int *far_end, char *err,
			  size_t err_size)
{
	struct winsize size = { .ws_row = rows, .ws_col = columns };
	int unlock = 0;
	int near_end = open(PTMX_PATH, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (near_end < 0) {
		snprintf(err, err_size, "-t: opening a pseudo-terminal (%s) failed: %s; the guest "
			 "kernel needs CONFIG_UNIX98_PTYS, or drop -t", PTMX_PATH, strerror(errno));
		return -1;
	}
	if (ioctl(near_end, TIOCSPTLCK, &unlock) < 0 || ioctl(near_end, TIOCSWINSZ, &size) < 0) {
		snprintf(err, err_size, "-t: setting up the pseudo-terminal failed: %s", strerror(errno));
		close(near_end);
		return -1;
	}
	/* The far end by the near one (Linux 4.13), not by a name in /dev/pts another could
	 * take. */
	*far_end = ioctl(near_end, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*far_end < 0) {
		snprintf(err, err_size, "-t: opening the pseudo-terminal's far end failed: %s "
			 "(the guest kernel needs Linux 4.13 or later)", strerror(errno));
		close(near_end);
		return -1;
	}
	return near_end;
}

bool sandbox_terminal_resize(int near_end, const char *line)
{
	struct winsize size = { 0 };

	if (!sandbox_resize_parse(line, &size.ws_row, &size.ws_col))
		return false;
	ioctl(near_end, TIOCSWINSZ, &size);
	return true;
}
