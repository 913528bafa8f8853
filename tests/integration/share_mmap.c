/*
 * share-mmap write FILE | share-mmap check FILE: the integration suite's test of a shared,
 * writable mapping of a file on a 9p share. "write" (in the guest) makes FILE 1 MiB, maps it
 * MAP_SHARED, fills it with a pattern through the mapping alone, closes the file and unmaps it
 * without msync: the unmap must write the pages back. "check" (on the host) reads FILE with
 * read() and compares it with the pattern. Exit 0 on success, 1 with one line saying why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIZE (1u << 20)

/* Differs from page to page and within one, so a page written back to the wrong offset or not
 * at all shows. */
static char pattern_at(size_t offset)
{
	return (char)('a' + (offset * 31 + (offset >> 12)) % 26);
}

static int write_through_mapping(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *map;

	if (fd < 0 || ftruncate(fd, SIZE) < 0) {
		printf("share-mmap: creating %s failed: %s\n", path, strerror(errno));
		return 1;
	}
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		printf("share-mmap: a shared writable mapping of %s failed: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	for (size_t i = 0; i < SIZE; i++)
		map[i] = pattern_at(i);
	if (munmap(map, SIZE) < 0) {
		printf("share-mmap: munmap failed: %s\n", strerror(errno));
		return 1;
	}
	printf("share-mmap: wrote %u bytes through the mapping\n", SIZE);
	return 0;
}

static int check(const char *path)
{
	static char data[SIZE + 1];
	size_t have = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("share-mmap: opening %s failed: %s\n", path, strerror(errno));
		return 1;
	}
	while (have < sizeof(data) && (n = read(fd, data + have, sizeof(data) - have)) > 0)
		have += (size_t)n;
	close(fd);
	if (have != SIZE) {
		printf("share-mmap: %s holds %zu bytes, not %u\n", path, have, SIZE);
		return 1;
	}
	for (size_t i = 0; i < SIZE; i++) {
		if (data[i] != pattern_at(i)) {
			printf("share-mmap: %s differs from the pattern at byte %zu\n", path, i);
			return 1;
		}
	}
	printf("share-mmap: %s holds the pattern\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "write") == 0)
		return write_through_mapping(argv[2]);
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return check(argv[2]);
	fprintf(stderr, "usage: share-mmap write|check FILE\n");
	return 2;
}
