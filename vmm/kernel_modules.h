/*
 * Kernel modules for a guest kernel that builds its drivers as modules (Debian's): which
 * release an Image is, and which module files, in load order, give a set of drivers, from the
 * release's modules.dep in a root file system (as modprobe would find them).
 */
#ifndef LVMM_KERNEL_MODULES_H
#define LVMM_KERNEL_MODULES_H

#include <stddef.h>
#include <stdint.h>

#define KERNEL_RELEASE_MAX 64
#define KERNEL_MODULES_MAX 32

/* The release ("6.1.0-57-arm64") from the "Linux version " banner in an uncompressed Image.
 * 0, or -1 when the Image has no banner. */
int kernel_release_find(const uint8_t *image, size_t size, char *release, size_t release_size);

struct module_list {
	/* Paths relative to lib/modules/RELEASE/ ("kernel/fs/9p/9p.ko"), dependencies first. */
	char *paths[KERNEL_MODULES_MAX];
	unsigned int count;
};

/*
 * Resolves the modules named in wanted (NULL-terminated; '-' and '_' alike) with their
 * dependencies, from the text of modules.dep. A wanted module that modules.dep does not list is
 * left out (built in, or absent: the guest finds out). 0, or -1 with one line in err (more
 * than KERNEL_MODULES_MAX modules, out of memory). Free with module_list_free.
 */
int modules_resolve(const char *modules_dep, size_t size, const char *const *wanted,
		    struct module_list *list, char *err, size_t err_size);
void module_list_free(struct module_list *list);

/*
 * Where a directory given as a kernel's modules (lvmm sandbox --modules) keeps them: in
 * lib/modules/RELEASE below it, as make modules_install INSTALL_MOD_PATH=DIR leaves them, or in
 * itself (that release directory given), the first of the two with a modules.dep. Gives the
 * place relative to directory, "lib/modules/RELEASE" or ".". 0, or -1 when neither has one
 * (release NULL, the kernel's being unknown: only directory itself is looked at).
 */
int modules_directory_find(const char *directory, const char *release, char *place,
			   size_t place_size);

/* "kernel/fs/9p/9p.ko.xz" -> "9p" (suffixes stripped, '-' as '_'), into name. */
void module_name_of(const char *path, char *name, size_t name_size);

#endif
