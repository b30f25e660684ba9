#!/usr/bin/env bash
# Builds a signed APT repository of stand-in packages, in the URL layout of Elastic's repository
# ("deb [signed-by=KEYRING] <base> stable main", as Elastic documents for 8.x and 9.x), for tests of
# mlops.observability:
#   usage: build-apt-repo.sh DEBDIR OUTDIR
#   OUTDIR/repo/          the repository base: dists/stable/{InRelease,Release,Release.gpg},
#                         dists/stable/main/binary-{amd64,arm64}/Packages(.gz), pool/main/<letter>/<package>/*.deb
#   OUTDIR/repo-key.asc   the public key that signed it, armored; OUTDIR/repo-key.gpg the same, binary
#   OUTDIR/repo.tar       the repository base as one archive, its top folder named mlops-es-repo (a host unpacks
#                         it in /srv: one transfer instead of one per file)
# A source line for it: deb [signed-by=OUTDIR/repo-key.gpg] file://OUTDIR/repo stable main
# The key is made here, for this repository only, in a temporary GNUPGHOME. Needs apt-utils (apt-ftparchive),
# dpkg-dev or dpkg (dpkg-deb) and gpg.
set -euo pipefail
debs=${1:?usage: build-apt-repo.sh DEBDIR OUTDIR}
out=${2:?usage: build-apt-repo.sh DEBDIR OUTDIR}
need=()
command -v apt-ftparchive >/dev/null || need+=(apt-utils)
command -v dpkg-deb >/dev/null || need+=(dpkg)
command -v gpg >/dev/null || need+=(gpg)
if [ ${#need[@]} -gt 0 ]; then  # a fresh controller, as root; one install at a time (scenarios run side by side)
  flock /run/lock/mlops-build-apt-repo.lock bash -c 'apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' _ "${need[@]}"
fi
debs=$(cd "$debs" && pwd)
shopt -s nullglob
packages=("$debs"/*.deb)
[ ${#packages[@]} -gt 0 ] || { echo "build-apt-repo.sh: no .deb in $debs" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
repo=$out/repo
rm -rf "$repo" "$out/repo-key.asc" "$out/repo-key.gpg"
work=$(mktemp -d)
export GNUPGHOME=$work/gnupg
cleanup() { gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -m 0700 "$GNUPGHOME"
uid="mlops.observability stand-in APT repository key (test only) <standin-repo@example.invalid>"
gpg --batch --quiet --passphrase '' --quick-gen-key "$uid" ed25519 sign 7d
gpg --batch --armor --export standin-repo@example.invalid > "$out/repo-key.asc"
gpg --batch --export standin-repo@example.invalid > "$out/repo-key.gpg"

for deb in "${packages[@]}"; do
  name=$(dpkg-deb -f "$deb" Package)
  mkdir -p "$repo/pool/main/${name:0:1}/$name"
  cp "$deb" "$repo/pool/main/${name:0:1}/$name/"
done
for arch in amd64 arm64; do
  mkdir -p "$repo/dists/stable/main/binary-$arch"
  (cd "$repo" && apt-ftparchive packages pool/main) > "$repo/dists/stable/main/binary-$arch/Packages"
  gzip -9nk "$repo/dists/stable/main/binary-$arch/Packages"
done
apt-ftparchive -o APT::FTPArchive::Release::Origin="mlops.observability tests" \
  -o APT::FTPArchive::Release::Label="stand-in packages in the layout of Elastic's repository" \
  -o APT::FTPArchive::Release::Suite=stable -o APT::FTPArchive::Release::Codename=stable \
  -o APT::FTPArchive::Release::Architectures="amd64 arm64" -o APT::FTPArchive::Release::Components=main \
  release "$repo/dists/stable" > "$work/Release"
mv "$work/Release" "$repo/dists/stable/Release"
gpg --batch --yes --local-user standin-repo@example.invalid --clearsign -o "$repo/dists/stable/InRelease" "$repo/dists/stable/Release"
gpg --batch --yes --local-user standin-repo@example.invalid --armor --detach-sign -o "$repo/dists/stable/Release.gpg" \
  "$repo/dists/stable/Release"
fingerprint=$(gpg --with-colons --list-keys standin-repo@example.invalid 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
tar -C "$out" --owner=0 --group=0 --transform 's,^repo,mlops-es-repo,' -cf "$out/repo.tar" repo
echo "stand-in APT repository $repo: ${#packages[@]} package(s), signed by $fingerprint"
