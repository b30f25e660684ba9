#!/usr/bin/env bash
# Run ansible-test (sanity or units) on a copy of the tracked files placed at
# <tmp>/ansible_collections/mlops/observability, as ansible-test requires.
# ansible-test bootstraps pip in each of its virtualenvs with a downloaded get-pip.py; that host is
# not reachable here, so a stand-in that installs pip from a PyPI wheel is put in its cache.
set -euo pipefail
what=${1:?usage: tests/ansible-test.sh sanity|units}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$repo/.venv/bin
python=$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

# get-pip stand-in for the pip version this ansible-test wants
pip_version=$(grep -o "pip='[0-9.]*'" "$("$bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" | head -1 | tr -dc '0-9.')
cache=$HOME/.ansible/test/cache
standin=$cache/get_pip_${pip_version//./_}.py
if [ ! -f "$standin" ]; then
  mkdir -p "$cache/wheels"
  "$bin/pip" download -q --no-deps -d "$cache/wheels" "pip==$pip_version"
  wheel=$(ls "$cache"/wheels/pip-"$pip_version"-*.whl)
  cat > "$standin" <<PY
# Stand-in for get-pip.py $pip_version written by mlops.observability tests/ansible-test.sh:
# installs pip from a wheel downloaded from PyPI instead of the unreachable bootstrap script.
import subprocess, sys
args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
sys.exit(subprocess.call([sys.executable, '$wheel/pip', 'install', '--no-index',
                          '--find-links', '$cache/wheels'] + args))
PY
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/mlops/observability
mkdir -p "$dest"
# tracked files deleted in the working tree are left out (a change in progress)
(cd "$repo" && git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
  | xargs -0 cp --parents -t "$dest")
cd "$dest"
git init -q && git add -A   # ansible-test lists files through git
export ANSIBLE_COLLECTIONS_PATH=$work
case "$what" in
  sanity) "$bin/ansible-test" sanity --venv --python "$python" --color no ;;
  units)  "$bin/ansible-test" units --venv --python "$python" --color no ;;
  *) echo "unknown: $what" >&2; exit 2 ;;
esac
