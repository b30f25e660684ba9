#!/usr/bin/env bash
# Run each molecule scenario in full (create, converge, idempotence, verify, destroy), time it,
# and fail if any scenario fails. Molecule's own "skipped" is counted as a failure, never a pass.
# MOLECULE_JOBS scenarios run at once (default 1; each has its own hosts and network). Not with
# monitoring: its alert checks count pages under load, and with three scenarios at once one
# incident paged twice (a late resolve of the previous incident from the other Alertmanager).
# Scenarios start in the order given; each one's summary is printed when all have ended.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: [MOLECULE_JOBS=N] tests/molecule.sh SCENARIO..." >&2; exit 2; }
export NO_COLOR=1 PY_COLORS=0 ANSIBLE_NOCOLOR=1
logdir=${MOLECULE_LOG_DIR:-$(pwd)/tests/output/molecule}
jobs_max=${MOLECULE_JOBS:-1}
mkdir -p "$logdir"

# one scenario: its log in $s.log, its summary in $s.summary, "rc seconds" in $s.result
run_one() {
  local s=$1 start rc secs result
  start=$(date +%s)
  molecule test -s "$s" > "$logdir/$s.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  {
    # time of each step (ansible.posix.timer), then the figures the scenarios print
    awk '/\] Executing$/ { match($0, /> [a-z_]+\]/); step = substr($0, RSTART + 2, RLENGTH - 3) }
         /Playbook run took/ { sub(/.*Playbook run took /, ""); printf "    %-12s %s\n", step, $0 }' "$logdir/$s.log"
    grep -E "(msg:|^ *-) '?[a-z0-9-]+: .*(exposure|notifications|PID|occurrences|throughput|lost|queries)" "$logdir/$s.log" | sed 's/^ */    /' | sort -u
    if [ $rc -eq 0 ] && ! grep -qiE "^(INFO|WARNING).*(skipping|skipped).*(scenario|converge|verify)" "$logdir/$s.log"; then
      result=passed
    else
      result=FAILED; rc=1
      echo "--- last 60 lines of $logdir/$s.log"; tail -60 "$logdir/$s.log"
    fi
    echo "=== molecule scenario $s: $result in ${secs}s"
  } > "$logdir/$s.summary"
  echo "$rc $secs" > "$logdir/$s.result"
  echo "=== molecule scenario $s: ended after ${secs}s"
}

begin=$(date +%s)
for s in "$@"; do
  rm -f "$logdir/$s.result" "$logdir/$s.summary"
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  echo "=== molecule scenario $s: start ($(( $(date +%s) - begin ))s)"
  run_one "$s" &
done
wait

passed=0 failed=0 summary=""
for s in "$@"; do
  cat "$logdir/$s.summary" 2>/dev/null || echo "=== molecule scenario $s: no summary"
  read -r rc secs < "$logdir/$s.result" 2>/dev/null || { rc=1; secs=0; }
  if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); result=passed; else failed=$((failed + 1)); result=FAILED; fi
  summary="$summary$(printf '\n  %-16s %-7s %4ss' "$s" "$result" "$secs")"
done
# the failed tasks of each failed scenario last, where a CI log's tail shows them
for s in "$@"; do
  read -r rc secs < "$logdir/$s.result" 2>/dev/null || rc=1
  [ "$rc" -eq 0 ] && continue
  echo "--- $s: the failed tasks ($logdir/$s.log)"
  grep -n -B4 -A12 -E '^(fatal|failed): |FAILED!|^(CRITICAL|ERROR) +(Ansible return code|Idempotence)' "$logdir/$s.log" | cut -c1-400 | tail -80
done
echo "molecule scenarios ($jobs_max at once; $(( $(date +%s) - begin ))s in all):$summary"
echo "molecule: $passed passed, $failed failed"
[ $failed -eq 0 ]
