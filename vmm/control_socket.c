#include "control_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "control_protocol.h"
#include "log.h"
#include "lvmm/exit_status.h"
#include "vm.h"
#include "vm_stats.h"

/* How long a connection may take to send its request, and a pause to take hold. */
#define CONTROL_REQUEST_WAIT_MS 200
#define CONTROL_PAUSE_WAIT_MS 1000

static struct {
	int listen_fd;
	int directory_fd;
	uid_t owner;               /* lvmm's user, noted before the seccomp filter */
	char name[CONTROL_NAME_MAX + 1];
	char file[CONTROL_NAME_MAX + sizeof(CONTROL_SOCKET_SUFFIX)];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
} control = { .listen_fd = -1, .directory_fd = -1 };

int control_socket_fd(void)
{
	return control.listen_fd;
}

int control_socket_directory_fd(void)
{
	return control.directory_fd;
}

/* The directory, made 0700 if missing; refused if another user owns it or others can write
 * into it (they could swap the socket). */
static int control_directory_open(char *directory, size_t size)
{
	struct stat st;
	int fd;

	if (control_directory(directory, size, getenv("XDG_RUNTIME_DIR"), getenv("HOME")) < 0) {
		errno = ENOENT;
		return -1;
	}
	if (mkdir(directory, 0700) < 0 && errno != EEXIST)
		return -1;
	fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

static int control_bind(const struct sockaddr_un *address)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	mode_t old_mask;
	int result;

	if (fd < 0)
		return -1;
	old_mask = umask(0177); /* the socket file is 0600 from its creation */
	result = bind(fd, (const struct sockaddr *)address, sizeof(*address));
	umask(old_mask);
	if (result < 0 || listen(fd, 8) < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Whether a live lvmm listens at the address (a stale socket refuses the connection). */
static bool control_address_live(const struct sockaddr_un *address)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return true; /* cannot tell: do not remove what may be another's */
	live = connect(fd, (const struct sockaddr *)address, sizeof(*address)) == 0 ||
	       (errno != ECONNREFUSED && errno != ENOENT);
	close(fd);
	return live;
}

int control_socket_open(const struct run_options *opts, char *err, size_t err_size)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	char directory[sizeof(address.sun_path)];
	int n;

	control.owner = geteuid();
	if (opts->name_given)
		snprintf(control.name, sizeof(control.name), "%s", opts->name);
	else
		snprintf(control.name, sizeof(control.name), "guest-%d", (int)getpid());
	control.directory_fd = control_directory_open(directory, sizeof(directory));
	n = snprintf(address.sun_path, sizeof(address.sun_path), "%s/%s%s", directory, control.name,
		     CONTROL_SOCKET_SUFFIX);
	if (control.directory_fd < 0 || n < 0 || (size_t)n >= sizeof(address.sun_path)) {
		log_info("no control socket for guest %s (%s: %s): lvmm list, stop, pause and stat will not see it",
			    control.name, directory, control.directory_fd < 0 ? strerror(errno) : "path too long");
		if (control.directory_fd >= 0)
			close(control.directory_fd);
		control.directory_fd = -1;
		return 0;
	}
	snprintf(control.file, sizeof(control.file), "%s%s", control.name, CONTROL_SOCKET_SUFFIX);
	snprintf(control.path, sizeof(control.path), "%s", address.sun_path);
	control.listen_fd = control_bind(&address);
	if (control.listen_fd < 0 && errno == EADDRINUSE) {
		if (control_address_live(&address)) {
			snprintf(err, err_size, "a guest named %s is already running (its control socket is %s); choose another --name",
				 control.name, control.path);
			close(control.directory_fd);
			control.directory_fd = -1;
			return -1;
		}
		/* Left by an lvmm that was killed: nobody listens. */
		log_info("removing the stale control socket %s", control.path);
		unlinkat(control.directory_fd, control.file, 0);
		control.listen_fd = control_bind(&address);
	}
	if (control.listen_fd < 0) {
		log_info("no control socket for guest %s (%s: %s): lvmm list, stop, pause and stat will not see it",
			    control.name, control.path, strerror(errno));
		close(control.directory_fd);
		control.directory_fd = -1;
	}
	return 0;
}

void control_socket_close(void)
{
	if (control.listen_fd < 0)
		return;
	/* Only the file this lvmm made: a successor with the same name has not bound yet, since
	 * this one still listened. */
	unlinkat(control.directory_fd, control.file, 0);
	close(control.listen_fd);
	close(control.directory_fd);
	control.listen_fd = -1;
	control.directory_fd = -1;
}

static void control_reply(int fd, const char *text, size_t size)
{
	/* A reader that does not take its reply loses it; the main thread never waits on it. */
	if (send(fd, text, size, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_debug("control socket: the reply was not taken: %s", strerror(errno));
}

static void control_reply_error(int fd, const char *message)
{
	char text[256];
	int n = snprintf(text, sizeof(text), "error: %s\n", message);

	control_reply(fd, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

static void control_answer(struct vm *vm, int fd, enum control_request request)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	switch (request) {
	case CONTROL_STOP:
		log_info("control socket: stop requested");
		control_reply(fd, "ok\n", 3);
		vm_request_host_stop(vm, 128 + 15, "lvmm stop"); /* as SIGTERM: docs/control.md */
		return;
	case CONTROL_PAUSE:
		if (vm_pause(vm, CONTROL_PAUSE_WAIT_MS) < 0) {
			control_reply_error(fd, "not every vCPU stopped within 1 s; the pause stays requested (lvmm resume undoes it)");
			return;
		}
		log_info("control socket: guest paused");
		control_reply(fd, "ok\n", 3);
		return;
	case CONTROL_RESUME:
		vm_resume(vm);
		log_info("control socket: guest resumed");
		control_reply(fd, "ok\n", 3);
		return;
	default:
		break;
	}
	out = open_memstream(&text, &size);
	if (!out) {
		control_reply_error(fd, "out of memory");
		return;
	}
	fputs("ok\n", out);
	if (request == CONTROL_INFO)
		fprintf(out, "%s %d %s %u %llu\n", control.name, (int)getpid(),
			vm_paused(vm) ? "paused" : "running", vm->vcpu_count,
			(unsigned long long)vm->opts->mem_mib);
	else
		vm_write_stats(vm, control.name, out, request == CONTROL_STAT_JSON);
	fclose(out);
	if (size > CONTROL_REPLY_MAX)
		control_reply_error(fd, "the reply is too large");
	else
		control_reply(fd, text, size);
	free(text);
}

void control_socket_serve(struct vm *vm)
{
	char request[CONTROL_REQUEST_MAX];
	struct pollfd wait;
	struct ucred peer;
	socklen_t peer_size = sizeof(peer);
	ssize_t n;
	int fd = accept4(control.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	/* The request is taken off the socket first, whoever sent it: closing a connection with
	 * its request unread would reset it, and the sender would never see the reply. */
	wait = (struct pollfd){ .fd = fd, .events = POLLIN };
	n = poll(&wait, 1, CONTROL_REQUEST_WAIT_MS) == 1 ? recv(fd, request, sizeof(request), MSG_TRUNC) : -1;
	if (n < 0) {
		close(fd);
		return;
	}
	/* Only the user who started the guest may control it (the 0600 socket in a 0700
	 * directory already says so; this holds even if those modes were loosened). */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) < 0 || peer.uid != control.owner) {
		static bool said;
		char message[128];

		if (!said) {
			said = true;
			log_warning("control socket: refused a request from uid %d: only uid %d may control this guest",
				    (int)peer.uid, (int)control.owner);
		}
		snprintf(message, sizeof(message), "permission denied: only uid %d may control guest %s",
			 (int)control.owner, control.name);
		control_reply_error(fd, message);
	} else if ((size_t)n > sizeof(request)) {
		control_reply_error(fd, "malformed request (too long)");
	} else {
		enum control_request parsed = control_request_parse(request, (size_t)n);

		if (parsed == CONTROL_INVALID)
			control_reply_error(fd, "malformed request: send one of info, stop, pause, resume, stat, stat json");
		else
			control_answer(vm, fd, parsed);
	}
	close(fd);
}
