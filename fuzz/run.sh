#!/usr/bin/env bash
# Runs each libFuzzer harness given (build/fuzz/fuzz-TARGET) for FUZZ_SECONDS, starting from
# its seed corpus in the tree (fuzz/corpus/TARGET) and growing a working corpus in
# build/fuzz/corpus/TARGET. Prints "ok - fuzz: TARGET ..." with the executions it made, or
# "not ok" with the crash (its input is saved in build/fuzz/crashes/TARGET/); ends with
# "fuzz: N passed, N failed". A crash found becomes a unit test (fuzz/README.md).
#   fuzz/run.sh TARGET...
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
passed=0 failed=0
for target in "$@"; do
	binary=build/fuzz/fuzz-$target
	corpus=build/fuzz/corpus/$target
	crashes=build/fuzz/crashes/$target
	log=build/fuzz/$target.log
	mkdir -p "$corpus" "$crashes"
	if [ ! -x "$binary" ]; then
		echo "not ok - fuzz: $target (no $binary: make fuzzers)"
		failed=$((failed + 1))
		continue
	fi
	# -rss_limit_mb: the harnesses bound guest RAM at 64 MiB; a leak or a bomb shows here.
	# fuzz_p9_server keeps build/fuzz writable when it makes every other mount read-only.
	LVMM_FUZZ_OUTPUT=$PWD/build/fuzz "$binary" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$PWD/$crashes/" "$PWD/$corpus" "$PWD/fuzz/corpus/$target" > "$log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	size=$(find "$corpus" -type f | wc -l)
	if [ "$status" = 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
		echo "ok - fuzz: $target, $runs executions in ${seconds} s (${rate:-?}/s), working corpus $size inputs, no crash"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz: $target (status $status; $log)"
		grep -E 'ERROR:|SUMMARY:|Test unit written' "$log" | head -n 5 | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
done
rm -rf /tmp/lvmm-fuzz-p9-* # the 9p harness's scratch shares
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
