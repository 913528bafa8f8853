/*
 * A 9P2000.L server over one host directory (a share): what virtio-9p (hw/virtio_9p.c) serves
 * to the guest. It knows nothing of virtio: it takes a request as iovecs and writes its reply
 * into iovecs, Tread's and Twrite's data moving straight between the file and those iovecs.
 *
 * The server never touches anything outside the share's directory (p9_beneath.h says how),
 * refuses every change to a read-only share (EROFS), and answers a malformed message with an
 * Rlerror instead of trusting it. One server is used by one thread at a time. docs/9p.md
 * describes what the guest sees.
 */
#ifndef LVMM_HW_P9_SERVER_H
#define LVMM_HW_P9_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define P9_MAX_MSIZE (512u * 1024u)   /* our side of the msize negotiation */
#define P9_MIN_MSIZE 4096u            /* Linux's own minimum */

struct p9_server;

/*
 * A server for the directory root_fd (opened O_PATH | O_DIRECTORY; the server owns it, even
 * when this fails). tag and directory only name the share in messages. NULL with one line in
 * err: out of memory, or a kernel without openat2 (Linux 5.6).
 */
struct p9_server *p9_server_create(int root_fd, const char *tag, const char *directory,
				   bool read_only, char *err, size_t err_size);
void p9_server_destroy(struct p9_server *server);

/* The guest's driver went away (device reset): forget the session and its fids. */
void p9_server_reset(struct p9_server *server);

/*
 * Serves one request (the first bytes of request) and writes its reply at the start of reply;
 * returns the reply's length, 0 when reply cannot hold even an error (11 bytes).
 */
uint32_t p9_server_serve(struct p9_server *server, const struct iovec *request,
			 unsigned int request_count, const struct iovec *reply,
			 unsigned int reply_count);

#endif
