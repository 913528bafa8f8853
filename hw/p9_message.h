/*
 * 9P2000.L messages: the numbers the protocol defines and a bounds-checked reader and writer
 * for its little-endian fields. Every message is size[4] type[1] tag[2] then the type's own
 * fields; a string is len[2] and that many bytes (no NUL); a qid is type[1] version[4] path[8].
 *
 * What the guest sends is untrusted: the reader never reads past the bytes it was given. A
 * read that would is not performed, gives 0 (or an empty string) and marks the reader failed,
 * so a handler reads all its fields and checks once, at the end, that they were all there and
 * nothing else was (p9_reader_finish).
 */
#ifndef LVMM_HW_P9_MESSAGE_H
#define LVMM_HW_P9_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "vmm/virtqueue.h" /* iov_copy_in/out */

/* Message types (a reply is its request's type + 1). */
enum p9_type {
	P9_TLERROR = 6, P9_RLERROR = 7,
	P9_TSTATFS = 8,
	P9_TLOPEN = 12,
	P9_TLCREATE = 14,
	P9_TSYMLINK = 16,
	P9_TMKNOD = 18,
	P9_TRENAME = 20,
	P9_TREADLINK = 22,
	P9_TGETATTR = 24,
	P9_TSETATTR = 26,
	P9_TXATTRWALK = 30,
	P9_TXATTRCREATE = 32,
	P9_TREADDIR = 40,
	P9_TFSYNC = 50,
	P9_TLOCK = 52,
	P9_TGETLOCK = 54,
	P9_TLINK = 70,
	P9_TMKDIR = 72,
	P9_TRENAMEAT = 74,
	P9_TUNLINKAT = 76,
	P9_TVERSION = 100,
	P9_TAUTH = 102,
	P9_TATTACH = 104,
	P9_TFLUSH = 108,
	P9_TWALK = 110,
	P9_TREAD = 116,
	P9_TWRITE = 118,
	P9_TCLUNK = 120,
	P9_TREMOVE = 122,
};

#define P9_HEADER_SIZE 7u             /* size[4] type[1] tag[2] */
#define P9_NOTAG 0xffffu
#define P9_NOFID 0xffffffffu
#define P9_MAX_WALK_NAMES 16          /* MAXWELEM */
#define P9_QID_SIZE 13u
#define P9_RREAD_HEADER_SIZE 11u      /* header, count[4]: Rread's data and Rreaddir's follow */
#define P9_TWRITE_HEADER_SIZE 23u     /* header, fid[4] offset[8] count[4]: the data follows */
#define P9_VERSION_L "9P2000.L"

/* qid.type */
#define P9_QTDIR 0x80
#define P9_QTSYMLINK 0x02
#define P9_QTFILE 0x00

/* Tlopen and Tlcreate flags: Linux's generic O_* values, whatever the host's are. */
#define P9_DOTL_ACCMODE   00000003
#define P9_DOTL_RDONLY    00000000
#define P9_DOTL_WRONLY    00000001
#define P9_DOTL_RDWR      00000002
#define P9_DOTL_CREATE    00000100
#define P9_DOTL_EXCL      00000200
#define P9_DOTL_TRUNC     00001000
#define P9_DOTL_APPEND    00002000
#define P9_DOTL_DSYNC     00010000
#define P9_DOTL_DIRECTORY 00200000
#define P9_DOTL_SYNC      04000000

#define P9_DOTL_AT_REMOVEDIR 0x200

/* Tsetattr's valid bits. */
#define P9_SETATTR_MODE      0x001u
#define P9_SETATTR_UID       0x002u
#define P9_SETATTR_GID       0x004u
#define P9_SETATTR_SIZE      0x008u
#define P9_SETATTR_ATIME     0x010u
#define P9_SETATTR_MTIME     0x020u
#define P9_SETATTR_CTIME     0x040u
#define P9_SETATTR_ATIME_SET 0x080u
#define P9_SETATTR_MTIME_SET 0x100u

/* Rgetattr's valid mask: mode, nlink, uid, gid, rdev, times, ino, size and blocks. */
#define P9_GETATTR_BASIC 0x7ffull

#define P9_LOCK_TYPE_UNLCK 2
#define P9_LOCK_SUCCESS 0

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

struct p9_reader {
	const uint8_t *at;
	size_t left;
	bool failed;              /* a read ran past the end: the message is malformed */
};

struct p9_writer {
	uint8_t *at;
	size_t left;
	size_t length;            /* bytes written so far */
	bool overflow;            /* a write did not fit: the reply is too big for its buffer */
};

/* A string as it lies in the message: not NUL-terminated, may hold NUL bytes. */
struct p9_string {
	const char *bytes;
	uint16_t length;
};

void p9_reader_init(struct p9_reader *reader, const uint8_t *bytes, size_t length);
uint8_t p9_get_u8(struct p9_reader *reader);
uint16_t p9_get_u16(struct p9_reader *reader);
uint32_t p9_get_u32(struct p9_reader *reader);
uint64_t p9_get_u64(struct p9_reader *reader);
struct p9_string p9_get_string(struct p9_reader *reader);
/* true if every read fitted and every byte was read: a well-formed message. */
bool p9_reader_finish(const struct p9_reader *reader);

void p9_writer_init(struct p9_writer *writer, uint8_t *buffer, size_t capacity);
void p9_put_u8(struct p9_writer *writer, uint8_t value);
void p9_put_u16(struct p9_writer *writer, uint16_t value);
void p9_put_u32(struct p9_writer *writer, uint32_t value);
void p9_put_u64(struct p9_writer *writer, uint64_t value);
void p9_put_bytes(struct p9_writer *writer, const void *bytes, size_t length);
/* length must fit in 16 bits (callers' strings are names and link targets, below 64 KiB). */
void p9_put_string(struct p9_writer *writer, const char *text, size_t length);
void p9_put_qid(struct p9_writer *writer, const struct p9_qid *qid);
/* Fills in a count reserved earlier (its 4 bytes at at), once what it counts is written. */
void p9_patch_u32(uint8_t *at, uint32_t value);

/*
 * A path element the guest named, as a C string in out (NAME_MAX + 1 bytes): 0, or the errno
 * to answer. Empty names and names with a NUL byte are EINVAL, longer than NAME_MAX
 * ENAMETOOLONG; names with a '/' are EINVAL and set *leaves (they reach past the directory the
 * guest named, which the caller reports). "." and ".." pass: each operation decides.
 */
int p9_string_to_name(struct p9_string string, char *out, bool *leaves);
/* A string with no NUL byte as a C string (a symlink's target): 0, EINVAL or ENAMETOOLONG. */
int p9_string_to_text(struct p9_string string, char *out, size_t out_size);

bool p9_name_is_dot(const char *name);
bool p9_name_is_dot_dot(const char *name);

/* The total length of count iovecs. */
size_t p9_iov_length(const struct iovec *iov, unsigned int count);
/* The part [offset, offset + length) of an iovec array as iovecs in out (at most out_max);
 * returns how many. Fewer bytes than asked when the array (or out) ends first. */
unsigned int p9_iov_slice(const struct iovec *iov, unsigned int count, size_t offset,
			  size_t length, struct iovec *out, unsigned int out_max);

#endif
