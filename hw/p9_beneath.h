/*
 * Opening beneath a share's root: every file the 9P server reaches by name goes through
 * p9_open_beneath, i.e. openat2() with
 * - RESOLVE_BENEATH: the kernel refuses (EXDEV) any path that would leave the directory it
 *   starts from, by "..", an absolute symlink or a mount's root, even if a check before it
 *   missed one;
 * - RESOLVE_NO_SYMLINKS and O_NOFOLLOW: no symlink is ever followed, anywhere in the path. In
 *   9P2000.L the client resolves symlinks itself (Treadlink), so the server never needs to,
 *   and a symlink planted inside the share (by the guest, or on the host) pointing outside it
 *   leads nowhere: opening it for I/O fails with ELOOP; with O_PATH it is the link itself;
 * - RESOLVE_NO_MAGICLINKS: neither /proc/PID/fd/N nor /proc/self/root style links either.
 * Mount points inside the share are crossed (no RESOLVE_NO_XDEV): they are part of what the
 * user shared.
 *
 * The calls that take a directory and a name (mkdirat, unlinkat, renameat2, symlinkat,
 * linkat, mknodat, readlinkat, fstatat, fchownat, utimensat) get a directory opened here and
 * a single checked path element, and never follow a symlink in that element.
 */
#ifndef LVMM_HW_P9_BENEATH_H
#define LVMM_HW_P9_BENEATH_H

#include <sys/types.h>

/*
 * openat2(directory_fd, path, flags | O_NOFOLLOW | O_CLOEXEC, mode) beneath directory_fd;
 * path "" is the directory itself. A descriptor, or -1 with errno (EXDEV: the path would have
 * left the directory; ELOOP: it holds a symlink; ENOSYS: the kernel predates Linux 5.6).
 */
int p9_open_beneath(int directory_fd, const char *path, int flags, mode_t mode);

#endif
