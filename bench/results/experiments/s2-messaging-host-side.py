#!/usr/bin/python3
"""The host's side of S2 messaging's slow runs: s2-messaging-host-side.log, from
s2-messaging-host-side.sh in the emulated host (a 4-vCPU guest without --pvsched running 24
messaging runs while the host samples its own /proc/stat and lvmm's threads' CPU ticks every
0.5 s; each guest line stamped with the host's uptime as it arrived).

    s2-messaging-host-side.py s2-messaging-host-side.log

For every run whose window (the evidence line's arrival minus its wall_ms) spans at least two
samples 0.9 s apart, prints the guest's stolen share (as bench/report.py's cpu_time_shares) and,
over the same window from the nearest samples, the host's busy and idle shares and the share of
the host's CPU time that lvmm's threads had. Then the medians of the slow (> 1 s) and fast runs
that qualify (fast runs are mostly too short for 0.5 s samples).
"""
import re
import statistics
import sys
lines = open(sys.argv[1]).read().splitlines()
samples = []
for l in lines:
    m = re.search(r"SAMPLE t=(\S+) (.*)", l)
    if m:
        d = dict(kv.split("=") for kv in m.group(2).split())
        samples.append((float(m.group(1)), {k: int(v) for k, v in d.items()}))
runs = []
last = None
for l in lines:
    m = re.search(r"LINE t=(\S+) LVMM-BENCH: run=\d+ messaging: .*total_s=(\S+)", l)
    if m:
        last = float(m.group(2))
    m = re.search(r"LINE t=(\S+) LVMM-BENCH: run=\d+ evidence workload=messaging .*busy_ms=(\d+) idle_ms=(\d+) steal_ms=(\d+) runqueue_wait_ms=(\d+) wall_ms=(\d+)", l)
    if m and last is not None:
        t = float(m.group(1)); busy, idle, steal, rq, wall = map(int, m.groups()[1:])
        runs.append((last, t - wall / 1000.0, t, busy, idle, steal))
def at(t):
    return min(samples, key=lambda s: abs(s[0] - t))
print("total_s guest:stolen host:busy host:idle lvmm_share_of_host")
rows = []
for total, start, end, busy, idle, steal in runs:
    a, b = at(start + 0.25), at(end - 0.1)
    if b[0] - a[0] < 0.9:
        continue
    da = {k: b[1][k] - a[1][k] for k in a[1]}
    host_total = sum(da[k] for k in ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"))
    hb = (da["user"] + da["nice"] + da["system"] + da["irq"] + da["softirq"]) / host_total
    hi = (da["idle"] + da["iowait"]) / host_total
    lv = da["lvmm"] / host_total
    gs = steal / (busy + idle + steal)
    rows.append((total, gs, hb, hi, lv))
    print(f"{total:.3f} {gs:.2f} {hb:.2f} {hi:.2f} {lv:.2f}")
for name, sel in (("slow", [r for r in rows if r[0] > 1]), ("fast", [r for r in rows if r[0] <= 1])):
    if sel:
        print(name, len(sel), *[f"{statistics.median(r[i] for r in sel):.2f}" for i in range(1, 5)])
