#!/usr/bin/env bash
# make check's guard against bench rot: runs bench/run.sh --smoke (a few iterations of every
# benchmark) and checks that the report has every section filled and every plot drawn. It
# checks that the figures exist, never what they are. Ends with "bench smoke: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
out=build/bench-smoke
rm -rf "$out"
bench/run.sh --smoke --out "$out"
status=$?
passed=0 failed=0
check() { # NAME COMMAND...
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then echo "ok - $name"; passed=$((passed + 1));
	else echo "not ok - $name"; failed=$((failed + 1)); fi
}
report=$out/report.md
check "bench: the smoke run finished in the emulated host (status $status)" test "$status" = 0
check "bench: report.md written" test -s "$report"
check "bench: exit costs for all 7 operations, none skipped" \
	test "$(grep -cE '^\| (loop|null HVC|PV_SCHED|MMIO|self-SGI|PMSELR).* \| \*\*[0-9.e-]+\*\* \|$' "$report")" = 7
check "bench: KICK_CPU and SGI wake-up distributions" grep -qE '^\| KICK_CPU \| 16 \|' "$report"
check "bench: the cost of each kick step, the irqfd write among them" \
	grep -qE '^\| raise the kick SPI, lvmm now: one eventfd write \(KVM_IRQFD\) \| [0-9,]+ \|$' "$report"
check "bench: VMM cost figures (start-up, boot to /init, RSS, binary)" \
	bash -c "! grep -E '^\| (exec|lvmm start|RSS).*\| n/a \|' '$report' && grep -q 'static binary size' '$report'"
# 3 scenarios: s1 and s2 compare on and idle-preempted with off, s2-loaded on: 5 x 8 metrics.
check "bench: the A/B compares every arm of every scenario on all 8 metrics, by lvmm-stats" \
	test "$(grep -cE '^\| .* \| (higher|lower) \| (on|idle-preempted) \| [0-9.,]+ \(2\) \| [0-9.,]+ \(2\) \| [-+][0-9.]+% \+/- [0-9.]+% \| [-+][0-9.]+% \[' "$report")" = 40
check "bench: evidence from the guest for all 6 workloads in all 8 arms" \
	test "$(grep -cE '^\| (pipe|messaging|wakeup|forkexec|mmap|filewrite) \| (off|on|idle-preempted) \| [0-9]' "$report")" = 48
# Where the guest's CPU time went during each run: every evidence line carries the five figures,
# and every run took some wall time (a counter that wrapped or clamped reads 0 or less).
check "bench: every workload run's evidence says where the guest's CPU time went" \
	bash -c "total=\$(grep -c ' evidence workload=' '$out/raw.log') && test \$total -gt 0 &&
		test \$(grep -cE ' evidence workload=.* busy_ms=[0-9]+ idle_ms=[0-9]+ steal_ms=[0-9]+ runqueue_wait_ms=[0-9]+ wall_ms=[1-9][0-9]*$' '$out/raw.log') = \$total"
check "bench: the report says where the guest's vCPU time went, for the 5 timed workloads in all 8 arms" \
	test "$(grep -cE '^\| (pipe|messaging|forkexec|mmap|filewrite) \| (off|on|idle-preempted) \| (faster|slower) half \| 2 \| [0-9.,]+ \| [0-9]+% \| [0-9]+% \| [0-9]+% \| [0-9.]+ \|$' "$report")" = 80
# The wake-up columns (the second and third from the right); messaging wakes on every message.
check "bench: the guest counted its scheduler wake-ups in every arm (schedstats on)" \
	test "$(grep -cE '^\| messaging \| (off|on|idle-preempted) \| .* \| [1-9][0-9,.]* \| [0-9.]+% \|$' "$report")" = 8
check "bench: the guest used PV sched only when asked, with the semantics asked for" \
	bash -c "grep -q '^off: none' '$report' && grep -q '^on: semantics runnable' '$report' && grep -q '^idle-preempted: semantics idle-preempted' '$report'"
check "bench: raw data, one file per scenario, metric and arm, a value per boot" \
	bash -c "test \$(ls $out/data/ab_*_*_*.txt | wc -l) = 64 && test \$(wc -l < $out/data/ab_s2-loaded_mmap_ops_per_sec_on.txt) = 2"
# The second view: each comparison paired by round, from two files of the rounds both arms ran.
check "bench: the A/B pairs every comparison by round (signed-rank), from files of paired boots" \
	bash -c "test \$(grep -cE '^\| .* \| (on|idle-preempted) \| .* \| [-+][0-9.]+% \[[-+][0-9.]+%, [-+][0-9.]+%\], signed-rank p = [0-9.e+-]+ \(2 rounds, too few for a 95% interval\) \|$' '$report') = 40 &&
		test \$(ls $out/data/ab-paired_*.txt | wc -l) = 80 && test \$(cat $out/data/ab-paired_s2_mmap_ops_per_sec_idle-preempted-off.txt | wc -l) = 2 &&
		grep -qE '^Paired by round \(the second view\): no scenario has the 8 rounds a 95% interval needs' '$report'"
# The smoke run's boots run each workload twice (lvmm.bench_runs=2): both runs are logged, a
# boot's figure is their median, and each scenario splits the spread of the lock-heavy three
# into within and between boots (3 workloads x 8 arms).
check "bench: every boot's second run is logged, in all 8 arms" \
	test "$(grep -E '^bench ab scenario=\S+ arm=\S+ run=[0-9]+ repeat=2 forkexec: ' "$out/raw.log" | cut -d' ' -f3,4 | sort -u | wc -l)" = 8
check "bench: the A/B sets S2's five throughputs against 1:1 (S1 off), with the share each PV sched arm wins back" \
	test "$(sed -n '/^### Overcommit against 1:1/,/^### Verdicts/p' "$report" | grep -cE '^\| [^|]+ \| [0-9.,]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| ([-+][0-9]+%|n/a) \| ([-+][0-9]+%|n/a) \|$')" = 5
check "bench: the A/B splits the lock-heavy workloads' spread into within and between boots" \
	test "$(grep -cE '^\| (fork\+exec\+wait|mmap/touch/munmap threads|threads writing one file) \([^|]*\) \| (off|on|idle-preempted) \| 2 \| 2 \| [0-9.]+ \| [0-9.]+ \| [0-9]+% \| [0-9]+ \| [0-9]+ \| [0-9]+ \|$' "$report")" = 24
# The devices section (DEV_RUNS=2 in the smoke run): a figure for each side and a ratio per
# block mode; a counted run of each console and the virtio/8250 ratio. No threshold: the 0.8
# target is the report's to state, not a test.
check "bench: devices: guest and host figures, and their ratio, for all 4 block modes at depths 1 and 4" \
	bash -c "test \$(grep -cE '^\| (sequential|random) (read|write), .* \| (MiB/s|IOPS) \| [0-9.,]+ \(2\) \| [0-9.,]+ \(2\) \| \*\*[0-9.e+-]+\*\* \|' '$report') = 8 &&
		test \$(grep -cE '^\| (sequential|random) (read|write), [^|]*4 in flight[^|]* \| (MiB/s|IOPS) \|' '$report') = 4"
check "bench: devices: the sequential ratios are set against the 0.8 target" \
	test "$(grep -cE '^\| sequential .* \| >= 0\.8: \*\*(met|not met)\*\* \|$' "$report")" = 4
check "bench: devices: console throughput of the 8250, virtio-console and the host, and virtio / 8250" \
	bash -c "test \$(grep -cE '^\| (8250 UART|virtio-console|limit: ).* \| [1-9][0-9]* [^|]*\| [0-9.,]+ \| [0-9.e+-]+ \|$' '$report') = 3 &&
		grep -qE '^virtio-console / 8250 UART, ratio of the medians: \*\*[0-9.,]+x\*\*' '$report'"
check "bench: devices: raw data, one file per metric and side, a value per run" \
	bash -c "test \$(ls $out/data/devices_block_*_*_*.txt | wc -l) = 16 &&
		! wc -l $out/data/devices_block_*.txt | grep -vE '^ *(2 |[0-9]+ total)' &&
		test \$(cat $out/data/devices_console_bytes_per_s_*.txt | wc -l) -ge 3"
# lvmm's share of each kind (its --loglevel debug figures, a boot per kind: its threads'
# time, busy share, data segments per read or write, the most requests in service at once of
# its workers) and the guest's own CPU time (block-io's cpu_busy_s): a row of numbers per
# kind, and a thread time, busy share and guest CPU time per run.
check "bench: devices: lvmm's threads' time, busy share, segments and requests in service at once, and the guest's CPU time, for all 8 kinds of block I/O" \
	bash -c "test \$(grep -cE '^\| (sequential|random) (read|write), [^|]* \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| [0-9]+% \| [0-9.]+ \| [0-9.]+ \| [0-9]+% \| [0-9.]+ \| [1-9][0-9.]* \(of [0-9/]+\) \|$' '$report') = 8 &&
		test \$(ls $out/data/devices_guestcpu_*.txt | wc -l) = 8 &&
		! wc -l $out/data/devices_guestcpu_*.txt | grep -vE '^ *(2 |[0-9]+ total)' &&
		test \$(ls $out/data/devices_lvmm_*.txt | wc -l) = 16 &&
		! wc -l $out/data/devices_lvmm_*.txt | grep -vE '^ *(2 |[0-9]+ total)'"
check "bench: sandbox: time to result of lvmm sandbox -- true and its baseline, their ratio paired by round and unpaired" \
	bash -c "test \$(grep -cE '^\| lvmm (sandbox -- true|run, init powers off) \| 2 \| [0-9.]+ \|' '$report') = 2 &&
		grep -qE '^sandbox / run, ratio of the medians: \*\*[0-9.e+-]+\*\*; the sandbox.s own cost, paired by round \(2 rounds, [^)]*\): \*\*[-+][0-9.]+% \[[-+][0-9.]+%, [-+][0-9.]+%\], Wilcoxon signed-rank p = [0-9.e+-]+\*\*; target under 10%: \*\*(met|not met|not shown .*)\*\*\. Unpaired .*, median shift: [-+][0-9.]+% \[[-+][0-9.]+%, [-+][0-9.]+%\], Mann-Whitney p = ' '$report' &&
		test \$(cat $out/data/sandbox_seconds_sandbox.txt | wc -l) = 2 && test \$(cat $out/data/sandbox_seconds_run.txt | wc -l) = 2 &&
		test \$(cat $out/data/sandbox_paired_seconds_sandbox.txt | wc -l) = 2 && test \$(cat $out/data/sandbox_paired_seconds_run.txt | wc -l) = 2"
check "bench: sandbox: its floor, true run from an initramfs, paired against its own baseline and the sandbox" \
	bash -c "grep -qE '^\| lvmm run, init runs true from the initramfs \(the floor\) \| 2 \| [0-9.]+ \|' '$report' &&
		grep -qE '^\| lvmm run, init powers off, busybox in the initramfs \(the floor.s baseline\) \| 2 \| [0-9.]+ \|' '$report' &&
		grep -qE '^The floor: running true at all in a fresh guest \(floor / its baseline\), paired by round \(2 rounds\): \*\*[-+][0-9.]+% \[[-+][0-9.]+%, [-+][0-9.]+%\], Wilcoxon signed-rank p = [0-9.e+-]+\*\*; .*the sandbox beyond running the command \(sandbox / floor\), paired by round \(2 rounds\): \*\*[-+][0-9.]+% .* So the floor does not rule the target out\.$' '$report' &&
		test \$(cat $out/data/sandbox_seconds_floor.txt | wc -l) = 2 && test \$(cat $out/data/sandbox_seconds_floor-base.txt | wc -l) = 2 &&
		test \$(cat $out/data/sandbox_paired_floor_seconds_floor-base.txt | wc -l) = 2 && test \$(cat $out/data/sandbox_paired_over_floor_seconds_sandbox.txt | wc -l) = 2"
check "bench: sandbox: its steps on the guest's clock, and the baseline's Run /init" \
	bash -c "test \$(grep -cE '^\| (the kernel runs /init|init has started:|its control port|the root is mounted|init forks) .* \| [0-9.]+ \| [0-9]* \| [0-9.]* \|$' '$report') = 5 &&
		grep -qE '^\| the kernel runs /init .* \| [0-9.]+ \| +\| [0-9.]+ \|$' '$report' &&
		test \$(cat $out/data/sandbox_trace_command_sandbox.txt | wc -l) = 2"
check "bench: sandbox: the whole run of both sides on lvmm's clock, from the exec to the exit" \
	bash -c "test \$(grep -cE '^\| (vCPU 0.s first KVM_RUN|init has started \(placed|init.s control port is open|the 9p root is mounted|init starts the command|the command has ended|its status has reached lvmm|the guest has powered off|lvmm has exited)[^|]* \| [0-9]+ \| [0-9]* \| [0-9]* \| [0-9]* \|$' '$report') = 9 &&
		test \$(grep -cE '^\| (vCPU 0.s first KVM_RUN|the guest has powered off|lvmm has exited)[^|]* \| [0-9]+ \| [0-9]* \| [0-9]+ \| [0-9]* \|$' '$report') = 3 &&
		test \$(cat $out/data/sandbox_host_ended_sandbox.txt | wc -l) = 2 && test \$(cat $out/data/sandbox_host_exit_run.txt | wc -l) = 2"
# lvmm-stats -p -r recomputes the sandbox's paired figures from the committed pairs, and refuses
# files that cannot pair up with one line and status 2.
check "bench: lvmm-stats -p -r on the sandbox's paired files gives the signed-rank figures" \
	bash -c "build/lvmm-stats -j -p -r $out/data/sandbox_paired_seconds_run.txt $out/data/sandbox_paired_seconds_sandbox.txt |
		grep -qE '\"paired\": \\{\"scale\": \"ratio\", \"pairs\": 2, .*\"shift_percent\": -?[0-9]'"
stats_refuses() { # WHY ARGS...: lvmm-stats exits 2 with one line naming WHY
	local why=$1; shift
	local message
	message=$(build/lvmm-stats "$@" 2>&1 >/dev/null)
	[ $? = 2 ] && [ "$(echo "$message" | wc -l)" = 1 ] && echo "$message" | grep -q "$why"
}
check "bench: lvmm-stats -p refuses files of different lengths, with one line" \
	stats_refuses "they hold 2 and 1 numbers" -p "$out/data/sandbox_paired_seconds_run.txt" <(echo 1.5)
check "bench: lvmm-stats -p -r refuses a value not above 0, with one line" \
	stats_refuses "not above 0" -p -r "$out/data/sandbox_paired_seconds_run.txt" <(printf '1\n0\n')
for plot in exit_costs kick_latency ab_s1 ab_s2 ab_s2-loaded; do
	check "bench: $plot.png is a PNG" bash -c "file '$out/$plot.png' | grep -q 'PNG image'"
done
# --resume: what it refuses (nothing boots for these), and what the report says of a log that a
# resume completed: the smoke log, cut inside s2-loaded, then that scenario again after a
# second session's first line.
resume_dir=$(mktemp -d)
refuses() { # WHY ARGS...: bench/run.sh exits 2 with one line naming WHY
	local why=$1; shift
	local message
	message=$(bench/run.sh "$@" 2>&1 >/dev/null)
	[ $? = 2 ] && [ "$(echo "$message" | wc -l)" = 1 ] && echo "$message" | grep -q "$why"
}
check "bench: --resume refuses --smoke, with one line" refuses "does not go with --smoke" --smoke --resume --out "$resume_dir"
check "bench: --resume refuses a directory without raw.log" refuses "no $resume_dir/raw.log" --resume --out "$resume_dir"
refuses_with() { # VARIABLE=VALUE WHY ARGS...: refuses, with that variable in the environment
	(export "$1"; shift; refuses "$@")
}
check "bench: an unknown BENCH_AB_SCENARIOS is refused, with one line" \
	refuses_with BENCH_AB_SCENARIOS="s1 s3" "unknown scenario 's3'" --out "$resume_dir"
check "bench: a BENCH_AB_RUNS that is not a count is refused, with one line" \
	refuses_with BENCH_AB_RUNS=0 "BENCH_AB_RUNS must be a number" --out "$resume_dir"
cp "$out/raw.log" "$resume_dir/raw.log"
check "bench: --resume refuses a finished run" refuses "is a finished run" --resume --out "$resume_dir"
cut_line=$(grep -n '^bench info ab scenario=s2-loaded' "$out/raw.log" | cut -d: -f1)
{
	head -n "$cut_line" "$out/raw.log" | head -n -1
	echo "bench session resumed scenarios=s2-loaded dropped_lines=7"
	sed -n 's/^\(bench info host_kernel=.*\) lvmm=[^ ]*/\1 lvmm=second-session/p' "$out/raw.log"
	tail -n +"$cut_line" "$out/raw.log"
} > "$resume_dir/raw.log"
cp "$out/environment.txt" "$resume_dir/"
/usr/bin/python3 bench/report.py "$resume_dir" build/lvmm-stats >/dev/null 2>&1
check "bench: a resumed run's report names both sessions and keeps every scenario whole" \
	bash -c "grep -q '^\*\*Two emulated-host sessions.\*\* .* dropped the 7 lines .* ran s2-loaded again.*Session 2: .* lvmm second-session' '$resume_dir/report.md' &&
		test \$(wc -l < '$resume_dir/data/ab_s2-loaded_mmap_ops_per_sec_on.txt') = 2"
rm -rf "$resume_dir"
# bench/verdicts.py on two made-up result directories of one comparison (S2's file writers,
# --pvsched against off): "clear" triples the writes with a narrow spread, "vague" has none and a
# wide one. Each gets its row and verdict; the clear one is the narrowest and leads the summary.
verdicts_dir=$(mktemp -d)
for name in clear vague; do
	mkdir -p "$verdicts_dir/$name/data"
	printf 'date=2026-01-0%s\nlvmm_version=%s\n' "$([ $name = clear ] && echo 1 || echo 2)" "v-$name" \
		> "$verdicts_dir/$name/environment.txt"
done
seq 100 119 > "$verdicts_dir/clear/data/ab_s2_filewrite_writes_per_sec_off.txt"
seq 300 319 > "$verdicts_dir/clear/data/ab_s2_filewrite_writes_per_sec_on.txt"
seq 50 5 145 > "$verdicts_dir/vague/data/ab_s2_filewrite_writes_per_sec_off.txt"
seq 145 -5 50 > "$verdicts_dir/vague/data/ab_s2_filewrite_writes_per_sec_on.txt"
: > "$verdicts_dir/vague/data/ab_s2_pipe_ops_per_sec_on.txt" # empty: not a comparison
(cd "$verdicts_dir" && /usr/bin/python3 "$OLDPWD/bench/verdicts.py" "$OLDPWD/build/lvmm-stats" clear vague) \
	> "$verdicts_dir/verdicts.md" 2>&1
row='^\| threads writing one file \(writes/s, higher is better\) \| on \| '
check "bench: verdicts.py gives each directory's comparison its row, verdict and bar" \
	bash -c "grep -qE '$row""clear \(lvmm v-clear, 2026-01-01\) \(narrowest\) \| \? \| 20 / 20 \| \+[0-9.]+% \+/- [0-9.]+% \| yes \| .* \| \*\*better\*\* \|' '$verdicts_dir/verdicts.md' &&
		grep -qE '$row""vague \(lvmm v-vague, 2026-01-02\) \| \? \| 20 / 20 \| \+0\.0% \+/- [0-9.]+% \| no \| .* \| no difference proven \|' '$verdicts_dir/verdicts.md' &&
		test \$(grep -c '^| ' '$verdicts_dir/verdicts.md') = 5"
check "bench: verdicts.py's summary leads with the narrowest measurement and counts the verdicts" \
	grep -qE '^\| s2 \| threads writing one file \| on \| yes \| 2: better 1, no difference proven 1 \| clear \| .* \| \*\*better\*\* \| yes \|$' "$verdicts_dir/verdicts.md"
verdicts_refuses() {
	local message
	message=$(/usr/bin/python3 bench/verdicts.py build/lvmm-stats "$verdicts_dir" 2>&1 >/dev/null)
	[ $? = 2 ] && [ "$(echo "$message" | wc -l)" = 1 ] && echo "$message" | grep -q "has no data/ directory"
}
check "bench: verdicts.py refuses a directory that is not a result directory, with one line" verdicts_refuses
rm -rf "$verdicts_dir"
[ "$failed" = 0 ] || echo "# bench smoke output: $out (raw.log, report.md)"
echo "bench smoke: $passed passed, $failed failed"
[ "$failed" = 0 ]
