/*
 * The 9P server's core: sessions (Tversion, Tattach), fids (Twalk, Tclunk), the dispatch of
 * every request and the helpers the operations in hw/p9_server_*.c reach the host through.
 */
#include "p9_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p9_beneath.h"
#include "p9_path.h"
#include "p9_server_internal.h"
#include "vmm/log.h"

#define RLERROR_SIZE 11u              /* header, ecode[4] */

/* ---- helpers -------------------------------------------------------------------------- */

int p9_leaving(struct p9_server *server, const char *how)
{
	if (!server->said_leave) {
		server->said_leave = true;
		log_warning("9p share %s: the guest tried to leave %s (%s); refused, and not reported again",
			    server->tag, server->directory, how);
	}
	return EACCES;
}

int p9_open_errno(struct p9_server *server, int err)
{
	return err == EXDEV ? p9_leaving(server, "a path the kernel refused to resolve beneath it") :
			      err;
}

struct p9_fid *p9_fid_of(struct p9_call *call, uint32_t number)
{
	return p9_fid_find(&call->server->fids, number);
}

int p9_entry_name(struct p9_server *server, struct p9_string string, char *name)
{
	bool leaves;
	int err = p9_string_to_name(string, name, &leaves);

	if (leaves)
		p9_leaving(server, "a name holding '/'");
	if (!err && (p9_name_is_dot(name) || p9_name_is_dot_dot(name))) {
		p9_leaving(server, "\".\" or \"..\" as the name of an entry");
		return EINVAL;
	}
	return err;
}

int p9_open_path(struct p9_server *server, const char *path, int flags, mode_t mode, int *fd)
{
	*fd = p9_open_beneath(server->root_fd, path, flags, mode);
	return *fd < 0 ? p9_open_errno(server, errno) : 0;
}

int p9_refuse_kernel_interface(struct p9_server *server, const struct stat *st, int fd)
{
	return p9_on_kernel_interface(&server->devices, st, fd) ? EACCES : 0;
}

int p9_open_directory(struct p9_server *server, const char *path, int *fd)
{
	struct stat st;
	int err;

	if (!path[0]) {
		*fd = server->root_fd;
		return 0;
	}
	err = p9_open_path(server, path, O_PATH | O_DIRECTORY, 0, fd);
	if (err)
		return err;
	err = fstat(*fd, &st) < 0 ? errno : p9_refuse_kernel_interface(server, &st, *fd);
	if (err) {
		close(*fd);
		*fd = -1;
	}
	return err;
}

void p9_close_directory(struct p9_server *server, int fd)
{
	if (fd >= 0 && fd != server->root_fd)
		close(fd);
}

int p9_locate(struct p9_server *server, const struct p9_fid *fid, int *directory_fd,
	      const char **name)
{
	const char *last = p9_path_last(fid->path);
	char *parent;
	int err;

	if (!fid->path[0]) {
		*directory_fd = server->root_fd;
		*name = ".";
		return 0;
	}
	*name = last;
	if (last == fid->path) {
		*directory_fd = server->root_fd;
		return 0;
	}
	if (p9_path_parent(fid->path, &parent))
		return ENOMEM;
	err = p9_open_directory(server, parent, directory_fd);
	free(parent);
	return err;
}

int p9_stat_fid(struct p9_server *server, const struct p9_fid *fid, struct stat *st)
{
	const char *name;
	int directory_fd, err;

	if (fid->fd >= 0)
		return fstat(fid->fd, st) < 0 ? errno : 0;
	err = p9_locate(server, fid, &directory_fd, &name);
	if (err)
		return err;
	if (fstatat(directory_fd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		err = errno;
	p9_close_directory(server, directory_fd);
	return err;
}

void p9_fids_renamed(struct p9_server *server, const char *from, const char *to)
{
	for (unsigned int i = 0; i < P9_MAX_FIDS; i++)
		if (server->fids.fids[i].in_use)
			p9_path_renamed(&server->fids.fids[i].path, from, to);
}

/* ---- sessions and fids ----------------------------------------------------------------- */

static int op_version(struct p9_call *call)
{
	struct p9_server *server = call->server;
	uint32_t msize = p9_get_u32(&call->in);
	struct p9_string version = p9_get_string(&call->in);
	bool ours;

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	/* A new session: whatever the last one held goes. */
	p9_fid_table_clear(&server->fids);
	server->versioned = false;
	if (msize < P9_MIN_MSIZE)
		return EINVAL;
	server->msize = msize < P9_MAX_MSIZE ? msize : P9_MAX_MSIZE;
	ours = version.length == strlen(P9_VERSION_L) &&
	       memcmp(version.bytes, P9_VERSION_L, version.length) == 0;
	server->versioned = ours;
	p9_put_u32(&call->out, server->msize);
	if (ours)
		p9_put_string(&call->out, P9_VERSION_L, strlen(P9_VERSION_L));
	else
		p9_put_string(&call->out, "unknown", strlen("unknown"));
	return 0;
}

static int op_attach(struct p9_call *call)
{
	struct p9_server *server = call->server;
	uint32_t number = p9_get_u32(&call->in), afid = p9_get_u32(&call->in);
	struct p9_fid *fid;
	struct p9_qid qid;
	struct stat st;
	char *root;
	int err;

	/* uname, aname, n_uname: every fid is the share's root as lvmm's user (docs/9p.md). */
	p9_get_string(&call->in);
	p9_get_string(&call->in);
	p9_get_u32(&call->in);
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (afid != P9_NOFID) /* no Tauth, so no authentication fid */
		return EINVAL;
	if (fstat(server->root_fd, &st) < 0)
		return errno;
	qid = p9_qid_from_stat(&server->devices, &st);
	root = strdup("");
	if (!root)
		return ENOMEM;
	err = p9_fid_add(&server->fids, number, root, &fid);
	if (err)
		return err;
	p9_put_qid(&call->out, &qid);
	return 0;
}

static int op_flush(struct p9_call *call)
{
	/* Requests are served one at a time, in order: the one to flush has been answered. */
	p9_get_u16(&call->in);
	return p9_reader_finish(&call->in) ? 0 : EPROTO;
}

static int op_clunk(struct p9_call *call)
{
	struct p9_fid *fid = p9_fid_of(call, p9_get_u32(&call->in));

	if (!p9_reader_finish(&call->in))
		return EPROTO;
	if (!fid)
		return EBADF;
	p9_fid_release(&call->server->fids, fid);
	return 0;
}

/* One step of a walk: from the directory *fd (whose stat is *st) at *path to name. On success
 * *fd, *st and *path are the new element's. */
static int walk_step(struct p9_server *server, const char *name, int *fd, struct stat *st,
		     char **path)
{
	char *next_path = NULL;
	int next_fd = -1, err;

	/* By name: the parent of the root is the root, and no ".." ever reaches the host. */
	if (p9_name_is_dot(name) || (p9_name_is_dot_dot(name) && !(*path)[0]))
		return 0;
	if (p9_name_is_dot_dot(name)) {
		err = p9_path_parent(*path, &next_path);
		if (!err)
			err = p9_open_path(server, next_path, O_PATH | O_DIRECTORY, 0, &next_fd);
	} else {
		/* Nothing is looked up inside a kernel interface mounted in the share. */
		err = p9_refuse_kernel_interface(server, st, *fd);
		if (!err)
			err = p9_path_join(*path, name, &next_path);
		if (!err) {
			next_fd = p9_open_beneath(*fd, name, O_PATH, 0);
			if (next_fd < 0)
				err = p9_open_errno(server, errno);
		}
	}
	if (!err && fstat(next_fd, st) < 0)
		err = errno;
	/* Learn now, with a descriptor at hand, whether a mount point leads into a kernel
	 * interface: later operations on the fid ask by name. */
	if (!err)
		p9_on_kernel_interface(&server->devices, st, next_fd);
	if (err) {
		if (next_fd >= 0)
			close(next_fd);
		free(next_path);
		return err;
	}
	close(*fd);
	*fd = next_fd;
	free(*path);
	*path = next_path;
	return 0;
}

/* Walks names from path; *walked says how many succeeded (their qids in qids), *path is the
 * last one's. The error is the first failure's, if any. */
static int walk_names(struct p9_server *server, char **path, char names[][NAME_MAX + 1],
		      unsigned int count, struct p9_qid *qids, unsigned int *walked)
{
	struct stat st;
	int fd, err;

	*walked = 0;
	if (count == 0)
		return 0;
	err = p9_open_path(server, *path, O_PATH | O_DIRECTORY, 0, &fd);
	if (err)
		return err;
	if (fstat(fd, &st) < 0) {
		err = errno;
		close(fd);
		return err;
	}
	for (unsigned int i = 0; i < count; i++) {
		err = walk_step(server, names[i], &fd, &st, path);
		if (err)
			break;
		qids[i] = p9_qid_from_stat(&server->devices, &st);
		(*walked)++;
	}
	close(fd);
	return err;
}

/* The new fid of a complete walk: newfid itself, or fid changed in place. */
static int walk_install(struct p9_call *call, struct p9_fid *fid, uint32_t newfid, char *path)
{
	struct p9_fid *added;

	if (newfid == fid->number) {
		free(fid->path);
		fid->path = path;
		return 0;
	}
	return p9_fid_add(&call->server->fids, newfid, path, &added);
}

static int op_walk(struct p9_call *call)
{
	struct p9_server *server = call->server;
	uint32_t number = p9_get_u32(&call->in), newfid = p9_get_u32(&call->in);
	uint16_t count = p9_get_u16(&call->in);
	char names[P9_MAX_WALK_NAMES][NAME_MAX + 1];
	struct p9_string strings[P9_MAX_WALK_NAMES];
	struct p9_qid qids[P9_MAX_WALK_NAMES];
	unsigned int walked;
	struct p9_fid *fid;
	char *path;
	int err;

	if (count > P9_MAX_WALK_NAMES)
		return EINVAL;
	for (unsigned int i = 0; i < count; i++)
		strings[i] = p9_get_string(&call->in);
	if (!p9_reader_finish(&call->in))
		return EPROTO;
	for (unsigned int i = 0; i < count; i++) {
		bool leaves;

		err = p9_string_to_name(strings[i], names[i], &leaves);
		if (leaves)
			p9_leaving(server, "a walk to a name holding '/'");
		if (err)
			return err;
	}
	fid = p9_fid_of(call, number);
	if (!fid)
		return EBADF;
	if (newfid != number && (newfid == P9_NOFID || p9_fid_of(call, newfid)))
		return EINVAL;
	if (newfid == number && fid->fd >= 0 && count > 0) /* an open fid keeps its file */
		return EINVAL;
	path = strdup(fid->path);
	if (!path)
		return ENOMEM;
	err = walk_names(server, &path, names, count, qids, &walked);
	/* A partial walk answers the qids it found and makes no fid; none found is an error. */
	if (walked < count) {
		free(path);
		if (walked == 0)
			return err;
	} else {
		err = walk_install(call, fid, newfid, path);
		if (err)
			return err;
	}
	p9_put_u16(&call->out, (uint16_t)walked);
	for (unsigned int i = 0; i < walked; i++)
		p9_put_qid(&call->out, &qids[i]);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

struct p9_operation {
	int (*serve)(struct p9_call *call);
	bool changes;                 /* refused (EROFS) on a read-only share */
	const char *name;             /* for the count of requests served, at debug level */
};

static const struct p9_operation operations[256] = {
	[P9_TVERSION] = { op_version, false, "version" },
	[P9_TATTACH] = { op_attach, false, "attach" },
	[P9_TFLUSH] = { op_flush, false, "flush" },
	[P9_TWALK] = { op_walk, false, "walk" },
	[P9_TCLUNK] = { op_clunk, false, "clunk" },
	[P9_TGETATTR] = { p9_op_getattr, false, "getattr" },
	[P9_TSETATTR] = { p9_op_setattr, true, "setattr" },
	[P9_TSTATFS] = { p9_op_statfs, false, "statfs" },
	[P9_TREADLINK] = { p9_op_readlink, false, "readlink" },
	[P9_TLOCK] = { p9_op_lock, false, "lock" },
	[P9_TGETLOCK] = { p9_op_getlock, false, "getlock" },
	[P9_TXATTRWALK] = { p9_op_xattr, false, "xattrwalk" },
	[P9_TXATTRCREATE] = { p9_op_xattr, false, "xattrcreate" },
	[P9_TLOPEN] = { p9_op_lopen, false, "lopen" },       /* refuses writing opens itself */
	[P9_TLCREATE] = { p9_op_lcreate, true, "lcreate" },
	[P9_TREAD] = { p9_op_read, false, "read" },
	[P9_TWRITE] = { p9_op_write, true, "write" },
	[P9_TREADDIR] = { p9_op_readdir, false, "readdir" },
	[P9_TFSYNC] = { p9_op_fsync, false, "fsync" },
	[P9_TMKDIR] = { p9_op_mkdir, true, "mkdir" },
	[P9_TSYMLINK] = { p9_op_symlink, true, "symlink" },
	[P9_TMKNOD] = { p9_op_mknod, true, "mknod" },
	[P9_TLINK] = { p9_op_link, true, "link" },
	[P9_TUNLINKAT] = { p9_op_unlinkat, true, "unlinkat" },
	[P9_TRENAMEAT] = { p9_op_renameat, true, "renameat" },
	[P9_TRENAME] = { p9_op_rename, true, "rename" },
	[P9_TREMOVE] = { p9_op_remove, false, "remove" },     /* clunks its fid even on a read-only share */
};

static int dispatch(struct p9_call *call)
{
	const struct p9_operation *operation = &operations[call->type];

	call->server->served[call->type]++;
	if (!operation->serve)
		return EOPNOTSUPP; /* Tauth, the 9P2000 and 9P2000.u messages, replies, unknowns */
	if (!call->server->versioned && call->type != P9_TVERSION)
		return EPROTO;
	if (operation->changes && call->server->read_only)
		return EROFS;
	return operation->serve(call);
}

static void put_header(uint8_t *at, uint32_t size, uint8_t type, uint16_t tag)
{
	struct p9_writer writer;

	p9_writer_init(&writer, at, P9_HEADER_SIZE);
	p9_put_u32(&writer, size);
	p9_put_u8(&writer, type);
	p9_put_u16(&writer, tag);
}

static uint32_t reply_error(struct p9_server *server, const struct iovec *reply,
			    unsigned int reply_count, uint16_t tag, int err)
{
	struct p9_writer writer;

	put_header(server->reply, RLERROR_SIZE, P9_RLERROR, tag);
	p9_writer_init(&writer, server->reply + P9_HEADER_SIZE, 4);
	p9_put_u32(&writer, (uint32_t)err);
	return (uint32_t)iov_copy_in(reply, reply_count, 0, server->reply, RLERROR_SIZE);
}

/* Checks the header and reads the request in: everything but Twrite's data, which stays in
 * the guest's buffers. 0 or EPROTO. */
static int take_request(struct p9_call *call, const uint8_t *header, size_t request_bytes)
{
	struct p9_server *server = call->server;
	struct p9_reader reader;
	uint32_t size, copied;

	p9_reader_init(&reader, header, P9_HEADER_SIZE);
	size = p9_get_u32(&reader);
	call->type = p9_get_u8(&reader);
	if (size < P9_HEADER_SIZE || size > request_bytes || size > server->msize)
		return EPROTO;
	call->request_size = size;
	copied = call->type == P9_TWRITE && size > P9_TWRITE_HEADER_SIZE ? P9_TWRITE_HEADER_SIZE : size;
	iov_copy_out(call->request, call->request_count, 0, server->request, copied);
	p9_reader_init(&call->in, server->request + P9_HEADER_SIZE, copied - P9_HEADER_SIZE);
	return 0;
}

uint32_t p9_server_serve(struct p9_server *server, const struct iovec *request,
			 unsigned int request_count, const struct iovec *reply,
			 unsigned int reply_count)
{
	size_t request_bytes = p9_iov_length(request, request_count);
	size_t reply_bytes = p9_iov_length(reply, reply_count);
	struct p9_call call = {
		.server = server, .request = request, .request_count = request_count,
		.reply = reply, .reply_count = reply_count,
	};
	uint8_t header[P9_HEADER_SIZE];
	uint16_t tag = P9_NOTAG;
	uint32_t length;
	int err = EPROTO;

	if (reply_bytes < RLERROR_SIZE)
		return 0;
	call.reply_capacity = reply_bytes < server->msize ? (uint32_t)reply_bytes : server->msize;
	if (iov_copy_out(request, request_count, 0, header, sizeof(header)) == sizeof(header)) {
		tag = (uint16_t)(header[5] | header[6] << 8);
		err = take_request(&call, header, request_bytes);
	}
	if (!err) {
		p9_writer_init(&call.out, server->reply + P9_HEADER_SIZE,
			       call.reply_capacity - P9_HEADER_SIZE);
		err = dispatch(&call);
		/* A reply too big for the guest's buffer (Rread and Rreaddir fit theirs). */
		if (!err && call.out.overflow)
			err = ENOBUFS;
	}
	if (err)
		return reply_error(server, reply, reply_count, tag, err);
	length = P9_HEADER_SIZE + (uint32_t)call.out.length;
	put_header(server->reply, length + call.data_bytes, (uint8_t)(call.type + 1), tag);
	iov_copy_in(reply, reply_count, 0, server->reply, length);
	return length + call.data_bytes;
}

/* ---- life ------------------------------------------------------------------------------------ */

void p9_server_reset(struct p9_server *server)
{
	p9_fid_table_clear(&server->fids);
	server->versioned = false;
	server->msize = P9_MAX_MSIZE;
}

struct p9_server *p9_server_create(int root_fd, const char *tag, const char *directory,
				   bool read_only, char *err, size_t err_size)
{
	struct p9_server *server = calloc(1, sizeof(*server));
	struct stat st;
	int probe;

	if (!server) {
		close(root_fd);
		snprintf(err, err_size, "9p share %s: out of memory", tag);
		return NULL;
	}
	server->root_fd = root_fd;
	server->read_only = read_only;
	snprintf(server->tag, sizeof(server->tag), "%s", tag);
	p9_fid_table_init(&server->fids);
	p9_server_reset(server);
	if (!(server->directory = strdup(directory)) || !(server->request = malloc(P9_MAX_MSIZE)) ||
	    !(server->reply = malloc(P9_MAX_MSIZE)) || !(server->scratch = malloc(P9_MAX_MSIZE))) {
		snprintf(err, err_size, "9p share %s: out of memory", tag);
		p9_server_destroy(server);
		return NULL;
	}
	/* The kernel must resolve beneath the root (openat2), or nothing is served at all. */
	probe = p9_open_beneath(root_fd, "", O_PATH | O_DIRECTORY, 0);
	if (probe < 0 || fstat(root_fd, &st) < 0) {
		snprintf(err, err_size, errno == ENOSYS ?
			 "cannot share '%s' over 9p: this host kernel lacks openat2 (Linux 5.6 or later is needed)" :
			 "cannot share '%s' over 9p: %s", directory, strerror(errno));
		if (probe >= 0)
			close(probe);
		p9_server_destroy(server);
		return NULL;
	}
	close(probe);
	p9_devices_init(&server->devices, st.st_dev);
	server->root_inode = st.st_ino;
	return server;
}

/* What the guest asked of the share, by message type: where a slow command's time went
 * (--loglevel debug). */
static void log_served(const struct p9_server *server)
{
	char summary[1024];
	size_t used = 0;
	uint64_t total = 0, other = 0;

	if (!log_enabled(LOG_DEBUG))
		return;
	summary[0] = '\0';
	for (unsigned int type = 0; type < 256; type++) {
		const char *name = operations[type].name;

		if (!server->served[type])
			continue;
		total += server->served[type];
		if (!name)
			other += server->served[type];
		else if (used < sizeof(summary))
			used += (size_t)snprintf(summary + used, sizeof(summary) - used, ", %s %u",
						 name, server->served[type]);
	}
	log_debug("9p share %s: served %llu requests%s, other %llu", server->tag,
		  (unsigned long long)total, summary, (unsigned long long)other);
}

void p9_server_destroy(struct p9_server *server)
{
	if (!server)
		return;
	log_served(server);
	p9_fid_table_clear(&server->fids);
	close(server->root_fd);
	free(server->directory);
	free(server->request);
	free(server->reply);
	free(server->scratch);
	free(server);
}
