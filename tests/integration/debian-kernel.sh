#!/usr/bin/env bash
# Debian's own arm64 kernel, as a user of lvmm would take it: the linux-image-arm64 package of
# this Debian release, unpacked (not installed) into $LVMM_CACHE/debian-kernel/<version>/, with
# Image (its /boot/vmlinuz) and modules/, the virtio-mmio modules lvmm's devices need
# (virtio_mmio, virtio_blk, virtio_console, virtio-rng; Debian builds them as modules with no
# dependencies outside the kernel), and root/lib/modules/RELEASE/: modules.dep and the files of
# the 9p and virtio modules with their dependencies, as lvmm sandbox finds them in a root file
# system, overlay (for lvmm sandbox --writable-root) and dummy (a network driver no device
# needs, for a command's modprobe to load).
# Prints that directory as its last line.
set -euo pipefail
cache="${LVMM_CACHE:-$HOME/.cache/lvmm}/debian-kernel"
die() { echo "debian-kernel: $*" >&2; exit 1; }

dpkg --print-foreign-architectures | grep -qx arm64 ||
	die "dpkg has no arm64 architecture: run scripts/install-deps.sh"
# linux-image-arm64 is the metapackage; it depends on the versioned image package.
image_pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-arm64\).*/\1/p' | head -n 1)
[ -n "$image_pkg" ] || die "apt knows no linux-image-arm64:arm64 (run apt-get update)"
out="$cache/$image_pkg"
if [ -f "$out/Image" ] && [ -f "$out/modules/virtio_mmio.ko" ] &&
   ls "$out"/root/lib/modules/*/modules.dep >/dev/null 2>&1 &&
   ls "$out"/root/lib/modules/*/kernel/drivers/net/dummy.ko* >/dev/null 2>&1 &&
   ls "$out"/root/lib/modules/*/kernel/fs/overlayfs/overlay.ko* >/dev/null 2>&1; then
	echo "$out"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq "$image_pkg:arm64" >/dev/null 2>&1) ||
	die "downloading $image_pkg:arm64 failed (apt-get download)"
dpkg-deb -x "$tmp"/"$image_pkg"_*_arm64.deb "$tmp/root"
mkdir -p "$out.tmp/modules"
cp "$tmp"/root/boot/vmlinuz-* "$out.tmp/Image"
for module in drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko \
	drivers/char/virtio_console.ko drivers/char/hw_random/virtio-rng.ko; do
	found=$(find "$tmp"/root/lib/modules -path "*/kernel/$module*" | head -n 1)
	[ -n "$found" ] || die "$image_pkg has no $module"
	case "$found" in
	*.ko) cp "$found" "$out.tmp/modules/" ;;
	*.ko.xz) xz -dc "$found" > "$out.tmp/modules/$(basename "$found" .xz)" ;;
	*) die "$found: unknown module compression" ;;
	esac
done
# The sandbox's modules as modprobe would find them: the release's modules.dep, and each
# wanted module's file with the files it depends on.
release_dir=$(find "$tmp"/root/lib/modules -mindepth 1 -maxdepth 1 -type d | head -n 1)
release=$(basename "$release_dir")
# The package leaves modules.dep to depmod at installation; kmod's depmod reads arm64 modules
# as well as native ones.
PATH="$PATH:/usr/sbin:/sbin" depmod -b "$tmp/root" "$release" || die "depmod failed on $image_pkg's modules"
mkdir -p "$out.tmp/root/lib/modules/$release"
cp "$release_dir/modules.dep" "$out.tmp/root/lib/modules/$release/"
for name in virtio_mmio virtio_console virtio_blk virtio-rng 9pnet_virtio 9p overlay dummy; do
	line=$(grep -E "(^|/)$name\.ko(\.[a-z]+)?:" "$release_dir/modules.dep" | head -n 1)
	[ -n "$line" ] || die "$image_pkg's modules.dep has no $name"
	for file in ${line%%:*} ${line#*:}; do
		mkdir -p "$out.tmp/root/lib/modules/$release/$(dirname "$file")"
		cp "$release_dir/$file" "$out.tmp/root/lib/modules/$release/$file"
	done
done
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
