/*
 * The 9P server's open files: Tlopen, Tlcreate, Tread, Twrite, Treaddir, Tfsync. Tread and
 * Twrite move their data straight between the file and the guest's buffers (preadv, pwritev
 * on the request's iovecs): only the headers are copied.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p9_beneath.h"
#include "p9_path.h"
#include "p9_server_internal.h"

/* A 9P directory entry: qid[13] offset[8] type[1] name[s]. */
#define DIRENT_FIXED_SIZE (P9_QID_SIZE + 8u + 1u + 2u)
/* getdents64 is given at least this much, so an entry with a long name always fits. */
#define GETDENTS_MIN 4096u

/* What getdents64 fills in (the kernel's struct linux_dirent64). */
struct host_dirent {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The host's open flags for the guest's 9P2000.L (Linux generic) ones, which differ from
 * arm64's own for O_DIRECTORY and O_NOFOLLOW. Kept: the access mode, O_TRUNC, O_APPEND,
 * O_DIRECTORY and the sync flags. Dropped: O_DIRECT (the guest's buffers need not be
 * aligned), O_NOATIME (EPERM on files lvmm does not own), O_ASYNC. Always added: O_NONBLOCK,
 * so that no FIFO can stall the share, and O_NOCTTY. 0 or EINVAL. */
static int host_open_flags(uint32_t flags, int *host)
{
	uint32_t access = flags & P9_DOTL_ACCMODE;

	if (access != P9_DOTL_RDONLY && access != P9_DOTL_WRONLY && access != P9_DOTL_RDWR)
		return EINVAL;
	*host = (access == P9_DOTL_WRONLY ? O_WRONLY : access == P9_DOTL_RDWR ? O_RDWR : O_RDONLY) |
		O_NONBLOCK | O_NOCTTY;
	if (flags & P9_DOTL_TRUNC)
		*host |= O_TRUNC;
	if (flags & P9_DOTL_APPEND)
		*host |= O_APPEND;
	if (flags & P9_DOTL_DSYNC)
		*host |= O_DSYNC;
	if (flags & P9_DOTL_SYNC)
		*host |= O_SYNC;
	if (flags & P9_DOTL_DIRECTORY)
		*host |= O_DIRECTORY;
	return 0;
}

static bool open_writes(int host_flags)
{
	return (host_flags & O_ACCMODE) != O_RDONLY || (host_flags & O_TRUNC);
}

/* Whether the server opens a file of this kind, and how: a symlink is the client's to follow
 * (ELOOP), a device would reach past the share (EPERM), a socket cannot be opened (ENXIO). */
static int open_kind(mode_t mode, int *host_flags)
{
	if (S_ISLNK(mode))
		return ELOOP;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return EPERM;
	if (S_ISSOCK(mode))
		return ENXIO;
	if (S_ISDIR(mode)) {
		if (open_writes(*host_flags))
			return EISDIR;
		*host_flags = O_RDONLY | O_DIRECTORY;
	}
	return 0;
}

/* Opens the existing file at path for I/O: fd and its stat, or the errno to answer. Its kind
 * is checked before it is opened (opening a device can do something) and again after. */
static int open_existing(struct p9_server *server, const char *path, int host_flags, int *fd,
			 struct stat *st)
{
	int probe, err;

	err = p9_open_path(server, path, O_PATH, 0, &probe);
	if (err)
		return err;
	err = fstat(probe, st) < 0 ? errno : p9_refuse_kernel_interface(server, st, probe);
	close(probe);
	if (!err)
		err = open_kind(st->st_mode, &host_flags);
	if (!err)
		err = p9_open_path(server, path, host_flags, 0, fd);
	if (err)
		return err;
	err = fstat(*fd, st) < 0 ? errno : open_kind(st->st_mode, &host_flags);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

/* The fid now holds the open fd; its qid and iounit (0: the guest's msize) are the reply. */
static void opened(struct p9_call *call, struct p9_fid *fid, int fd, int host_flags,
		   const struct stat *st)
{
	struct p9_qid qid = p9_qid_from_stat(&call->server->devices, st);

	fid->fd = fd;
	fid->writable = (host_flags & O_ACCMODE) != O_RDONLY;
	fid->directory = S_ISDIR(st->st_mode);
	fid->device = st->st_dev;
	p9_put_qid(&call->out, &qid);
	p9_put_u32(&call->out, 0);
}

int p9_op_lopen(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint32_t flags = p9_get_u32(&call->in);
	struct stat st;
	int host_flags, fd, err;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	if (fid->fd >= 0)
		return EINVAL;
	err = host_open_flags(flags, &host_flags);
	if (err)
		return err;
	if (server->read_only && open_writes(host_flags))
		return EROFS;
	err = open_existing(server, fid->path, host_flags, &fd, &st);
	if (err)
		return err;
	opened(call, fid, fd, S_ISDIR(st.st_mode) ? O_RDONLY : host_flags, &st);
	return 0;
}

/* Makes name in directory_fd (at path) with flags and mode: fd and its stat. Without
 * P9_DOTL_EXCL an existing file is opened instead, as open(O_CREAT) does. */
static int create_file(struct p9_server *server, int directory_fd, const char *name,
		       const char *path, uint32_t flags, int host_flags, mode_t mode, int *fd,
		       struct stat *st)
{
	int err;

	/* O_EXCL always: an existing name is opened by open_existing, with its checks. */
	*fd = p9_open_beneath(directory_fd, name, host_flags | O_CREAT | O_EXCL, mode);
	if (*fd < 0 && errno == EEXIST && !(flags & P9_DOTL_EXCL))
		return open_existing(server, path, host_flags, fd, st);
	if (*fd < 0)
		return p9_open_errno(server, errno);
	err = fstat(*fd, st) < 0 ? errno : 0;
	if (!err && (st->st_mode & 07777) != mode) { /* lvmm's umask took bits away */
		err = fchmod(*fd, mode) < 0 ? errno : 0;
		st->st_mode = (st->st_mode & S_IFMT) | mode;
	}
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

int p9_op_lcreate(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	struct p9_string name_string = p9_get_string(&call->in);
	uint32_t flags = p9_get_u32(&call->in), mode = p9_get_u32(&call->in);
	char name[NAME_MAX + 1], *path = NULL;
	int directory_fd, host_flags, fd, err;
	struct stat st;

	p9_get_u32(&call->in); /* gid: new files belong to lvmm's user (docs/9p.md) */
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	err = p9_entry_name(server, name_string, name);
	if (err)
		return err;
	if (!fid)
		return EBADF;
	if (fid->fd >= 0)
		return EINVAL;
	err = host_open_flags(flags, &host_flags);
	if (!err)
		err = p9_path_join(fid->path, name, &path);
	if (!err)
		err = p9_open_directory(server, fid->path, &directory_fd);
	if (err) {
		free(path);
		return err;
	}
	err = create_file(server, directory_fd, name, path, flags, host_flags,
			  p9_safe_mode(S_IFREG, mode), &fd, &st);
	p9_close_directory(server, directory_fd);
	if (err) {
		free(path);
		return err;
	}
	/* The directory's fid becomes the new file's, open. */
	free(fid->path);
	fid->path = path;
	opened(call, fid, fd, S_ISDIR(st.st_mode) ? O_RDONLY : host_flags, &st);
	return 0;
}

/* An offset the host can take (off_t is signed). */
static bool offset_ok(uint64_t offset)
{
	return offset <= INT64_MAX;
}

int p9_op_read(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint64_t offset = p9_get_u64(&call->in);
	uint32_t count = p9_get_u32(&call->in);
	uint32_t room = call->reply_capacity - P9_RREAD_HEADER_SIZE;
	unsigned int segments;
	ssize_t n;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid || fid->fd < 0)
		return EBADF;
	if (fid->directory)
		return EISDIR;
	if (!offset_ok(offset))
		return EINVAL;
	/* No more than the guest's buffer (and msize) holds: a short read, as 9P allows. */
	if (count > room)
		count = room;
	segments = p9_iov_slice(call->reply, call->reply_count, P9_RREAD_HEADER_SIZE, count,
				server->data, P9_MAX_DATA_SEGMENTS);
	do
		n = segments ? preadv(fid->fd, server->data, (int)segments, (off_t)offset) : 0;
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	p9_put_u32(&call->out, (uint32_t)n);
	call->data_bytes = (uint32_t)n;
	return 0;
}

int p9_op_write(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint64_t offset = p9_get_u64(&call->in);
	uint32_t count = p9_get_u32(&call->in);
	unsigned int segments;
	ssize_t n;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	/* The data is exactly what follows the fields, no more, no less. */
	if (count != call->request_size - P9_TWRITE_HEADER_SIZE)
		return EPROTO;
	if (!fid || fid->fd < 0 || !fid->writable)
		return EBADF;
	if (!offset_ok(offset))
		return EINVAL;
	segments = p9_iov_slice(call->request, call->request_count, P9_TWRITE_HEADER_SIZE, count,
				server->data, P9_MAX_DATA_SEGMENTS);
	do
		n = segments ? pwritev(fid->fd, server->data, (int)segments, (off_t)offset) : 0;
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	p9_put_u32(&call->out, (uint32_t)n);
	return 0;
}

/* One entry into the reply, if it fits in room: false when it does not. */
static bool put_entry(struct p9_call *call, const struct p9_fid *fid,
		      const struct host_dirent *entry, uint32_t *room)
{
	struct p9_server *server = call->server;
	size_t name_length = strlen(entry->d_name);
	uint64_t inode = entry->d_ino;
	struct p9_qid qid;

	if (DIRENT_FIXED_SIZE + name_length > *room)
		return false;
	/* The root's parent is outside the share: its ".." is the root itself, as for a walk. */
	if (!fid->path[0] && p9_name_is_dot_dot(entry->d_name))
		inode = server->root_inode;
	qid = p9_qid_from_entry(&server->devices, fid->device, inode, entry->d_type);
	p9_put_qid(&call->out, &qid);
	p9_put_u64(&call->out, (uint64_t)entry->d_off);
	p9_put_u8(&call->out, entry->d_type);
	p9_put_string(&call->out, entry->d_name, name_length);
	*room -= (uint32_t)(DIRENT_FIXED_SIZE + name_length);
	return true;
}

/*
 * Entries from offset, which is 0 or an entry's d_off from an earlier reply: the host's own
 * directory offsets (getdents64), which lseek goes back to, so a listing stays stable across
 * calls and entries read but not sent are read again next time.
 */
int p9_op_readdir(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint64_t offset = p9_get_u64(&call->in);
	uint32_t count = p9_get_u32(&call->in);
	uint32_t room = call->reply_capacity - P9_RREAD_HEADER_SIZE, sent = 0;
	const struct host_dirent *entry;
	uint8_t *count_at;
	size_t size;
	ssize_t n;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid || fid->fd < 0)
		return EBADF;
	if (!fid->directory)
		return ENOTDIR;
	if (!offset_ok(offset))
		return EINVAL;
	if (count < room)
		room = count;
	if (lseek(fid->fd, (off_t)offset, SEEK_SET) < 0)
		return errno;
	size = room < GETDENTS_MIN ? GETDENTS_MIN : room;
	n = getdents64(fid->fd, server->scratch, size);
	if (n < 0)
		return errno;
	count_at = call->out.at;
	p9_put_u32(&call->out, 0);
	for (ssize_t at = 0; at < n; at += entry->d_reclen) {
		entry = (const struct host_dirent *)(server->scratch + at);
		if (!put_entry(call, fid, entry, &room))
			break;
		sent++;
	}
	if (n > 0 && sent == 0)
		return EINVAL; /* not even one entry fits the guest's count */
	p9_patch_u32(count_at, (uint32_t)(call->out.length - 4));
	return 0;
}

int p9_op_fsync(struct p9_call *call)
{
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint32_t datasync = p9_get_u32(&call->in);

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid || fid->fd < 0)
		return EBADF;
	if ((datasync ? fdatasync(fid->fd) : fsync(fid->fd)) < 0)
		return errno;
	return 0;
}
