#!/usr/bin/env bash
# Debian 12's newest 6.12 arm64 kernel (linux-image-6.12.N+deb12-arm64-unsigned), unpacked (not
# installed) into $LVMM_CACHE/debian-kernel/<package>/: Image (its /boot/vmlinuz), and mods/, laid
# out as make modules_install INSTALL_MOD_PATH=mods leaves a kernel's modules, for lvmm sandbox
# --modules: lib/modules/RELEASE/ with the release's modules.* indexes and, of the module files,
# those of the sandbox's 9p, virtio and overlay drivers with their dependencies, and dummy (which
# nothing loads, for a command's modprobe). Where Debian's default kernel (debian-kernel.sh, 6.1)
# has uncompressed modules and a 9p client without the noxattr option, this one has xz-compressed
# modules and noxattr. Prints that directory as its last line.
set -euo pipefail
cache="${LVMM_CACHE:-$HOME/.cache/lvmm}/debian-kernel"
die() { echo "debian-kernel-6.12: $*" >&2; exit 1; }

dpkg --print-foreign-architectures | grep -qx arm64 ||
	die "dpkg has no arm64 architecture: run scripts/install-deps.sh"
image_pkg=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$' 2>/dev/null |
	cut -d' ' -f1 | sort -V | tail -n 1)
[ -n "$image_pkg" ] || die "apt knows no linux-image-6.12.*+deb12-arm64-unsigned (run apt-get update)"
out="$cache/$image_pkg"
if [ -f "$out/Image" ] && ls "$out"/mods/lib/modules/*/modules.dep >/dev/null 2>&1 &&
   ls "$out"/mods/lib/modules/*/kernel/drivers/net/dummy.ko* >/dev/null 2>&1; then
	echo "$out"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 777 "$tmp" # apt's download sandbox user must be able to write there
(cd "$tmp" && apt-get download -qq "$image_pkg:arm64" >/dev/null 2>&1) ||
	die "downloading $image_pkg:arm64 failed (apt-get download)"
dpkg-deb -x "$tmp"/"$image_pkg"_*_arm64.deb "$tmp/root"
release_dir=$(find "$tmp"/root/lib/modules -mindepth 1 -maxdepth 1 -type d | head -n 1)
release=$(basename "$release_dir")
# The package leaves modules.dep to depmod at installation.
PATH="$PATH:/usr/sbin:/sbin" depmod -b "$tmp/root" "$release" || die "depmod failed on $image_pkg's modules"
mods="$out.tmp/mods/lib/modules/$release"
mkdir -p "$mods"
cp "$tmp"/root/boot/vmlinuz-* "$out.tmp/Image"
cp "$release_dir"/modules.* "$mods/"
for name in virtio_mmio virtio_console virtio_blk 9pnet_virtio 9p overlay dummy; do
	line=$(grep -E "(^|/)$name\.ko(\.[a-z]+)?:" "$release_dir/modules.dep" | head -n 1) || true
	[ -n "$line" ] || continue # built in
	for file in ${line%%:*} ${line#*:}; do
		mkdir -p "$mods/$(dirname "$file")"
		cp "$release_dir/$file" "$mods/$file"
	done
done
ls "$mods"/kernel/fs/9p/9p.ko.xz >/dev/null 2>&1 || die "$image_pkg has no xz-compressed 9p module"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
