# lvmm: `make` builds the arm64 binary (cross-built, static, on non-arm64 hosts);
# `make check` installs what it needs and runs the unit and integration tests;
# `make demo` boots a guest inside the emulated arm64 host.

LVMM_CACHE ?= $(HOME)/.cache/lvmm
export LVMM_CACHE
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
HOST_ARCH := $(shell uname -m)

BUILD := build
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
COMMON_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 -g $(WARNINGS) -I. -Iinclude -DLVMM_VERSION='"$(VERSION)"' -MMD -MP

ifeq ($(HOST_ARCH),aarch64)
CROSS_COMPILE ?=
FDT_CFLAGS :=
FDT_LDFLAGS :=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
# libfdt-dev:arm64 conflicts with the native package; scripts/install-deps.sh unpacks it here.
FDT_SYSROOT := $(LVMM_CACHE)/arm64-libfdt
FDT_CFLAGS := -I$(FDT_SYSROOT)/usr/include
FDT_LDFLAGS := -L$(FDT_SYSROOT)/usr/lib/aarch64-linux-gnu
endif
CC_ARM64 := $(CROSS_COMPILE)gcc
# The seccomp filters (vmm/confine.c) are built with libseccomp: Debian's libseccomp-dev, whose
# arm64 package installs beside the native one (Multi-Arch: same), so both link from /usr/lib.
SECCOMP_LIBS := -lseccomp

# Logic with no KVM in it: also built natively for the unit tests.
CORE_SRCS := vmm/cli.c vmm/cpu_list.c vmm/control_protocol.c vmm/log.c vmm/mmio_bus.c vmm/guest_memory.c vmm/payload.c vmm/console.c \
	vmm/console_output.c vmm/device.c vmm/device_tree.c vmm/monotonic_clock.c vmm/virtqueue.c \
	arm/image_header.c arm/sve_vector_lengths.c arm/boot_layout.c arm/fdt_machine.c arm/limits.c \
	hw/uart_8250.c hw/rtc_pl031.c hw/pvpanic.c hw/doorbell.c pvsched/pvsched.c \
	hw/virtio_mmio.c hw/virtio_request_pool.c hw/virtio_rng.c hw/virtio_blk.c hw/virtio_console.c \
	hw/virtio_9p.c hw/p9_server.c hw/p9_server_attr.c hw/p9_server_io.c hw/p9_server_names.c \
	hw/p9_message.c hw/p9_fid_table.c hw/p9_path.c hw/p9_qid.c hw/p9_beneath.c \
	vmm/confine.c arm/confine_rules.c \
	vmm/cpio_writer.c vmm/sandbox_spec.c vmm/kernel_modules.c vmm/sandbox_report.c vmm/sandbox_input.c vmm/sandbox_environment.c \
	vmm/sandbox_kernel_log.c vmm/sandbox_input_frames.c
KVM_SRCS := vmm/main.c vmm/run_guest.c vmm/control_socket.c vmm/control_client.c vmm/vm_pause.c vmm/vm_stats.c vmm/sandbox.c vmm/vm.c vmm/vcpu.c vmm/vcpu_exit.c vmm/event_loop.c \
	arm/vcpu_init.c arm/arch_vm.c arm/cpu_features.c arm/pvtime.c arm/gic.c arm/pmu.c arm/host_capabilities.c arm/machine.c arm/hypercall.c \
	pvsched/pvsched_kvm.c
UNIT_TEST_SRCS := $(wildcard tests/unit/test_*.c) tests/unit/fake_vm.c tests/unit/child_process.c
# The benchmark report's statistics (lvmm-stats): native only, never cross-built into lvmm.
STATS_SRCS := bench/stats/sample_stats.c bench/stats/rank_approximation.c bench/stats/rank_stats.c bench/stats/signed_rank_stats.c bench/stats/stats_format.c

# -DLVMM_VERSION is baked into main.o: rebuild it whenever the version changes, or
# `lvmm --version` (and the benchmark report) would name a stale commit.
VERSION_STAMP := $(BUILD)/version-stamp
$(shell mkdir -p $(BUILD) && { echo '$(VERSION)' | cmp -s - $(VERSION_STAMP) || echo '$(VERSION)' > $(VERSION_STAMP); })
$(BUILD)/arm64/vmm/main.o: $(VERSION_STAMP)

ARM64_OBJS := $(patsubst %.c,$(BUILD)/arm64/%.o,$(CORE_SRCS) $(KVM_SRCS)) $(BUILD)/arm64/vmm/sandbox_init_image.o
NATIVE_OBJS := $(patsubst %.c,$(BUILD)/native/%.o,$(CORE_SRCS))
UNIT_TEST_OBJS := $(patsubst %.c,$(BUILD)/native/%.o,$(UNIT_TEST_SRCS) tests/unit/unit_test_main.c)
STATS_NATIVE_OBJS := $(patsubst %.c,$(BUILD)/native/%.o,$(STATS_SRCS))
STATS_TOOL_OBJS := $(patsubst %.c,$(BUILD)/tool/%.o,bench/stats/lvmm_stats.c $(STATS_SRCS))
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# The same unit tests once more under ThreadSanitizer (it excludes ASan): the console output
# ring and thread, and anything else shared between threads, checked for data races.
TSAN := -fsanitize=thread -fno-omit-frame-pointer
TSAN_OBJS := $(patsubst %.c,$(BUILD)/tsan/%.o,$(CORE_SRCS) $(STATS_SRCS) $(UNIT_TEST_SRCS) tests/unit/unit_test_main.c)

.PHONY: all lvmm guests unit-tests check integration demo bench deps kernel clean fuzz fuzzers
all: lvmm

lvmm: $(BUILD)/lvmm $(BUILD)/kick-race-test $(BUILD)/run-as-nobody $(BUILD)/control-raw \
	$(BUILD)/share-mmap $(BUILD)/share-posix $(BUILD)/share-clock $(BUILD)/memory-hog \
	$(BUILD)/dynamic-hello $(BUILD)/on-terminal

$(BUILD)/lvmm: $(ARM64_OBJS)
	$(CC_ARM64) -static -o $@ $^ $(FDT_LDFLAGS) -lfdt -lz $(SECCOMP_LIBS) -lpthread

# Runs inside the emulated host next to lvmm: proves vcpu_kick() loses nothing (issue 2).
$(BUILD)/kick-race-test: $(BUILD)/arm64/tests/integration/kick_race_test.o $(filter-out $(BUILD)/arm64/vmm/main.o,$(ARM64_OBJS))
	$(CC_ARM64) -static -o $@ $^ $(FDT_LDFLAGS) -lfdt -lz $(SECCOMP_LIBS) -lpthread

# The sandbox's guest init (vmm/sandbox_init_program.c): static against musl (Debian's
# musl-dev:arm64), stripped, 4 KiB-aligned segments: tens of KiB, where lvmm's glibc build is a
# megabyte the guest kernel must unpack and page in at every sandbox boot (docs/sandbox.md).
MUSL_CC := aarch64-linux-musl-gcc
SMALL_STATIC_LDFLAGS := -static -s -Wl,--gc-sections -Wl,-z,max-page-size=4096
SANDBOX_INIT_SRCS := vmm/sandbox_init_program.c vmm/sandbox_init.c vmm/sandbox_init_exec.c \
	vmm/sandbox_spec.c vmm/monotonic_clock.c vmm/sandbox_input_frames.c \
	vmm/sandbox_init_terminal.c
SANDBOX_INIT_OBJS := $(patsubst %.c,$(BUILD)/musl/%.o,$(SANDBOX_INIT_SRCS))
$(BUILD)/musl/%.o: %.c
	@mkdir -p $(dir $@)
	$(MUSL_CC) -std=gnu11 -D_GNU_SOURCE -Os $(WARNINGS) -I. -Iinclude -ffunction-sections \
		-fdata-sections -MMD -MP -c -o $@ $<

$(BUILD)/sandbox-init: $(SANDBOX_INIT_OBJS)
	$(MUSL_CC) $(SMALL_STATIC_LDFLAGS) -o $@ $^
-include $(SANDBOX_INIT_OBJS:.o=.d)

$(BUILD)/arm64/vmm/sandbox_init_image.o: vmm/sandbox_init_image.S $(BUILD)/sandbox-init
	@mkdir -p $(dir $@)
	$(CC_ARM64) -DSANDBOX_INIT_PROGRAM='"$(BUILD)/sandbox-init"' -c -o $@ $<

# Run inside the emulated host for make bench: timestamps lvmm's exec on lvmm's own clock;
# the cost of each step of the KICK_CPU path.
$(BUILD)/launch-timed: $(BUILD)/arm64/bench/tools/launch_timed.o
	$(CC_ARM64) -static -o $@ $^

# The sandbox benchmark's baseline guest init: powers off at once. Built as the sandbox's own
# init is (musl, small), so that the two initrds differ by what the sandbox does, not by libc.
$(BUILD)/poweroff-init: bench/tools/poweroff_init.c
	$(MUSL_CC) -std=gnu11 -D_GNU_SOURCE -Os $(WARNINGS) $(SMALL_STATIC_LDFLAGS) -o $@ $<

# The sandbox benchmark's floor: an init that runs /bin/true from the initramfs, then powers off.
$(BUILD)/command-init: bench/tools/command_init.c
	$(MUSL_CC) -std=gnu11 -D_GNU_SOURCE -Os $(WARNINGS) $(SMALL_STATIC_LDFLAGS) -o $@ $<

# The sandbox timeline's baseline init: prints the kernel's time of "Run /init", powers off.
$(BUILD)/boot-probe-init: bench/tools/boot_probe_init.c
	$(MUSL_CC) -std=gnu11 -D_GNU_SOURCE -Os $(WARNINGS) $(SMALL_STATIC_LDFLAGS) -o $@ $<

$(BUILD)/kick-steps: $(BUILD)/arm64/bench/tools/kick_steps.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/run-as-nobody: $(BUILD)/arm64/tests/integration/run_as_nobody.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/control-raw: $(BUILD)/arm64/tests/integration/control_raw.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/on-terminal: $(BUILD)/arm64/tests/integration/on_terminal.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/share-mmap: $(BUILD)/arm64/tests/integration/share_mmap.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/share-posix: $(BUILD)/arm64/tests/integration/share_posix.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/share-clock: $(BUILD)/arm64/tests/integration/share_clock.o
	$(CC_ARM64) -static -o $@ $^

$(BUILD)/memory-hog: $(BUILD)/arm64/tests/integration/memory_hog.o
	$(CC_ARM64) -static -o $@ $^

# Dynamically linked on purpose (tests/integration/dynamic_hello.c).
$(BUILD)/dynamic-hello: $(BUILD)/arm64/tests/integration/dynamic_hello.o
	$(CC_ARM64) -o $@ $^

$(BUILD)/arm64/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC_ARM64) $(COMMON_CFLAGS) $(FDT_CFLAGS) -c -o $@ $<

$(BUILD)/native/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) $(SANITIZE) -c -o $@ $<

$(BUILD)/unit-tests: $(NATIVE_OBJS) $(STATS_NATIVE_OBJS) $(UNIT_TEST_OBJS)
	$(CC) $(SANITIZE) -o $@ $^ -lfdt -lz $(SECCOMP_LIBS) -lpthread -lm

unit-tests: $(BUILD)/unit-tests $(BUILD)/unit-tests-tsan
	$(BUILD)/unit-tests
	$(BUILD)/unit-tests-tsan

$(BUILD)/unit-tests-tsan: $(TSAN_OBJS)
	$(CC) $(TSAN) -o $@ $^ -lfdt -lz $(SECCOMP_LIBS) -lpthread -lm

$(BUILD)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) $(TSAN) -c -o $@ $<

# lvmm-stats runs on the build machine for bench/report.py; the unit tests run its logic
# under the sanitizers, so the tool itself is built plainly.
.PHONY: stats
stats: $(BUILD)/lvmm-stats

$(BUILD)/lvmm-stats: $(STATS_TOOL_OBJS)
	$(CC) -o $@ $^ -lm

$(BUILD)/tool/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(COMMON_CFLAGS) -c -o $@ $<

guests:
	$(MAKE) -C guest

deps:
	scripts/install-deps.sh

kernel: deps
	kernel/build-kernel.sh

# libFuzzer harnesses (fuzz/fuzz_*.c), built with Debian's clang against the core sources:
# every parser and device model that sees guest or user data. `make fuzz` runs each for
# FUZZ_SECONDS from its seed corpus (fuzz/corpus/<target>, in the tree) into a working corpus
# in build/fuzz/corpus; make check runs each for a few seconds.
FUZZ_CC := clang
FUZZ_SECONDS ?= 60
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
# The KVM side the core calls (vm_request_stop, irqfds...): the unit tests' doubles.
FUZZ_CORE_OBJS := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(CORE_SRCS) tests/unit/fake_vm.c)
FUZZ_BINARIES := $(patsubst %,$(BUILD)/fuzz/fuzz-%,$(FUZZ_TARGETS))

$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I. -Iinclude \
		-DLVMM_VERSION='"$(VERSION)"' $(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/fuzz-%: $(BUILD)/fuzz/fuzz/fuzz_%.o $(FUZZ_CORE_OBJS)
	$(FUZZ_CC) $(FUZZ_SANITIZE) -fsanitize=fuzzer -o $@ $^ -lfdt -lz -lseccomp -lpthread

fuzzers: $(FUZZ_BINARIES)

fuzz: deps
	$(MAKE) fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_TARGETS)

# The README's test command: installs what it needs, then unit and integration tests.
check: deps
	$(MAKE) lvmm guests $(BUILD)/unit-tests $(BUILD)/unit-tests-tsan fuzzers
	tests/run-all.sh

integration: deps lvmm guests
	tests/integration/run.sh

demo: deps lvmm guests
	scripts/demo.sh

# The benchmarks in the emulated arm64 host: bench/results/report.md and its plots.
bench: deps
	bench/run.sh

# Every committed A/B measurement of each PV sched comparison side by side, recomputed from the
# result directories' raw data: bench/results/verdicts.md.
.PHONY: verdicts
verdicts: $(BUILD)/lvmm-stats
	python3 bench/verdicts.py $(BUILD)/lvmm-stats bench/results $(sort $(wildcard bench/results/ab-*)) \
		> bench/results/verdicts.md

clean:
	rm -rf $(BUILD)
	$(MAKE) -C guest clean

TEST_PROGRAM_OBJS := $(BUILD)/arm64/tests/integration/kick_race_test.o \
	$(BUILD)/arm64/tests/integration/run_as_nobody.o $(BUILD)/arm64/tests/integration/control_raw.o \
	$(BUILD)/arm64/tests/integration/share_mmap.o $(BUILD)/arm64/tests/integration/share_posix.o \
	$(BUILD)/arm64/tests/integration/share_clock.o $(BUILD)/arm64/tests/integration/memory_hog.o \
	$(BUILD)/arm64/tests/integration/dynamic_hello.o $(BUILD)/arm64/tests/integration/on_terminal.o \
	$(BUILD)/arm64/bench/tools/launch_timed.o $(BUILD)/arm64/bench/tools/kick_steps.o
-include $(ARM64_OBJS:.o=.d) $(NATIVE_OBJS:.o=.d) $(UNIT_TEST_OBJS:.o=.d) $(TEST_PROGRAM_OBJS:.o=.d) $(TSAN_OBJS:.o=.d)
-include $(STATS_NATIVE_OBJS:.o=.d) $(STATS_TOOL_OBJS:.o=.d)
