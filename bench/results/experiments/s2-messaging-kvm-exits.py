#!/usr/bin/python3
"""What the host's KVM saw during S2 messaging's slow and fast runs: s2-messaging-kvm-exits.log,
from s2-messaging-kvm-exits.sh in the emulated host (a 4-vCPU guest on the 2 host CPUs, one
boot without --pvsched and one with it, 24 messaging runs each; the host reads KVM's summed
exit counters as each of the guest's lines arrives).

    s2-messaging-kvm-exits.py LOG [SLOW_S]

LOG from s2-messaging-kvm-exits.sh or s2-forkexec-kvm-exits.sh (the workload is read from the
result lines); a run is slow when its total_s exceeds SLOW_S (1 unless given).

A run's window runs from the guest line before it (the previous run's evidence line, or the
boot's last header line) to its result line, so it holds the run and the guest's counter
reads around it. Per run: its total_s, the window in s, and the WFE exits, WFI exits, all exits
and halt wake-ups in the window, each also per second of window. Then per boot the medians of
the slow (total_s > SLOW_S) and the fast runs, and Spearman's rank correlation of total_s with
each rate.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import report  # noqa: E402  (spearman)

FIELDS = ("wfe", "wfi", "exits", "halt_wakeup")


runs = {}
previous = {}
for line in open(sys.argv[1], errors="replace"):
    m = re.search(r"LINE arm=(\S+) t=(\S+) (.*?) LVMM-BENCH: (.*)", line)
    if not m:
        continue
    arm, t, counters, text = m.group(1), float(m.group(2)), m.group(3), m.group(4)
    snapshot = {k: int(v) for k, v in (kv.split("=") for kv in counters.split())}
    snapshot["t"] = t
    r = re.search(r"run=(\d+) (?:messaging|forkexec): .*total_s=(\S+)", text)
    if r and arm in previous:
        before = previous[arm]
        window = t - before["t"]
        delta = {k: snapshot[k] - before[k] for k in FIELDS}
        runs.setdefault(arm, []).append((float(r.group(2)), window, delta))
    previous[arm] = snapshot

for arm, rows in runs.items():
    print(f"== {arm}: {len(rows)} runs")
    print("total_s window_s " + " ".join(FIELDS) + " " + " ".join(f + "/s" for f in FIELDS))
    for total, window, delta in rows:
        print(f"{total:.3f} {window:.2f} " + " ".join(str(delta[k]) for k in FIELDS) + " " +
              " ".join(f"{delta[k] / window:.0f}" for k in FIELDS))
    slow_s = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    for name, sel in (("slow", [r for r in rows if r[0] > slow_s]),
                      ("fast", [r for r in rows if r[0] <= slow_s])):
        if not sel:
            continue
        print(f"{name} {len(sel)} runs, medians: total_s {statistics.median(r[0] for r in sel):.3f} " +
              " ".join(f"{k} {statistics.median(r[2][k] for r in sel):.0f}" for k in FIELDS) + " " +
              " ".join(f"{k}/s {statistics.median(r[2][k] / r[1] for r in sel):.0f}" for k in FIELDS))
    totals = [r[0] for r in rows]
    correlations = {k: report.spearman(totals, [r[2][k] / r[1] for r in rows]) for k in FIELDS}
    print("spearman of total_s with: " +
          " ".join(f"{k}/s " + ("undefined" if c is None else f"{c:+.2f}")
                   for k, c in correlations.items()))
