#!/usr/bin/env bash
# What the test connection saves per task: the same playbook (benchmarks/connection.yml: commands, copies,
# templates, stats, a fetch; 22 tasks a host) on two lab containers, reached first with containers.podman.podman
# (no pipelining) and then with tests/connection_plugins/podman.py (podman exec -i, pipelined), ROUNDS times in
# turn. Prints each run's seconds and the ratio of the sums; asserts nothing. Needs the lab image (make images).
# Usage: benchmarks/connection.sh [ROUNDS]   (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
export PATH=$PWD/.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$PWD/.cache/collections ANSIBLE_NOCOLOR=1
work=$(mktemp -d)
hosts=(mlops-bench-conn1 mlops-bench-conn2)
trap 'podman rm -f "${hosts[@]}" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for h in "${hosts[@]}"; do
  podman run -d --name "$h" --systemd=always localhost/mlops-lab:bookworm /sbin/init >/dev/null
done
printf 'all:\n  hosts: {%s: {}, %s: {}}\n' "${hosts[@]}" > "$work/hosts.yml"
declare -A total=([upstream]=0 [pipelined]=0)
for ((r = 1; r <= rounds; r++)); do
  for mode in upstream pipelined; do
    if [ "$mode" = upstream ]; then
      args=(-e ansible_connection=containers.podman.podman -e ansible_pipelining=false)
    else
      args=(-e ansible_connection=podman -e ansible_pipelining=true)
    fi
    start=$(date +%s.%N)
    ANSIBLE_CONNECTION_PLUGINS=$PWD/tests/connection_plugins ansible-playbook -i "$work/hosts.yml" \
      -e "bench_dir=$work" "${args[@]}" benchmarks/connection.yml > "$work/$mode.log" 2>&1 \
      || { tail -30 "$work/$mode.log"; exit 1; }
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    total[$mode]=$(echo "${total[$mode]} + $secs" | bc)
    printf 'round %d  %-9s %6.1f s\n' "$r" "$mode" "$secs"
  done
done
printf 'sum: upstream %.1f s, pipelined %.1f s; upstream / pipelined = %.2f\n' "${total[upstream]}" \
  "${total[pipelined]}" "$(echo "${total[upstream]} / ${total[pipelined]}" | bc -l)"
