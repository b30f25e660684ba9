#!/usr/bin/env bash
# Test fixture: an offline mirror in the GitHub release layout
#   <root>/<name>/releases/download/v<version>/<name>-<version>.linux-<arch>.tar.gz
#   <root>/<name>/releases/download/v<version>/sha256sums.txt
# for node_exporter, prometheus and alertmanager, built from the real binaries of Debian's packages.
# Each also gets a release v0.0.0-badsum whose sha256sums.txt does not match its archive.
set -euo pipefail
root=${1:?usage: build-release-mirror.sh DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get update -qq
arch=$(dpkg --print-architecture)

# build NAME DEBIAN-PACKAGE SRC:DEST...   (SRC relative to the unpacked package)
build() {
  local name=$1 pkg=$2; shift 2
  apt-get download -qq "$pkg"
  rm -rf pkg && dpkg-deb -x "${pkg}"_*.deb pkg
  local version
  version=$("pkg/${1%%:*}" --version 2>&1 | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p' | head -1)
  for v in "$version" 0.0.0-badsum; do
    local top="$name-$v.linux-$arch" dir="$root/$name/releases/download/v$v"
    rm -rf "$top" && mkdir -p "$top" "$dir"
    for pair in "$@"; do cp "pkg/${pair%%:*}" "$top/${pair##*:}"; done
    cp "pkg/usr/share/doc/$pkg/copyright" "$top/LICENSE"
    # gzip -1: a third of the default level's CPU time (prometheus and promtool: 1.6 s against 4.7 s)
    tar -I "gzip -1" -cf "$dir/$top.tar.gz" "$top"
    (cd "$dir" && sha256sum "$top.tar.gz" > sha256sums.txt)
  done
  # change the first hex digit (to 1 if it is 0, else to 0), so the sum never matches by chance
  sed -i 's/^0/1/;t;s/^./0/' "$root/$name/releases/download/v0.0.0-badsum/sha256sums.txt"
  echo "mirror: $name $version for $arch"
}
build node_exporter prometheus-node-exporter usr/bin/prometheus-node-exporter:node_exporter
build prometheus prometheus usr/bin/prometheus:prometheus usr/bin/promtool:promtool
build alertmanager prometheus-alertmanager usr/bin/prometheus-alertmanager:alertmanager usr/bin/amtool:amtool
