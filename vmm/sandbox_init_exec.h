/*
 * The sandbox init's last step in the command's process: exec it, and when that fails, the
 * one line and the status a shell would give (docs/sandbox.md: 126, 127).
 */
#ifndef LVMM_VMM_SANDBOX_INIT_EXEC_H
#define LVMM_VMM_SANDBOX_INIT_EXEC_H

/* Runs args[0] (searched in PATH) with args, in the environment already set; never returns. */
void sandbox_exec_command(char *const args[]) __attribute__((noreturn));

#endif
