/*
 * Qids and the host devices under a share. A qid's path is the file's inode number, so it is
 * stable for as long as the file lives; files on other file systems mounted inside the share
 * get their device's index (in order of first sight) in the top bits, so inode numbers of two
 * file systems do not collide in the guest.
 *
 * The table also remembers which devices are the kernel's own interfaces (procfs, sysfs,
 * cgroupfs, debugfs...) mounted inside the share, as they are when the share is "/": the
 * server lets the guest see such a mount point (to mount its own file system over it) but
 * not look inside or change it, where a guest could read the host's memory (/proc/kcore) or
 * make kernel objects (a cgroup is a mkdir).
 */
#ifndef LVMM_HW_P9_QID_H
#define LVMM_HW_P9_QID_H

#include <stdbool.h>
#include <sys/stat.h>

#include "p9_message.h"

#define P9_QID_DEVICES 64

struct p9_device {
	dev_t device;
	bool classified;          /* kernel_interface was asked of the file system */
	bool kernel_interface;
};

struct p9_devices {
	struct p9_device devices[P9_QID_DEVICES];
	unsigned int count;
};

/* The root's device is index 0 (its inode numbers are the qid paths as they are) and is
 * never a refused kernel interface: sharing one on purpose is the user's choice. */
void p9_devices_init(struct p9_devices *devices, dev_t root_device);
/* The qid of a file whose stat is st; its version is nonzero for a regular file, changing
 * with its modification time or size, and 0 for anything else (docs/9p.md). */
struct p9_qid p9_qid_from_stat(struct p9_devices *devices, const struct stat *st);
/* The qid of a directory entry (getdents64's inode number and type), on device. */
struct p9_qid p9_qid_from_entry(struct p9_devices *devices, dev_t device, uint64_t inode,
				unsigned char entry_type);
/* Whether st's file lies on a kernel interface file system mounted inside the share; fd is
 * any descriptor on that file system (O_PATH will do), asked once per device. */
bool p9_on_kernel_interface(struct p9_devices *devices, const struct stat *st, int fd);

#endif
