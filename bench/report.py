#!/usr/bin/python3
"""Turns bench/in-host.sh's output (OUT/raw.log) into OUT/report.md, OUT/data/ and PNG plots.

    bench/report.py OUT LVMM_STATS

Every figure in the report comes from raw.log; the statistics of the A/B come from our own
lvmm-stats (bench/stats/), the plots from gnuplot. Nothing is judged: figures are printed.
"""
import json
import math
import os
import re
import statistics
import subprocess
import sys

EXIT_OPS = [
    ("loop_baseline", "loop with no exit (isb)", "guest only"),
    ("hvc_psci_version", "null HVC (PSCI_VERSION)", "KVM"),
    ("hvc_pvsched_forwarded", "PV_SCHED_FEATURES, forwarded", "lvmm"),
    ("mmio_read_lvmm", "MMIO read of an lvmm device", "lvmm"),
    ("mmio_write_lvmm", "MMIO write to an lvmm device", "lvmm"),
    ("sgi_self", "self-SGI via the in-kernel GICv3", "KVM"),
    ("sysreg_pmselr", "PMSELR_EL0 sysreg trap", "KVM"),
]

# (workload, field, label, unit, better)
AB_METRICS = [
    ("pipe", "ops_per_sec", "pipe ping-pong", "ops/s", "higher"),
    ("pipe", "usecs_per_op", "pipe ping-pong", "us/op", "lower"),
    ("messaging", "total_s", "messaging", "s total", "lower"),
    ("wakeup", "p50_us", "wake-up latency p50", "us", "lower"),
    ("wakeup", "p99_us", "wake-up latency p99", "us", "lower"),
    ("wakeup", "ops_per_sec", "wake-up worker throughput", "ops/s", "higher"),
]


def parse_pairs(text):
    return dict(re.findall(r"(\S+?)=(\S+)", text))


def parse_log(path):
    data = {"info": {}, "exit": {}, "kick": {"kick": [], "sgi": []}, "kick_stats": [],
            "startup": [], "boot": [], "rss": [], "ab": {"off": {}, "on": {}},
            "ab_pvsched": {"off": {}, "on": {}}, "ab_pvsched_after": {"off": {}, "on": {}},
            "commands": [], "failed": [],
            "done": None}
    with open(path, errors="replace") as log:
        for raw in log:
            line = raw.rstrip("\r\n")
            if not line.startswith("bench "):
                continue
            section, _, rest = line[6:].partition(" ")
            if section == "info":
                data["info"].update(parse_pairs(rest))
            elif section == "command":
                data["commands"].append(rest)
            elif section == "failed":
                data["failed"].append(rest)
            elif section == "done":
                data["done"] = parse_pairs(rest)
            elif section == "exit":
                pairs = parse_pairs(rest)
                run = int(pairs.pop("run"))
                data["exit"].setdefault(run, {}).update(pairs)
            elif section == "kick":
                key, _, value = rest.partition("=")
                if key == "kick_wake_sample_ticks":
                    data["kick"]["kick"].append(int(value))
                elif key == "sgi_wake_sample_ticks":
                    data["kick"]["sgi"].append(int(value))
                elif key == "counter_hz":
                    data["kick"]["counter_hz"] = int(value)
            elif section == "kick-stats":
                data["kick_stats"].append(rest)
            elif section in ("startup", "boot", "rss"):
                data[section].append(parse_pairs(rest))
            elif section == "ab":
                match = re.match(r"mode=(\w+) run=(\d+) (\w+): (.*)", rest)
                if match:
                    mode, run, workload, fields = match.groups()
                    entry = data["ab"][mode].setdefault(int(run), {})
                    entry[workload] = {k: float(v) for k, v in parse_pairs(fields).items()}
            elif section in ("ab-pvsched", "ab-pvsched-after"):
                match = re.match(r"mode=(\w+) run=(\d+) (.*)", rest)
                if match:
                    key = section.replace("-", "_")
                    mode, run, text = match.groups()
                    data[key][mode].setdefault(int(run), []).append(text)
    return data


def read_environment(path):
    env = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                key, _, value = line.rstrip("\n").partition("=")
                env[key] = value
    return env


def fmt(value, digits=3):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def ratio_text(ratio):
    """Two decimals, but enough digits that a ratio far below 1 (the no-exit loop) is not 0.00."""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def gnuplot(script):
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def write_values(path, values):
    with open(path, "w") as f:
        for value in values:
            f.write(f"{value}\n")


def exit_cost_section(data, out, lines):
    runs = sorted(data["exit"])
    lines.append("## 1. Exit costs (seed 003 style)\n")
    if not runs:
        lines.append("No exit-cost run completed.\n")
        return
    first = data["exit"][runs[0]]
    hz = int(first["counter_hz"])
    iterations = int(first["iterations"])
    lines.append(f"`guest/tests/exit_costs.c`: {iterations} back-to-back operations per figure, "
                 f"bracketed by `dsb ish; isb; mrs cntvct_el0`, counter at {hz / 1e6:g} MHz "
                 f"({1e9 / hz:.1f} ns per tick), {len(runs)} run(s), each a separate guest boot "
                 "with `--pvsched --pmu`. Per-operation figures are the median over runs; the "
                 "ratio is to the null HVC **of the same run**, then the median of those ratios.\n")
    lines.append("| operation | handled by | ticks/op | ns/op | ratio to null HVC (per run) | median ratio |")
    lines.append("|---|---|---:|---:|---|---:|")
    plot_rows = []
    for op, label, where in EXIT_OPS:
        per_run, ratios = [], []
        skipped = False
        for run in runs:
            values = data["exit"][run]
            if values.get(f"{op}_skipped"):
                skipped = True
                continue
            if f"{op}_ticks" not in values or "hvc_psci_version_ticks" not in values:
                continue
            ticks = int(values[f"{op}_ticks"]) / int(values["iterations"])
            hvc = int(values["hvc_psci_version_ticks"]) / int(values["iterations"])
            per_run.append(ticks)
            ratios.append(ticks / hvc)
        if not per_run:
            reason = "skipped: not on this machine" if skipped else "no data"
            lines.append(f"| {label} | {where} | {reason} | | | |")
            continue
        ticks = statistics.median(per_run)
        ratio = statistics.median(ratios)
        ns = ticks * 1e9 / hz
        lines.append(f"| {label} | {where} | {ticks:.1f} | {ns:,.0f} | "
                     f"{', '.join(ratio_text(r) for r in ratios)} | **{ratio_text(ratio)}** |")
        plot_rows.append((label, ratio))
    lines.append("")
    with open(os.path.join(out, "data", "exit_costs.dat"), "w") as f:
        for label, ratio in plot_rows:
            f.write(f'"{label}" {ratio}\n')
    gnuplot(f"""set terminal pngcairo noenhanced size 1000,520 font ",10"
set output "{out}/exit_costs.png"
set title "Exit costs as a ratio to a null HVC handled by KVM (same run; log scale)"
set style data histograms
set style fill solid 0.7 border -1
set boxwidth 0.7
set logscale y
set yrange [0.001:*]
set ylabel "cost / null HVC"
set xtics rotate by -20 scale 0
set grid ytics
unset key
plot "{out}/data/exit_costs.dat" using 2:xtic(1) lc rgb "#4477aa", \\
     "" using 0:2:(sprintf("%.3g", $2)) with labels offset 0,0.8
""")
    lines.append("![exit costs](exit_costs.png)\n")


def kick_section(data, out, lines):
    kick, sgi = sorted(data["kick"]["kick"]), sorted(data["kick"]["sgi"])
    lines.append("## 2. Kick latency: KICK_CPU vs SGI, waking a vCPU blocked in WFI\n")
    if not kick or not sgi:
        lines.append("No kick-latency run completed.\n")
        return
    hz = data["kick"].get("counter_hz", 1)
    us = 1e6 / hz
    lines.append(f"`guest/tests/pvsched_wake.c`, 2 vCPUs, `--pvsched`: vCPU 1 sleeps in WFI; "
                 f"vCPU 0 waits 1 ms so that it really blocks, then wakes it with "
                 f"PV_SCHED_KICK_CPU (forwarded to lvmm, which raises vCPU 1's kick SPI) or with "
                 f"an SGI (ICC_SGI1R_EL1, handled in KVM), alternating, {len(kick)} rounds each. "
                 "Latency = vCPU 1's counter when it left WFI minus vCPU 0's counter before the "
                 "call (one virtual counter for both).\n")
    lines.append("| wake-up by | n | min | p50 | p90 | p99 | max | mean (us) |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, values in (("KICK_CPU", kick), ("SGI", sgi)):
        row = [percentile(values, f) * us for f in (0, 0.5, 0.9, 0.99, 1.0)]
        row[0] = values[0] * us
        lines.append(f"| {name} | {len(values)} | " + " | ".join(f"{v:,.0f}" for v in row) +
                     f" | {statistics.mean(values) * us:,.0f} |")
    ratio = statistics.median(kick) / statistics.median(sgi)
    lines.append(f"\nMedian KICK_CPU wake-up / median SGI wake-up, same run: **{ratio:.2f}x**. "
                 "All values in microseconds.\n")
    if data["kick_stats"]:
        lines.append("lvmm's PV sched counters for that run (`--pvsched-stats`):\n")
        lines.append("```")
        lines.extend(data["kick_stats"])
        lines.append("```\n")
    for name, values in (("kick", kick), ("sgi", sgi)):
        with open(os.path.join(out, "data", f"{name}_wake_us.dat"), "w") as f:
            for i, v in enumerate(values):
                f.write(f"{v * us} {(i + 1) / len(values)}\n")
    gnuplot(f"""set terminal pngcairo noenhanced size 900,500 font ",10"
set output "{out}/kick_latency.png"
set title "Waking a vCPU blocked in WFI: cumulative distribution ({len(kick)} wake-ups each)"
set xlabel "wake-up latency (us, log scale)"
set ylabel "fraction of wake-ups"
set logscale x
set key bottom right
set grid
plot "{out}/data/kick_wake_us.dat" using 1:2 with steps lw 2 lc rgb "#cc3311" title "PV_SCHED_KICK_CPU (via lvmm)", \\
     "{out}/data/sgi_wake_us.dat" using 1:2 with steps lw 2 lc rgb "#0077bb" title "SGI (in-kernel GICv3)"
""")
    lines.append("![kick latency](kick_latency.png)\n")


def summary(values):
    if not values:
        return "n/a"
    if len(values) == 1:
        return fmt(values[0])
    return (f"median {fmt(statistics.median(values))} (min {fmt(min(values))}, "
            f"max {fmt(max(values))}, n={len(values)})")


def vmm_section(data, lines):
    lines.append("## 3. VMM cost\n")
    lines.append("| figure | value |")
    lines.append("|---|---|")
    startup = [int(r["exec_to_first_run_ns"]) / 1e6 for r in data["startup"]
               if r.get("exec_to_first_run_ns", "").isdigit()]
    whole = [int(r["exec_to_exit_ns"]) / 1e6 for r in data["startup"]
             if r.get("exec_to_exit_ns", "").isdigit()]
    lines.append(f"| exec to first KVM_RUN, bare-metal guest (ms) | {summary(startup)} |")
    lines.append(f"| exec to exit around a guest that powers off at once (ms) | {summary(whole)} |")
    for cpus in sorted({r["cpus"] for r in data["boot"]}, key=int):
        boots = [r for r in data["boot"] if r["cpus"] == cpus]
        first = [int(r["exec_to_first_run_ns"]) / 1e6 for r in boots
                 if r.get("exec_to_first_run_ns", "").isdigit()]
        init = [float(r["start_to_init_s"]) for r in boots if r.get("start_to_init_s")]
        lines.append(f"| exec to first KVM_RUN, minimal Linux Image + initrd, {cpus} vCPU(s) (ms) | {summary(first)} |")
        lines.append(f"| lvmm start to the guest's /init, minimal 6.12 kernel, {cpus} vCPU(s) (s) | {summary(init)} |")
    rss = [int(r["rss_kib_excluding_guest_ram"]) for r in data["rss"] if r.get("rss_kib_excluding_guest_ram")]
    lines.append(f"| RSS excluding guest RAM, Linux guest running (KiB) | {summary(rss)} |")
    binary = data["info"].get("lvmm_binary_bytes")
    if binary:
        lines.append(f"| static binary size (bytes) | {int(binary):,} |")
    lines.append("\nThe start-up figures are timed on one clock: `launch-timed` (bench/tools/) "
                 "notes CLOCK_MONOTONIC just before its execve() of lvmm, and lvmm's "
                 "`--loglevel info` logs the CLOCK_MONOTONIC of vCPU 0's first KVM_RUN. The time "
                 "to /init is lvmm's timestamp of the guest init's doorbell marker write.\n")


def run_stats(stats_tool, out, file_a, file_b):
    """lvmm-stats on two files under out, named relative to it so the legend reads well."""
    tool = os.path.abspath(stats_tool)
    text = subprocess.run([tool, file_a, file_b], capture_output=True, text=True, cwd=out)
    result = subprocess.run([tool, "-j", file_a, file_b], capture_output=True, text=True, cwd=out)
    parsed = None
    if result.returncode == 0:
        try:
            parsed = json.loads(result.stdout)
        except json.JSONDecodeError:
            parsed = None
    return (text.stdout + text.stderr).rstrip("\n"), parsed


def ab_section(data, out, stats_tool, env, lines):
    lines.append("## 4. The PV sched A/B (seed 000)\n")
    off, on = data["ab"]["off"], data["ab"]["on"]
    lines.append(f"A 4-vCPU guest (patched 6.12 kernel, whose `vcpu_is_preempted()` uses PV sched "
                 f"when lvmm offers it) on the {data['info'].get('host_cpus', '?')}-CPU emulated "
                 f"host, with one CPU hog pinned to each host CPU, `lvmm run -c 4 -m 512` without "
                 f"and with `--pvsched`, alternating, {len(off)} + {len(on)} boots. Each boot "
                 "runs the three workloads of guest/workloads/ once: a pipe ping-pong between two "
                 "processes (as `perf bench sched pipe`), groups of senders and receivers over "
                 "socket pairs (as `perf bench sched messaging`), and message threads waking "
                 "worker threads (as schbench), with these sizes: "
                 f"`{env.get('bench_env_AB_PARAMS', '').strip(chr(39))}`.\n")
    lines.append("What the guest of the first boot on each side reported about PV sched before "
                 "the workloads (/sys/kernel/debug/pvsched; \"none\": no PV sched, so "
                 "`vcpu_is_preempted()` is always false):\n")
    lines.append("```")
    for mode in ("off", "on"):
        runs = data["ab_pvsched"][mode]
        for entry in (runs[min(runs)] if runs else ["(nothing reported)"]):
            lines.append(f"{mode}: {entry}")
    lines.append("```\n")
    def answered_total(entries):
        return sum(int(n) for entry in entries for n in re.findall(r"answered_preempted=(\d+)", entry))

    answered = []
    for run, entries in sorted(data["ab_pvsched_after"]["on"].items()):
        before = data["ab_pvsched"]["on"].get(run, [])
        answered.append(answered_total(entries) - answered_total(before))
    if answered:
        lines.append("With `--pvsched`, times the guest's `vcpu_is_preempted()` answered *true* "
                     "while a boot's workloads ran (the debugfs counters after minus before, "
                     f"summed over the 4 CPUs, per boot): {', '.join(str(n) for n in answered)}.\n")
    lines.append("Statistics by `lvmm-stats` (bench/stats/): x = `--pvsched` off, + = on; "
                 "Student's t with pooled variance at 95% confidence, as in seed 000.\n")
    lines.append("| metric | better | off: median (n) | on: median (n) | difference (on - off) at 95% | verdict |")
    lines.append("|---|---|---:|---:|---|---|")
    details, panels = [], []
    for workload, field, label, unit, better in AB_METRICS:
        values = {}
        for mode, runs in (("off", off), ("on", on)):
            values[mode] = [runs[r][workload][field] for r in sorted(runs)
                            if workload in runs[r] and field in runs[r][workload]]
            write_values(os.path.join(out, "data", f"ab_{workload}_{field}_{mode}.txt"), values[mode])
        if not values["off"] or not values["on"]:
            lines.append(f"| {label} ({unit}) | {better} | n/a | n/a | no data | |")
            continue
        text, parsed = run_stats(stats_tool, out, f"data/ab_{workload}_{field}_off.txt",
                                 f"data/ab_{workload}_{field}_on.txt")
        details.append((f"{label} ({unit}, {better} is better)", text))
        if parsed and parsed.get("difference") is not None and parsed.get("half_width") is not None:
            diff = f"{parsed['difference']:+.4g} +/- {parsed['half_width']:.4g}"
            if parsed.get("difference_percent") is not None:
                diff += f" ({parsed['difference_percent']:+.2f}% +/- {parsed['half_width_percent']:.2f}%)"
            if not parsed.get("significant"):
                verdict = "no difference proven"
            else:
                improved = (parsed["difference"] > 0) == (better == "higher")
                verdict = "**better with PV sched**" if improved else "**worse with PV sched**"
        else:
            diff, verdict = "too few runs for a t-test", ""
        lines.append(f"| {label} ({unit}) | {better} | {fmt(statistics.median(values['off']))} ({len(values['off'])}) | "
                     f"{fmt(statistics.median(values['on']))} ({len(values['on'])}) | {diff} | {verdict} |")
        panels.append((workload, field, label, unit))
    lines.append("")
    for title, text in details:
        lines.append(f"{title}:\n")
        lines.append("```")
        lines.append(text)
        lines.append("```\n")
    if panels:
        plots = []
        columns = 3
        rows = math.ceil(len(panels) / columns)
        for workload, field, label, unit in panels:
            base = os.path.join(out, "data", f"ab_{workload}_{field}")
            plots.append(f"""set title "{label} ({unit})"
set xtics ("off" 1, "on" 2)
set xrange [0.5:2.5]
set yrange [0:*]
unset key
plot "{base}_off.txt" using (1 + 0.12 * (rand(0) - 0.5)):1 with points pt 7 ps 0.8 lc rgb "#0077bb", \\
     "{base}_on.txt" using (2 + 0.12 * (rand(0) - 0.5)):1 with points pt 7 ps 0.8 lc rgb "#cc3311", \\
     "{base}_off.txt" using (1):1 with boxplot lc rgb "#0077bb" fs empty, \\
     "{base}_on.txt" using (2):1 with boxplot lc rgb "#cc3311" fs empty
""")
        gnuplot(f"""set terminal pngcairo noenhanced size 1200,{420 * rows} font ",9"
set output "{out}/ab.png"
set style boxplot nooutliers
set boxwidth 0.35
set offsets 0, 0, graph 0.06, graph 0.06
set grid ytics
set multiplot layout {rows},{columns} title "PV sched A/B: each point one guest boot, --pvsched off vs on"
""" + "".join(plots) + "unset multiplot\n")
        lines.append("![A/B distributions](ab.png)\n")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench/report.py OUT_DIR LVMM_STATS")
    out, stats_tool = sys.argv[1], sys.argv[2]
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    data = parse_log(os.path.join(out, "raw.log"))
    env = read_environment(os.path.join(out, "environment.txt"))
    lines = ["# lvmm benchmark report\n"]
    lines.append("> **Read this first.** These figures were measured inside an *emulated* arm64 "
                 "host (qemu-system-aarch64, TCG, `virtualization=on`) whose KVM is real but whose "
                 "CPUs are emulated, roughly 50-100x slower than hardware and noisy (+-30% between "
                 "runs). **Absolute numbers here say nothing about hardware.** What this report "
                 "shows are ratios measured within one run and the A/B difference. The same "
                 "`make bench` runs unchanged on a real arm64 host (run bench/in-host.sh there "
                 "with the payload bench/run.sh assembles).\n")
    lines.append("## Environment\n")
    lines.append("| | |")
    lines.append("|---|---|")
    for key in ("mode", "lvmm_version", "kernel_source", "kernel_patches", "qemu", "build_host", "date", "elapsed_s"):
        lines.append(f"| {key} | {env.get(key, 'unknown')} |")
    for key in ("host_kernel", "host_cpus", "lvmm"):
        lines.append(f"| emulated host {key} | {data['info'].get(key, 'unknown')} |")
    lines.append("")
    if data["failed"] or data["done"] is None:
        lines.append("**Incomplete run:** " + ("the in-host script did not finish; " if data["done"] is None else "") +
                     "; ".join(data["failed"]) + " (see raw.log)\n")
    exit_cost_section(data, out, lines)
    kick_section(data, out, lines)
    vmm_section(data, lines)
    ab_section(data, out, stats_tool, env, lines)
    lines.append("## Commands\n")
    lines.append("Run inside the emulated host by bench/in-host.sh (`make bench`; `bench/run.sh "
                 "--smoke` for the short CI version):\n")
    lines.append("```")
    commands = []
    for command in data["commands"]:
        command = re.sub(r"/payload/", "", command)
        if command not in commands:
            commands.append(command)
    lines.extend(commands)
    lines.append("```\n")
    lines.append("Raw output: raw.log (every `report` line the guests printed); per-figure values: data/.\n")
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
