#!/usr/bin/env bash
# The main job: builds everything, boots the emulated arm64 host, and inside it runs
#   lvmm run --pvsched --pvsched-stats -k Image -i initrd -c 4 -m 512 -p "quiet"
# showing the nested guest's console (with a terminal on stdin the guest gives you a shell;
# exit it to power off), then a bare-metal guest that wakes a vCPU from WFI with
# PV_SCHED_KICK_CPU and reports the wake latency next to an SGI's.
set -euo pipefail
cd "$(dirname "$0")/.."

kernel=$(kernel/build-kernel.sh | tail -n 1)
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir -p "$payload/guests"
cp build/lvmm "$payload/"
cp guest/build/pvsched_wake.img "$payload/guests/"
cp "$kernel" "$payload/Image"
tests/integration/make-guest-initrd.sh "$payload/guest-initrd.cpio.gz"
action=poweroff
[ -t 0 ] && action=shell
cat > "$payload/demo.sh" <<DEMO
echo "== emulated arm64 host up: \$(uname -r), /dev/kvm present: \$([ -e /dev/kvm ] && echo yes || echo no)"
echo "== lvmm run --pvsched --pvsched-stats -k Image -i guest-initrd.cpio.gz -c 4 -m 512 -p 'quiet lvmm.action=$action'"
start=\$(date +%s)
./lvmm run --pvsched --pvsched-stats -k Image -i guest-initrd.cpio.gz -c 4 -m 512 -p "quiet lvmm.action=$action" --loglevel info
status=\$?
echo "== lvmm exited with status \$status after \$((\$(date +%s) - start)) s"
[ \$status = 0 ] || exit \$status
echo "== lvmm run --pvsched -k guests/pvsched_wake.img -c 2   (KICK_CPU vs SGI wake-ups, in counter ticks)"
./lvmm run --test-device --pvsched --pvsched-stats -k guests/pvsched_wake.img -c 2
exit \$?
DEMO
exec tests/integration/emuhost.sh --timeout 900 "$payload" "$payload/demo.sh"
