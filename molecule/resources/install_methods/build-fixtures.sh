#!/usr/bin/env bash
# Test fixture for the install_methods scenario (runs on the controller, as root):
#   DIR/repo/         an APT repository (suite stable, component main) with the stand-in test package
#                     mlops-standin-demo 1.0.0 and 1.1.0, its InRelease signed with a key made here
#   DIR/repo-key.asc  that key, armored; DIR/repo-key.gpg the same key, binary
#   DIR/wrong-key.asc another key, which signed nothing
#   DIR/debs/         a folder of .deb files: mlops-standin-offline 1.0.0 and 1.1.0 (both need
#                     mlops-standin-offline-data), mlops-standin-offline-data 1.0.0, mlops-standin-unrelated 1.0.0
#   DIR/debs-other/   a folder with only mlops-standin-unrelated
#   DIR/tls-ca.crt, DIR/tls-server.{crt,key}  a test CA and a certificate for localhost/127.0.0.1,
#                     for serve_once_https.py (the key URL case)
# Every package is a stand-in built here with dpkg-deb; none is a real product. Each main package
# ships a unit that its postinst starts the way debhelper does (deb-systemd-invoke start), so a test
# can see whether the install started it.
set -euo pipefail
dir=${1:?usage: build-fixtures.sh DIR}
need=()
command -v dpkg-deb >/dev/null || need+=(dpkg)
command -v gpg >/dev/null || need+=(gpg)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

rm -rf "$dir" && mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
work=$(mktemp -d)
export GNUPGHOME=$work/gnupg
cleanup() { gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -m 0700 "$GNUPGHOME"

# deb NAME VERSION OUTDIR [DEPENDS]: a stand-in package; packages not named *-data or *-unrelated get a unit
deb() {
  local name=$1 version=$2 out=$3 depends=${4:-} root=$work/pkg
  rm -rf "$root" && mkdir -p "$root/DEBIAN" "$root/usr/share/$name"
  echo "$name $version (stand-in test package)" > "$root/usr/share/$name/VERSION"
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: all"
    echo "Maintainer: mlops.observability tests <tests@example.invalid>"
    [ -z "$depends" ] || echo "Depends: $depends"
    echo "Description: stand-in test package for the install_methods molecule scenario"
    echo " Not a real product. Built at test time by build-fixtures.sh."
  } > "$root/DEBIAN/control"
  case "$name" in *-data|*-unrelated) ;; *)
    mkdir -p "$root/usr/lib/systemd/system" "$root/usr/libexec"
    printf '#!/bin/sh\necho "%s: stand-in test service started"\nexec sleep infinity\n' "$name" > "$root/usr/libexec/$name"
    chmod 0755 "$root/usr/libexec/$name"
    printf '[Unit]\nDescription=%s (stand-in test service)\n\n[Service]\nExecStart=/usr/libexec/%s\n\n[Install]\nWantedBy=multi-user.target\n' \
      "$name" "$name" > "$root/usr/lib/systemd/system/$name.service"
    # what dh_installsystemd writes: enable, then start unless policy-rc.d forbids it
    cat > "$root/DEBIAN/postinst" <<MAINT
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
  deb-systemd-helper enable $name.service >/dev/null || true
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
    deb-systemd-invoke start $name.service >/dev/null || true
  fi
fi
MAINT
    cat > "$root/DEBIAN/prerm" <<MAINT
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "\$1" = remove ]; then
  deb-systemd-invoke stop $name.service >/dev/null || true
fi
MAINT
    cat > "$root/DEBIAN/postrm" <<MAINT
#!/bin/sh
set -e
if [ "\$1" = purge ]; then
  deb-systemd-helper purge $name.service >/dev/null || true
fi
MAINT
    chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
  ;; esac
  mkdir -p "$out"
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/${name}_${version}_all.deb" >/dev/null
}

# the signed repository, by the one repository builder of the tests (a key made there, for it only)
deb mlops-standin-demo 1.0.0 "$work/repo-debs"
deb mlops-standin-demo 1.1.0 "$work/repo-debs"
"$(dirname "${BASH_SOURCE[0]}")/../../../tests/standins/build-apt-repo.sh" "$work/repo-debs" "$dir" >/dev/null
# another key, which signed nothing
gpg --batch --quiet --passphrase '' --quick-gen-key "mlops.observability wrong test key (stand-in, test only) <wrong@example.invalid>" ed25519 sign 7d
gpg --batch --armor --export wrong@example.invalid > "$dir/wrong-key.asc"

# the folders of .deb files
deb mlops-standin-offline 1.0.0 "$dir/debs" mlops-standin-offline-data
deb mlops-standin-offline 1.1.0 "$dir/debs" "mlops-standin-offline-data (>= 1.0.0)"
deb mlops-standin-offline-data 1.0.0 "$dir/debs"
deb mlops-standin-unrelated 1.0.0 "$dir/debs"
deb mlops-standin-unrelated 1.0.0 "$dir/debs-other"
# TLS for the key URL case: a test CA, and a certificate for localhost signed by it
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj "/CN=mlops install_methods test CA" \
  -keyout "$work/ca.key" -out "$dir/tls-ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$dir/tls-server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$dir/tls-ca.crt" -CAkey "$work/ca.key" -CAcreateserial -CAserial "$work/ca.srl" -days 7 \
  -extfile "$work/server.ext" -out "$dir/tls-server.crt" 2>/dev/null
echo "fixtures: $(find "$dir" -name '*.deb' | wc -l) stand-in packages, repository signed by the key in $dir/repo-key.asc"
