#!/bin/sh
# Run by busybox sh inside an emulated host whose GIC is a GICv2 (run.sh boots it with
# --gic 2, CPUs without a PMU): lvmm's GICv2 path; KVM's vCPU limit and the missing PMU reported
# as one clear line each.
PAYLOAD=${PAYLOAD:-/payload}
LVMM="$PAYLOAD/lvmm"
OUT=/tmp/lvmm.out
ERR=/tmp/lvmm.err

check() { # NAME STATUS WANTED PATTERN
	if [ "$2" = "$3" ] && cat "$OUT" "$ERR" | tr -d '\r' | grep -q -e "$4"; then
		echo "ok - $1"
	else
		echo "not ok - $1 (status $2, wanted $3)"; tail -n 5 "$OUT" "$ERR" | sed 's/^/#   /'
	fi
}

timeout 60 "$LVMM" run --test-device -k "$PAYLOAD/guests/smp.img" -c 2 </dev/null >"$OUT" 2>"$ERR"
check "gicv2: vCPUs come up on a GICv2-only host" $? 0 "report cpus=2"
timeout 180 "$LVMM" run -k "$PAYLOAD/Image" -i "$PAYLOAD/guest-initrd.cpio.gz" -c 2 -p quiet --dump-dtb /tmp/v2.dtb </dev/null >"$OUT" 2>"$ERR"
check "gicv2: a Linux guest boots to init with the auto-selected GICv2" $? 0 "LVMM-GUEST: cpus=2"
timeout 60 "$LVMM" run --test-device -k "$PAYLOAD/guests/hello.img" --irqchip gicv3 </dev/null >"$OUT" 2>"$ERR"
check "gicv2: --irqchip gicv3 on a GICv2-only host fails with one clear line" $? 1 "cannot provide an in-kernel GICv3"
timeout 60 "$LVMM" run --test-device -k "$PAYLOAD/guests/hello.img" -c 9 </dev/null >"$OUT" 2>"$ERR"
check "input: more vCPUs than KVM allows gives one clear line" $? 1 "more vCPUs than this host's KVM allows"
timeout 60 "$LVMM" run --test-device -k "$PAYLOAD/guests/hello.img" --pmu </dev/null >"$OUT" 2>"$ERR"
status=$?
[ "$(wc -l < "$ERR")" = 1 ] || status="$status, $(wc -l < "$ERR") stderr lines"
check "input: --pmu on a host without a PMU gives one clear line" "$status" 1 "offers no virtual PMU.*drop --pmu"
echo "# gicv2 suite done"
