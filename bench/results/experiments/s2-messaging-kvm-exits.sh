#!/bin/sh
# S2 messaging (4 vCPUs on the 2 host CPUs) with the host's KVM exit counters read as each
# run's result arrives: what do the guest's vCPUs do in the slow runs? KVM's debugfs sums its
# per-vCPU statistics over every VM: WFE exits (a guest spinning on a lock in WFE, trapped
# while its host CPU has other work; KVM then yields to a vCPU that is not running), WFI
# exits (a vCPU going idle), all exits and halt wake-ups. One boot without --pvsched, one
# with it, 24 runs each. Another workload: WORKLOAD and SIZE in the environment
# (s2-forkexec-kvm-exits.sh).
P=/payload
WORKLOAD=${WORKLOAD:-messaging}
SIZE=${SIZE:-lvmm.msg_loops=15}
K=/sys/kernel/debug/kvm
ls $K | grep -v -- - | tr '\n' ' ' | sed 's/^/KVM-STATS-AVAILABLE /'; echo
stats() {
	echo "wfe=$(cat $K/wfe_exit_stat) wfi=$(cat $K/wfi_exit_stat) exits=$(cat $K/exits)" \
	     "halt_wakeup=$(cat $K/halt_wakeup) signal_exits=$(cat $K/signal_exits)"
}
for arm in off on; do
	flag=; [ $arm = on ] && flag=--pvsched
	echo "ARM $arm"
	$P/lvmm run -k $P/Image -i $P/bench-initrd.cpio.gz -c 4 -m 512 $flag \
		-p "quiet lvmm.action=sched-bench lvmm.bench_runs=24 lvmm.workloads=$WORKLOAD $SIZE" </dev/null 2>&1 |
		tr -d '\r' | while IFS= read -r line; do
			case "$line" in
			*LVMM-BENCH*) read up _ < /proc/uptime; echo "LINE arm=$arm t=$up $(stats) $line" ;;
			esac
		done
done
