/*
 * The control socket of a running lvmm (docs/control.md): DIR/NAME.sock, DIR being
 * $XDG_RUNTIME_DIR/lvmm or ~/.lvmm (mode 0700), the socket mode 0600, removed on exit. The main
 * thread serves it from its event loop, one request per connection.
 */
#ifndef LVMM_CONTROL_SOCKET_H
#define LVMM_CONTROL_SOCKET_H

#include <stddef.h>

struct run_options;
struct vm;

/* Before confinement: makes the socket for the guest's name (--name, or guest-PID). A live
 * lvmm with that name is -1 with one line in err; a stale socket (no one listening) is
 * replaced. A socket that cannot be made at all is a warning, and lvmm runs without. */
int control_socket_open(const struct run_options *opts, char *err, size_t err_size);
/* The listening socket (-1: none) and the directory it is in, for the seccomp filter. */
int control_socket_fd(void);
int control_socket_directory_fd(void);
/* Accepts one connection and answers its request about vm (main thread, event loop). */
void control_socket_serve(struct vm *vm);
/* Removes the socket (on exit). */
void control_socket_close(void);

#endif
