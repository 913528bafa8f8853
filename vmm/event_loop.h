#ifndef LVMM_EVENT_LOOP_H
#define LVMM_EVENT_LOOP_H

struct vm;

/* The main thread's work while the guest runs: terminal input to the console that takes it,
 * SIGINT/SIGTERM/SIGHUP (a stop), SIGWINCH (to that console, for lvmm sandbox -t), the control
 * socket, and the stop request. Returns when the VM's stop status is set. */
void event_loop_run(struct vm *vm, int signal_fd);

#endif
