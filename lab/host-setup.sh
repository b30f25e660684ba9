#!/usr/bin/env bash
# Prepare this machine to run lab hosts: the host packages the lab needs, and podman with runc and
# rlimits that work on a host without systemd as PID 1 and with cgroups v1 hybrid. It replaces the
# machine-wide /etc/containers/containers.conf (the old one is kept as containers.conf.bak.<epoch>),
# which every podman container of the machine then uses (see lab/README.md).
# Idempotent; run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=""
# apt-utils and gpg: the signed repository of stand-in packages that the scenarios build (tests/standins), before
# they start, since several scenarios at once would race for apt's lock
for p in podman runc debootstrap netavark aardvark-dns uidmap zstd iptables shellcheck python3-venv make apt-utils gpg; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  echo "lab: installing host packages:$need"
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# crun refuses the hybrid cgroup layout, and the default rlimits need CAP_SYS_RESOURCE.
conf=/etc/containers/containers.conf
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
pidmax=$(cat /proc/sys/kernel/pid_max)
nproc=$(ulimit -Hu); { [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pidmax" ]; } && nproc=$pidmax
want="# managed by mlops.observability lab/host-setup.sh
[containers]
default_ulimits = [\"nofile=${nofile}:${nofile}\", \"nproc=${nproc}:${nproc}\"]
[engine]
runtime = \"runc\"
[network]
network_backend = \"netavark\""
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$want" ]; then
  mkdir -p /etc/containers
  [ -f "$conf" ] && cp -a "$conf" "$conf.bak.$(date +%s)"
  printf '%s\n' "$want" > "$conf"
  echo "lab: wrote $conf"
fi
