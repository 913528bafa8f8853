#include "sandbox_init_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file execvp would have run: name itself when it holds a slash, else the first regular
 * file of that name in PATH. */
static bool find_command(const char *name, char *path, size_t size)
{
	const char *search = getenv("PATH");
	struct stat st;

	if (strchr(name, '/')) {
		snprintf(path, size, "%s", name);
		return stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
	for (const char *dir = search ? search : ""; *dir; ) {
		size_t length = strcspn(dir, ":");

		snprintf(path, size, "%.*s%s%s", (int)length, dir, length ? "/" : "", name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
		dir += length;
		if (*dir == ':')
			dir++;
	}
	return false;
}

/* A script's "#!" line: the interpreter it names, or false. */
static bool script_interpreter(const char *path, char *interpreter, size_t size)
{
	char head[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, head, sizeof(head) - 1);
	size_t skip;

	if (fd >= 0)
		close(fd);
	if (n < 2 || head[0] != '#' || head[1] != '!')
		return false;
	head[n] = '\0';
	skip = 2 + strspn(head + 2, " \t");
	snprintf(interpreter, size, "%.*s", (int)strcspn(head + skip, " \t\n"), head + skip);
	return interpreter[0] != '\0';
}

void sandbox_exec_command(char *const args[])
{
	char path[4096], interpreter[256] = "";

	execvp(args[0], args);
	if (errno != ENOENT) {
		dprintf(2, "lvmm sandbox: %s: %s\n", args[0], strerror(errno));
		_exit(126);
	}
	/* ENOENT for a file that is there: what exec looked for next is missing. As a shell
	 * says "bad interpreter", with 126 (it exists, it cannot be run), not "not found". */
	if (!find_command(args[0], path, sizeof(path))) {
		dprintf(2, "lvmm sandbox: %s: command not found\n", args[0]);
		_exit(127);
	}
	if (script_interpreter(path, interpreter, sizeof(interpreter)) &&
	    access(interpreter, F_OK) != 0)
		dprintf(2, "lvmm sandbox: %s: its interpreter %s is not in the guest's root\n", path,
			interpreter);
	else if (interpreter[0])
		dprintf(2, "lvmm sandbox: %s: its interpreter %s cannot be run: the dynamic loader it names is not in the guest's root\n",
			path, interpreter);
	else
		dprintf(2, "lvmm sandbox: %s: it cannot be run: the dynamic loader it names is not in the guest's root\n",
			path);
	_exit(126);
}
