#!/usr/bin/env bash
# Benchmark of model onboarding against the lab (run `make lab` first):
# N models (targets + ML alert library rules) registered on the first Prometheus in one call of each
# module, then with one task per model, in the same run. Prints wall times, their ratio, the
# Prometheus reloads of each way and the time until all N targets are in the target list.
# Usage: benchmarks/onboarding.sh [N]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
vars=$(mktemp --suffix=.json)
trap 'rm -f "$vars"' EXIT
python3 - "$n" > "$vars" <<'PY'
import json, sys
n = int(sys.argv[1])
print(json.dumps({'bench_models': [{'name': 'bench-%04d' % i, 'version': '1', 'framework': 'sklearn', 'env': 'bench',
                                    'targets': ['bench-%04d.invalid:9464' % i]} for i in range(n)]}))
PY
export ANSIBLE_COLLECTIONS_PATH=$PWD/.cache/collections
.venv/bin/ansible-playbook -i inventories/lab benchmarks/onboarding.yml -e "@$vars" 2>&1 | grep -E "^ok:|msg:|^ +- |failed=|FAILED" | grep -vE "^ok:" || true
