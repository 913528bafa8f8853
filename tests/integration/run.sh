#!/usr/bin/env bash
# The integration suite, x86 side: gathers lvmm, the test programs, the guests, the kernel and
# the guest initrd into a payload, boots the emulated arm64 host (emuhost.sh), runs suite.sh in
# it, and judges what came back. Ends with "integration: N passed, N failed, N skipped".
# LVMM_TEST_ONLY=substring judges only the matching checks; the others are reported as skips.
set -euo pipefail
cd "$(dirname "$0")/../.."

build=build
log="$build/integration.log"
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT

kernel=$(kernel/build-kernel.sh | tail -n 1)                    # with kernel/patches
stock_kernel=$(kernel/build-kernel.sh --no-patches | tail -n 1) # without KVM_CAP_ARM_PV_SCHED
mkdir -p "$payload/guests"
cp "$build/lvmm" "$build/kick-race-test" "$build/run-as-nobody" "$build/control-raw" "$build/share-mmap" \
	"$build/share-posix" "$build/share-clock" "$build/memory-hog" "$build/dynamic-hello" "$build/on-terminal" \
	"$payload/"
cp "$(dirname "$kernel")/pvsched_test" "$payload/" # the series' KVM selftest, built with it
cp guest/build/*.img guest/build/*.flat "$payload/guests/"
cp "$kernel" "$payload/Image"
tests/integration/make-guest-initrd.sh "$payload/guest-initrd.cpio.gz"
# 1 GiB of zeros in about 1 MiB: a kernel that takes lvmm many seconds to decompress (SIGTERM).
head -c 1073741824 /dev/zero | gzip -9 > "$payload/zeros-1g.gz"
tests/integration/make-guest-initrd.sh --kexec "$kernel" "$payload/guest-initrd-kexec.cpio.gz"
# Debian's own arm64 kernel, whose virtio drivers are modules: they go into its initrd.
debian=$(tests/integration/debian-kernel.sh | tail -n 1)
mkdir -p "$payload/debian"
cp "$debian/Image" "$payload/debian/Image"
cp -a "$debian/root" "$payload/debian/root" # its 9p and virtio modules, for lvmm sandbox
tests/integration/make-guest-initrd.sh --modules "$debian/modules" "$payload/debian/initrd.cpio.gz"
# Debian's newer 6.12 kernel, whose modules are xz-compressed, laid out for lvmm sandbox --modules.
debian612=$(tests/integration/debian-kernel-6.12.sh | tail -n 1)
mkdir -p "$payload/debian612"
cp "$debian612/Image" "$payload/debian612/Image"
cp -a "$debian612/mods" "$payload/debian612/mods"
echo "LVMM_TEST_ONLY='${LVMM_TEST_ONLY:-}'" > "$payload/test-env"

set +e
# The whole suite on the patched kernel (PV sched in full mode)...
echo "PVSCHED_MODE=full" >> "$payload/test-env"
tests/integration/emuhost.sh --kernel "$kernel" --timeout 2400 "$payload" tests/integration/suite.sh \
	> "$log" 2>&1
host_status=$?
# ...and the PV sched part again on the same source without the series: the kick-only fallback.
sed -i 's/^PVSCHED_MODE=.*/PVSCHED_MODE=kick-only SUITE_PART=pvsched/' "$payload/test-env"
tests/integration/emuhost.sh --kernel "$stock_kernel" --timeout 1200 "$payload" \
	tests/integration/suite.sh >> "$log" 2>&1
stock_status=$?
# The GICv2 path needs a host whose GIC is a GICv2: a third, short boot. Its CPUs have no PMU,
# which tests --pmu on a host that cannot offer one.
tests/integration/emuhost.sh --kernel "$kernel" --gic 2 --cpu-options pmu=off --timeout 600 "$payload" tests/integration/suite_gicv2.sh \
	>> "$log" 2>&1
gicv2_status=$?
set -e

grep -E '^(ok|not ok|skip) - |^# |^measure ' "$log" || true
passed=$(grep -c '^ok - ' "$log" || true)
failed=$(grep -c '^not ok - ' "$log" || true)
skipped=$(grep -c '^skip - ' "$log" || true)

check() { # NAME CONDITION-RESULT
	if [ "$2" = 0 ]; then echo "ok - $1"; passed=$((passed + 1));
	else echo "not ok - $1"; failed=$((failed + 1)); fi
}

# The dumped device tree travels out as base64 and is decompiled here with the real dtc.
if grep -q '^DTB-BEGIN' "$log"; then
	sed -n '/^DTB-BEGIN/,/^DTB-END/p' "$log" | sed '1d;$d' | base64 -d > "$build/dump.dtb"
	if dtc -q -I dtb -O dts -o "$build/dump.dts" "$build/dump.dtb" &&
	   grep -q 'ns16550a' "$build/dump.dts" && grep -q 'dtb-test-args' "$build/dump.dts" &&
	   grep -q 'arm,gic-v3' "$build/dump.dts" && grep -q 'arm,armv8-pmuv3' "$build/dump.dts" && [ "$(grep -c 'enable-method = "psci"' "$build/dump.dts")" = 2 ] &&
	   grep -q 'kaslr-seed = <0x11223344 0x55667788>;' "$build/dump.dts"; then
		check "dtb: --dump-dtb output decompiles with dtc and describes the machine" 0
	else
		check "dtb: --dump-dtb output decompiles with dtc and describes the machine" 1
	fi
elif [ -z "${LVMM_TEST_ONLY:-}" ]; then
	check "dtb: --dump-dtb output reached the host" 1
else
	echo "skip - dtb: --dump-dtb output decompiles with dtc (not selected by LVMM_TEST_ONLY)"
	skipped=$((skipped + 1))
fi

[ "$(grep -c '^# suite done' "$log")" = 2 ]; check "both emulated hosts (patched, stock) ran the suite to the end" $?
grep -q '^# gicv2 suite done' "$log"; check "the GICv2 emulated host ran its suite" $?
[ "$host_status" = 0 ] && [ "$stock_status" = 0 ] && [ "$gicv2_status" = 0 ]
check "the emulated hosts exited cleanly (status $host_status, $stock_status, $gicv2_status)" $?
if [ "$failed" != 0 ]; then
	echo "# full log: $log"
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
