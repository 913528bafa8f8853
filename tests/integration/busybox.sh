#!/usr/bin/env bash
# Prints the path of an arm64 busybox-static binary, unpacked once from Debian's package into
# $LVMM_CACHE (the emulated host and the nested guests both run it).
set -euo pipefail
cache="${LVMM_CACHE:-$HOME/.cache/lvmm}/busybox-arm64"
if [ ! -x "$cache/bin/busybox" ]; then
	mkdir -p "$(dirname "$cache")"
	exec 9>"$cache.lock"
	flock 9 # two first runs at once: the second waits and finds the first one's copy
	if [ ! -x "$cache/bin/busybox" ]; then
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		chmod 777 "$tmp" # apt's download sandbox user must be able to write there
		(cd "$tmp" && apt-get download -qq busybox-static:arm64 >/dev/null) ||
			{ echo "busybox.sh: cannot download busybox-static:arm64 (run scripts/install-deps.sh first)" >&2; exit 1; }
		dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/root"
		rm -rf "$cache"
		mv "$tmp/root" "$cache"
	fi
fi
echo "$cache/bin/busybox"
