#!/usr/bin/env bash
# Runs the whole vitest suite N times (default 3) while stress-ng keeps both cores busy, to show that no test
# depends on an idle machine (waits are events, the simulated clock, or deadlines sized for two busy cores).
# stress-ng (and a running suite) are stopped on every exit path: end, failure, Ctrl-C or kill.
#   scripts/test-under-load.sh [RUNS]          one log per run in $LOG_DIR (default: a fresh temporary directory)
#   STRESS_CPUS=4 scripts/test-under-load.sh   more CPU stressors (default 2: one per core of the CI machine)
set -u
set -m # every background job in its own process group, so one kill reaches its workers too
runs="${1:-3}"
cpus="${STRESS_CPUS:-2}"
log_dir="${LOG_DIR:-$(mktemp -d -t mibc-under-load-XXXXXX)}"
mkdir -p "$log_dir"
command -v stress-ng >/dev/null 2>&1 || { echo "test-under-load: stress-ng is not installed (scripts/system-deps.sh)" >&2; exit 2; }

stress-ng --cpu "$cpus" --timeout 0 --quiet &
stress_pgid=$!
suite_pgid=
stop_all() {
  [ -n "$suite_pgid" ] && kill -TERM -- "-$suite_pgid" 2>/dev/null
  kill -TERM -- "-$stress_pgid" 2>/dev/null
  wait 2>/dev/null
}
trap stop_all EXIT
trap 'exit 130' INT TERM

failed=0
for n in $(seq 1 "$runs"); do
  log="$log_dir/test-under-load-$n.log"
  start=$(date +%s)
  npx vitest run >"$log" 2>&1 &
  suite_pgid=$!
  wait "$suite_pgid"
  rc=$?
  suite_pgid=
  wall=$(($(date +%s) - start))
  counts=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +(Test Files|Tests) ' | tr -s ' ' | tr '\n' ';')
  echo "run $n/$runs under stress-ng --cpu $cpus: exit $rc, ${wall} s wall;${counts} log $log"
  [ "$rc" -eq 0 ] || failed=$((failed + 1))
done
echo "test-under-load: $failed of $runs runs failed"
[ "$failed" -eq 0 ]
