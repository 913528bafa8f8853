#!/usr/bin/env bash
# Builds the minimal arm64 kernel the tests and the demo boot (as emulated host and as nested
# guest): Debian's linux-source-6.12 + kernel/patches/*.patch + kernel/minimal.config merged
# onto tinyconfig. Cached under $LVMM_CACHE/kernel/<key>, key = source version + patches +
# config + this script, so it only rebuilds when one of them changes. Prints the Image path
# as its last line; build output goes to a log in the cache. When the series carries the KVM
# selftest (tools/testing/selftests/kvm/aarch64/pvsched_test.c), it is built too, with the
# kernel's own selftest build, as a static binary next to the Image: <dir of Image>/pvsched_test.
#   build-kernel.sh [--no-patches]   (--no-patches: the stock source, without KVM_CAP_ARM_PV_SCHED)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache="${LVMM_CACHE:-$HOME/.cache/lvmm}"
tarball=/usr/src/linux-source-6.12.tar.xz
fragment="$here/minimal.config"

die() { echo "build-kernel: $*" >&2; exit 1; }

case "${1:-}" in
'' | --no-patches) ;;
*) echo "usage: build-kernel.sh [--no-patches]" >&2; exit 2 ;;
esac
[ -f "$tarball" ] || die "$tarball is missing: run scripts/install-deps.sh (it installs linux-source-6.12)"
[ -f "$fragment" ] || die "$fragment is missing"
version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) || die "linux-source-6.12 is not installed"
patches=()
if [ "${1:-}" != --no-patches ] && [ -d "$here/patches" ]; then
	# A cover letter carries no diff: only the patches themselves are applied.
	while IFS= read -r p; do
		grep -q '^diff --git' "$p" && patches+=("$p")
	done < <(find "$here/patches" -maxdepth 1 -name '*.patch' | LC_ALL=C sort)
fi
key=$( { echo "$version"; cat "$fragment" "$0"; for p in "${patches[@]}"; do cat "$p"; done; } |
	sha256sum | cut -c1-16)
out="$cache/kernel/$key"
image="$out/Image"

# Cached: answer without the lock, so a lookup never waits behind a build of another key.
if [ -f "$image" ]; then
	echo "$image"
	exit 0
fi

mkdir -p "$cache/kernel"
exec 9>"$cache/kernel/.lock"
flock 9 # a second build of the same key waits for the first instead of racing it
if [ -f "$image" ]; then # the build we waited for was this one
	echo "$image"
	exit 0
fi

case "$(uname -m)" in
aarch64) cross= ;;
*) cross=aarch64-linux-gnu- ;;
esac
command -v "${cross}gcc" >/dev/null || die "${cross}gcc is missing: run scripts/install-deps.sh"
src="$out/src"
log="$out/build.log"
rm -rf "$out"
mkdir -p "$src"
echo "build-kernel: building the minimal arm64 kernel ($version, ${#patches[@]} patches, key $key); log in $log" >&2
start=$(date +%s)

# Runs one build step with its output in the log; on failure shows the log's tail and names the step.
step() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	echo "### $what" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "$what failed (log: $log)"
	fi
}
kmake() { make -C "$src" ARCH=arm64 CROSS_COMPILE="$cross" "$@"; }

step "unpacking $tarball" tar -xf "$tarball" -C "$src" --strip-components=1
for p in "${patches[@]}"; do
	step "applying $(basename "$p")" patch -d "$src" -p1 --forward --batch -i "$p"
done
step "make tinyconfig" kmake tinyconfig
step "merging $fragment" env -C "$src" scripts/kconfig/merge_config.sh -m .config "$fragment"
step "make olddefconfig" kmake olddefconfig

# merge_config and olddefconfig silently drop options whose dependencies are missing: refuse that.
missing=()
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) grep -qxF "$line" "$src/.config" || missing+=("$line") ;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$src/.config" || missing+=("$line")
		;;
	esac
done <"$fragment"
[ ${#missing[@]} -eq 0 ] || die "these options of $fragment did not take (unmet dependencies?): ${missing[*]}"

# nproc + 1 keeps both cores of the dev machines busy while one job waits on I/O.
step "make Image" kmake -j"$(($(nproc) + 1))" Image
if [ -f "$src/tools/testing/selftests/kvm/aarch64/pvsched_test.c" ]; then
	step "make headers" kmake headers
	# Static: it runs in the emulated host, whose root has no C library.
	step "building the KVM selftest pvsched_test" make -C "$src/tools/testing/selftests/kvm" \
		ARCH=arm64 CROSS_COMPILE="$cross" KHDR_INCLUDES="-isystem $src/usr/include" \
		OUTPUT="$src/selftests-out" LDFLAGS="-static -pthread" -j"$(($(nproc) + 1))" \
		"$src/selftests-out/aarch64/pvsched_test"
	cp "$src/selftests-out/aarch64/pvsched_test" "$out/pvsched_test"
fi
cp "$src/arch/arm64/boot/Image" "$image.tmp"
cp "$src/.config" "$out/config"
rm -rf "$src" # 1+ GiB of objects; the Image and its config are what the tests need
mv "$image.tmp" "$image"
echo "build-kernel: built in $(($(date +%s) - start)) s: $image" >&2
echo "$image"
