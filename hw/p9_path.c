#include "p9_path.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int p9_path_join(const char *directory, const char *name, char **joined)
{
	size_t directory_length = strlen(directory), name_length = strlen(name);
	size_t length = directory_length + (directory_length ? 1 : 0) + name_length;
	char *path;

	*joined = NULL;
	if (length >= PATH_MAX)
		return ENAMETOOLONG;
	path = malloc(length + 1);
	if (!path)
		return ENOMEM;
	memcpy(path, directory, directory_length);
	if (directory_length)
		path[directory_length++] = '/';
	memcpy(path + directory_length, name, name_length + 1);
	*joined = path;
	return 0;
}

int p9_path_parent(const char *path, char **parent)
{
	const char *slash = strrchr(path, '/');
	size_t length = slash ? (size_t)(slash - path) : 0;

	*parent = malloc(length + 1);
	if (!*parent)
		return ENOMEM;
	memcpy(*parent, path, length);
	(*parent)[length] = '\0';
	return 0;
}

const char *p9_path_last(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool p9_path_renamed(char **path, const char *from, const char *to)
{
	size_t from_length = strlen(from), to_length = strlen(to);
	const char *rest;
	size_t rest_length;
	char *renamed;

	if (from_length == 0 || strncmp(*path, from, from_length) != 0 ||
	    ((*path)[from_length] != '\0' && (*path)[from_length] != '/'))
		return false;
	rest = *path + from_length;
	rest_length = strlen(rest);
	if (to_length + rest_length >= PATH_MAX)
		return false;
	renamed = malloc(to_length + rest_length + 1);
	if (!renamed)
		return false;
	memcpy(renamed, to, to_length);
	memcpy(renamed + to_length, rest, rest_length + 1);
	free(*path);
	*path = renamed;
	return true;
}
