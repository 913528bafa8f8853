/*
 * The paths the 9P server keeps for its fids: relative to the share's root, "" for the root
 * itself, else single path elements joined by '/' ("a/b/c"). Every element was checked when
 * the guest named it (no "", ".", ".." or '/'), so a path can only ever name something beneath
 * the root; resolving it is p9_beneath.h's job.
 */
#ifndef LVMM_HW_P9_PATH_H
#define LVMM_HW_P9_PATH_H

#include <stdbool.h>

/* directory/name in a new allocation: 0, ENAMETOOLONG (PATH_MAX with its NUL) or ENOMEM. */
int p9_path_join(const char *directory, const char *name, char **joined);
/* A copy of path without its last element ("" for the root and its children): 0 or ENOMEM.
 * This is how ".." is walked: by the name, never by asking the host for a parent. */
int p9_path_parent(const char *path, char **parent);
/* The last element of path (path itself when it has one element; "" for the root). */
const char *p9_path_last(const char *path);
/*
 * After from was renamed to to: a path that is from, or beneath it, now lies under to. Returns
 * true if *path was changed (reallocated). A path that would grow past PATH_MAX, or that cannot
 * be allocated, stays as it was: it names nothing any more and its operations fail.
 */
bool p9_path_renamed(char **path, const char *from, const char *to);

#endif
