#!/usr/bin/env bash
# Put Debian's promtool (the real one, from the prometheus package) in .cache/bin for the tests
# that run on the controller, without installing or starting Prometheus here.
set -euo pipefail
dest=${1:-.cache/bin}
[ -x "$dest/promtool" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download -qq prometheus 2>/dev/null || { apt-get update -qq && apt-get download -qq prometheus; }
dpkg-deb -x prometheus_*.deb pkg
cd - >/dev/null
mkdir -p "$dest"
cp "$work/pkg/usr/bin/promtool" "$dest/promtool"
"$dest/promtool" --version | head -1
