#ifndef LVMM_CLI_H
#define LVMM_CLI_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"

enum irqchip_choice { IRQCHIP_AUTO, IRQCHIP_GICV3, IRQCHIP_GICV2 };
enum stats_format { STATS_NONE, STATS_TEXT, STATS_JSON };
enum console_choice { CONSOLE_SERIAL, CONSOLE_VIRTIO };

/* -d FILE[,ro]: path points into argv; only its first path_length bytes are the file name. */
struct disk_option {
	const char *path;
	size_t path_length;
	bool read_only;
};

#define CLI_MAX_DISKS 32

/* --9p DIR,TAG[,ro]: a directory shared with the guest over virtio-9p. path points into argv
 * (or is "/" for the sandbox's root); only its first path_length bytes are the directory. */
#define SHARE_TAG_MAX 31        /* bytes of a mount tag, as kvmtool's limit */
struct share_option {
	const char *path;
	size_t path_length;
	char tag[SHARE_TAG_MAX + 1];
	bool read_only;
};

#define CLI_MAX_SHARES 8

/* --vcpu-affinity [VCPU:]CPULIST: the host CPUs a vCPU's thread may run on. */
#define VCPU_AFFINITY_ALL (~0u)     /* vcpu of the form without VCPU: every vCPU */
struct vcpu_affinity_option {
	unsigned int vcpu;
	cpu_set_t cpus;
};

#define CLI_MAX_VCPU_AFFINITIES 64

/* --sve-max-vl: vector lengths are multiples of 128 bits, up to 2048 (the architecture's). */
#define SVE_VL_GRANULE_BITS 128
#define SVE_VL_MAX_BITS 2048

struct run_options {
	const char *kernel_path;
	const char *initrd_path;
	const char *firmware_path;
	const char *params;
	const char *name;
	bool name_given;              /* --name: else the control socket is guest-PID's */
	const char *dump_dtb_path;
	unsigned int cpus;
	uint64_t mem_mib;
	enum irqchip_choice irqchip;
	bool gic_its;                 /* --irqchip gicv3-its: a GICv3 with an ITS (MSIs, LPIs) */
	enum log_level loglevel;
	bool nodefaults;
	bool no_reboot;
	bool pmu;
	bool pvsched;
	bool pvsched_idle_preempted;  /* --pvsched=idle-preempted: WFI counts as preempted */
	enum stats_format pvsched_stats;
	bool kaslr_seed_given;        /* --kaslr-seed: this seed at every boot (0: none) */
	uint64_t kaslr_seed;
	enum console_choice console;
	bool rng;                     /* --rng: a virtio-rng device */
	bool test_device;             /* --test-device: the doorbell (docs/doorbell.md) */
	bool no_seccomp;              /* --no-seccomp: no seccomp filters (vmm/confine.h) */
	bool no_pvtime;               /* --no-pvtime: no PV steal time for the guest */
	/* CPU features lvmm gives the guest when KVM offers them, unless turned off. */
	bool disable_sve;             /* --disable-sve */
	bool disable_ptrauth;         /* --disable-ptrauth */
	bool disable_mte;             /* --disable-mte (kvmtool's spelling) */
	unsigned int sve_max_vl;      /* --sve-max-vl BITS; 0: the longest KVM offers */
	/* The form without VCPU: at most one entry, first; per-vCPU entries after it. */
	struct vcpu_affinity_option vcpu_affinities[CLI_MAX_VCPU_AFFINITIES];
	unsigned int vcpu_affinity_count;
	struct disk_option disks[CLI_MAX_DISKS];
	unsigned int disk_count;
	struct share_option shares[CLI_MAX_SHARES];
	unsigned int share_count;
	/* Set by lvmm sandbox, not by options: virtio consoles with these sinks replace the
	 * terminal's (--console virtio is then refused). */
	const struct console_port *console_ports;
	unsigned int console_port_count;
};

/* The way back to the guest's end of a receiving console port: bytes given to send reach it in
 * order, kept until the guest posts receive buffers (at most VIRTIO_CONSOLE_INPUT_BYTES wait;
 * more are dropped). Valid during the receive call that is given it. */
struct console_reply {
	void (*send)(void *context, const uint8_t *bytes, size_t count);
	size_t (*space)(void *context); /* bytes send takes now without dropping any */
	void *context;
};

/* A console the guest writes to, other than the terminal: lvmm sandbox's output and control
 * ports (vmm/sandbox.c). Not a command-line option. */
struct console_port {
	const char *name;              /* in messages: "stdout" */
	int output_fd;                 /* >= 0: output is written here, and the guest waits for it */
	/* output_fd < 0: output is handed to receive (on the device's I/O thread), which returns
	 * true once the guest's work is done: the VM then ends as if the guest had powered off
	 * (what the guest queued on the other ports before still goes out). It may answer the
	 * guest through reply (lvmm sandbox's clock). */
	bool (*receive)(void *context, const uint8_t *bytes, size_t count,
			const struct console_reply *reply);
	/* Optional, with output_fd: called once, on the device's I/O thread, when writing to
	 * output_fd fails while the VM runs (its reader closed the other end: `| head`). True ends
	 * the VM as at a power-off; without it, or false, the output is dropped with a warning. */
	bool (*reader_gone)(void *context);
	/* Optional, on a receiving port: lvmm's standard input goes to the guest through this
	 * port, framed by the port's owner, which sends it with to_guest (lvmm sandbox). These run
	 * on lvmm's main thread. input_space: how many bytes of it the owner takes now (0: not
	 * now); input_end: it ended; input_done: true once the owner takes no more, for good. */
	size_t (*input_space)(void *context, const struct console_reply *to_guest);
	void (*input)(void *context, const struct console_reply *to_guest, const uint8_t *bytes,
		      size_t count);
	void (*input_end)(void *context, const struct console_reply *to_guest);
	bool (*input_done)(void *context);
	/* Optional, with input: the terminal on lvmm's standard input changed size (SIGWINCH). */
	void (*input_resized)(void *context, const struct console_reply *to_guest);
	void *context;
};

enum cli_result {
	CLI_RUN,      /* options parsed: run the guest */
	CLI_HELP,     /* help was requested and printed to the given buffer */
	CLI_ERROR,    /* error: one line in the buffer, exit EXIT_USAGE */
};

#define DEFAULT_MEM_MIB 256
#define DEFAULT_CPUS 1

/* What lvmm sandbox adds to the run options. */
#define CLI_MAX_SANDBOX_ENV 128

/* The 9p tags lvmm sandbox gives its own shares; a --9p may not take them. */
#define CLI_SANDBOX_ROOT_TAG "lvmm-root"
#define CLI_SANDBOX_MODULES_TAG "lvmm-modules"

struct sandbox_options {
	const char *rootfs;     /* --rootfs DIR; NULL: the host's / */
	const char *modules;    /* --modules DIR: the kernel's modules; NULL: the root's */
	bool writable_root;     /* --writable-root: an overlay on the root, its writes in memory */
	bool user_given;        /* --user UID:GID: the command's ids, else root's */
	unsigned int user_id, group_id;
	const char *env[CLI_MAX_SANDBOX_ENV]; /* --env NAME[=VALUE], in order */
	unsigned int env_count;
	bool terminal;          /* -t/--tty: COMMAND on a pseudo-terminal, lvmm's terminal raw */
	bool terminal_forced;   /* -tt: the pseudo-terminal even without lvmm's terminal */
	char **command;         /* CMD [ARGS...], NULL-terminated (argv's tail) */
	int command_count;
};

/* Parses "lvmm sandbox" arguments (argv[0] is "sandbox"): the run options lvmm sandbox
 * takes, --rootfs, then -- and the command. Pure, as cli_parse_run. */
enum cli_result cli_parse_sandbox(int argc, char **argv, struct run_options *opts,
				  struct sandbox_options *sandbox, char *message, size_t message_size);

/* Parses "lvmm run" arguments (argv[0] is "run"). Pure: no I/O, safe to call repeatedly. */
enum cli_result cli_parse_run(int argc, char **argv, struct run_options *opts, char *message,
			      size_t message_size);

/* Parses a memory size in MiB with an optional M/G/T suffix; false if malformed. */
bool cli_parse_mem_mib(const char *text, uint64_t *mib);

/* The host CPUs vCPU vcpu may run on: its own --vcpu-affinity VCPU:CPULIST, else the one for
 * all vCPUs, else NULL (anywhere lvmm may run). */
const cpu_set_t *cli_vcpu_affinity(const struct run_options *opts, unsigned int vcpu);

/* The kernel command line lvmm passes: defaults first (unless --nodefaults), then -p. */
int cli_kernel_cmdline(const struct run_options *opts, char *out, size_t out_size);

extern const char cli_main_usage[];
extern const char cli_run_usage[];
extern const char cli_sandbox_usage[];

#endif
