#!/usr/bin/env bash
# Builds the initrd of the nested Linux test guests: busybox and guest/linux-init/init; with
# --workloads also the benchmark workloads of guest/workloads/ (built here if stale). The tests
# boot the small one: the workloads double its size, and every boot unpacks it before /init.
#   make-guest-initrd.sh [--workloads] OUT.cpio.gz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: make-guest-initrd.sh [--workloads] OUT.cpio.gz" >&2; exit 2; }
with_workloads=no
if [ "${1:-}" = --workloads ]; then with_workloads=yes; shift; fi
[ $# -eq 1 ] || usage
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
	for workload in pipe-pingpong messaging wakeup-latency; do
		cp "$workloads/build/$workload" "$root/bin/$workload"
	done
fi
# The tests check that the guest can read a file from its initrd.
echo initrd-token-7f3a > "$root/etc/lvmm-initrd-token"
# Only root can mknod; without it the kernel's built-in initramfs still supplies /dev/console.
mknod "$root/dev/console" c 5 1 2>/dev/null || true
# Written aside and renamed, so an interrupted run never leaves a truncated initrd behind.
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$out.tmp"
mv "$out.tmp" "$out"
