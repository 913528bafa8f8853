#!/usr/bin/python3
"""Every PV sched A/B comparison of several result directories, side by side.

    bench/verdicts.py LVMM_STATS DIR...

The full run measures every scenario, workload and arm at once; later runs measure a few of
them again, with more runs per boot. A reader who wants to know what is known about, say, pipe
ping-pong under overcommit would otherwise open every report. This prints, on stdout, one table
per scenario: for each metric and arm, one row per DIR that measured it, recomputed from that
DIR's committed raw data (data/ab_<scenario>_<workload>_<metric>_<arm>.txt against ..._off.txt,
and the paired files) by lvmm-stats exactly as bench/report.py computes its verdicts. Nothing
is pooled across directories: their runs differ in lvmm version, sizes and host speed.
"""
import functools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402  (the A/B's metrics, lvmm-stats calls and verdict rule)

# The interval the issue asks of a headline metric: narrower than +/-10% of off's mean.
BAR_PERCENT = 10.0
ARMS = ["on", "idle-preempted"]


def values_in(path):
    """The non-empty lines of path as numbers; [] when it is missing or empty."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [float(line) for line in f if line.strip()]


@functools.lru_cache(maxsize=None)
def parsed_log(directory):
    """A directory's raw.log as report.py parses it, read once however many rows need it."""
    return report.parse_log(os.path.join(directory, "raw.log"))


def runs_per_boot(directory, scenario):
    """How many runs of each workload a boot of scenario had in directory's raw.log: "6", "1 to
    2", or "?" when raw.log is missing."""
    log = os.path.join(directory, "raw.log")
    if not os.path.exists(log):
        return "?"
    counts = report.runs_per_boot_counts(parsed_log(directory), scenario)
    if not counts:
        return "1"
    return str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"


def comparison_row(stats_tool, directory, scenario, workload, field, arm, better, headline):
    """The row of one directory's comparison of arm against off, or None if it has no data."""
    base = f"data/ab_{scenario}_{workload}_{field}"
    if not values_in(os.path.join(directory, f"{base}_off.txt")) or \
            not values_in(os.path.join(directory, f"{base}_{arm}.txt")):
        return None
    _, parsed = report.run_stats(stats_tool, directory, f"{base}_off.txt", f"{base}_{arm}.txt")
    if parsed is None:
        return {"cells": ["lvmm-stats failed"] + [""] * 6, "half_width": None}
    half_width = parsed.get("half_width_percent")
    t_text, bar_text = "too few runs", "n/a"
    if parsed.get("difference_percent") is not None and half_width is not None:
        t_text = f"{parsed['difference_percent']:+.1f}% +/- {half_width:.1f}%"
        bar_text = "yes" if half_width < BAR_PERCENT else "no"
        if not headline:
            bar_text += " (not a headline metric)"
    shift_text = ""
    if parsed.get("shift_percent") is not None:
        shift_text = (f"{parsed['shift_percent']:+.1f}% "
                      + report.interval_text(parsed["shift_low_percent"], parsed["shift_high_percent"]))
    p_text = f"{parsed['p_value']:.3g}" if parsed.get("p_value") is not None else ""
    verdict, _ = report.verdict_of(parsed if parsed.get("p_value") is not None else None, better)
    return {"cells": [f"{parsed['a']['n']} / {parsed['b']['n']}", t_text, bar_text, shift_text,
                      p_text, verdict, paired_text(stats_tool, directory, scenario, workload,
                                                   field, arm)],
            "half_width": half_width}


def paired_text(stats_tool, directory, scenario, workload, field, arm):
    """The paired view from the directory's ab-paired files, as its report gives it."""
    base = f"data/ab-paired_{scenario}_{workload}_{field}_{arm}"
    rounds = len(values_in(os.path.join(directory, f"{base}.txt")))
    if not rounds or len(values_in(os.path.join(directory, f"{base}-off.txt"))) != rounds:
        return "n/a (no paired files)"
    _, parsed = report.run_stats(stats_tool, directory, f"{base}-off.txt", f"{base}.txt", ("-p", "-r"))
    text = report.shift_with_test_text(parsed.get("paired") if parsed else None, "signed-rank")
    if not text:
        return "n/a (lvmm-stats gave no paired comparison)"
    if rounds < report.PAIRED_MIN_ROUNDS:
        return f"{text} ({rounds} rounds, too few for a 95% interval)"
    return f"{text} ({rounds} rounds)"


def summary_row(scenario, label, arm, headline, found, narrowest):
    verdicts = {}
    for _, row in found:
        verdict = row["cells"][5].replace("**", "") or "n/a"
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    counts = ", ".join(f"{verdict} {count}" for verdict, count in sorted(verdicts.items()))
    if narrowest is None:
        return (f"| {scenario} | {label} | {arm} | {'yes' if headline else 'no'} | {len(found)}: "
                f"{counts} | none with an interval | | | | |")
    cells = dict(found)[narrowest]["cells"]
    return (f"| {scenario} | {label} | {arm} | {'yes' if headline else 'no'} | {len(found)}: {counts} | "
            f"{os.path.normpath(narrowest)} | {cells[1]} | {cells[3]} | {cells[5]} | "
            f"{cells[2].replace(' (not a headline metric)', '')} |")


def directory_label(directory):
    env = report.read_environment(os.path.join(directory, "environment.txt"))
    date = env.get("date", "?")[:10]
    return f"{os.path.normpath(directory)} (lvmm {env.get('lvmm_version', '?')}, {date})"


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: bench/verdicts.py LVMM_STATS DIR...\n")
        return 2
    stats_tool, directories = sys.argv[1], sys.argv[2:]
    for directory in directories:
        if not os.path.isdir(os.path.join(directory, "data")):
            sys.stderr.write(f"verdicts: {directory} has no data/ directory: give bench result "
                             "directories (bench/run.sh --out DIR)\n")
            return 2
    lines = ["# PV sched A/B: every committed measurement of each comparison", "",
             "Generated by `bench/verdicts.py build/lvmm-stats " + " ".join(directories) + "`. "
             "Each row is one result directory's boots of one arm against `off`, recomputed "
             "from its raw data by lvmm-stats as its own report does: the number of boots "
             "(off / arm), the difference of the means with its 95% interval by Student's t "
             f"(% of off's mean), whether that interval is narrower than +/-{BAR_PERCENT:.0f}% "
             "(the bar the headline metrics must meet), the Hodges-Lehmann median shift with "
             "its 95% interval, the Mann-Whitney p that decides the verdict, and the boots "
             "paired by round (the second view). Rows of one comparison are never pooled: the "
             "directories differ in lvmm version, sizes and the emulated host's speed. The "
             "narrowest t interval of each comparison is marked; a verdict from one directory "
             "that another, more precise one does not repeat is a chance finding until "
             "measured again.", ""]
    summary, sections = [], []
    for scenario in report.SCENARIO_TEXT:
        rows = []
        for workload, field, label, unit, better, headline in report.AB_METRICS:
            for arm in ARMS:
                found = []
                for directory in directories:
                    row = comparison_row(stats_tool, directory, scenario, workload, field, arm,
                                         better, headline)
                    if row:
                        found.append((directory, row))
                if not found:
                    continue
                measured = [(d, row) for d, row in found if row["half_width"] is not None]
                narrowest = min(measured, key=lambda item: item[1]["half_width"])[0] if measured else None
                for directory, row in found:
                    mark = " (narrowest)" if len(found) > 1 and directory == narrowest else ""
                    rows.append(f"| {label} ({unit}, {better} is better) | {arm} | "
                                f"{directory_label(directory)}{mark} | "
                                f"{runs_per_boot(directory, scenario)} | " + " | ".join(row["cells"]) + " |")
                summary.append(summary_row(scenario, label, arm, headline, found, narrowest))
        if rows:
            sections.append((scenario, rows))
    lines.append("## Summary: the narrowest measurement of each comparison")
    lines.append("")
    lines.append("Per comparison: how many directories measured it and their verdicts, then the "
                 "one with the narrowest t interval (the most precise, whatever its result): its "
                 "difference of means, its median shift and verdict, and whether it meets the "
                 f"+/-{BAR_PERCENT:.0f}% bar. The rows below the summary give every directory's.")
    lines.append("")
    lines.append("| scenario | metric | arm | headline | directories: verdicts | narrowest: directory | "
                 "difference of means (t) | median shift | verdict | within the bar |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    lines.extend(summary)
    lines.append("")
    for scenario, rows in sections:
        lines.append(f"## {report.SCENARIO_TEXT[scenario]}")
        lines.append("")
        lines.append("| metric | arm | result directory | runs per boot | boots | difference of means (t) | "
                     f"within +/-{BAR_PERCENT:.0f}% | median shift (Hodges-Lehmann) | Mann-Whitney p | "
                     "verdict | paired by round: ratio, signed-rank p |")
        lines.append("|---|---|---|---:|---:|---|---|---|---:|---|---|")
        lines.extend(rows)
        lines.append("")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
