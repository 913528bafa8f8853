#include "child_process.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit_test.h"

void child_exit(int status)
{
	syscall(SYS_exit_group, status);
}

void run_child(void (*body)(void *context), void *context, struct child_result *result)
{
	int pipe_fds[2];
	size_t got = 0;
	ssize_t n;
	pid_t pid;
	int status;

	memset(result, 0, sizeof(*result));
	if (pipe(pipe_fds) < 0) {
		unit_test_fail(__FILE__, __LINE__, "pipe: %s", strerror(errno));
		result->status = -1;
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pipe_fds[1], STDERR_FILENO);
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		body(context);
		child_exit(0);
	}
	close(pipe_fds[1]);
	while ((n = read(pipe_fds[0], result->output + got, sizeof(result->output) - 1 - got)) > 0)
		got += (size_t)n;
	close(pipe_fds[0]);
	result->output[got] = '\0';
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		result->status = -1;
	else
		result->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
