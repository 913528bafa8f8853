/*
 * The 9P server's operations on names: Tmkdir, Tsymlink, Tmknod, Tlink, Tunlinkat,
 * Trenameat, Trename, Tremove. Each is one *at call on a directory opened beneath the root
 * (p9_open_directory) and a single checked name, which the call never follows if it is a
 * symlink: nothing here can reach outside the share, and a rename or link can neither take a
 * file out of it nor bring one in.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "p9_path.h"
#include "p9_server_internal.h"

/* A directory fid and the name of an entry in it, checked: 0 or the errno to answer. */
static int take_entry(struct p9_call *call, uint32_t directory, struct p9_string name_string,
		      struct p9_fid **fid, char *name)
{
	int err = p9_entry_name(call->server, name_string, name);

	if (err)
		return err;
	*fid = p9_fid_of(call, directory);
	return *fid ? 0 : EBADF;
}

/* The qid of what was just made as name in directory_fd, its permissions made exact. */
static int answer_new(struct p9_call *call, int directory_fd, const struct p9_fid *directory,
		      const char *name, mode_t mode)
{
	struct p9_qid qid;
	struct stat st;
	char *path;
	int err = p9_path_join(directory->path, name, &path);

	if (err)
		return err;
	err = p9_settle_new(call->server, directory_fd, name, path, mode, &st);
	free(path);
	if (err)
		return err;
	qid = p9_qid_from_stat(&call->server->devices, &st);
	p9_put_qid(&call->out, &qid);
	return 0;
}

int p9_op_mkdir(struct p9_call *call)
{
	uint32_t number = p9_get_u32(&call->in);
	struct p9_string name_string = p9_get_string(&call->in);
	mode_t mode = p9_safe_mode(S_IFDIR, p9_get_u32(&call->in));
	char name[NAME_MAX + 1];
	struct p9_fid *directory;
	int directory_fd, err;

	p9_get_u32(&call->in); /* gid */
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	err = take_entry(call, number, name_string, &directory, name);
	if (!err)
		err = p9_open_directory(call->server, directory->path, &directory_fd);
	if (err)
		return err;
	err = mkdirat(directory_fd, name, mode) < 0 ? errno :
	      answer_new(call, directory_fd, directory, name, mode);
	p9_close_directory(call->server, directory_fd);
	return err;
}

int p9_op_symlink(struct p9_call *call)
{
	uint32_t number = p9_get_u32(&call->in);
	struct p9_string name_string = p9_get_string(&call->in);
	struct p9_string target_string = p9_get_string(&call->in);
	char name[NAME_MAX + 1], target[PATH_MAX];
	struct p9_fid *directory;
	int directory_fd, err;

	p9_get_u32(&call->in); /* gid */
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	/* The target is only text: it may name anything, as the server never follows it. */
	err = p9_string_to_text(target_string, target, sizeof(target));
	if (!err)
		err = take_entry(call, number, name_string, &directory, name);
	if (!err)
		err = p9_open_directory(call->server, directory->path, &directory_fd);
	if (err)
		return err;
	err = symlinkat(target, directory_fd, name) < 0 ? errno :
	      answer_new(call, directory_fd, directory, name, 0777);
	p9_close_directory(call->server, directory_fd);
	return err;
}

/* Regular files, FIFOs and sockets only: a device node would open the host's hardware. */
static int node_type(uint32_t mode, mode_t *type)
{
	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG: *type = S_IFREG; return 0;
	case S_IFIFO: *type = S_IFIFO; return 0;
	case S_IFSOCK: *type = S_IFSOCK; return 0;
	case S_IFCHR:
	case S_IFBLK: return EPERM;
	default: return EINVAL;
	}
}

int p9_op_mknod(struct p9_call *call)
{
	uint32_t number = p9_get_u32(&call->in);
	struct p9_string name_string = p9_get_string(&call->in);
	uint32_t mode = p9_get_u32(&call->in);
	char name[NAME_MAX + 1];
	struct p9_fid *directory;
	int directory_fd, err;
	mode_t type = 0, permissions;

	p9_get_u32(&call->in); /* major */
	p9_get_u32(&call->in); /* minor */
	p9_get_u32(&call->in); /* gid */
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	err = node_type(mode, &type);
	if (!err)
		err = take_entry(call, number, name_string, &directory, name);
	if (!err)
		err = p9_open_directory(call->server, directory->path, &directory_fd);
	if (err)
		return err;
	permissions = p9_safe_mode(type, mode);
	err = mknodat(directory_fd, name, type | permissions, 0) < 0 ? errno :
	      answer_new(call, directory_fd, directory, name, permissions);
	p9_close_directory(call->server, directory_fd);
	return err;
}

int p9_op_link(struct p9_call *call)
{
	struct p9_server *server = call->server;
	uint32_t directory_number = p9_get_u32(&call->in);
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	struct p9_string name_string = p9_get_string(&call->in);
	char name[NAME_MAX + 1];
	struct p9_fid *directory;
	int old_directory_fd, directory_fd, err;
	const char *old_name = NULL;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	err = take_entry(call, directory_number, name_string, &directory, name);
	if (err)
		return err;
	if (!fid)
		return EBADF;
	if (!fid->path[0])
		return EPERM; /* the root is a directory: no hard link */
	err = p9_locate(server, fid, &old_directory_fd, &old_name);
	if (err)
		return err;
	err = p9_open_directory(server, directory->path, &directory_fd);
	/* flags 0: a symlink is linked itself, never followed. */
	if (!err && linkat(old_directory_fd, old_name, directory_fd, name, 0) < 0)
		err = errno;
	p9_close_directory(server, directory_fd);
	p9_close_directory(server, old_directory_fd);
	return err;
}

int p9_op_unlinkat(struct p9_call *call)
{
	uint32_t number = p9_get_u32(&call->in);
	struct p9_string name_string = p9_get_string(&call->in);
	uint32_t flags = p9_get_u32(&call->in);
	char name[NAME_MAX + 1];
	struct p9_fid *directory;
	int directory_fd, err;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (flags & ~(uint32_t)P9_DOTL_AT_REMOVEDIR)
		return EINVAL;
	err = take_entry(call, number, name_string, &directory, name);
	if (!err)
		err = p9_open_directory(call->server, directory->path, &directory_fd);
	if (err)
		return err;
	if (unlinkat(directory_fd, name, flags & P9_DOTL_AT_REMOVEDIR ? AT_REMOVEDIR : 0) < 0)
		err = errno;
	p9_close_directory(call->server, directory_fd);
	return err;
}

/* renameat2 itself: arm64 has no renameat, and glibc picks either by architecture. */
static int rename_entry(int old_directory_fd, const char *old_name, int new_directory_fd,
			const char *new_name)
{
	return syscall(SYS_renameat2, old_directory_fd, old_name, new_directory_fd, new_name, 0) < 0 ?
		       errno : 0;
}

/* After from was renamed to to_directory/to_name: the fids at or under it follow. */
static void rename_fids(struct p9_server *server, const char *from,
			const struct p9_fid *to_directory, const char *to_name)
{
	char *to;

	if (p9_path_join(to_directory->path, to_name, &to))
		return; /* the fids under it keep a path that names nothing now */
	p9_fids_renamed(server, from, to);
	free(to);
}

/* The common end of Trenameat and Trename, whose err says whether finding the old entry
 * (old_fd/old_name, the path from) worked: moves it to new_directory/new_name, then frees and
 * closes what both took. */
static int rename_to(struct p9_server *server, int err, char *from, int old_fd,
		     const char *old_name, const struct p9_fid *new_directory, const char *new_name)
{
	int new_fd = -1;

	if (!err)
		err = p9_open_directory(server, new_directory->path, &new_fd);
	if (!err)
		err = rename_entry(old_fd, old_name, new_fd, new_name);
	if (!err)
		rename_fids(server, from, new_directory, new_name);
	p9_close_directory(server, old_fd);
	p9_close_directory(server, new_fd);
	free(from);
	return err;
}

int p9_op_renameat(struct p9_call *call)
{
	struct p9_server *server = call->server;
	uint32_t old_number = p9_get_u32(&call->in);
	struct p9_string old_string = p9_get_string(&call->in);
	uint32_t new_number = p9_get_u32(&call->in);
	struct p9_string new_string = p9_get_string(&call->in);
	char old_name[NAME_MAX + 1], new_name[NAME_MAX + 1], *from = NULL;
	struct p9_fid *old_directory, *new_directory = NULL;
	int old_fd = -1, err;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	err = take_entry(call, old_number, old_string, &old_directory, old_name);
	if (!err)
		err = take_entry(call, new_number, new_string, &new_directory, new_name);
	if (!err)
		err = p9_path_join(old_directory->path, old_name, &from);
	if (!err)
		err = p9_open_directory(server, old_directory->path, &old_fd);
	return rename_to(server, err, from, old_fd, old_name, new_directory, new_name);
}

int p9_op_rename(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	uint32_t new_number = p9_get_u32(&call->in);
	struct p9_string new_string = p9_get_string(&call->in);
	char new_name[NAME_MAX + 1], *from = NULL;
	struct p9_fid *new_directory;
	int old_fd = -1, err;
	const char *old_name = NULL;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	err = take_entry(call, new_number, new_string, &new_directory, new_name);
	if (err)
		return err;
	if (!fid)
		return EBADF;
	if (!fid->path[0])
		return EBUSY; /* the share's root stays where it is */
	from = strdup(fid->path);
	if (!from)
		return ENOMEM;
	err = p9_locate(server, fid, &old_fd, &old_name);
	return rename_to(server, err, from, old_fd, old_name, new_directory, new_name);
}

/* Tremove: unlink the fid's file, and clunk the fid whatever happened (as 9P says). */
int p9_op_remove(struct p9_call *call)
{
	struct p9_server *server = call->server;
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));
	int directory_fd = -1, err;
	const char *name;
	struct stat st;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	err = server->read_only ? EROFS : !fid->path[0] ? EBUSY : 0;
	if (!err)
		err = p9_locate(server, fid, &directory_fd, &name);
	if (!err && fstatat(directory_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		err = errno;
	if (!err && unlinkat(directory_fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		err = errno;
	p9_close_directory(server, directory_fd);
	p9_fid_release(&server->fids, fid);
	return err;
}
