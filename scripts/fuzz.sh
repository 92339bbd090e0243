#!/usr/bin/env bash
# Runs libFuzzer targets (built by `make FUZZ=1 fuzz-bins`) for FUZZ_SECONDS each:
#   FUZZ_SECONDS=60 scripts/fuzz.sh request batch ...
# For each target: replays tests/fuzz/regress/<t> (reproducers of fixed crashes, must pass),
# then fuzzes with build/fuzz/corpus/<t> (what it found, kept between runs) seeded from
# tests/fuzz/corpus/<t>. Prints one line per target with CPU seconds, executions and coverage
# (each run's CPU seconds are also appended to build/fuzz/cpu-ledger.tsv), and fails
# on the first crash, leak or timeout (the reproducer is in build/fuzz/artifacts/).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-60}
bin=build/fuzz/bin
mkdir -p build/fuzz/artifacts
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
status=0
passed=0
failed=0
for t in "$@"; do
  seeds=tests/fuzz/corpus/$t
  work=build/fuzz/corpus/$t
  mkdir -p "$work" "$seeds"
  if [ -d "tests/fuzz/regress/$t" ] && [ -n "$(ls -A "tests/fuzz/regress/$t")" ]; then
    "$bin/fuzz-$t" -runs=1 tests/fuzz/regress/$t/* >"build/fuzz/$t.regress.log" 2>&1 || {
      echo "fuzz $t: a regression input fails again (build/fuzz/$t.regress.log)"; status=1
      failed=$((failed + 1)); continue; }
  fi
  log=build/fuzz/$t.log
  rc=0
  TIMEFORMAT='%U %S'
  { time "$bin/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/$t- \
       "$work" "$seeds" >"$log" 2>&1 || rc=$?; } 2>"build/fuzz/$t.cpu"
  cpu=$(awk '{printf "%.0f", $1 + $2}' "build/fuzz/$t.cpu" 2>/dev/null || echo 0)
  execs=$(grep -a -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  # Every run's CPU seconds, kept on this machine (the issue counts CPU-hours per target).
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$secs" "${cpu:-0}" \
    "${execs:-0}" "$rc" >>build/fuzz/cpu-ledger.tsv
  if [ "$rc" -eq 0 ]; then
    cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')
    echo "fuzz $t: ${secs}s, ${cpu:-?} CPU s, ${execs:-?} executions, coverage ${cov:-?}, no crash"
    passed=$((passed + 1))
  else
    echo "fuzz $t: FAILED — see $log and build/fuzz/artifacts/"
    grep -a -m5 -E 'ERROR|SUMMARY|abort|PANIC|fails' "$log" || true
    status=1
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
exit $status
