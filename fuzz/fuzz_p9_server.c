/* libFuzzer harness: the 9P2000.L server against a guest's messages. The input is a stream of
 * 9P messages (each framed by its own size field, which may lie); each is served on a share
 * of a few files and directories, in a fresh session per input.
 *
 * The server writes into the share (a read-write one, for coverage of the changing calls). So
 * that no bug in its confinement could ever touch the machine's files, the fuzzer first moves
 * into a mount namespace of its own where every mount is read-only but the share's scratch
 * directory and build/fuzz (its corpus and crash files); without the privilege for that it
 * serves the share read-only. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hw/p9_server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct p9_server *server;
static uint8_t reply[P9_MIN_MSIZE * 16];

static void make_tree(void)
{
	int fd;

	mkdir("share", 0755);
	mkdir("share/dir", 0755);
	fd = open("share/dir/file", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, "contents\n", 9) != 9)
			perror("fuzz_p9_server: writing the share");
		close(fd);
	}
	if (symlink("/etc/passwd", "share/absolute") || symlink("../../..", "share/dir/up"))
		perror("fuzz_p9_server: symlinks in the share");
}

/* Mount points in /proc/self/mountinfo are its fifth field, with spaces as \040. */
static void unescape(char *text)
{
	char *out = text;

	for (char *in = text; *in; in++) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] && in[3]) {
			*out++ = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 3;
		} else {
			*out++ = *in;
		}
	}
	*out = '\0';
}

/* Every mount read-only in a namespace of this process's own, but writable and keep. */
static bool isolate(const char *writable, const char *keep)
{
	char line[4096], point[4096];
	FILE *mounts;
	bool all = true;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(writable, writable, NULL, MS_BIND, NULL) || mount(keep, keep, NULL, MS_BIND, NULL))
		return false;
	mounts = fopen("/proc/self/mountinfo", "r");
	if (!mounts)
		return false;
	while (fgets(line, sizeof(line), mounts)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
			continue;
		unescape(point);
		if (strcmp(point, writable) == 0 || strcmp(point, keep) == 0)
			continue;
		if (mount(NULL, point, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) && strcmp(point, "/") == 0)
			all = false;
	}
	fclose(mounts);
	return all;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char jail[] = "/tmp/lvmm-fuzz-p9-XXXXXX", keep[4096], err[256];
	bool read_only = true;
	int root_fd;

	(void)argc;
	(void)argv;
	if (!mkdtemp(jail) || chdir(jail) != 0 || !getcwd(jail, sizeof(jail))) {
		perror("fuzz_p9_server: a scratch directory");
		exit(1);
	}
	make_tree();
	/* The corpus and crash files live under build/fuzz, where make runs it from. */
	if (realpath(getenv("LVMM_FUZZ_OUTPUT") ? getenv("LVMM_FUZZ_OUTPUT") : ".", keep) &&
	    isolate(jail, keep))
		read_only = false;
	else
		fprintf(stderr, "fuzz_p9_server: no private read-only mounts (not root?): serving the share read-only\n");
	if (chdir(jail) != 0)
		exit(1);
	root_fd = open("share", O_PATH | O_DIRECTORY | O_CLOEXEC);
	server = root_fd < 0 ? NULL : p9_server_create(root_fd, "fuzz", "share", read_only, err, sizeof(err));
	if (!server) {
		fprintf(stderr, "fuzz_p9_server: %s\n", root_fd < 0 ? "no share" : err);
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;

	p9_server_reset(server);
	while (size - at >= 7) {
		uint32_t claimed = data[at] | data[at + 1] << 8 | data[at + 2] << 16 | (uint32_t)data[at + 3] << 24;
		size_t length = claimed >= 7 && claimed <= size - at ? claimed : size - at;
		struct iovec request = { (void *)(data + at), length };
		/* The reply split over two buffers, as a guest's chain may be. */
		struct iovec replies[2] = { { reply, 100 }, { reply + 100, sizeof(reply) - 100 } };

		p9_server_serve(server, &request, 1, replies, 2);
		at += length;
	}
	return 0;
}
