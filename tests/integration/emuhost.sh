#!/usr/bin/env bash
# Boots the emulated arm64 host (qemu-system-aarch64, TCG, virtualization=on, so its /dev/kvm is
# real) and runs SCRIPT in it with PAYLOAD_DIR at /payload. The console goes to stdout; the exit
# status is SCRIPT's, or 125 if the host never reported one (timeout, crash).
#   emuhost.sh [--kernel IMAGE] [--timeout SECS] [--smp N] [--mem MIB] [--tb-size MIB] [--append ARGS] [--gic 2|3] [--cpu-options OPTS] PAYLOAD_DIR SCRIPT
#
# --tb-size: qemu's translation cache, 64 MiB unless given (qemu 7.2's own default is 1 GiB).
# With the default the emulated CPUs ran about 1.6x slower and less evenly: the minimal
# kernel's `Run /init` as a nested guest, 16 back-to-back boots per emulated-host session,
# sessions of each size interleaved (2026-12-04): 1 GiB, 5 sessions, medians 0.72-0.97 s,
# all boots 0.46-1.60 s; 64 MiB, 7 sessions, medians 0.44-0.76 s, all 0.36-1.19 s; 256 MiB
# (3) and 16 MiB (2) in between, 32 MiB (2) like 64. A smaller cache is flushed and refilled
# more often; that the code it holds then stays compact in the build machine's caches and TLB
# is the likely reason, not a measured one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { echo "usage: emuhost.sh [--kernel IMAGE] [--timeout SECS] [--smp N] [--mem MIB] [--tb-size MIB] [--append ARGS] [--gic 2|3] [--cpu-options OPTS] PAYLOAD_DIR SCRIPT" >&2; exit 2; }
number() { # OPTION VALUE: a positive decimal, or a usage error naming the option
	case "$2" in '' | *[!0-9]* | 0) echo "emuhost.sh: $1 wants a positive number, not '$2'" >&2; exit 2 ;; esac
}

kernel='' timeout=600 smp=2 mem=2048 tb_size=64 append='' gic=3 cpu_options=''
while [ $# -gt 2 ]; do
	case "$1" in
	--kernel) kernel=$2 ;;
	--timeout) number "$1" "$2"; timeout=$2 ;;
	--smp) number "$1" "$2"; smp=$2 ;;
	--mem) number "$1" "$2"; mem=$2 ;;
	--tb-size) number "$1" "$2"; tb_size=$2 ;;
	--append) append=$2 ;;
	--cpu-options) cpu_options=",$2" ;; # e.g. pmu=off: a host without a PMU
	--gic) case "$2" in 2 | 3) gic=$2 ;; *) echo "emuhost.sh: --gic wants 2 or 3, not '$2'" >&2; exit 2 ;; esac ;;
	*) echo "emuhost.sh: unknown option $1" >&2; usage ;;
	esac
	shift 2
done
[ $# -eq 2 ] || usage
payload=$1 script=$2
[ -d "$payload" ] || { echo "emuhost.sh: PAYLOAD_DIR $payload is not a directory" >&2; exit 2; }
[ -f "$script" ] || { echo "emuhost.sh: SCRIPT $script is not a file" >&2; exit 2; }
command -v qemu-system-aarch64 >/dev/null ||
	{ echo "emuhost.sh: qemu-system-aarch64 is missing: run scripts/install-deps.sh" >&2; exit 1; }
if [ -z "$kernel" ]; then
	kernel=$("$here/../../kernel/build-kernel.sh" | tail -n 1) ||
		{ echo "emuhost.sh: building the kernel failed (see above)" >&2; exit 1; }
fi
[ -f "$kernel" ] || { echo "emuhost.sh: kernel Image $kernel does not exist" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,payload}
cp "$("$here/busybox.sh")" "$root/bin/busybox"
cp -a "$payload"/. "$root/payload/"
cp "$script" "$root/payload/run.sh"
chmod -R a+rX "$root/payload" # tests run some commands as an unprivileged user
# Only root can mknod; without it the kernel's built-in initramfs still supplies /dev/console.
mknod "$root/dev/console" c 5 1 2>/dev/null || true
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
exec </dev/console >/dev/console 2>&1
[ -e /dev/kvm ] || echo "EMUHOST: the emulated host has no /dev/kvm (is KVM in its kernel?)"
cd /payload
sh /payload/run.sh
echo "EMUHOST-EXIT $?"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/host-initrd.cpio.gz"

log="$work/console.log"
qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version="$gic" -cpu "max,pauth-impdef=on$cpu_options"
      -accel tcg,tb-size="$tb_size" -smp "$smp" -m "$mem" -nographic -no-reboot -nic none
      -kernel "$kernel" -initrd "$work/host-initrd.cpio.gz"
      -append "console=ttyAMA0 panic=-1 quiet $append")
# The command line, for logs that record how the host was emulated (bench/run.sh's environment).
echo "emuhost: ${qemu[*]}"
# --foreground keeps qemu in our process group: Ctrl-C and an outer timeout's group kill reach
# it (without it, timeout moves qemu into a group of its own and it outlives us).
# -k: qemu normally quits on SIGTERM; a wedged one gets SIGKILL 10 s later.
set +e
if [ -t 0 ]; then
	# Interactive: qemu owns the terminal; the output stays raw so prompts show unbuffered.
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" | tee "$log"
	qemu_status=${PIPESTATUS[0]}
	stty sane 2>/dev/null # qemu restores the terminal itself, unless it had to be killed
else
	# sed -u passes each line on as it comes, so a watched log is live.
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 | sed -u 's/\r//g' | tee "$log"
	qemu_status=${PIPESTATUS[0]}
fi
set -e
status=$(tr -d '\r' < "$log" | sed -n 's/^EMUHOST-EXIT \([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$status" ]; then
	if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
		echo "emuhost.sh: the emulated host did not finish within $timeout s" >&2
	# panic=-1 resets at once and -no-reboot turns that into an exit: a host panic ends the log
	# (looking only at the end keeps a nested guest's earlier panic from being taken for it).
	elif tail -n 40 "$log" | grep -q 'Kernel panic'; then
		echo "emuhost.sh: the emulated host's kernel panicked before the script finished" >&2
	else
		echo "emuhost.sh: the emulated host stopped (qemu status $qemu_status) before the script finished" >&2
	fi
	exit 125
fi
exit "$status"
