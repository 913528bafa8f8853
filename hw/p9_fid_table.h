/*
 * The fids of one 9P session: the numbers the guest chose for the files it holds, each with
 * the path it names (relative to the share's root) and, once opened, its file descriptor. The
 * table is bounded (P9_MAX_FIDS) so that a guest cannot make lvmm's memory grow without end; a
 * walked fid holds no descriptor, so fids never exhaust lvmm's open files either.
 */
#ifndef LVMM_HW_P9_FID_TABLE_H
#define LVMM_HW_P9_FID_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define P9_MAX_FIDS 4096
#define P9_FID_BUCKETS 1024

struct p9_fid {
	uint32_t number;
	bool in_use;
	int fd;                 /* the open file or directory (Tlopen, Tlcreate); -1 before */
	bool writable;          /* fd was opened for writing */
	bool directory;         /* fd is a directory: Treaddir, not Tread */
	dev_t device;           /* the open directory's device, for its entries' qids */
	char *path;             /* relative to the share's root: "" is the root, else "a/b" */
	int32_t next;           /* the next fid of its bucket, or of the free list */
};

struct p9_fid_table {
	struct p9_fid fids[P9_MAX_FIDS];
	int32_t buckets[P9_FID_BUCKETS];
	int32_t free_list;
	unsigned int count;
};

void p9_fid_table_init(struct p9_fid_table *table);
/* The fid numbered number, or NULL. */
struct p9_fid *p9_fid_find(struct p9_fid_table *table, uint32_t number);
/* A new fid owning path (freed with it, also on failure). 0, or the errno to answer: EINVAL
 * when the number is taken (or is NOFID), EMFILE when the table is full. */
int p9_fid_add(struct p9_fid_table *table, uint32_t number, char *path, struct p9_fid **fid);
/* Closes its descriptor, frees its path and forgets it. */
void p9_fid_release(struct p9_fid_table *table, struct p9_fid *fid);
/* Releases every fid (a new session, or the end). */
void p9_fid_table_clear(struct p9_fid_table *table);

#endif
