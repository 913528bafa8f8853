#!/bin/sh
# S2 messaging runs in a 4-vCPU guest while the host samples its own CPU time every 0.5 s:
# is the host busy (and with what) while the guest's vCPUs read as stolen?
P=/payload
echo 0 > /tmp/lvmm-pid
(
	pid=
	while :; do
		read up _ < /proc/uptime
		set -- $(head -n 1 /proc/stat)
		[ -n "$pid" ] || pid=$(pidof lvmm)
		lvmm_ticks=0
		if [ -n "$pid" ]; then
			lvmm_ticks=$(cat /proc/$pid/task/*/stat 2>/dev/null | awk '{ s += $14 + $15 } END { printf "%.0f", s }')
		fi
		echo "SAMPLE t=$up user=$2 nice=$3 system=$4 idle=$5 iowait=$6 irq=$7 softirq=$8 steal=$9 lvmm=$lvmm_ticks"
		sleep 0.5
	done
) > /tmp/samples &
sampler=$!
$P/lvmm run -k $P/Image -i $P/bench-initrd.cpio.gz -c 4 -m 512 \
	-p "quiet lvmm.action=sched-bench lvmm.bench_runs=24 lvmm.workloads=messaging lvmm.msg_loops=15" </dev/null 2>&1 |
	while IFS= read -r line; do
		read up _ < /proc/uptime
		echo "LINE t=$up $line"
	done | tr -d '\r' | grep "LVMM-BENCH"
kill $sampler
cat /tmp/samples
