/*
 * virtio-blk (-d/--disk FILE[,ro]): a raw image file (or a block device) as a disk. The device's
 * I/O thread hands requests to a few worker threads (virtio_request_pool.h), which serve them in
 * parallel with preadv/pwritev straight between the file and the guest's buffers. The cache is write-back: a write may sit in the host's page cache until the
 * guest flushes, and a flush returns only once fdatasync() has put everything on stable
 * storage. An image opened read-write is locked (an OFD write lock, as QEMU takes), so a second
 * lvmm cannot write it at the same time; read-only opens share a read lock.
 */
#include "virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "virtio_mmio.h"
#include "virtio_request_pool.h"
#include "vmm/cli.h"
#include "vmm/log.h"
#include "vmm/monotonic_clock.h"
#include "vmm/vm.h"

/* Feature bits (virtio 1.2 section 5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and statuses (5.2.6). */
#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK           0
#define VIRTIO_BLK_S_IOERR        1
#define VIRTIO_BLK_S_UNSUPP       2

#define VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP 1u

#define SECTOR_SIZE 512u
#define VIRTIO_BLK_ID_BYTES 20
/* Segments per request the driver may use (config seg_max): the chain limit minus the header
 * and status descriptors. */
#define VIRTIO_BLK_SEG_MAX (VIRTQUEUE_MAX_SEGMENTS - 2)
/* One range per discard or write-zeroes request, of at most 1 GiB. */
#define VIRTIO_BLK_MAX_RANGE_SECTORS (1u << 21)
/* Workers per disk: enough for the few requests a guest keeps in flight to reach the file at
 * once, few enough that a VM's disks do not swamp a small host with threads. The slots bound
 * the requests taken from the ring and not yet answered (a chain's iovecs each). */
#define VIRTIO_BLK_WORKERS 4
#define VIRTIO_BLK_SLOTS 32

/* The configuration layout (5.2.4), little-endian like every field the guest sees. */
struct virtio_blk_config {
	uint64_t capacity;
	uint32_t size_max;
	uint32_t seg_max;
	uint16_t cylinders;
	uint8_t heads;
	uint8_t sectors;
	uint32_t blk_size;
	uint8_t physical_block_exp;
	uint8_t alignment_offset;
	uint16_t min_io_size;
	uint32_t opt_io_size;
	uint8_t writeback;
	uint8_t unused0;
	uint16_t num_queues;
	uint32_t max_discard_sectors;
	uint32_t max_discard_seg;
	uint32_t discard_sector_alignment;
	uint32_t max_write_zeroes_sectors;
	uint32_t max_write_zeroes_seg;
	uint8_t write_zeroes_may_unmap;
	uint8_t unused1[3];
} __attribute__((packed));

struct virtio_blk_request_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct virtio_blk_range {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

/* What the guest asked of a disk and how long its file took, for --loglevel debug: is lvmm or
 * the guest the slow part of a request? One per worker, read once the workers stopped. */
struct virtio_blk_stats {
	uint64_t requests, reads, writes, flushes, bytes;
	uint64_t segments;     /* data iovecs of the reads and writes: one file call each */
	uint64_t file_ns;      /* in preadv, pwritev and fdatasync */
};

/* A worker's own: the iovecs of the request it serves, and its counters. */
struct virtio_blk_worker {
	struct iovec data[VIRTQUEUE_MAX_SEGMENTS];
	struct virtio_blk_stats stats;
};

struct virtio_blk {
	struct virtio_mmio transport; /* first: virtio_mmio_device_start/stop take the state as it */
	struct virtio_device_ops ops;
	struct virtio_blk_config config;
	int fd;
	bool read_only;
	uint64_t sectors;
	char path[4096];
	char id[VIRTIO_BLK_ID_BYTES];
	/* Counted once per disk: a guest hitting these again and again says so once. */
	atomic_bool said_io_error;
	bool timed; /* --loglevel debug: the threads read the clock around each step */
	/* The I/O thread's passes over the queue, handing requests out, and their time. */
	uint64_t batches, batch_ns;
	struct virtio_request_pool pool;
	struct virtio_blk_worker workers[VIRTIO_BLK_WORKERS];
};

static uint64_t stats_clock(const struct virtio_blk *blk)
{
	return blk->timed ? monotonic_ns() : 0;
}

/* The data segments of a request: iov minus skip bytes at the front and cut bytes at the end.
 * Returns the segment count written to out. */
static unsigned int iov_slice(const struct iovec *iov, unsigned int count, size_t skip,
			      size_t length, struct iovec *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < count && length > 0; i++) {
		size_t take;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - skip;
		if (take > length)
			take = length;
		out[n++] = (struct iovec){ (uint8_t *)iov[i].iov_base + skip, take };
		length -= take;
		skip = 0;
	}
	return n;
}

static bool virtio_blk_range_ok(const struct virtio_blk *blk, uint64_t sector, uint64_t bytes)
{
	uint64_t count = bytes / SECTOR_SIZE;

	return bytes % SECTOR_SIZE == 0 && sector <= blk->sectors && count <= blk->sectors - sector;
}

/* preadv/pwritev until done: the file may return short counts. */
static int virtio_blk_transfer(struct virtio_blk *blk, struct iovec *iov, unsigned int count,
			       uint64_t offset, bool write)
{
	while (count > 0) {
		ssize_t n = write ? pwritev(blk->fd, iov, (int)count, (off_t)offset) :
				    preadv(blk->fd, iov, (int)count, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) { /* read past the end of a file that shrank: zeros, as a hole */
			for (unsigned int i = 0; i < count; i++)
				memset(iov[i].iov_base, 0, iov[i].iov_len);
			return 0;
		}
		offset += (uint64_t)n;
		while (count > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			count--;
		}
		if (count > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int virtio_blk_zero(struct virtio_blk *blk, uint64_t offset, uint64_t length, bool unmap)
{
	static const uint8_t zeros[65536];

	if (unmap && fallocate(blk->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
			       (off_t)length) == 0)
		return 0;
	if (fallocate(blk->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
		      (off_t)length) == 0)
		return 0;
	/* The file system (or a block device) has neither: write the zeros. */
	while (length > 0) {
		size_t chunk = length < sizeof(zeros) ? (size_t)length : sizeof(zeros);
		ssize_t n = pwrite(blk->fd, zeros, chunk, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		offset += (uint64_t)n;
		length -= (uint64_t)n;
	}
	return 0;
}

static uint8_t virtio_blk_range_request(struct virtio_blk *blk, const struct virtqueue_chain *chain,
					uint32_t type)
{
	struct virtio_blk_range range;
	uint64_t offset, length;

	if (blk->read_only)
		return VIRTIO_BLK_S_IOERR;
	/* Exactly one range (max_discard_seg = max_write_zeroes_seg = 1). */
	if (chain->readable_bytes != sizeof(struct virtio_blk_request_header) + sizeof(range) ||
	    iov_copy_out(chain->readable, chain->readable_count,
			 sizeof(struct virtio_blk_request_header), &range, sizeof(range)) !=
		    sizeof(range))
		return VIRTIO_BLK_S_UNSUPP;
	if (range.num_sectors > VIRTIO_BLK_MAX_RANGE_SECTORS ||
	    !virtio_blk_range_ok(blk, range.sector, (uint64_t)range.num_sectors * SECTOR_SIZE) ||
	    (range.flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ||
	    (type == VIRTIO_BLK_T_DISCARD && range.flags))
		return VIRTIO_BLK_S_UNSUPP;
	offset = range.sector * SECTOR_SIZE;
	length = (uint64_t)range.num_sectors * SECTOR_SIZE;
	if (type == VIRTIO_BLK_T_DISCARD) {
		/* A discard is a hint: where the file system cannot punch holes it does nothing. */
		if (fallocate(blk->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
			      (off_t)length) < 0 && errno != EOPNOTSUPP)
			return VIRTIO_BLK_S_IOERR;
		return VIRTIO_BLK_S_OK;
	}
	return virtio_blk_zero(blk, offset, length, range.flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP) ?
		       VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

/* Serves one request on a worker; returns the bytes written into the guest's buffers (status
 * included). */
static uint32_t virtio_blk_request(struct virtio_blk *blk, const struct virtqueue_chain *chain,
				   struct virtio_blk_worker *worker)
{
	struct virtio_blk_stats *stats = &worker->stats;
	struct virtio_blk_request_header header;
	const struct iovec *last;
	uint8_t status = VIRTIO_BLK_S_OK;
	uint32_t data_bytes = 0, written = 0;
	unsigned int segments;
	uint64_t file_start;

	/* The status byte is the last writable byte; without one nothing can be answered. */
	if (chain->writable_bytes < 1 ||
	    iov_copy_out(chain->readable, chain->readable_count, 0, &header, sizeof(header)) !=
		    sizeof(header)) {
		log_limited(LOG_WARNING, "virtio-blk '%s': a request without a header or a status byte; answered with nothing",
			    blk->path);
		return 0;
	}
	last = &chain->writable[chain->writable_count - 1];
	switch (header.type) {
	case VIRTIO_BLK_T_IN:
		data_bytes = chain->writable_bytes - 1;
		if (!virtio_blk_range_ok(blk, header.sector, data_bytes)) {
			status = VIRTIO_BLK_S_IOERR;
			data_bytes = 0;
			break;
		}
		segments = iov_slice(chain->writable, chain->writable_count, 0, data_bytes, worker->data);
		file_start = stats_clock(blk);
		if (virtio_blk_transfer(blk, worker->data, segments, header.sector * SECTOR_SIZE, false))
			status = VIRTIO_BLK_S_IOERR;
		stats->file_ns += stats_clock(blk) - file_start;
		stats->segments += segments;
		stats->reads++;
		stats->bytes += data_bytes;
		written = data_bytes;
		break;
	case VIRTIO_BLK_T_OUT:
		data_bytes = chain->readable_bytes - (uint32_t)sizeof(header);
		if (blk->read_only || !virtio_blk_range_ok(blk, header.sector, data_bytes)) {
			status = VIRTIO_BLK_S_IOERR;
			break;
		}
		segments = iov_slice(chain->readable, chain->readable_count, sizeof(header),
				     data_bytes, worker->data);
		file_start = stats_clock(blk);
		if (virtio_blk_transfer(blk, worker->data, segments, header.sector * SECTOR_SIZE, true))
			status = VIRTIO_BLK_S_IOERR;
		stats->file_ns += stats_clock(blk) - file_start;
		stats->segments += segments;
		stats->writes++;
		stats->bytes += data_bytes;
		break;
	case VIRTIO_BLK_T_FLUSH:
		file_start = stats_clock(blk);
		if (!blk->read_only && fdatasync(blk->fd) < 0)
			status = VIRTIO_BLK_S_IOERR;
		stats->file_ns += stats_clock(blk) - file_start;
		stats->flushes++;
		break;
	case VIRTIO_BLK_T_GET_ID:
		written = (uint32_t)iov_copy_in(chain->writable, chain->writable_count, 0, blk->id,
						chain->writable_bytes - 1 < VIRTIO_BLK_ID_BYTES ?
							chain->writable_bytes - 1 : VIRTIO_BLK_ID_BYTES);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		status = virtio_blk_range_request(blk, chain, header.type);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	stats->requests++;
	if (status == VIRTIO_BLK_S_IOERR && !blk->read_only &&
	    !atomic_exchange(&blk->said_io_error, true)) {
		log_warning("virtio-blk '%s': a request of type %u at sector %llu failed (%s); the guest sees an I/O error",
			    blk->path, header.type, (unsigned long long)header.sector,
			    errno ? strerror(errno) : "out of range");
	}
	((uint8_t *)last->iov_base)[last->iov_len - 1] = status;
	return written + 1;
}

static uint32_t virtio_blk_serve(void *state, struct virtio_request *request, unsigned int worker)
{
	struct virtio_blk *blk = state;

	errno = 0;
	return virtio_blk_request(blk, &request->chain, &blk->workers[worker]);
}

static void virtio_blk_process(struct virtio_mmio *transport, unsigned int queue)
{
	struct virtio_blk *blk = transport->state;
	uint64_t start = stats_clock(blk);

	virtio_request_pool_dispatch(&blk->pool, queue);
	blk->batch_ns += stats_clock(blk) - start;
	blk->batches++;
}

static void virtio_blk_drain(struct virtio_mmio *transport)
{
	struct virtio_blk *blk = transport->state;

	virtio_request_pool_drain(&blk->pool);
}

/* One line at --loglevel debug as the disk goes: what the guest asked, and lvmm's time per
 * request (docs/memory-map.md): what it does not cover is the guest's and the notification's.
 * lvmm's time is summed over its threads: the I/O thread handing requests out, and the workers
 * serving and answering them, which run in parallel. */
static void virtio_blk_log_stats(const struct virtio_blk *blk)
{
	struct virtio_blk_stats total = { 0 };
	uint64_t busy_ns = blk->batch_ns, interrupt_ns = 0, requests, transfers;

	if (!blk->timed || !blk->batches)
		return;
	for (unsigned int i = 0; i < VIRTIO_BLK_WORKERS; i++) {
		const struct virtio_blk_stats *stats = &blk->workers[i].stats;

		total.requests += stats->requests;
		total.reads += stats->reads;
		total.writes += stats->writes;
		total.flushes += stats->flushes;
		total.bytes += stats->bytes;
		total.segments += stats->segments;
		total.file_ns += stats->file_ns;
		busy_ns += blk->pool.workers[i].busy_ns;
		interrupt_ns += blk->pool.workers[i].interrupt_ns;
	}
	requests = total.requests ? total.requests : 1;
	transfers = total.reads + total.writes ? total.reads + total.writes : 1;
	/* The segments: the guest's buffer in as many pieces, as many iovecs in one preadv or
	 * pwritev, whose per-piece cost the file's I/O time includes. In service at once: how
	 * many requests the workers served at the same moment, at most. */
	log_debug("virtio-blk '%s': %llu requests (%llu reads, %llu writes, %llu flushes, %llu other), "
		  "%.1f MiB, in %llu batches; per request %.3f ms in lvmm's I/O threads, %.3f ms of it "
		  "the file's I/O; per batch %.3f ms raising the interrupt; per read or write %.1f "
		  "data segments; at most %u requests in service at once, by %u workers",
		  blk->path, (unsigned long long)total.requests, (unsigned long long)total.reads,
		  (unsigned long long)total.writes, (unsigned long long)total.flushes,
		  (unsigned long long)(total.requests - total.reads - total.writes - total.flushes),
		  total.bytes / 1048576.0, (unsigned long long)blk->batches,
		  busy_ns / 1e6 / requests, total.file_ns / 1e6 / requests,
		  interrupt_ns / 1e6 / blk->batches, (double)total.segments / transfers,
		  atomic_load(&blk->pool.in_service_max), VIRTIO_BLK_WORKERS);
}

static unsigned int virtio_blk_instances(const struct run_options *opts)
{
	return opts->disk_count;
}

/*
 * An OFD lock on the whole image, shared for ,ro and exclusive otherwise. 0 when locked, or
 * when this host cannot lock at all (a kernel without CONFIG_FILE_LOCKING answers EACCES to
 * every lock and EINVAL to a query; some file systems ENOLCK): then lvmm says so and goes on,
 * as QEMU does. -1 with one line in err when another program holds a conflicting lock.
 */
static int virtio_blk_lock(struct virtio_blk *blk, char *err, size_t err_size)
{
	struct flock lock = { .l_type = blk->read_only ? F_RDLCK : F_WRLCK, .l_whence = SEEK_SET };
	struct flock holder = lock;
	int lock_errno;

	if (fcntl(blk->fd, F_OFD_SETLK, &lock) == 0)
		return 0;
	lock_errno = errno;
	if (lock_errno == EAGAIN ||
	    (lock_errno == EACCES && fcntl(blk->fd, F_OFD_GETLK, &holder) == 0 &&
	     holder.l_type != F_UNLCK)) {
		if (blk->read_only)
			snprintf(err, err_size, "disk '%s' is open read-write in another program (another lvmm?); stop that one first",
				 blk->path);
		else
			snprintf(err, err_size, "disk '%s' is locked by another program (another lvmm?); stop that one first, or give it to both with ,ro",
				 blk->path);
		return -1;
	}
	log_warning("disk '%s': this host cannot lock files (%s), so nothing stops another program from writing the image at the same time",
		    blk->path, strerror(lock_errno));
	return 0;
}

/* Opens, checks and locks the image; -1 with one line naming the cause and the fix. */
static int virtio_blk_open(struct virtio_blk *blk, char *err, size_t err_size)
{
	struct stat st;
	uint64_t bytes;

	/* O_NONBLOCK: a FIFO given as a disk fails at the type check instead of hanging. */
	blk->fd = open(blk->path, (blk->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
	if (blk->fd < 0 && errno == EISDIR) {
		snprintf(err, err_size, "disk '%s' is a directory: --disk takes a raw image file", blk->path);
		return -1;
	}
	if (blk->fd < 0) {
		snprintf(err, err_size, "cannot open disk '%s': %s%s", blk->path, strerror(errno),
			 (errno == EACCES || errno == EROFS) && !blk->read_only ?
				 " (add ,ro to use it read-only)" : "");
		return -1;
	}
	if (fstat(blk->fd, &st) < 0) {
		snprintf(err, err_size, "cannot open disk '%s': %s", blk->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		snprintf(err, err_size, "disk '%s' is %s: --disk takes a raw image file or a block device",
			 blk->path, S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
		return -1;
	}
	if (fcntl(blk->fd, F_SETFL, 0) < 0) {
		snprintf(err, err_size, "cannot open disk '%s': %s", blk->path, strerror(errno));
		return -1;
	}
	if (virtio_blk_lock(blk, err, err_size))
		return -1;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(blk->fd, BLKGETSIZE64, &bytes) < 0) {
			snprintf(err, err_size, "cannot read the size of disk '%s': %s", blk->path,
				 strerror(errno));
			return -1;
		}
	} else {
		bytes = (uint64_t)st.st_size;
	}
	if (bytes % SECTOR_SIZE)
		log_warning("disk '%s' is %llu bytes, not a multiple of 512: the guest sees the first %llu",
			    blk->path, (unsigned long long)bytes,
			    (unsigned long long)(bytes / SECTOR_SIZE * SECTOR_SIZE));
	blk->sectors = bytes / SECTOR_SIZE;
	return 0;
}

static int virtio_blk_create(struct device *device, char *err, size_t err_size)
{
	const struct disk_option *disk = &device->vm->opts->disks[device->instance];
	struct virtio_blk *blk;
	uint64_t features;

	if (device_alloc_state(device, sizeof(*blk), err, err_size))
		return -1;
	blk = device->state;
	blk->fd = -1;
	blk->timed = log_enabled(LOG_DEBUG);
	atomic_init(&blk->said_io_error, false);
	if (disk->path_length >= sizeof(blk->path)) {
		snprintf(err, err_size, "disk path is longer than %zu bytes", sizeof(blk->path) - 1);
		return -1;
	}
	memcpy(blk->path, disk->path, disk->path_length);
	blk->read_only = disk->read_only;
	/* The serial the guest reads (/sys/block/vdX/serial): which --disk this is. */
	snprintf(blk->id, sizeof(blk->id), "lvmm-disk%u", device->instance);
	if (virtio_blk_open(blk, err, err_size))
		return -1;
	features = (1ULL << VIRTIO_BLK_F_SEG_MAX) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
		   (1ULL << VIRTIO_BLK_F_FLUSH);
	if (blk->read_only)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	else
		features |= (1ULL << VIRTIO_BLK_F_DISCARD) | (1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	blk->config = (struct virtio_blk_config){
		.capacity = blk->sectors, .seg_max = VIRTIO_BLK_SEG_MAX, .blk_size = SECTOR_SIZE,
		.max_discard_sectors = VIRTIO_BLK_MAX_RANGE_SECTORS, .max_discard_seg = 1,
		.discard_sector_alignment = 1,
		.max_write_zeroes_sectors = VIRTIO_BLK_MAX_RANGE_SECTORS, .max_write_zeroes_seg = 1,
		.write_zeroes_may_unmap = 1,
	};
	blk->ops = (struct virtio_device_ops){
		.device_id = VIRTIO_ID_BLOCK, .features = features, .queue_count = 1,
		.process_queue = virtio_blk_process, .drain = virtio_blk_drain,
	};
	if (virtio_mmio_create(&blk->transport, device, &blk->ops, blk, (uint8_t *)&blk->config,
			       sizeof(blk->config), err, err_size))
		return -1;
	return virtio_request_pool_init(&blk->pool, &blk->transport, virtio_blk_serve, blk,
					VIRTIO_BLK_WORKERS, VIRTIO_BLK_SLOTS, "blk", blk->timed,
					err, err_size);
}

static int virtio_blk_start(struct device *device, char *err, size_t err_size)
{
	struct virtio_blk *blk = device->state;

	return virtio_request_pool_start(&blk->pool, err, err_size);
}

static void virtio_blk_stop(struct device *device)
{
	struct virtio_blk *blk = device->state;

	virtio_request_pool_stop(&blk->pool);
}

static void virtio_blk_destroy(struct device *device)
{
	struct virtio_blk *blk = device->state;

	if (!blk)
		return;
	virtio_request_pool_destroy(&blk->pool);
	virtio_mmio_destroy(&blk->transport);
	virtio_blk_log_stats(blk);
	if (blk->fd >= 0)
		close(blk->fd);
	free(blk);
	device->state = NULL;
}

const struct device_class virtio_blk_device = {
	.name = "virtio-blk",
	.instances = virtio_blk_instances,
	.create = virtio_blk_create,
	.describe = virtio_mmio_describe,
	.start = virtio_blk_start,
	.stop = virtio_blk_stop,
	.destroy = virtio_blk_destroy,
};
