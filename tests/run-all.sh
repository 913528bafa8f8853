#!/usr/bin/env bash
# `make check`: the native unit tests (ASan+UBSan, then ThreadSanitizer), a few seconds of each
# fuzzing harness, the kernel series' checks, then the integration
# suite in the emulated arm64 host, then a smoke run of the benchmarks. Ends with one
# "N passed, N failed" line over them all.
set -uo pipefail
cd "$(dirname "$0")/.."

total_passed=0
total_failed=0

tally() { # LOG: adds the counts from the log's last "N passed, N failed" line
	local line
	line=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [ -z "$line" ]; then
		total_failed=$((total_failed + 1)) # the runner died before counting
		return
	fi
	total_passed=$((total_passed + $(echo "$line" | cut -d' ' -f1)))
	total_failed=$((total_failed + $(echo "$line" | cut -d' ' -f3)))
}

mkdir -p build
echo "== unit tests (native, ASan+UBSan)"
build/unit-tests 2>&1 | tee build/unit-tests.log
tally build/unit-tests.log

echo "== unit tests (native, ThreadSanitizer)"
# halt_on_error: a race ends the run before its "N passed" line, so the tally counts a failure.
TSAN_OPTIONS=halt_on_error=1 build/unit-tests-tsan > build/unit-tests-tsan.log 2>&1
tsan_status=$?
tail -n 1 build/unit-tests-tsan.log
if [ "$tsan_status" = 0 ]; then tally build/unit-tests-tsan.log
else
	grep -A 12 'WARNING: ThreadSanitizer' build/unit-tests-tsan.log | head -n 30
	echo "not ok - unit tests under ThreadSanitizer (exit $tsan_status; build/unit-tests-tsan.log)"
	total_failed=$((total_failed + 1))
fi

echo "== fuzzing smoke run (each libFuzzer harness for a few seconds; make fuzz runs longer)"
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} fuzz/run.sh $(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_\(.*\)\.c|\1|') 2>&1 |
	tee build/fuzz-smoke.log
tally build/fuzz-smoke.log

echo "== kernel series (checkpatch, applies, shared UAPI header)"
kernel/check-patches.sh 2>&1 | tee build/check-patches.log
tally build/check-patches.log

echo "== integration tests (emulated arm64 host)"
tests/integration/run.sh 2>&1 | tee build/integration-summary.log
tally build/integration-summary.log

echo "== benchmark smoke run (make bench, few iterations)"
bench/check-smoke.sh 2>&1 | tee build/bench-smoke.log
tally build/bench-smoke.log

skipped=$(grep -Eo '[0-9]+ skipped' build/integration-summary.log | tail -n 1 | cut -d' ' -f1)
[ "${skipped:-0}" = 0 ] || echo "# ${skipped} integration checks skipped (listed as 'skip -' in build/integration-summary.log)"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" = 0 ]
