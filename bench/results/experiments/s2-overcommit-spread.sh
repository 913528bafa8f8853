#!/bin/sh
# Where S2's spread comes from: the same three lock-heavy workloads, with S2's sizes, run on
# the emulated host itself, in a guest with as many vCPUs as host CPUs (1:1) and in S2's guest
# (2:1, no --pvsched), 8 runs each per round, 3 rounds, in one emulated-host session.
P=${PAYLOAD:-/payload}
params='lvmm.bench_runs=8 lvmm.workloads=forkexec,mmap,filewrite lvmm.forkexec_loops=15 lvmm.mmap_loops=50 lvmm.filewrite_loops=4000'
cpus=$(nproc)
cd /tmp || exit 1
for round in 1 2 3; do
  run=1
  while [ $run -le 8 ]; do
    for command in "fork-exec -w 8 -l 15" "mmap-churn -t 8 -l 50 -p 16" "file-write -t 8 -l 4000 -r 64 -f /tmp/file-write.dat"; do
      echo "X side=host round=$round run=$run $($P/$command)"
    done
    run=$((run+1))
  done
  for vcpus in $cpus $((2 * cpus)); do
    timeout 900 $P/lvmm run -k $P/Image -i $P/bench-initrd.cpio.gz -c $vcpus -m 512 -p "quiet lvmm.action=sched-bench $params" </dev/null >/tmp/o 2>/tmp/e
    echo "status=$? side=guest-c$vcpus round=$round"
    tr -d '\r' </tmp/o | sed -n "s/^LVMM-BENCH: run=\([0-9]*\) /X side=guest-c$vcpus round=$round run=\1 /p"
  done
done
echo EXPDONE
