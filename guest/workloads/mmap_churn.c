// mmap-churn: THREADS threads of one process each map an anonymous region, touch every page
// and unmap it, LOOPS times (our own code, in the spirit of will-it-scale's mmap tests). All of
// them serialise on the process's mmap_lock, an rwsem whose waiters spin on a running owner:
// the code vcpu_is_preempted() changes.
//   mmap-churn [-t THREADS] [-l LOOPS] [-p PAGES]
// Prints: mmap: threads=T loops=N pages=P total_s=X ops_per_sec=Y (one op = map, touch, unmap)
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/workload.h"

#define DEFAULT_THREADS 8UL
#define DEFAULT_LOOPS 2000UL
#define DEFAULT_PAGES 16UL

const char workload_name[] = "mmap-churn";
const char workload_usage[] = "usage: mmap-churn [-t THREADS] [-l LOOPS] [-p PAGES]";

static unsigned long loops = DEFAULT_LOOPS, pages = DEFAULT_PAGES;
static long page_size;

static void *churn(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < loops; i++) {
		char *region = mmap(NULL, pages * page_size, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (region == MAP_FAILED)
			die("mmap");
		for (unsigned long p = 0; p < pages; p++)
			region[p * page_size] = (char)i;
		if (munmap(region, pages * page_size) != 0)
			die("munmap");
	}
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned long threads = DEFAULT_THREADS;
	pthread_t ids[256];
	uint64_t start, end;
	int option, err;

	while ((option = getopt(argc, argv, ":t:l:p:")) != -1) {
		switch (option) {
		case 't': threads = parse_count("-t", optarg, 1, 256); break;
		case 'l': loops = parse_count("-l", optarg, 1, 100000000); break;
		case 'p': pages = parse_count("-p", optarg, 1, 4096); break;
		default: option_error(":t:l:p:");
		}
	}
	if (optind != argc)
		usage_error("unexpected argument", 0);
	page_size = sysconf(_SC_PAGESIZE);
	start = now_ns();
	for (unsigned long t = 0; t < threads; t++) {
		err = pthread_create(&ids[t], NULL, churn, NULL);
		if (err) {
			errno = err;
			die("pthread_create");
		}
	}
	for (unsigned long t = 0; t < threads; t++)
		pthread_join(ids[t], NULL);
	end = now_ns();
	printf("mmap: threads=%lu loops=%lu pages=%lu total_s=%.6f ops_per_sec=%.1f\n", threads,
	       loops, pages, (end - start) / 1e9, threads * loops / ((end - start) / 1e9));
	return 0;
}
