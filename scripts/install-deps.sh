#!/usr/bin/env bash
# Installs everything lvmm's build, tests and demo need on a Debian 12 x86_64 (or arm64) machine.
# Idempotent: it checks for each package first, so a second run costs a second.
set -euo pipefail

# kmod: depmod, for the modules.dep of Debian's arm64 kernels (tests/integration/debian-kernel*.sh).
# clang and libclang-rt-14-dev (libFuzzer's runtime, only recommended by clang): make fuzz.
native_pkgs=(make gcc libc6-dev pkg-config libfdt-dev zlib1g-dev libseccomp-dev device-tree-compiler cpio gzip xz-utils
             bc bison flex libssl-dev libelf-dev python3 python3-ply python3-git perl gnuplot-nox linux-source-6.12
             kmod clang libclang-rt-14-dev)
cross_pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
# libseccomp-dev is Multi-Arch: same: the arm64 package installs beside the native one.
# musl-dev:arm64 builds the sandbox's small guest init (aarch64-linux-musl-gcc, Makefile).
arm64_pkgs=(zlib1g-dev:arm64 libseccomp-dev:arm64 musl-dev:arm64)

if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
else
  SUDO=
fi

missing=()
want=("${native_pkgs[@]}")
if [ "$(uname -m)" = aarch64 ]; then
  want+=(musl-dev) # native here, with the same aarch64-linux-musl-gcc
else
  want+=("${cross_pkgs[@]}" "${arm64_pkgs[@]}")
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $SUDO dpkg --add-architecture arm64
    need_update=1
  fi
fi
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# libfdt-dev is not Multi-Arch: the native and arm64 packages conflict. The native one is installed
# (unit tests link it); the arm64 one is unpacked, unchanged, into a cache beside the kernel build.
if [ "$(uname -m)" != aarch64 ]; then
  sysroot="${LVMM_CACHE:-$HOME/.cache/lvmm}/arm64-libfdt"
  if [ ! -f "$sysroot/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
    tmp=$(mktemp -d); chmod 777 "$tmp"
    (cd "$tmp" && apt-get download -qq libfdt-dev:arm64 >/dev/null)
    mkdir -p "$sysroot"
    dpkg-deb -x "$tmp"/libfdt-dev_*_arm64.deb "$sysroot"
    rm -rf "$tmp"
  fi
fi
