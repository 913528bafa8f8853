#include "kernel_modules.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool release_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '-' || c == '_' || c == '+';
}

int kernel_release_find(const uint8_t *image, size_t size, char *release, size_t release_size)
{
	static const char banner[] = "Linux version ";
	const size_t banner_length = sizeof(banner) - 1;
	const uint8_t *at = image, *end = image + size;

	/* The banner's format string ("%s version %s") has no digit after it: the first match
	 * followed by a digit is the real one. */
	while ((at = memmem(at, (size_t)(end - at), banner, banner_length))) {
		const uint8_t *start = at + banner_length;
		size_t length = 0;

		at = start;
		if (start >= end || *start < '0' || *start > '9')
			continue;
		while (start + length < end && release_char((char)start[length]))
			length++;
		if (length == 0 || length >= release_size)
			continue;
		memcpy(release, start, length);
		release[length] = '\0';
		return 0;
	}
	return -1;
}

/* open, not access: lvmm's main thread may not call faccessat under its seccomp filter. */
static bool has_modules_dep(const char *directory, const char *place)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s/modules.dep", directory, place);
	int fd;

	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int modules_directory_find(const char *directory, const char *release, char *place,
			   size_t place_size)
{
	char installed[KERNEL_RELEASE_MAX + sizeof("lib/modules/")];

	if (release && snprintf(installed, sizeof(installed), "lib/modules/%s", release) <
			       (int)sizeof(installed) &&
	    has_modules_dep(directory, installed) && strlen(installed) < place_size) {
		strcpy(place, installed);
		return 0;
	}
	if (has_modules_dep(directory, ".") && place_size > 1) {
		strcpy(place, ".");
		return 0;
	}
	return -1;
}

void module_name_of(const char *path, char *name, size_t name_size)
{
	const char *base = strrchr(path, '/');
	size_t length;

	base = base ? base + 1 : path;
	length = strcspn(base, ".");
	if (length >= name_size)
		length = name_size - 1;
	for (size_t i = 0; i < length; i++)
		name[i] = base[i] == '-' ? '_' : base[i];
	name[length] = '\0';
}

/* The modules.dep line of module name: the text after "PATH:" and PATH's extent. */
struct dep_line {
	const char *path;
	size_t path_length;
	const char *deps;
	size_t deps_length;
};

static bool find_line(const char *text, size_t size, const char *name, struct dep_line *line)
{
	const char *at = text, *end = text + size;

	while (at < end) {
		const char *newline = memchr(at, '\n', (size_t)(end - at));
		const char *line_end = newline ? newline : end;
		const char *colon = memchr(at, ':', (size_t)(line_end - at));

		if (colon) {
			char path[512], candidate[64];
			size_t length = (size_t)(colon - at);

			if (length < sizeof(path)) {
				memcpy(path, at, length);
				path[length] = '\0';
				module_name_of(path, candidate, sizeof(candidate));
				if (strcmp(candidate, name) == 0) {
					*line = (struct dep_line){ at, length, colon + 1,
								   (size_t)(line_end - colon - 1) };
					return true;
				}
			}
		}
		at = line_end + 1;
	}
	return false;
}

static bool listed(const struct module_list *list, const char *path, size_t length)
{
	for (unsigned int i = 0; i < list->count; i++) {
		if (strlen(list->paths[i]) == length && memcmp(list->paths[i], path, length) == 0)
			return true;
	}
	return false;
}

static int add_path(struct module_list *list, const char *path, size_t length, char *err,
		    size_t err_size)
{
	if (listed(list, path, length))
		return 0;
	if (list->count == KERNEL_MODULES_MAX) {
		snprintf(err, err_size, "the guest kernel's modules need more than %d files", KERNEL_MODULES_MAX);
		return -1;
	}
	list->paths[list->count] = strndup(path, length);
	if (!list->paths[list->count]) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	list->count++;
	return 0;
}

/* depmod lists a module's dependencies deepest last: loading them last to first, then the
 * module, gives each its dependencies first. */
static int add_with_deps(const struct dep_line *line, struct module_list *list, char *err,
			 size_t err_size)
{
	const char *starts[KERNEL_MODULES_MAX];
	size_t lengths[KERNEL_MODULES_MAX];
	unsigned int count = 0;
	const char *at = line->deps, *end = line->deps + line->deps_length;

	while (at < end) {
		size_t length;

		while (at < end && (*at == ' ' || *at == '\t' || *at == '\r'))
			at++;
		length = 0;
		while (at + length < end && at[length] != ' ' && at[length] != '\t' && at[length] != '\r')
			length++;
		if (length == 0)
			break;
		if (count == KERNEL_MODULES_MAX) {
			snprintf(err, err_size, "a guest kernel module has more than %d dependencies",
				 KERNEL_MODULES_MAX);
			return -1;
		}
		starts[count] = at;
		lengths[count++] = length;
		at += length;
	}
	while (count-- > 0) {
		if (add_path(list, starts[count], lengths[count], err, err_size))
			return -1;
	}
	return add_path(list, line->path, line->path_length, err, err_size);
}

int modules_resolve(const char *modules_dep, size_t size, const char *const *wanted,
		    struct module_list *list, char *err, size_t err_size)
{
	memset(list, 0, sizeof(*list));
	for (unsigned int i = 0; wanted[i]; i++) {
		struct dep_line line;
		char name[64];

		module_name_of(wanted[i], name, sizeof(name));
		if (!find_line(modules_dep, size, name, &line))
			continue;
		if (add_with_deps(&line, list, err, err_size)) {
			module_list_free(list);
			return -1;
		}
	}
	return 0;
}

void module_list_free(struct module_list *list)
{
	for (unsigned int i = 0; i < list->count; i++)
		free(list->paths[i]);
	memset(list, 0, sizeof(*list));
}
