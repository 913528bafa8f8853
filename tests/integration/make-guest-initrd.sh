#!/usr/bin/env bash
# Builds the initrd of the nested Linux test guests: busybox and guest/linux-init/init; with
# --workloads also the benchmark workloads of guest/workloads/ (built here if stale). The tests
# boot the small one: the workloads double its size, and every boot unpacks it before /init.
# With --kexec IMAGE, also guest/linux-tools/kexec-reboot, IMAGE as /kexec/Image and the small
# initrd as /kexec/initrd.cpio.gz, for the init action that kexecs (lvmm.action=kexec).
# With --modules DIR, also DIR/*.ko as /lib/modules/lvmm/, which init loads first (the virtio
# drivers of a distribution kernel, tests/integration/debian-kernel.sh).
#   make-guest-initrd.sh [--workloads] [--kexec IMAGE] [--modules DIR] OUT.cpio.gz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: make-guest-initrd.sh [--workloads] [--kexec IMAGE] [--modules DIR] OUT.cpio.gz" >&2; exit 2; }
with_workloads=no kexec_image= modules=
while [ $# -gt 1 ]; do
	case "$1" in
	--workloads) with_workloads=yes; shift ;;
	--kexec) [ $# -gt 2 ] || usage; kexec_image=$2; shift 2 ;;
	--modules) [ $# -gt 2 ] || usage; modules=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ $# -eq 1 ] || usage
[ -z "$kexec_image" ] || [ -f "$kexec_image" ] ||
	{ echo "make-guest-initrd.sh: --kexec $kexec_image is not a file" >&2; exit 1; }
out=$1
[ -d "$(dirname "$out")" ] || { echo "make-guest-initrd.sh: directory $(dirname "$out") does not exist" >&2; exit 1; }
workloads="$here/../../guest/workloads"
# -s: make's own chatter would bury the one line that says why the initrd is not there.
if [ $with_workloads = yes ]; then
	make -s -C "$workloads" >&2 ||
		{ echo "make-guest-initrd.sh: building the guest workloads (make -C guest/workloads) failed" >&2; exit 1; }
fi
root=$(mktemp -d)
trap 'rm -rf "$root" "$out.tmp"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc}
cp "$("$here/busybox.sh")" "$root/bin/busybox"
cp "$here/../../guest/linux-init/init" "$root/init"
chmod +x "$root/init"
if [ $with_workloads = yes ]; then
	for workload in pipe-pingpong messaging wakeup-latency fork-exec mmap-churn file-write block-io; do
		cp "$workloads/build/$workload" "$root/bin/$workload"
	done
fi
if [ -n "$kexec_image" ]; then
	mkdir -p "$root/kexec"
	cross=aarch64-linux-gnu-
	[ "$(uname -m)" = aarch64 ] && cross=
	"${cross}gcc" -std=gnu11 -O2 -Wall -Wextra -Werror -static -s \
		-o "$root/bin/kexec-reboot" "$here/../../guest/linux-tools/kexec_reboot.c" ||
		{ echo "make-guest-initrd.sh: building guest/linux-tools/kexec_reboot.c failed" >&2; exit 1; }
	cp "$kexec_image" "$root/kexec/Image"
	"$0" "$root/kexec/initrd.cpio.gz"
fi
if [ -n "$modules" ]; then
	ls "$modules"/*.ko >/dev/null 2>&1 || { echo "make-guest-initrd.sh: no *.ko in $modules" >&2; exit 1; }
	mkdir -p "$root/lib/modules/lvmm"
	cp "$modules"/*.ko "$root/lib/modules/lvmm/"
fi
# The tests check that the guest can read a file from its initrd.
echo initrd-token-7f3a > "$root/etc/lvmm-initrd-token"
# Only root can mknod; without it the kernel's built-in initramfs still supplies /dev/console.
mknod "$root/dev/console" c 5 1 2>/dev/null || true
# Written aside and renamed, so an interrupted run never leaves a truncated initrd behind.
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out.tmp"
mv "$out.tmp" "$out"
