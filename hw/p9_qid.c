#include "p9_qid.h"

#include <dirent.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#ifndef CONFIGFS_MAGIC
#define CONFIGFS_MAGIC 0x62656570
#endif
#ifndef FUSECTL_SUPER_MAGIC
#define FUSECTL_SUPER_MAGIC 0x65735543
#endif

/* Device index n > 0 goes in the top byte: inode numbers stay below 2^56 in practice. */
#define DEVICE_SHIFT 56

/* The kernel's own interfaces: not data a guest should reach through a share. */
static const unsigned long kernel_interfaces[] = {
	PROC_SUPER_MAGIC, SYSFS_MAGIC, DEBUGFS_MAGIC, TRACEFS_MAGIC, SECURITYFS_MAGIC,
	SELINUX_MAGIC, SMACK_MAGIC, BPF_FS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC,
	RDTGROUP_SUPER_MAGIC, PSTOREFS_MAGIC, EFIVARFS_MAGIC, BINFMTFS_MAGIC, DEVPTS_SUPER_MAGIC,
	BINDERFS_SUPER_MAGIC, NSFS_MAGIC, CONFIGFS_MAGIC, FUSECTL_SUPER_MAGIC, OPENPROM_SUPER_MAGIC,
	USBDEVICE_SUPER_MAGIC,
};

void p9_devices_init(struct p9_devices *devices, dev_t root_device)
{
	devices->devices[0] = (struct p9_device){ .device = root_device, .classified = true };
	devices->count = 1;
}

static bool is_kernel_interface(int fd)
{
	struct statfs fs;

	if (fd < 0 || fstatfs(fd, &fs) < 0)
		return false;
	for (size_t i = 0; i < sizeof(kernel_interfaces) / sizeof(kernel_interfaces[0]); i++)
		if ((unsigned long)fs.f_type == kernel_interfaces[i])
			return true;
	return false;
}

/* The device's index, adding it on first sight. A full table shares its last index: qids
 * may then collide, nothing else is lost. */
static unsigned int device_index(struct p9_devices *devices, dev_t device)
{
	for (unsigned int i = 0; i < devices->count; i++)
		if (devices->devices[i].device == device)
			return i;
	if (devices->count == P9_QID_DEVICES)
		return P9_QID_DEVICES - 1;
	devices->devices[devices->count] = (struct p9_device){ .device = device };
	return devices->count++;
}

static uint64_t qid_path(unsigned int index, uint64_t inode)
{
	return inode ^ ((uint64_t)index << DEVICE_SHIFT);
}

/*
 * A regular file's version follows its modification time and size, as QEMU's and kvmtool's
 * servers have it: Linux 6.6 and later read and write a file whose version is 0 around the
 * page cache, even on a cache=loose mount, one request per read() (docs/9p.md). Never 0 for
 * a regular file. Directories and symlinks keep 0: only a file's version decides caching,
 * and a directory whose entries change keeps its one inode in the guest.
 */
static uint32_t qid_version(const struct stat *st)
{
	uint64_t folded;
	uint32_t version;

	if (!S_ISREG(st->st_mode))
		return 0;
	folded = (uint64_t)st->st_mtim.tv_sec ^ ((uint64_t)st->st_mtim.tv_nsec << 24) ^
		 ((uint64_t)st->st_size << 8);
	version = (uint32_t)(folded ^ (folded >> 32));
	return version ? version : 1;
}

struct p9_qid p9_qid_from_stat(struct p9_devices *devices, const struct stat *st)
{
	uint8_t type = S_ISDIR(st->st_mode) ? P9_QTDIR :
		       S_ISLNK(st->st_mode) ? P9_QTSYMLINK : P9_QTFILE;

	return (struct p9_qid){
		.type = type, .version = qid_version(st),
		.path = qid_path(device_index(devices, st->st_dev), st->st_ino),
	};
}

struct p9_qid p9_qid_from_entry(struct p9_devices *devices, dev_t device, uint64_t inode,
				unsigned char entry_type)
{
	uint8_t type = entry_type == DT_DIR ? P9_QTDIR :
		       entry_type == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;

	return (struct p9_qid){ .type = type, .path = qid_path(device_index(devices, device), inode) };
}

bool p9_on_kernel_interface(struct p9_devices *devices, const struct stat *st, int fd)
{
	struct p9_device *entry = &devices->devices[device_index(devices, st->st_dev)];

	if (entry->device != st->st_dev) /* past the table's end: asked every time */
		return is_kernel_interface(fd);
	if (!entry->classified && fd >= 0) {
		entry->kernel_interface = is_kernel_interface(fd);
		entry->classified = true;
	}
	return entry->kernel_interface;
}
