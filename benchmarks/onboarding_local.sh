#!/usr/bin/env bash
# The bulk path of benchmarks/onboarding.sh without the lab: N generated models registered by one call of
# prometheus_scrape_target and one of prometheus_alert_rule (rules from the model_alert_rules filter, checked
# by the real promtool) on localhost (connection local, ansible-playbook from the venv), into a temporary
# directory, then the same calls again (no change). Prints the wall time of each task and its steps on the
# controller, the filter alone, and each module run out of band (a fresh python, as ansible runs it) with the
# time of its phases. With several N, then prints how each figure grows.
# These are localhost figures: no SSH, no become, no Prometheus reload, unlike the lab benchmark.
# Usage: benchmarks/onboarding_local.sh [N...]   (default 1000; for example 1000 10000)
#   PROFILE=prometheus_alert_rule benchmarks/onboarding_local.sh N   adds a cProfile of that module (stderr)
#   ANSIBLE_COLLECTIONS_PATH=DIR benchmarks/onboarding_local.sh N   measures the collection found in DIR instead
set -euo pipefail
cd "$(dirname "$0")/.."
export ANSIBLE_COLLECTIONS_PATH=${ANSIBLE_COLLECTIONS_PATH:-$PWD/.cache/collections}
export PYTHONPATH=${ANSIBLE_COLLECTIONS_PATH%%:*}
python=$PWD/.venv/bin/python
promtool=$PWD/.cache/bin/promtool
[ -x "$promtool" ] || tests/get-promtool.sh .cache/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
runs=()
for n in "${@:-1000}"; do
  run=$work/$n
  mkdir -p "$run/play/file_sd" "$run/play/rules"
  "$python" benchmarks/local/bench.py models "$n" > "$run/vars.json"
  echo "== $n models (localhost figures, not the lab benchmark)"
  start=$(date +%s.%N)
  BENCH_TIMINGS=$run/timings.jsonl "$python" benchmarks/local/controller.py -i localhost, benchmarks/local/onboarding.yml \
    -e "@$run/vars.json" -e "bench_dir=$run/play bench_promtool=$promtool" \
    -e "bench_owner=$(id -un) bench_group=$(id -gn) ansible_python_interpreter=$python" > "$run/play.out" \
    || { cat "$run/play.out"; exit 1; }
  end=$(date +%s.%N)
  echo "whole ansible-playbook run: $(echo "$end - $start" | bc) s"
  "$python" benchmarks/local/bench.py measure "$run" "$promtool"
  "$python" benchmarks/local/bench.py report "$run"
  if [ -n "${PROFILE:-}" ]; then
    mkdir "$run/profile"
    cp "$run/vars.json" "$run/profile/"
    "$python" benchmarks/local/bench.py profile "$run/profile" "$promtool" "$PROFILE" > /dev/null
  fi
  runs+=("$run")
done
if [ ${#runs[@]} -gt 1 ]; then
  "$python" benchmarks/local/bench.py growth "${runs[@]}"
fi
