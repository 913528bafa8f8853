/*
 * The control socket's names, places and requests (docs/control.md): what lvmm run serves and
 * lvmm list/stop/pause/resume/stat send. Pure: no system calls, unit-tested.
 */
#ifndef LVMM_CONTROL_PROTOCOL_H
#define LVMM_CONTROL_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>

/* A request is one SOCK_SEQPACKET message of at most this many bytes; a reply at most
 * CONTROL_REPLY_MAX, starting "ok\n" or "error: ". */
#define CONTROL_REQUEST_MAX 64
#define CONTROL_REPLY_MAX (1u << 20)
#define CONTROL_SOCKET_SUFFIX ".sock"
#define CONTROL_NAME_MAX 64

enum control_request {
	CONTROL_INVALID,
	CONTROL_INFO,        /* "info": one line, for lvmm list */
	CONTROL_STOP,        /* "stop" */
	CONTROL_PAUSE,       /* "pause" */
	CONTROL_RESUME,      /* "resume" */
	CONTROL_STAT,        /* "stat" */
	CONTROL_STAT_JSON,   /* "stat json" */
};

/* The request in bytes[0..size) (no terminator needed); CONTROL_INVALID for anything else,
 * including a trailing newline or a NUL. */
enum control_request control_request_parse(const char *bytes, size_t size);
/* The words of a request, as the client sends them. */
const char *control_request_text(enum control_request request);

/* A guest name usable as a socket file name: 1 to CONTROL_NAME_MAX letters, digits, '.', '_'
 * and '-', not starting with '.' or '-'. */
bool control_name_valid(const char *name);

/* The directory of the sockets: $XDG_RUNTIME_DIR/lvmm when that is an absolute path, else
 * $HOME/.lvmm; -1 when neither is usable or out is too small. */
int control_directory(char *out, size_t out_size, const char *xdg_runtime_dir, const char *home);

#endif
