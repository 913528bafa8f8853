#!/usr/bin/env bash
# Checks the kernel series in kernel/patches: scripts/checkpatch.pl --strict finds nothing in
# each patch, the series applies to Debian's linux-source-6.12, and the UAPI header it adds is
# byte for byte lvmm's include/lvmm/pvsched_abi.h. Ends with "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="${LVMM_CACHE:-$HOME/.cache/lvmm}/checkpatch"
tarball=/usr/src/linux-source-6.12.tar.xz
passed=0 failed=0

result() { # STATUS NAME
	if [ "$1" = 0 ]; then echo "ok - $2"; passed=$((passed + 1));
	else echo "not ok - $2"; failed=$((failed + 1)); fi
}

if [ ! -x "$cache/src/scripts/checkpatch.pl" ]; then
	rm -rf "$cache" && mkdir -p "$cache/src"
	tar -xf "$tarball" -C "$cache/src" --strip-components=1 || { echo "not ok - unpack $tarball"; echo "0 passed, 1 failed"; exit 1; }
	(cd "$cache/src" && git init -q && git add -f . && git -c user.name=x -c user.email=x@x commit -qm base) >/dev/null 2>&1
fi
src="$cache/src"
(cd "$src" && git checkout -q -f HEAD && git clean -qfdx) >/dev/null 2>&1

for p in "$here"/patches/*.patch; do
	grep -q '^diff --git' "$p" || continue
	name=$(basename "$p")
	# spdxcheck.py needs python3-ply, which only the system python3 has.
	out=$(cd "$src" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --no-summary --quiet "$p" 2>&1 | grep -v '^$')
	[ -z "$out" ]; result $? "checkpatch --strict is clean: $name"
	[ -n "$out" ] && echo "$out" | sed 's/^/#   /'
	(cd "$src" && git apply --check "$p" && git apply "$p"); result $? "applies to Debian's linux-source-6.12: $name"
done
cmp -s "$src/include/uapi/linux/kvm_arm_pvsched.h" "$here/../include/lvmm/pvsched_abi.h"
result $? "the series' UAPI header is lvmm's include/lvmm/pvsched_abi.h, byte for byte"
(cd "$src" && git checkout -q -f HEAD && git clean -qfdx) >/dev/null 2>&1
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
