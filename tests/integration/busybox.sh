#!/usr/bin/env bash
# Prints the path of an arm64 busybox-static binary, unpacked once from Debian's package into
# $LVMM_CACHE (the emulated host and the nested guests both run it).
set -euo pipefail
cache="${LVMM_CACHE:-$HOME/.cache/lvmm}/busybox-arm64"
if [ ! -x "$cache/bin/busybox" ]; then
	tmp=$(mktemp -d)
	chmod 777 "$tmp" # apt's download sandbox user must be able to write there
	(cd "$tmp" && apt-get download -qq busybox-static:arm64 >/dev/null) ||
		{ echo "busybox.sh: cannot download busybox-static:arm64 (run scripts/install-deps.sh first)" >&2; exit 1; }
	rm -rf "$cache.tmp"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$cache.tmp"
	rm -rf "$tmp" "$cache"
	mv "$cache.tmp" "$cache"
fi
echo "$cache/bin/busybox"
