/*
 * The init of a sandbox guest (lvmm sandbox, docs/sandbox.md): a small static program of its own
 * (vmm/sandbox_init_program.c), found as /init in the initrd lvmm built, run by the guest
 * kernel as process 1. It loads the
 * modules it was given, mounts the host's directories over 9p, runs the command with its
 * output on the sandbox's virtio-console ports and its input from the control port (when
 * lvmm forwards its own), reports the command's status on the control port and powers the
 * guest off.
 */
#ifndef LVMM_SANDBOX_INIT_H
#define LVMM_SANDBOX_INIT_H

#include <stdbool.h>

/* The guest side of the sandbox's port numbering: the order of the sandbox's consoles in the
 * device tree gives the hvc numbers. */
#define SANDBOX_PORT_STDOUT  0
#define SANDBOX_PORT_STDERR  1
#define SANDBOX_PORT_CONTROL 2
#define SANDBOX_PORTS 3

/* Written in front of every line init writes to the kernel console, where lvmm finds it when
 * the control port never came up. */
#define SANDBOX_INIT_CONSOLE_PREFIX "lvmm-sandbox-init: "

#define SANDBOX_SPEC_PATH "/sandbox.spec"

/* True when this process is a sandbox's init: process 1 with the spec beside it. */
bool sandbox_init_wanted(void);
/* Never returns: the guest powers off. */
void sandbox_init_main(void) __attribute__((noreturn));

#endif
