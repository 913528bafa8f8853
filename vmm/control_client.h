#ifndef LVMM_CONTROL_CLIENT_H
#define LVMM_CONTROL_CLIENT_H

/* lvmm list | stop | pause | resume | stat (argv[0] is the command): talks to running lvmm
 * processes through their control sockets (docs/control.md). Returns lvmm's exit status:
 * 0, 1 when the guest cannot be reached or refuses, 2 for a usage error. */
int control_command(int argc, char **argv);

#endif
