#!/usr/bin/env bash
# Test fixture: an offline mirror in the GitHub release layout
#   <root>/node_exporter/releases/download/v<version>/node_exporter-<version>.linux-amd64.tar.gz
#   <root>/node_exporter/releases/download/v<version>/sha256sums.txt
# built from the real node_exporter binary of Debian's prometheus-node-exporter package.
# It also builds v0.0.0-badsum, whose sha256sums.txt does not match its archive.
set -euo pipefail
root=${1:?usage: build-release-mirror.sh DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get update -qq
apt-get download -qq prometheus-node-exporter
dpkg-deb -x prometheus-node-exporter_*.deb pkg
version=$(pkg/usr/bin/prometheus-node-exporter --version 2>&1 | sed -n 's/^node_exporter, version \([0-9.]*\).*/\1/p')
arch=$(dpkg --print-architecture)

release() {  # release VERSION
  local v=$1 name="node_exporter-$1.linux-$arch" dir="$root/node_exporter/releases/download/v$1"
  mkdir -p "$name" "$dir"
  cp pkg/usr/bin/prometheus-node-exporter "$name/node_exporter"
  cp pkg/usr/share/doc/prometheus-node-exporter/copyright "$name/LICENSE"
  tar -czf "$dir/$name.tar.gz" "$name"
  (cd "$dir" && sha256sum "$name.tar.gz" > sha256sums.txt)
}
release "$version"
release 0.0.0-badsum
sed -i 's/^./0/' "$root/node_exporter/releases/download/v0.0.0-badsum/sha256sums.txt"
echo "mirror: node_exporter $version for $arch in $root"
