#!/usr/bin/env bash
# The main job: builds everything, boots the emulated arm64 host, and inside it runs
#   lvmm run -k Image -i initrd -c 4 -m 512 -p "quiet"
# showing the nested guest's console. With a terminal on stdin the guest gives you a shell
# (exit it to power off); otherwise it reports what it sees and powers off.
set -euo pipefail
cd "$(dirname "$0")/.."

kernel=$(kernel/build-kernel.sh | tail -n 1)
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
cp build/lvmm "$payload/"
cp "$kernel" "$payload/Image"
tests/integration/make-guest-initrd.sh "$payload/guest-initrd.cpio.gz"
action=poweroff
[ -t 0 ] && action=shell
cat > "$payload/demo.sh" <<DEMO
echo "== emulated arm64 host up: \$(uname -r), /dev/kvm present: \$([ -e /dev/kvm ] && echo yes || echo no)"
echo "== lvmm run -k Image -i guest-initrd.cpio.gz -c 4 -m 512 -p 'quiet lvmm.action=$action'"
start=\$(date +%s)
./lvmm run -k Image -i guest-initrd.cpio.gz -c 4 -m 512 -p "quiet lvmm.action=$action" --loglevel info
status=\$?
echo "== lvmm exited with status \$status after \$((\$(date +%s) - start)) s"
exit \$status
DEMO
exec tests/integration/emuhost.sh --timeout 900 "$payload" "$payload/demo.sh"
