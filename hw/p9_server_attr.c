/*
 * The 9P server's operations on a file's attributes: Tgetattr, Tsetattr, Tstatfs, Treadlink,
 * and the ones answered without touching the host (Tlock, Tgetlock, the xattr messages).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "p9_server_internal.h"

/* fchmodat2(2), Linux 6.6: the only chmod by name that can refuse to follow a symlink. Its
 * number is the same on every architecture (new calls share one table since Linux 5.1). */
#define SYS_FCHMODAT2 452

#define NANOSECONDS 1000000000ULL

int p9_op_getattr(struct p9_call *call)
{
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	struct p9_writer *out = &call->out;
	struct p9_qid qid;
	struct stat st;
	int err;

	p9_get_u64(&call->in); /* request_mask: the basic set costs the same as any part of it */
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	err = p9_stat_fid(call->server, fid, &st);
	if (err)
		return err;
	qid = p9_qid_from_stat(&call->server->devices, &st);
	p9_put_u64(out, P9_GETATTR_BASIC);
	p9_put_qid(out, &qid);
	p9_put_u32(out, st.st_mode);
	p9_put_u32(out, st.st_uid);
	p9_put_u32(out, st.st_gid);
	p9_put_u64(out, st.st_nlink);
	p9_put_u64(out, st.st_rdev);
	p9_put_u64(out, (uint64_t)st.st_size);
	p9_put_u64(out, (uint64_t)st.st_blksize);
	p9_put_u64(out, (uint64_t)st.st_blocks);
	p9_put_u64(out, (uint64_t)st.st_atim.tv_sec);
	p9_put_u64(out, (uint64_t)st.st_atim.tv_nsec);
	p9_put_u64(out, (uint64_t)st.st_mtim.tv_sec);
	p9_put_u64(out, (uint64_t)st.st_mtim.tv_nsec);
	p9_put_u64(out, (uint64_t)st.st_ctim.tv_sec);
	p9_put_u64(out, (uint64_t)st.st_ctim.tv_nsec);
	for (int i = 0; i < 4; i++)
		p9_put_u64(out, 0); /* btime, gen, data_version: not in the valid mask */
	return 0;
}

mode_t p9_safe_mode(mode_t type, uint32_t mode)
{
	return (mode_t)mode & (S_ISDIR(type) ? 07777 : 01777);
}

/* chmod without fchmodat2: through a descriptor opened beneath the root, which needs read
 * (or write) permission; a symlink has no mode of its own and a device or socket is never
 * opened by the server. */
static int chmod_by_reopen(struct p9_server *server, const char *path, mode_t type, mode_t mode)
{
	int fd, err;

	if (!S_ISREG(type) && !S_ISDIR(type) && !S_ISFIFO(type))
		return EOPNOTSUPP;
	err = p9_open_path(server, path, S_ISDIR(type) ? O_RDONLY | O_DIRECTORY :
				      O_RDONLY | O_NONBLOCK | O_NOCTTY, 0, &fd);
	if (err == EACCES && !S_ISDIR(type))
		err = p9_open_path(server, path, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0, &fd);
	if (err)
		return err;
	err = fchmod(fd, mode) < 0 ? errno : 0;
	close(fd);
	return err;
}

int p9_chmod_at(struct p9_server *server, int directory_fd, const char *name, const char *path,
		mode_t type, mode_t mode)
{
	if (!server->chmod_by_reopen) {
		if (syscall(SYS_FCHMODAT2, directory_fd, name, mode, AT_SYMLINK_NOFOLLOW) == 0)
			return 0;
		if (errno != ENOSYS)
			return errno;
		server->chmod_by_reopen = true; /* Linux < 6.6: asked once */
	}
	return chmod_by_reopen(server, path, type, mode);
}

int p9_settle_new(struct p9_server *server, int directory_fd, const char *name,
		  const char *path, mode_t mode, struct stat *st)
{
	int err;

	if (fstatat(directory_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno;
	if ((st->st_mode & 07777) == mode || S_ISLNK(st->st_mode))
		return 0;
	err = p9_chmod_at(server, directory_fd, name, path, st->st_mode & S_IFMT, mode);
	if (!err)
		st->st_mode = (st->st_mode & S_IFMT) | mode;
	return err;
}

static int set_owner(struct p9_server *server, const struct p9_fid *fid, uid_t uid, gid_t gid)
{
	const char *name;
	int directory_fd, err;

	if (fid->fd >= 0)
		return fchownat(fid->fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? errno : 0;
	err = p9_locate(server, fid, &directory_fd, &name);
	if (err)
		return err;
	if (fchownat(directory_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		err = errno;
	p9_close_directory(server, directory_fd);
	return err;
}

static int set_mode(struct p9_server *server, const struct p9_fid *fid, mode_t type,
		    uint32_t mode)
{
	const char *name;
	int directory_fd, err;

	if (fid->fd >= 0)
		return fchmod(fid->fd, p9_safe_mode(type, mode)) < 0 ? errno : 0;
	err = p9_locate(server, fid, &directory_fd, &name);
	if (err)
		return err;
	err = p9_chmod_at(server, directory_fd, name, fid->path, type, p9_safe_mode(type, mode));
	p9_close_directory(server, directory_fd);
	return err;
}

static int set_size(struct p9_server *server, const struct p9_fid *fid, mode_t type,
		    uint64_t size)
{
	int fd, err;

	if (size > INT64_MAX)
		return EFBIG;
	if (fid->fd >= 0 && fid->writable)
		return ftruncate(fid->fd, (off_t)size) < 0 ? errno : 0;
	if (S_ISDIR(type))
		return EISDIR;
	if (!S_ISREG(type))
		return EINVAL;
	err = p9_open_path(server, fid->path, O_WRONLY | O_NONBLOCK | O_NOCTTY, 0, &fd);
	if (err)
		return err;
	err = ftruncate(fd, (off_t)size) < 0 ? errno : 0;
	close(fd);
	return err;
}

/* A time the guest gives (its *_SET bit), "now" (the bit without *_SET), or left alone. */
static int time_of(uint32_t valid, uint32_t bit, uint32_t set_bit, uint64_t seconds,
		   uint64_t nanoseconds, struct timespec *time)
{
	if (!(valid & bit)) {
		*time = (struct timespec){ .tv_nsec = UTIME_OMIT };
		return 0;
	}
	if (!(valid & set_bit)) {
		*time = (struct timespec){ .tv_nsec = UTIME_NOW };
		return 0;
	}
	if (nanoseconds >= NANOSECONDS)
		return EINVAL;
	*time = (struct timespec){ .tv_sec = (time_t)seconds, .tv_nsec = (long)nanoseconds };
	return 0;
}

static int set_times(struct p9_server *server, const struct p9_fid *fid,
		     const struct timespec times[2])
{
	const char *name;
	int directory_fd, err;

	if (fid->fd >= 0)
		return futimens(fid->fd, times) < 0 ? errno : 0;
	err = p9_locate(server, fid, &directory_fd, &name);
	if (err)
		return err;
	if (utimensat(directory_fd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		err = errno;
	p9_close_directory(server, directory_fd);
	return err;
}

int p9_op_setattr(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint32_t valid = p9_get_u32(&call->in), mode = p9_get_u32(&call->in);
	uint32_t uid = p9_get_u32(&call->in), gid = p9_get_u32(&call->in);
	uint64_t size = p9_get_u64(&call->in);
	uint64_t atime = p9_get_u64(&call->in), atime_nsec = p9_get_u64(&call->in);
	uint64_t mtime = p9_get_u64(&call->in), mtime_nsec = p9_get_u64(&call->in);
	struct timespec times[2];
	struct stat st;
	int err;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	err = time_of(valid, P9_SETATTR_ATIME, P9_SETATTR_ATIME_SET, atime, atime_nsec, &times[0]);
	if (!err)
		err = time_of(valid, P9_SETATTR_MTIME, P9_SETATTR_MTIME_SET, mtime, mtime_nsec, &times[1]);
	if (!err)
		err = p9_stat_fid(server, fid, &st);
	if (!err && p9_on_kernel_interface(&server->devices, &st, fid->fd))
		err = EACCES;
	/* In this order: a chown clears setuid bits, a truncation sets the mtime. (CTIME alone
	 * asks for nothing the host would not do anyway.) */
	if (!err && (valid & (P9_SETATTR_UID | P9_SETATTR_GID)))
		err = set_owner(server, fid, valid & P9_SETATTR_UID ? uid : (uid_t)-1,
				valid & P9_SETATTR_GID ? gid : (gid_t)-1);
	if (!err && (valid & P9_SETATTR_MODE))
		err = set_mode(server, fid, st.st_mode & S_IFMT, mode);
	if (!err && (valid & P9_SETATTR_SIZE))
		err = set_size(server, fid, st.st_mode & S_IFMT, size);
	if (!err && (valid & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)))
		err = set_times(server, fid, times);
	return err;
}

int p9_op_statfs(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	struct p9_writer *out = &call->out;
	struct statfs fs;
	int fd, err;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	fd = fid->fd;
	if (fd < 0 && (err = p9_open_path(server, fid->path, O_PATH, 0, &fd)))
		return err;
	err = fstatfs(fd, &fs) < 0 ? errno : 0;
	if (fd != fid->fd)
		close(fd);
	if (err)
		return err;
	p9_put_u32(out, (uint32_t)fs.f_type);
	p9_put_u32(out, (uint32_t)fs.f_bsize);
	p9_put_u64(out, fs.f_blocks);
	p9_put_u64(out, fs.f_bfree);
	p9_put_u64(out, fs.f_bavail);
	p9_put_u64(out, fs.f_files);
	p9_put_u64(out, fs.f_ffree);
	p9_put_u64(out, (uint64_t)(uint32_t)fs.f_fsid.__val[0] |
			(uint64_t)(uint32_t)fs.f_fsid.__val[1] << 32);
	p9_put_u32(out, (uint32_t)fs.f_namelen);
	return 0;
}

int p9_op_readlink(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	char *target = (char *)server->scratch;
	const char *name;
	int directory_fd, err;
	ssize_t length;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	err = p9_locate(server, fid, &directory_fd, &name);
	if (err)
		return err;
	/* The link's own text, whatever it points at: the guest resolves it in its own tree. */
	length = readlinkat(directory_fd, name, target, PATH_MAX);
	err = length < 0 ? errno : length >= PATH_MAX ? ENAMETOOLONG : 0;
	p9_close_directory(server, directory_fd);
	if (err)
		return err;
	p9_put_string(&call->out, target, (size_t)length);
	return 0;
}

/*
 * Tlock and Tgetlock: byte-range locks are not taken on the host. A lock is granted at once
 * and a test finds none, so locks between the guest's own processes work (its kernel keeps
 * them), but a host program or another guest sees none of them (docs/9p.md).
 */
int p9_op_lock(struct p9_call *call)
{
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));

	p9_get_u8(&call->in);      /* type */
	p9_get_u32(&call->in);     /* flags */
	p9_get_u64(&call->in);     /* start */
	p9_get_u64(&call->in);     /* length */
	p9_get_u32(&call->in);     /* proc_id */
	p9_get_string(&call->in);  /* client_id */
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	p9_put_u8(&call->out, P9_LOCK_SUCCESS);
	return 0;
}

int p9_op_getlock(struct p9_call *call)
{
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint64_t start, length;
	uint32_t proc_id;
	struct p9_string client;

	p9_get_u8(&call->in); /* type */
	start = p9_get_u64(&call->in);
	length = p9_get_u64(&call->in);
	proc_id = p9_get_u32(&call->in);
	client = p9_get_string(&call->in);
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	p9_put_u8(&call->out, P9_LOCK_TYPE_UNLCK);
	p9_put_u64(&call->out, start);
	p9_put_u64(&call->out, length);
	p9_put_u32(&call->out, proc_id);
	p9_put_string(&call->out, client.bytes, client.length);
	return 0;
}

/* Extended attributes are not served: the guest sees a file system without them (a file's
 * capabilities, ACLs and security labels included). */
int p9_op_xattr(struct p9_call *call)
{
	(void)call;
	return EOPNOTSUPP;
}
