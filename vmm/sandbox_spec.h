/*
 * What lvmm sandbox asks its guest init to do, written by lvmm on the host into the initrd
 * (/sandbox.spec) and read by lvmm running as the guest's init (vmm/sandbox_init.c). Versioned
 * with the init that reads it: both are the same binary, so there is no compatibility to keep.
 *
 * Format: records of NUL-terminated fields, the first field naming the record:
 *   "root" TAG READ_ONLY              the 9p share mounted as /
 *   "root-overlay" "tmpfs"            the root is an overlay: the share, read-only, below a
 *                                     tmpfs that takes every write (lvmm sandbox
 *                                     --writable-root)
 *   "share" TAG PATH READ_ONLY        a further 9p share, mounted at PATH
 *   "tmpfs" PATH                      a writable tmpfs over PATH, if PATH is a directory
 *   "module" FILE                     a kernel module in the initrd, loaded in order
 *   "modules-share" TAG DIRECTORY     the guest kernel's modules (lvmm sandbox --modules): the
 *                                     9p share TAG, whose relative DIRECTORY ("." for its top)
 *                                     init puts at /lib/modules/RELEASE, RELEASE being the
 *                                     running kernel's
 *   "cwd" PATH                        the command's working directory
 *   "stdin" HOW                       "forwarded": lvmm's standard input, over the control
 *                                     port (vmm/sandbox_input_frames.h); "null": /dev/null
 *   "terminal" ROWS COLUMNS           the command gets a pseudo-terminal of that size (decimal,
 *                                     0-65535; 0: unknown) as its standard input, output and
 *                                     error, and its controlling terminal: lvmm sandbox -t. With
 *                                     "stdin" "forwarded" its bytes are the keys typed on it;
 *                                     without, nothing is typed (-tt without input)
 *   "user" UID GID                    the command runs as that user and group (decimal), with no
 *                                     supplementary groups, and owns the tmpfs over its HOME;
 *                                     without the record, as root (lvmm sandbox --user)
 *   "env" NAME=VALUE                  the command's environment, one record each
 *   "arg" ARG                         the command and its arguments, in order
 * READ_ONLY is "ro" or "rw".
 */
#ifndef LVMM_SANDBOX_SPEC_H
#define LVMM_SANDBOX_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_SPEC_MAX_SHARES 8
#define SANDBOX_SPEC_MAX_TMPFS 8
#define SANDBOX_SPEC_MAX_MODULES 32
#define SANDBOX_SPEC_MAX_ARGS 65536 /* short ones: the spec's 1 MiB is usually reached first */
#define SANDBOX_SPEC_MAX_ENV 256
#define SANDBOX_SPEC_MAX_BYTES (1u << 20)

struct sandbox_share {
	const char *tag;
	const char *path;       /* the mount point in the guest ("/" for the root) */
	bool read_only;
};

/* Every string points into the encoded bytes it was decoded from (or the caller's strings). */
struct sandbox_spec {
	struct sandbox_share root;
	bool root_overlay;      /* writes to the root go to a tmpfs above it */
	struct sandbox_share shares[SANDBOX_SPEC_MAX_SHARES];
	unsigned int share_count;
	const char *tmpfs[SANDBOX_SPEC_MAX_TMPFS];
	unsigned int tmpfs_count;
	const char *modules[SANDBOX_SPEC_MAX_MODULES];
	unsigned int module_count;
	/* --modules: the share holding the kernel's modules (tag NULL: none) */
	const char *modules_share_tag;
	const char *modules_share_directory;
	const char *cwd;
	bool input_forwarded;   /* the command's stdin is lvmm's, else /dev/null */
	bool terminal;          /* a pseudo-terminal in the guest: input_forwarded too */
	unsigned short terminal_rows, terminal_columns;
	bool user_given;        /* else root */
	unsigned int user_id, group_id;
	const char *env[SANDBOX_SPEC_MAX_ENV + 1];   /* NULL-terminated, for execve */
	unsigned int env_count;
	unsigned int arg_count;
	/* Last: decoding clears what comes before it, not these 512 KiB, which the guest's init
	 * would otherwise fault in and zero at every boot. */
	const char *args[SANDBOX_SPEC_MAX_ARGS + 1]; /* NULL-terminated, for execve */
};

/* Encodes spec into a malloc'd buffer (*size bytes). -1 on a bad spec (one line in err). */
int sandbox_spec_encode(const struct sandbox_spec *spec, char **bytes, size_t *size, char *err,
			size_t err_size);
/* Decodes bytes (kept alive by the caller, and not changed) into spec. -1 with one line in
 * err on anything malformed: unterminated field, unknown record, too many of a kind, no root,
 * no command, no working directory. */
int sandbox_spec_decode(const char *bytes, size_t size, struct sandbox_spec *spec, char *err,
			size_t err_size);

#endif
