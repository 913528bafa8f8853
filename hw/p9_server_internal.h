/*
 * What the parts of the 9P server share: the server's state, one call in progress, and the
 * helpers through which every operation reaches the host's files. Not for the server's users
 * (hw/p9_server.h); the unit tests look inside.
 */
#ifndef LVMM_HW_P9_SERVER_INTERNAL_H
#define LVMM_HW_P9_SERVER_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "p9_fid_table.h"
#include "p9_message.h"
#include "p9_qid.h"
#include "p9_server.h"

/* Rread's data segments: a virtqueue chain holds at most 1024 (IOV_MAX, too). */
#define P9_MAX_DATA_SEGMENTS 1024

struct p9_server {
	int root_fd;                 /* the share's directory, O_PATH */
	ino_t root_inode;            /* what the root's ".." entry shows: the root itself */
	bool read_only;
	char tag[64];
	char *directory;             /* as the user gave it, for messages */
	uint32_t msize;              /* negotiated by Tversion */
	bool versioned;              /* a Tversion agreed on 9P2000.L */
	bool said_leave;             /* the one line per share about a guest leaving it */
	bool chmod_by_reopen;        /* no fchmodat2 (Linux < 6.6): chmod through an open file */
	struct p9_fid_table fids;
	struct p9_devices devices;
	uint8_t *request;            /* the request, but for Twrite's data (P9_MAX_MSIZE) */
	uint8_t *reply;              /* the reply, but for Rread's data (P9_MAX_MSIZE) */
	uint8_t *scratch;            /* getdents64's entries, a link's target (P9_MAX_MSIZE) */
	struct iovec data[P9_MAX_DATA_SEGMENTS];
	uint32_t served[256];        /* requests by message type, for the debug log */
};

/* One request being served. */
struct p9_call {
	struct p9_server *server;
	uint8_t type;
	struct p9_reader in;         /* the request's fields after its header */
	struct p9_writer out;        /* the reply's fields after its header */
	const struct iovec *request; /* the whole request as the guest gave it: Twrite's data */
	unsigned int request_count;
	uint32_t request_size;       /* the request's size field */
	const struct iovec *reply;   /* where the reply goes: Rread's data straight in */
	unsigned int reply_count;
	uint32_t reply_capacity;     /* bytes the reply may take: msize, or less if reply is shorter */
	uint32_t data_bytes;         /* Rread: bytes already in reply after the fields */
};

/* The operations, in hw/p9_server_*.c: 0 with the reply's fields in call->out, or the errno
 * to answer with an Rlerror. */
int p9_op_getattr(struct p9_call *call);
int p9_op_setattr(struct p9_call *call);
int p9_op_statfs(struct p9_call *call);
int p9_op_readlink(struct p9_call *call);
int p9_op_lock(struct p9_call *call);
int p9_op_getlock(struct p9_call *call);
int p9_op_xattr(struct p9_call *call);
int p9_op_lopen(struct p9_call *call);
int p9_op_lcreate(struct p9_call *call);
int p9_op_read(struct p9_call *call);
int p9_op_write(struct p9_call *call);
int p9_op_readdir(struct p9_call *call);
int p9_op_fsync(struct p9_call *call);
int p9_op_mkdir(struct p9_call *call);
int p9_op_symlink(struct p9_call *call);
int p9_op_mknod(struct p9_call *call);
int p9_op_link(struct p9_call *call);
int p9_op_unlinkat(struct p9_call *call);
int p9_op_renameat(struct p9_call *call);
int p9_op_rename(struct p9_call *call);
int p9_op_remove(struct p9_call *call);

/* ---- helpers (hw/p9_server.c) ---- */

/* The guest tried to reach outside the share (how says in what way): says so once per share,
 * and returns EACCES, the answer. */
int p9_leaving(struct p9_server *server, const char *how);
/* errno after a failed p9_open_beneath, as the guest gets it: EXDEV becomes p9_leaving(). */
int p9_open_errno(struct p9_server *server, int err);
/* The fid numbered number, or NULL (answer EBADF). */
struct p9_fid *p9_fid_of(struct p9_call *call, uint32_t number);
/* A name for a new or existing directory entry: p9_string_to_name, where "." and ".." (which
 * would name the directory or its parent, not an entry) and names with '/' are EINVAL and
 * reported as leaving the directory. */
int p9_entry_name(struct p9_server *server, struct p9_string string, char *name);

/* p9_open_beneath from the root: fd, or the errno to answer. */
int p9_open_path(struct p9_server *server, const char *path, int flags, mode_t mode, int *fd);
/* The directory path names, O_PATH, for the *at calls: fd (the root's own for ""), or the
 * errno to answer (ENOTDIR; EACCES inside a kernel interface). Close with
 * p9_close_directory. */
int p9_open_directory(struct p9_server *server, const char *path, int *fd);
void p9_close_directory(struct p9_server *server, int fd);
/* The directory holding the fid's file and its name there, for the *at calls: the root is
 * (root, "."). *name points into fid->path. 0 or the errno to answer. */
int p9_locate(struct p9_server *server, const struct p9_fid *fid, int *directory_fd,
	      const char **name);
/* lstat() of the fid's file: through its open descriptor if it has one (a file unlinked while
 * open still has attributes), else by name. 0 or the errno. */
int p9_stat_fid(struct p9_server *server, const struct p9_fid *fid, struct stat *st);
/* EACCES (0 if not) when st, reached through fd, lies on a kernel interface file system
 * mounted inside the share (p9_qid.h). */
int p9_refuse_kernel_interface(struct p9_server *server, const struct stat *st, int fd);
/* The permission bits the server gives a file of type (S_IFMT bits): mode's, without setuid
 * and setgid but on directories (a guest could otherwise leave a setuid program on the host,
 * owned by lvmm's user). */
mode_t p9_safe_mode(mode_t type, uint32_t mode);
/* chmod of the file named name in directory_fd (path from the root; type its S_IFMT bits),
 * never through a symlink. 0 or the errno. (hw/p9_server_attr.c) */
int p9_chmod_at(struct p9_server *server, int directory_fd, const char *name, const char *path,
		mode_t type, mode_t mode);
/* After a new entry name was made in directory_fd with the permissions mode: its stat in *st,
 * and mode made exact where lvmm's umask took bits away. 0 or the errno. */
int p9_settle_new(struct p9_server *server, int directory_fd, const char *name,
		  const char *path, mode_t mode, struct stat *st);
/* After a rename: the fids at or under from now name what lies under to. */
void p9_fids_renamed(struct p9_server *server, const char *from, const char *to);

#endif
