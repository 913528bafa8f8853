#!/usr/bin/env bash
# Boots the emulated arm64 host (qemu-system-aarch64, TCG, virtualization=on, so its /dev/kvm is
# real) and runs SCRIPT in it with PAYLOAD_DIR at /payload. The console goes to stdout; the exit
# status is SCRIPT's, or 125 if the host never reported one (timeout, crash).
#   emuhost.sh [--kernel IMAGE] [--timeout SECS] [--smp N] [--mem MIB] [--append ARGS] [--gic 2|3] PAYLOAD_DIR SCRIPT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

kernel= timeout=600 smp=2 mem=2048 append= gic=3
while [ $# -gt 2 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--gic) gic=$2; shift 2 ;;
	*) echo "emuhost.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ $# -eq 2 ] || { echo "usage: emuhost.sh [options] PAYLOAD_DIR SCRIPT" >&2; exit 2; }
payload=$1 script=$2
[ -n "$kernel" ] || kernel=$("$here/../../kernel/build-kernel.sh" | tail -n 1)
command -v qemu-system-aarch64 >/dev/null ||
	{ echo "emuhost.sh: qemu-system-aarch64 is missing: run scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,payload}
cp "$("$here/busybox.sh")" "$root/bin/busybox"
cp -a "$payload"/. "$root/payload/"
cp "$script" "$root/payload/run.sh"
chmod -R a+rX "$root/payload" # tests run some commands as an unprivileged user
mknod "$root/dev/console" c 5 1
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
qemu=(qemu-system-aarch64 -M virt,virtualization=on,gic-version="$gic" -cpu max,pauth-impdef=on
      -smp "$smp" -m "$mem" -nographic -no-reboot -nic none
      -kernel "$kernel" -initrd "$work/host-initrd.cpio.gz"
      -append "console=ttyAMA0 panic=-1 quiet $append")
set +e
if [ -t 0 ]; then
	timeout --foreground "$timeout" "${qemu[@]}" | tee "$log"
else
	timeout "$timeout" "${qemu[@]}" </dev/null 2>&1 | tr -d '\r' | tee "$log"
fi
qemu_status=${PIPESTATUS[0]}
set -e
status=$(tr -d '\r' < "$log" | sed -n 's/^EMUHOST-EXIT \([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$status" ]; then
	if [ "$qemu_status" = 124 ]; then
		echo "emuhost.sh: the emulated host did not finish within $timeout s" >&2
	else
		echo "emuhost.sh: the emulated host stopped (qemu status $qemu_status) before the script finished" >&2
	fi
	exit 125
fi
exit "$status"
