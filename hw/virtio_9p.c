/*
 * virtio-9p (--9p DIR,TAG[,ro]): a host directory shared with the guest, which mounts it by
 * its tag (mount -t 9p -o trans=virtio,version=9p2000.L TAG /mnt). Virtio 1.2 section 5.15:
 * one request queue, each chain a 9P request (its readable part) and room for the reply (its
 * writable part); the configuration space holds the tag. The 9P2000.L server behind it is
 * hw/p9_server.c, run on the device's I/O thread, which confines itself as the "9p server"
 * kind of thread (vmm/confine.h) with the file system calls the server makes. docs/9p.md.
 */
#include "virtio_9p.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p9_server.h"
#include "virtio_mmio.h"
#include "vmm/cli.h"
#include "vmm/vm.h"

#define VIRTIO_9P_F_MOUNT_TAG 0

/* The configuration layout (5.15.4): the tag, without a NUL. */
struct virtio_9p_config {
	uint16_t tag_len;
	uint8_t tag[SHARE_TAG_MAX];
} __attribute__((packed));

struct virtio_9p {
	struct virtio_mmio transport; /* first: virtio_mmio_device_start/stop take the state as it */
	struct virtio_9p_config config;
	struct p9_server *server;
	/* The driver reset the device: its session ends before the next request is served (on
	 * the I/O thread, whose filter lets it close the session's files). */
	bool session_ended;
	char directory[PATH_MAX];
};

static void virtio_9p_process(struct virtio_mmio *transport, unsigned int queue)
{
	struct virtio_9p *share = transport->state;
	struct virtqueue_chain *chain;

	if (share->session_ended) {
		p9_server_reset(share->server);
		share->session_ended = false;
	}
	do {
		while ((chain = virtio_mmio_pop(transport, queue))) {
			uint32_t written = p9_server_serve(share->server, chain->readable,
							   chain->readable_count, chain->writable,
							   chain->writable_count);

			virtio_mmio_push(transport, queue, chain->head, written);
		}
	} while (virtio_mmio_rearm(transport, queue));
	virtio_mmio_flush(transport, queue);
}

/* On the vCPU thread that wrote status 0: only noted (see session_ended). */
static void virtio_9p_reset(struct virtio_mmio *transport)
{
	struct virtio_9p *share = transport->state;

	share->session_ended = true;
}

static const struct virtio_device_ops virtio_9p_ops = {
	.device_id = VIRTIO_ID_9P,
	.features = 1ULL << VIRTIO_9P_F_MOUNT_TAG,
	.queue_count = 1,
	.process_queue = virtio_9p_process,
	.reset = virtio_9p_reset,
	.file_server = true,
};

static unsigned int virtio_9p_instances(const struct run_options *opts)
{
	return opts->share_count;
}

/* The share's root, O_PATH: -1 with one line naming the directory and what to do. */
static int virtio_9p_open_root(const char *directory, char *err, size_t err_size)
{
	int fd = open(directory, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOTDIR)
		snprintf(err, err_size, "cannot share '%s' over 9p: it is not a directory (give a directory)",
			 directory);
	else if (errno == ENOENT)
		snprintf(err, err_size, "cannot share '%s' over 9p: %s (give an existing directory)",
			 directory, strerror(errno));
	else
		snprintf(err, err_size, "cannot share '%s' over 9p: %s (give a directory lvmm can reach)",
			 directory, strerror(errno));
	return -1;
}

static int virtio_9p_create(struct device *device, char *err, size_t err_size)
{
	const struct share_option *option = &device->vm->opts->shares[device->instance];
	size_t tag_length = strnlen(option->tag, SHARE_TAG_MAX);
	struct virtio_9p *share;
	int root_fd;

	if (device_alloc_state(device, sizeof(*share), err, err_size))
		return -1;
	share = device->state;
	if (option->path_length >= sizeof(share->directory)) {
		snprintf(err, err_size, "9p share %s: its directory's path is longer than %zu bytes",
			 option->tag, sizeof(share->directory) - 1);
		return -1;
	}
	memcpy(share->directory, option->path, option->path_length);
	root_fd = virtio_9p_open_root(share->directory, err, err_size);
	if (root_fd < 0)
		return -1;
	share->server = p9_server_create(root_fd, option->tag, share->directory, option->read_only,
					 err, err_size);
	if (!share->server)
		return -1;
	share->config.tag_len = (uint16_t)tag_length;
	memcpy(share->config.tag, option->tag, tag_length);
	return virtio_mmio_create(&share->transport, device, &virtio_9p_ops, share,
				  (uint8_t *)&share->config,
				  (uint32_t)(sizeof(share->config.tag_len) + tag_length), err, err_size);
}

static void virtio_9p_destroy(struct device *device)
{
	struct virtio_9p *share = device->state;

	if (!share)
		return;
	virtio_mmio_destroy(&share->transport);
	p9_server_destroy(share->server);
	free(share);
	device->state = NULL;
}

const struct device_class virtio_9p_device = {
	.name = "virtio-9p",
	.instances = virtio_9p_instances,
	.create = virtio_9p_create,
	.describe = virtio_mmio_describe,
	.start = virtio_mmio_device_start,
	.stop = virtio_mmio_device_stop,
	.destroy = virtio_9p_destroy,
};
