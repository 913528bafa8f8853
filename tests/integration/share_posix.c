/*
 * share-posix DIR: file semantics a program expects of a writable directory, checked in DIR on
 * a 9p share from inside the guest (Linux's client against lvmm's server, end to end). One
 * line per check, "ok - share-posix: NAME" or "not ok - share-posix: NAME: WHY", then
 * "share-posix: N checks, F failed"; the exit status is F (at most 100). DIR must be empty.
 * The integration suite runs it in lvmm sandbox on a --9p share and counts its lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define MANY_ENTRIES 3000
#define BIG_BYTES (8u << 20)

static const char *directory;
static int checks, failures;

static void check(bool passed, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void check(bool passed, const char *name, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (passed) {
		printf("ok - share-posix: %s\n", name);
		return;
	}
	failures++;
	printf("not ok - share-posix: %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (errno: %s)\n", strerror(errno));
}

/* DIR/name; a few at once, each in its own buffer. */
static const char *at(const char *name)
{
	static char paths[4][4096];
	static unsigned int next;
	char *path = paths[next++ % 4];

	snprintf(path, sizeof(paths[0]), "%s/%s", directory, name);
	return path;
}

static int create(const char *name, const char *text)
{
	int fd = open(at(name), O_RDWR | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0 && text && write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A file removed while open stays usable through its descriptor: programs' temporary files. */
static void open_then_unlinked(void)
{
	char data[8] = { 0 };
	struct stat st = { 0 };
	int fd = create("unlinked", "hello");

	check(fd >= 0 && unlink(at("unlinked")) == 0, "a file open for writing can be unlinked",
	      "fd %d", fd);
	check(fstat(fd, &st) == 0 && st.st_size == 5, "fstat of an unlinked open file",
	      "size %lld", (long long)st.st_size);
	check(pread(fd, data, sizeof(data), 0) == 5 && memcmp(data, "hello", 5) == 0,
	      "read of an unlinked open file", "read '%.5s'", data);
	check(ftruncate(fd, 2) == 0 && pwrite(fd, "XYZ", 3, 10) == 3 && fstat(fd, &st) == 0 &&
		      st.st_size == 13, "truncate and write past the end of an unlinked open file",
	      "size %lld", (long long)st.st_size);
	check(fchmod(fd, 0600) == 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600,
	      "fchmod of an unlinked open file", "mode %o", st.st_mode & 0777);
	close(fd);
}

/* rename() over a file that is open: the descriptor keeps the old file (editors, package
 * managers and git replace files so). */
static void renamed_over_while_open(void)
{
	char data[8] = { 0 };
	struct stat st = { 0 };
	int old_fd = create("target", "AAAA"), fd;

	close(create("replacement", "BBBB"));
	check(rename(at("replacement"), at("target")) == 0, "rename over an open file", "rename");
	check(pread(old_fd, data, 4, 0) == 4 && memcmp(data, "AAAA", 4) == 0 &&
		      fstat(old_fd, &st) == 0 && st.st_size == 4,
	      "the descriptor of a file renamed over keeps the old data", "read '%.4s'", data);
	close(old_fd);
	fd = open(at("target"), O_RDONLY);
	memset(data, 0, sizeof(data));
	check(fd >= 0 && read(fd, data, 4) == 4 && memcmp(data, "BBBB", 4) == 0,
	      "the name renamed over gives the new data", "read '%.4s'", data);
	close(fd);

	fd = create("moving", "12345678");
	check(rename(at("moving"), at("moved")) == 0 && ftruncate(fd, 3) == 0 &&
		      stat(at("moved"), &st) == 0 && st.st_size == 3,
	      "a file renamed while open is truncated through its descriptor", "size %lld",
	      (long long)st.st_size);
	close(fd);
}

/* rm -rf: reading a directory while removing its entries must neither skip nor repeat any.
 * The names are long so that the entries outgrow one Treaddir (512 KiB at most): the server
 * then resumes a listing at an offset after most of the entries before it are gone. */
static void remove_while_listing(void)
{
	char name[4096];
	int made = 0, removed = 0, left = 0;
	struct dirent *entry;
	DIR *listing;

	if (mkdir(at("many"), 0755) < 0) {
		check(false, "a directory of 3000 files emptied in one pass of readdir", "mkdir");
		return;
	}
	for (int i = 0; i < MANY_ENTRIES; i++) {
		int fd;

		snprintf(name, sizeof(name), "%s/%05d-%0240d", at("many"), i, 0);
		fd = open(name, O_WRONLY | O_CREAT, 0644);
		if (fd >= 0) {
			made++;
			close(fd);
		}
	}
	listing = opendir(at("many"));
	while (listing && (entry = readdir(listing))) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(name, sizeof(name), "%s/%s", at("many"), entry->d_name);
		if (unlink(name) == 0)
			removed++;
	}
	if (listing)
		closedir(listing);
	listing = opendir(at("many"));
	while (listing && (entry = readdir(listing)))
		left += strcmp(entry->d_name, ".") && strcmp(entry->d_name, "..");
	if (listing)
		closedir(listing);
	check(made == MANY_ENTRIES && removed == MANY_ENTRIES && left == 0 && rmdir(at("many")) == 0,
	      "a directory of 3000 files emptied in one pass of readdir", "made %d, removed %d, left %d",
	      made, removed, left);
}

static void links_and_special_files(void)
{
	char target[64] = { 0 };
	struct stat st = { 0 };
	struct statfs fs = { 0 };
	char long_name[257];

	close(create("first-name", NULL));
	check(link(at("first-name"), at("second-name")) == 0 && stat(at("first-name"), &st) == 0 &&
		      st.st_nlink == 2, "a hard link, and the link count", "nlink %lu",
	      (unsigned long)st.st_nlink);
	check(symlink("somewhere/../else", at("symlink")) == 0 &&
		      readlink(at("symlink"), target, sizeof(target) - 1) == 17 &&
		      strcmp(target, "somewhere/../else") == 0,
	      "a symlink reads back as written", "read '%s'", target);
	check(mkfifo(at("fifo"), 0644) == 0 && lstat(at("fifo"), &st) == 0 && S_ISFIFO(st.st_mode),
	      "a fifo", "mode %o", st.st_mode);
	check(statfs(directory, &fs) == 0 && fs.f_bsize > 0 && fs.f_blocks > 0, "statfs",
	      "bsize %ld", (long)fs.f_bsize);
	memset(long_name, 'n', 255);
	long_name[255] = '\0';
	check(close(create(long_name, NULL)) == 0, "a 255-byte name", "create");
	errno = 0;
	check(open(at("first-name"), O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 && errno == EEXIST,
	      "O_EXCL on an existing name fails with EEXIST", "open");
	mkdir(at("full"), 0755);
	close(create("full/inside", NULL));
	errno = 0;
	check(rmdir(at("full")) < 0 && errno == ENOTEMPTY, "rmdir of a directory with a file fails with ENOTEMPTY", "rmdir");
	check(rename(at("full"), at("full-renamed")) == 0 && stat(at("full-renamed/inside"), &st) == 0,
	      "a renamed directory keeps its files", "stat");
}

static void appends_and_large_io(void)
{
	static char written[BIG_BYTES], read_back[BIG_BYTES];
	struct stat st = { 0 };
	int first = open(at("log"), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	int second = open(at("log"), O_WRONLY | O_APPEND);
	int fd, zeros = 1;
	ssize_t n;

	check(write(first, "one\n", 4) == 4 && write(second, "two\n", 4) == 4 &&
		      write(first, "three\n", 6) == 6 && stat(at("log"), &st) == 0 && st.st_size == 14,
	      "O_APPEND through two descriptors appends both", "size %lld", (long long)st.st_size);
	close(first);
	close(second);

	for (size_t i = 0; i < sizeof(written); i++)
		written[i] = (char)(i * 7 + (i >> 12));
	fd = open(at("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	n = pwrite(fd, written, sizeof(written), 4096);
	check(n == (ssize_t)sizeof(written) && pread(fd, read_back, sizeof(read_back), 4096) == n &&
		      memcmp(written, read_back, sizeof(written)) == 0,
	      "8 MiB written at an offset read back the same", "wrote %zd", n);
	n = pread(fd, read_back, 4096, 0);
	for (int i = 0; i < 4096; i++)
		zeros &= read_back[i] == 0;
	check(n == 4096 && zeros, "the hole before it reads as zeros", "read %zd", n);
	check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync", "sync");
	close(fd);
}

/* The *at() calls relative to a directory descriptor, as modern tools (coreutils, systemd)
 * use them. */
static void relative_to_directory(void)
{
	int directory_fd = open(directory, O_RDONLY | O_DIRECTORY), fd;

	fd = openat(directory_fd, "relative", O_WRONLY | O_CREAT, 0644);
	check(fd >= 0 && close(fd) == 0 &&
		      renameat(directory_fd, "relative", directory_fd, "relative-renamed") == 0 &&
		      unlinkat(directory_fd, "relative-renamed", 0) == 0 &&
		      faccessat(directory_fd, "relative-renamed", F_OK, 0) < 0,
	      "openat, renameat and unlinkat relative to a directory", "fd %d", fd);
	close(directory_fd);
}

/* A program built into the share runs from it (exec maps it privately). */
static void run_from_share(const char *self)
{
	char buffer[65536], output[64] = { 0 };
	int in = open(self, O_RDONLY), out = open(at("program"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
	int pipe_fds[2];
	ssize_t n;
	pid_t child;
	int status = -1;

	while (in >= 0 && out >= 0 && (n = read(in, buffer, sizeof(buffer))) > 0)
		if (write(out, buffer, (size_t)n) != n)
			break;
	close(in);
	close(out);
	if (pipe(pipe_fds) < 0)
		return;
	child = fork();
	if (child == 0) {
		dup2(pipe_fds[1], 1);
		execl(at("program"), "program", "--print-token", (char *)NULL);
		_exit(127);
	}
	close(pipe_fds[1]);
	n = read(pipe_fds[0], output, sizeof(output) - 1);
	close(pipe_fds[0]);
	waitpid(child, &status, 0);
	check(status == 0 && n > 0 && strcmp(output, "share-posix-token\n") == 0,
	      "a program copied into the share runs from it", "status %d, printed '%s'", status,
	      output);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--print-token") == 0) {
		puts("share-posix-token");
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: share-posix DIR\n");
		return 100;
	}
	directory = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	open_then_unlinked();
	renamed_over_while_open();
	remove_while_listing();
	links_and_special_files();
	appends_and_large_io();
	relative_to_directory();
	run_from_share("/proc/self/exe");
	printf("share-posix: %d checks, %d failed\n", checks, failures);
	return failures > 100 ? 100 : failures;
}
