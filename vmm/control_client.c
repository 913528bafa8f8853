#include "control_client.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_protocol.h"
#include "log.h"
#include "lvmm/exit_status.h"

/* Sends request to the socket at path; the reply (NUL-terminated, malloc'd) in *reply. 0, or
 * -1 with errno (ECONNREFUSED: nobody listens, a stale socket). */
static int control_ask(const char *path, enum control_request request, char **reply)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	const char *text = control_request_text(request);
	char *buffer;
	ssize_t n;
	int fd, saved;

	if (strlen(path) >= sizeof(address.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(address.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	buffer = malloc(CONTROL_REPLY_MAX + 1);
	if (!buffer || connect(fd, (struct sockaddr *)&address, sizeof(address)) < 0 ||
	    send(fd, text, strlen(text), MSG_NOSIGNAL) < 0 ||
	    (n = recv(fd, buffer, CONTROL_REPLY_MAX, 0)) < 0) {
		saved = buffer ? errno : ENOMEM;
		free(buffer);
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	if (n == 0) { /* closed without an answer: the guest stopped meanwhile */
		free(buffer);
		errno = ECONNRESET;
		return -1;
	}
	buffer[n] = '\0';
	*reply = buffer;
	return 0;
}

static int control_list(const char *directory)
{
	DIR *dir = opendir(directory);
	struct dirent *entry;
	int listed = 0;

	if (!dir) {
		if (errno == ENOENT)
			return 0; /* no guest ever ran: nothing to list */
		log_error("cannot read %s: %s", directory, strerror(errno));
		return EXIT_LVMM_ERROR;
	}
	while ((entry = readdir(dir))) {
		size_t length = strlen(entry->d_name), suffix = strlen(CONTROL_SOCKET_SUFFIX);
		char path[4096 + sizeof(entry->d_name) + 1], *reply;

		if (length <= suffix || strcmp(entry->d_name + length - suffix, CONTROL_SOCKET_SUFFIX))
			continue;
		snprintf(path, sizeof(path), "%s/%s", directory, entry->d_name);
		if (control_ask(path, CONTROL_INFO, &reply) < 0) {
			/* An lvmm killed without its clean-up left it: nobody listens any more. */
			if (errno == ECONNREFUSED && unlink(path) == 0)
				fprintf(stderr, "lvmm: removed the stale control socket %s\n", path);
			continue;
		}
		if (strncmp(reply, "ok\n", 3) == 0) {
			if (listed++ == 0)
				printf("%-24s %8s %-8s %5s %8s\n", "NAME", "PID", "STATE", "VCPUS", "MEM_MIB");
			char name[CONTROL_NAME_MAX + 1], state[16];
			int pid;
			unsigned int vcpus;
			unsigned long long mem;

			if (sscanf(reply + 3, "%64s %d %15s %u %llu", name, &pid, state, &vcpus, &mem) == 5)
				printf("%-24s %8d %-8s %5u %8llu\n", name, pid, state, vcpus, mem);
		}
		free(reply);
	}
	closedir(dir);
	fflush(stdout);
	return 0;
}

static const char control_usage[] =
	"usage: lvmm list\n"
	"       lvmm stop --name NAME\n"
	"       lvmm pause --name NAME\n"
	"       lvmm resume --name NAME\n"
	"       lvmm stat --name NAME [--json]\n";

int control_command(int argc, char **argv)
{
	const char *command = argv[0], *name = NULL;
	bool json = false;
	enum control_request request;
	char directory[4096], path[4200], *reply;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(control_usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc && strcmp(command, "list")) {
			name = argv[++i];
		} else if (strncmp(argv[i], "--name=", 7) == 0 && strcmp(command, "list")) {
			name = argv[i] + 7;
		} else if (strcmp(argv[i], "--json") == 0 && strcmp(command, "stat") == 0) {
			json = true;
		} else {
			log_error("lvmm %s: unexpected argument '%s' (see lvmm %s --help)", command, argv[i],
				  command);
			return EXIT_USAGE;
		}
	}
	if (control_directory(directory, sizeof(directory), getenv("XDG_RUNTIME_DIR"), getenv("HOME")) < 0) {
		log_error("lvmm %s: neither XDG_RUNTIME_DIR nor HOME is an absolute path: cannot find the control sockets",
			  command);
		return EXIT_LVMM_ERROR;
	}
	if (strcmp(command, "list") == 0)
		return control_list(directory);
	if (!name) {
		log_error("lvmm %s needs the guest's name: lvmm %s --name NAME (lvmm list shows them)",
			  command, command);
		return EXIT_USAGE;
	}
	if (!control_name_valid(name)) {
		log_error("lvmm %s: '%s' is not a guest name (lvmm list shows them)", command, name);
		return EXIT_USAGE;
	}
	request = strcmp(command, "stop") == 0 ? CONTROL_STOP :
		  strcmp(command, "pause") == 0 ? CONTROL_PAUSE :
		  strcmp(command, "resume") == 0 ? CONTROL_RESUME :
		  json ? CONTROL_STAT_JSON : CONTROL_STAT;
	snprintf(path, sizeof(path), "%s/%s%s", directory, name, CONTROL_SOCKET_SUFFIX);
	if (control_ask(path, request, &reply) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			log_error("lvmm %s: no guest named %s is running (lvmm list shows them)", command, name);
		else
			log_error("lvmm %s: cannot reach guest %s at %s: %s", command, name, path,
				  strerror(errno));
		return EXIT_LVMM_ERROR;
	}
	if (strncmp(reply, "ok\n", 3) != 0) {
		log_error("lvmm %s: guest %s refused: %.*s", command, name,
			  (int)strcspn(reply, "\n"), strncmp(reply, "error: ", 7) == 0 ? reply + 7 : reply);
		free(reply);
		return EXIT_LVMM_ERROR;
	}
	fputs(reply + 3, stdout);
	fflush(stdout);
	free(reply);
	return 0;
}
