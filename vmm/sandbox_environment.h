/*
 * A sandboxed command's environment (docs/sandbox.md): the caller's variables that are safe to
 * pass, and those the caller names with --env.
 */
#ifndef LVMM_SANDBOX_ENVIRONMENT_H
#define LVMM_SANDBOX_ENVIRONMENT_H

#include <stdbool.h>
#include <stddef.h>

/* The caller's environment variables ("NAME=VALUE") a sandboxed command gets: the terminal,
 * the locale, the search path and who the user is; everything else stays on the host. */
bool sandbox_environment_passes(const char *entry);

/*
 * The command's environment into env (at most max entries, *count of them): the caller's
 * entries that pass, except those a --env names; then each --env (given, in order; the last of
 * a name counts): NAME=VALUE as given, NAME alone as the caller has it (nothing when the caller
 * has none, as docker's -e); default_path_entry ("PATH=...") when none of them is PATH. The
 * entries point into caller, given and default_path_entry. -1 with one line in err if they
 * are more than max.
 */
int sandbox_environment_build(char *const *caller, const char *const *given,
			      unsigned int given_count, const char *default_path_entry,
			      const char **env, unsigned int max, unsigned int *count, char *err,
			      size_t err_size);

#endif
