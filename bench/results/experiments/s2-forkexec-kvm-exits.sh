#!/bin/sh
# s2-messaging-kvm-exits.sh with S2's fork+exec (15 loops of its 8 workers) instead of
# messaging. The payload holds both scripts (emuhost.sh runs this one).
WORKLOAD=forkexec SIZE=lvmm.forkexec_loops=15 . /payload/s2-messaging-kvm-exits.sh
