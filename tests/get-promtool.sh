#!/usr/bin/env bash
# Put Debian's promtool and prometheus (the real ones, from the prometheus package) in .cache/bin for
# the tests that run on the controller, without installing the package here.
set -euo pipefail
dest=${1:-.cache/bin}
[ -x "$dest/promtool" ] && [ -x "$dest/prometheus" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download -qq prometheus 2>/dev/null || { apt-get update -qq && apt-get download -qq prometheus; }
dpkg-deb -x prometheus_*.deb pkg
cd - >/dev/null
mkdir -p "$dest"
cp "$work/pkg/usr/bin/promtool" "$work/pkg/usr/bin/prometheus" "$dest/"
"$dest/promtool" --version | head -1
