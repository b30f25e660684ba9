#!/usr/bin/env bash
# Build (or load from cache) a Debian image that boots systemd under podman.
# Usage: lab/build-image.sh bookworm|trixie
# The image is cached as a zstd tarball in $LAB_CACHE_DIR so the next run only loads it.
set -euo pipefail
suite=${1:?usage: build-image.sh bookworm|trixie}
case "$suite" in bookworm|trixie) ;; *) echo "unsupported suite: $suite" >&2; exit 2;; esac
image=localhost/mlops-lab:$suite
cache_dir=${LAB_CACHE_DIR:-/var/cache/mlops-observability-lab}
cache_tar=$cache_dir/mlops-lab-$suite.tar.zst
mirror=${LAB_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if podman image exists "$image"; then echo "lab: image $image present"; exit 0; fi
if [ -f "$cache_tar" ]; then
  echo "lab: loading $image from $cache_tar"
  podman load -q -i "$cache_tar" >/dev/null
  exit 0
fi

echo "lab: building $image with debootstrap (about 90 s)"
work=$(mktemp -d /var/tmp/mlops-lab-XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,iproute2,ca-certificates,procps,curl,iputils-ping,netbase,less \
  "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

: > "$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
# timers and units that are noise in a container or grab the dpkg lock during tests
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer \
         getty@tty1.service e2scrub_reap.service systemd-pstore.service; do
  rm -f "$root"/etc/systemd/system/*.wants/"$u"
done
for u in apt-daily.service apt-daily-upgrade.service; do ln -sf /dev/null "$root/etc/systemd/system/$u"; done
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/periodic/*stamp
# apt's cache_valid_time looks at this mtime: an emptied dir must not look fresh
touch -d 2000-01-01 "$root/var/lib/apt/lists"

tar -C "$root" -c . | podman import -q \
  --change 'CMD ["/sbin/init"]' --change 'ENV container=podman' --change 'STOPSIGNAL SIGRTMIN+3' \
  - "$image" >/dev/null
mkdir -p "$cache_dir"
podman save "$image" | zstd -q -T0 -3 -o "$cache_tar.tmp" && mv "$cache_tar.tmp" "$cache_tar"
echo "lab: built $image, cached at $cache_tar"
