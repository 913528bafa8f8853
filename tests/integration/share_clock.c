/*
 * share-clock DIR: in lvmm sandbox, writes a new file on a share in DIR (the host stamps its
 * time) and prints how that time stands against the guest's clock read just before and just
 * after the write, in ms:
 *   share-clock: after_ms=A before_ms=B
 * A <= 0: the file is not in the guest's future (make's clock-skew check holds); B is how far
 * the guest's clock may be ahead of the host's. The suite judges the figures
 * (tests/integration/suite.sh).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long nanoseconds(const struct timespec *at)
{
	return (long long)at->tv_sec * 1000000000LL + at->tv_nsec;
}

int main(int argc, char **argv)
{
	struct timespec before, after;
	char path[4096];
	struct stat st;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: share-clock DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/share-clock.%ld", argv[1], (long)getpid());
	clock_gettime(CLOCK_REALTIME, &before);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	if (fd < 0 || write(fd, "x", 1) != 1 || fstat(fd, &st) < 0) {
		perror(path);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &after);
	close(fd);
	unlink(path);
	printf("share-clock: after_ms=%.1f before_ms=%.1f\n",
	       (double)(nanoseconds(&st.st_mtim) - nanoseconds(&after)) / 1e6,
	       (double)(nanoseconds(&st.st_mtim) - nanoseconds(&before)) / 1e6);
	return 0;
}
