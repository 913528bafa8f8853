#include "sandbox_environment.h"

#include <stdio.h>
#include <string.h>

bool sandbox_environment_passes(const char *entry)
{
	static const char *const names[] = {
		"TERM", "PATH", "LANG", "LANGUAGE", "HOME", "USER", "LOGNAME", "TZ", "SHELL",
		"TMPDIR", "COLUMNS", "LINES", "EDITOR", "PAGER",
	};
	size_t length = strcspn(entry, "=");

	if (entry[length] != '=')
		return false;
	if (strncmp(entry, "LC_", 3) == 0)
		return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) == length && strncmp(entry, names[i], length) == 0)
			return true;
	}
	return false;
}

/* Whether entry ("NAME=VALUE" or "NAME") is a variable called name (length bytes). */
static bool is_variable(const char *entry, const char *name, size_t length)
{
	return strncmp(entry, name, length) == 0 && (entry[length] == '=' || entry[length] == '\0');
}

static bool given_later(const char *const *given, unsigned int from, unsigned int count,
			const char *name, size_t length)
{
	for (unsigned int i = from; i < count; i++) {
		if (is_variable(given[i], name, length))
			return true;
	}
	return false;
}

/* The caller's value of name (length bytes), as its "NAME=VALUE" entry; NULL if it has none. */
static const char *caller_entry(char *const *caller, const char *name, size_t length)
{
	for (char *const *entry = caller; *entry; entry++) {
		if (is_variable(*entry, name, length) && (*entry)[length] == '=')
			return *entry;
	}
	return NULL;
}

int sandbox_environment_build(char *const *caller, const char *const *given,
			      unsigned int given_count, const char *default_path_entry,
			      const char **env, unsigned int max, unsigned int *count, char *err,
			      size_t err_size)
{
	bool have_path = false;

	*count = 0;
	for (char *const *entry = caller; *entry; entry++) {
		size_t length = strcspn(*entry, "=");

		if (!sandbox_environment_passes(*entry) || given_later(given, 0, given_count, *entry, length))
			continue;
		if (*count == max)
			goto too_many;
		env[(*count)++] = *entry;
		have_path |= is_variable(*entry, "PATH", 4);
	}
	for (unsigned int i = 0; i < given_count; i++) {
		size_t length = strcspn(given[i], "=");
		const char *entry = given[i][length] == '=' ? given[i] :
				    caller_entry(caller, given[i], length);

		/* The last --env of a name counts; a name the caller does not have gives nothing. */
		if (!entry || given_later(given, i + 1, given_count, given[i], length))
			continue;
		if (*count == max)
			goto too_many;
		env[(*count)++] = entry;
		have_path |= is_variable(entry, "PATH", 4);
	}
	if (!have_path) {
		if (*count == max)
			goto too_many;
		env[(*count)++] = default_path_entry;
	}
	return 0;
too_many:
	snprintf(err, err_size, "the command's environment has more than %u variables: give fewer --env",
		 max);
	return -1;
}
