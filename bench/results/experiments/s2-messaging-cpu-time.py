#!/usr/bin/python3
"""Where the guest's CPU time went in messaging's fast and slow runs under overcommit.

    bench/results/experiments/s2-messaging-cpu-time.py RESULT_DIR

Reads RESULT_DIR/raw.log (bench/run.sh, scenario s2, workload messaging) and, per run, the
workload's time and the evidence line's busy_ms, idle_ms, steal_ms (summed over the guest's
vCPUs, /proc/stat ticks), runqueue_wait_ms and wall_ms (guest/linux-init/init), as
bench/report.py's cpu_time_shares turns them into shares: busy, idle and stolen by the host
as shares of the vCPUs' time in the run's window, and the tasks waiting for a CPU on average.
The window is the workload's whole process (start-up and exit included), so wall_ms is longer
than total_s. Prints, per arm, the runs split at SLOW_S into fast and slow with the medians of
each figure, and Spearman's rank correlation of total_s with each over all runs.
"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
import report  # noqa: E402  (parse_pairs and spearman)

SLOW_S = 1.0  # the runs split here: S2's messaging runs take 0.04-0.7 s or 1.5-8 s
FIGURES = ("busy", "idle", "stolen", "tasks waiting", "wall_s")


def runs_of(path):
    tag = re.compile(r"^bench ab scenario=s2 arm=(\S+) run=(\d+) repeat=(\d+) (.*)$")
    runs = {}
    with open(path) as log:
        for line in log:
            match = tag.match(line.rstrip("\n"))
            if not match:
                continue
            key = (match.group(1), int(match.group(2)), int(match.group(3)))
            rest = match.group(4)
            if rest.startswith("messaging: "):
                runs.setdefault(key, {})["total_s"] = float(report.parse_pairs(rest)["total_s"])
            elif rest.startswith("evidence workload=messaging "):
                counts = {k: int(v) for k, v in report.parse_pairs(rest).items() if v.isdigit()}
                shares = report.cpu_time_shares(counts)
                if shares:
                    runs.setdefault(key, {})["figures"] = shares + [counts["wall_ms"] / 1000]
    return {k: v for k, v in runs.items() if "total_s" in v and "figures" in v}


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: s2-messaging-cpu-time.py RESULT_DIR\n")
        return 2
    runs = runs_of(os.path.join(sys.argv[1], "raw.log"))
    if not runs:
        sys.stderr.write("no s2 messaging runs with the CPU-time evidence in that raw.log\n")
        return 1
    print(f"| arm | runs | slow runs (> {SLOW_S:g} s) | kind | median total_s | "
          + " | ".join(FIGURES) + " |")
    print("|---|---:|---:|---|---:|" + "---:|" * len(FIGURES))
    correlations = []
    for arm in sorted({key[0] for key in runs}):
        mine = [v for k, v in runs.items() if k[0] == arm]
        shares = [v["figures"] for v in mine]
        slow = [i for i, v in enumerate(mine) if v["total_s"] > SLOW_S]
        for kind, members in (("fast", [i for i in range(len(mine)) if i not in slow]), ("slow", slow)):
            if not members:
                continue
            cells = [f"{statistics.median(shares[i][f] for i in members):.2f}" for f in range(len(FIGURES))]
            print(f"| {arm} | {len(mine)} | {len(slow)} | {kind} | "
                  f"{statistics.median(mine[i]['total_s'] for i in members):.3f} | " + " | ".join(cells) + " |")
        times = [v["total_s"] for v in mine]
        correlations.append((arm, [report.spearman(times, [s[f] for s in shares]) for f in range(len(FIGURES))]))
    print()
    print("| arm | Spearman of total_s with: " + " | ".join(FIGURES) + " |")
    print("|---|" + "---:|" * len(FIGURES))
    for arm, rhos in correlations:
        print(f"| {arm} | " + " | ".join("n/a" if r is None else f"{r:+.2f}" for r in rhos) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
