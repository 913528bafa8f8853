#!/usr/bin/env bash
# make bench: gathers lvmm, the guests, the patched kernel and the guest initrd (with the
# scheduler workloads) into a payload, runs bench/in-host.sh in the emulated arm64 host, and
# turns what it printed into a report with plots (bench/report.py).
#   bench/run.sh [--smoke | --resume] [--out DIR]
# --smoke: a few iterations of everything, for CI (default output build/bench-smoke);
# otherwise the full sizes, written to bench/results/.
# --resume: a full run cut off during its A/B (its raw.log ends inside a scenario) is completed
# in a second emulated-host session: the log is cut before the unfinished scenario, and that
# scenario and the ones after it run again, whole, their output appended. Every scenario's
# boots thus come from one session; environment.txt and the report say which ran where.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full out='' resume=0
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) mode=smoke ;;
	--resume) resume=1 ;;
	--out) [ $# -ge 2 ] || { echo "bench/run.sh: --out wants a directory" >&2; exit 2; }; out=$2; shift ;;
	*) echo "bench/run.sh: unknown option '$1' (usage: bench/run.sh [--smoke | --resume] [--out DIR])" >&2; exit 2 ;;
	esac
	shift
done
# BENCH_AB_SCENARIOS and BENCH_AB_RUNS narrow a full run's A/B (docs/benchmarks.md), e.g. a
# run of S2 alone with more runs per boot to see where its spread comes from.
all_scenarios=${BENCH_AB_SCENARIOS:-s1 s2 s2-loaded}
for scenario in $all_scenarios; do
	case $scenario in
	s1 | s2 | s2-loaded) ;;
	*) echo "bench/run.sh: BENCH_AB_SCENARIOS: unknown scenario '$scenario' (known: s1 s2 s2-loaded)" >&2; exit 2 ;;
	esac
done
case ${BENCH_SANDBOX_RUNS:-40} in
'' | *[!0-9]* | 0) echo "bench/run.sh: BENCH_SANDBOX_RUNS must be a number of rounds, 1 or more (got '${BENCH_SANDBOX_RUNS}')" >&2; exit 2 ;;
esac
case ${BENCH_AB_RUNS:-20} in
'' | *[!0-9]* | 0) echo "bench/run.sh: BENCH_AB_RUNS must be a number of rounds, 1 or more (got '${BENCH_AB_RUNS}')" >&2; exit 2 ;;
esac
[ -n "$out" ] || { [ $mode = smoke ] && out=build/bench-smoke || out=bench/results; }
mkdir -p "$out"
if [ $resume = 1 ]; then
	[ $mode = full ] || { echo "bench/run.sh: --resume completes a full run; it does not go with --smoke" >&2; exit 2; }
	[ -s "$out/raw.log" ] || { echo "bench/run.sh: --resume: no $out/raw.log to complete; run bench/run.sh without --resume" >&2; exit 2; }
	grep -q '^bench done ' "$out/raw.log" && { echo "bench/run.sh: --resume: $out/raw.log is a finished run; nothing to resume" >&2; exit 2; }
	# The unfinished scenario is the last one the log started; a log cut before the A/B
	# began has nothing worth keeping.
	cut_line=$(grep -n '^bench info ab scenario=' "$out/raw.log" | tail -n 1 | cut -d: -f1)
	[ -n "$cut_line" ] || { echo "bench/run.sh: --resume: $out/raw.log was cut off before the A/B began; run bench/run.sh without --resume" >&2; exit 2; }
	unfinished=$(sed -n "${cut_line}s/^bench info ab scenario=\([^ ]*\) .*/\1/p" "$out/raw.log")
	resume_scenarios=$(echo "$all_scenarios" | tr ' ' '\n' | sed -n "/^$unfinished\$/,\$p" | tr '\n' ' ' | sed 's/ $//')
	[ -n "$resume_scenarios" ] || { echo "bench/run.sh: --resume: unknown scenario '$unfinished' in $out/raw.log" >&2; exit 2; }
	dropped_lines=$(( $(wc -l < "$out/raw.log") - cut_line + 1 ))
	head -n $((cut_line - 1)) "$out/raw.log" > "$out/raw.log.kept"
	mv "$out/raw.log.kept" "$out/raw.log"
	first_session=$(sed -n 's/^bench info host_kernel=\(.*\)/\1/p' "$out/raw.log" | head -n 1)
	[ -f "$out/environment.txt" ] && grep -q "^resumed_scenarios=" "$out/environment.txt" &&
		{ echo "bench/run.sh: --resume: $out was already resumed once; start a new run" >&2; exit 2; }
fi

build=build
make -s lvmm guests "$build/launch-timed" "$build/kick-steps" "$build/lvmm-stats" "$build/poweroff-init" \
	"$build/command-init" "$build/boot-probe-init"
kernel=$(kernel/build-kernel.sh | tail -n 1) # with kernel/patches: PV sched in full mode
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/guests"
cp "$build/lvmm" "$build/launch-timed" "$build/kick-steps" "$payload/"
cp guest/build/*.img "$payload/guests/"
cp "$kernel" "$payload/Image"
# The tests' small initrd for the boot figures; the one with the workloads for the A/B.
tests/integration/make-guest-initrd.sh "$payload/guest-initrd.cpio.gz"
tests/integration/make-guest-initrd.sh --workloads "$payload/bench-initrd.cpio.gz"
# block-io also runs on the emulated host itself, against the disk image (the devices section).
cp guest/workloads/build/block-io "$payload/"
# The sandbox section's baseline: an initrd whose init powers off at once.
poweroff_root=$(mktemp -d)
mkdir -p "$poweroff_root/dev"
cp "$build/poweroff-init" "$poweroff_root/init"
(cd "$poweroff_root" && find . | cpio -o -H newc --quiet) > "$payload/poweroff-initrd.cpio"
# ... its floor, one whose init runs busybox's true from the initramfs, then powers off (busybox
# in the initramfs: the sandbox runs the same binary from the emulated host's root) ...
mkdir -p "$poweroff_root/bin"
cp "$(tests/integration/busybox.sh)" "$poweroff_root/bin/busybox"
ln -s busybox "$poweroff_root/bin/true"
cp "$build/command-init" "$poweroff_root/init"
(cd "$poweroff_root" && find . | cpio -o -H newc --quiet) > "$payload/command-initrd.cpio"
# ... and the floor's own baseline, the same initrd with the init that powers off at once ...
cp "$build/poweroff-init" "$poweroff_root/init"
(cd "$poweroff_root" && find . | cpio -o -H newc --quiet) > "$payload/poweroff-busybox-initrd.cpio"
rm -rf "$poweroff_root/bin"
# ... and for its timeline, one whose init prints when the kernel ran it, then powers off.
cp "$build/boot-probe-init" "$poweroff_root/init"
(cd "$poweroff_root" && find . | cpio -o -H newc --quiet) > "$payload/boot-probe-initrd.cpio"
rm -rf "$poweroff_root"

# Devices section sizes (DEV_*): a few rounds of 1 MiB sequential and 4 KiB random block-io in a
# guest and on the host, and KiB copied to each console (the 8250 costs an exit per byte, so it
# copies less). BENCH_SMOKE_SECTIONS picks the sections of a smoke run (default: all),
# BENCH_FULL_SECTIONS those of a full run (a report of some sections alone, e.g. devices).
# Workload sizes: each workload takes a few seconds per boot in the nested guest under TCG in
# the full run, a fraction of a second in the smoke run. BENCH_AB_PARAMS_<SCENARIO> overrides.
smoke_params='lvmm.bench_runs=2 lvmm.pipe_loops=300 lvmm.msg_loops=5 lvmm.wakeup_threads=2 lvmm.wakeup_workers=2 lvmm.wakeup_seconds=1 lvmm.forkexec_workers=4 lvmm.forkexec_loops=4 lvmm.mmap_threads=4 lvmm.mmap_loops=20 lvmm.filewrite_threads=4 lvmm.filewrite_loops=200'
if [ $mode = smoke ]; then
	cat > "$payload/bench-env" <<-EOF
	BENCH_MODE=smoke
	EXIT_ITERATIONS=1024
	EXIT_RUNS=1
	KICK_ROUNDS=16
	KICK_STEP_ITERATIONS=1000
	STARTUP_RUNS=2
	BOOT_RUNS=1
	AB_RUNS=2
	AB_PARAMS_S1='${BENCH_SMOKE_AB_PARAMS:-$smoke_params}'
	AB_PARAMS_S2='${BENCH_SMOKE_AB_PARAMS:-$smoke_params}'
	AB_PARAMS_S2_LOADED='${BENCH_SMOKE_AB_PARAMS:-$smoke_params}'
	DEV_RUNS=2
	DEV_DISK_MIB=8
	DEV_SEQ_BYTES=2097152
	DEV_RAND_BYTES=65536
	DEV_FLOOD_KB_SERIAL=4
	DEV_FLOOD_KB_VIRTIO=64
	DEV_LIMIT_MIB=16
	SANDBOX_RUNS=2
	SANDBOX_TRACE_RUNS=2
	BENCH_SECTIONS='${BENCH_SMOKE_SECTIONS:-exit kick cost devices sandbox ab}'
	EOF
	timeout=3000
else
	cat > "$payload/bench-env" <<-EOF
	BENCH_MODE=full
	EXIT_ITERATIONS=65536
	EXIT_RUNS=3
	KICK_ROUNDS=512
	KICK_STEP_ITERATIONS=20000
	STARTUP_RUNS=10
	BOOT_RUNS=5
	AB_RUNS=${BENCH_AB_RUNS:-20}
	AB_SCENARIOS='${resume_scenarios:-$all_scenarios}'
	BENCH_SECTIONS='$([ $resume = 1 ] && echo ab || echo "${BENCH_FULL_SECTIONS:-exit kick cost devices sandbox ab}")'
	SANDBOX_RUNS=${BENCH_SANDBOX_RUNS:-40}
	SANDBOX_TRACE_RUNS=7
	DEV_RUNS=5
	DEV_DISK_MIB=256
	DEV_SEQ_BYTES=134217728
	DEV_RAND_BYTES=8388608
	DEV_FLOOD_KB_SERIAL=32
	DEV_FLOOD_KB_VIRTIO=256
	DEV_LIMIT_MIB=64
	AB_PARAMS_S1='${BENCH_AB_PARAMS_S1:-lvmm.pipe_loops=4000 lvmm.msg_loops=200 lvmm.wakeup_seconds=3 lvmm.forkexec_loops=40 lvmm.mmap_loops=150 lvmm.filewrite_loops=15000}'
	AB_PARAMS_S2='${BENCH_AB_PARAMS_S2:-lvmm.pipe_loops=2000 lvmm.msg_loops=15 lvmm.wakeup_seconds=3 lvmm.forkexec_loops=15 lvmm.mmap_loops=50 lvmm.filewrite_loops=4000}'
	AB_PARAMS_S2_LOADED='${BENCH_AB_PARAMS_S2_LOADED:-lvmm.pipe_loops=800 lvmm.msg_loops=5 lvmm.wakeup_seconds=3 lvmm.forkexec_loops=8 lvmm.mmap_loops=30 lvmm.filewrite_loops=2000}'
	EOF
	timeout=21600
fi

# Noted before the run: the tree may change while it goes on.
version=$(git describe --always --dirty 2>/dev/null || echo unknown)
start=$(date +%s)
set +e
if [ $resume = 1 ]; then
	echo "bench: resuming $out/raw.log: dropped the $dropped_lines lines of the unfinished '$unfinished'; running $resume_scenarios in a new emulated-host session"
	echo "bench session resumed scenarios=$(echo $resume_scenarios | tr ' ' ,) dropped_lines=$dropped_lines" >> "$out/raw.log"
	tests/integration/emuhost.sh --kernel "$kernel" --timeout $timeout "$payload" bench/in-host.sh \
		>> "$out/raw.log" 2>&1
else
	echo "bench: $mode run in the emulated arm64 host; raw output in $out/raw.log"
	tests/integration/emuhost.sh --kernel "$kernel" --timeout $timeout "$payload" bench/in-host.sh \
		> "$out/raw.log" 2>&1
fi
status=$?
set -e
elapsed=$(( $(date +%s) - start ))
{
	echo "mode=$mode"
	echo "lvmm_version=$version"
	echo "kernel_image=$kernel"
	echo "kernel_source=$(dpkg-query -W -f='${Package} ${Version}' linux-source-6.12 2>/dev/null || echo unknown)"
	echo "kernel_patches=$(ls kernel/patches | tr '\n' ' ')"
	echo "qemu=$(qemu-system-aarch64 --version | head -n 1)"
	echo "qemu_accel=$(grep -m 1 -o 'tcg,tb-size=[0-9]*' "$out/raw.log" || echo unknown)"
	echo "build_host=$(uname -m), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%d GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "elapsed_s=$elapsed"
	echo "emulated_host_status=$status"
	if [ $resume = 1 ]; then
		echo "resumed_scenarios=$resume_scenarios"
		echo "resumed_dropped_lines=$dropped_lines"
		echo "first_session=$first_session"
	fi
	sed 's/^/bench_env_/' "$payload/bench-env"
} > "$out/environment.txt"
/usr/bin/python3 bench/report.py "$out" "$build/lvmm-stats"
echo "bench: report in $out/report.md (emulated host status $status, $elapsed s)"
exit $status
