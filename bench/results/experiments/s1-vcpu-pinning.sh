#!/bin/sh
P=${PAYLOAD:-/payload}
params='lvmm.pipe_loops=4000 lvmm.msg_loops=200 lvmm.wakeup_seconds=3 lvmm.forkexec_loops=40 lvmm.mmap_loops=150 lvmm.filewrite_loops=15000'
round=1
while [ $round -le 8 ]; do
  for arm in off-free off-pin on-free on-pin; do
    case $arm in
    off-free) f= ;; off-pin) f="--vcpu-affinity 0:0 --vcpu-affinity 1:1" ;;
    on-free) f=--pvsched ;; on-pin) f="--pvsched --vcpu-affinity 0:0 --vcpu-affinity 1:1" ;;
    esac
    timeout 600 $P/lvmm run -k $P/Image -i $P/bench-initrd.cpio.gz -c 2 -m 512 $f -p "quiet lvmm.action=sched-bench $params" </dev/null >/tmp/o 2>/tmp/e
    echo "status=$? arm=$arm round=$round"
    tr -d '\r' </tmp/o | sed -n "s/^LVMM-BENCH: run=1 /X arm=$arm round=$round /p"
  done
  round=$((round+1))
done
echo EXPDONE
