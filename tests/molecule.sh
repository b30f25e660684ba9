#!/usr/bin/env bash
# Run each molecule scenario in full (create, converge, idempotence, verify, destroy), time it,
# and fail if any scenario fails. Molecule's own "skipped" is counted as a failure, never a pass.
set -uo pipefail
[ $# -gt 0 ] || { echo "usage: tests/molecule.sh SCENARIO..." >&2; exit 2; }
export NO_COLOR=1 PY_COLORS=0 ANSIBLE_NOCOLOR=1
logdir=${MOLECULE_LOG_DIR:-$(pwd)/tests/output/molecule}
mkdir -p "$logdir"
passed=0 failed=0 summary=""
for s in "$@"; do
  start=$(date +%s)
  echo "=== molecule scenario $s: start"
  molecule test -s "$s" > "$logdir/$s.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  # time of each step (ansible.posix.timer), then the figures the scenarios print
  awk '/\] Executing$/ { match($0, /> [a-z_]+\]/); step = substr($0, RSTART + 2, RLENGTH - 3) }
       /Playbook run took/ { sub(/.*Playbook run took /, ""); printf "    %-12s %s\n", step, $0 }' "$logdir/$s.log"
  grep -E "msg: '?[a-z0-9-]+: .*(exposure|notifications|PID|occurrences)" "$logdir/$s.log" | sed 's/^ */    /' | sort -u
  if [ $rc -eq 0 ] && ! grep -qiE "^(INFO|WARNING).*(skipping|skipped).*(scenario|converge|verify)" "$logdir/$s.log"; then
    passed=$((passed + 1)); result=passed
  else
    failed=$((failed + 1)); result=FAILED
    echo "--- last 60 lines of $logdir/$s.log"; tail -60 "$logdir/$s.log"
  fi
  echo "=== molecule scenario $s: $result in ${secs}s"
  summary="$summary$(printf '\n  %-16s %-7s %4ss' "$s" "$result" "$secs")"
done
echo "molecule scenarios:$summary"
echo "molecule: $passed passed, $failed failed"
[ $failed -eq 0 ]
