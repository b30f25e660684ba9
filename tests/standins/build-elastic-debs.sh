#!/usr/bin/env bash
# Builds OUTDIR/elasticsearch_<VERSION>_all.deb: a STAND-IN package for tests of mlops.observability, not
# Elasticsearch. It has the vendor's package name and the layout that Elastic documents for its .deb (paths, user
# and group, unit name and kind), and runs tests/standins/elasticsearch_standin.py in config mode instead of a JVM.
#   usage: build-elastic-debs.sh OUTDIR [VERSION]     (VERSION: 9.1.0 unless given)
# Needs dpkg-deb. Nothing here is copied from Elastic's package: the unit, the default config and the maintainer
# scripts are written for the stand-in, from what Elastic documents and from memory of the vendor's files.
set -euo pipefail
out=${1:?usage: build-elastic-debs.sh OUTDIR [VERSION]}
version=${2:-9.1.0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v dpkg-deb >/dev/null || { echo "build-elastic-debs.sh: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022
root=$work/elasticsearch
home=$root/usr/share/elasticsearch
mkdir -p "$root/DEBIAN" "$home/bin" "$home/standin" "$root/etc/elasticsearch/jvm.options.d" "$root/etc/default" \
  "$root/usr/lib/systemd/system" "$root/var/lib/elasticsearch" "$root/var/log/elasticsearch"

# the stand-in itself
install -m 0644 "$here/elasticsearch_standin.py" "$home/standin/elasticsearch_standin.py"
install -m 0644 "$here/elasticsearch-keystore" "$home/standin/elasticsearch-keystore"  # run by bin/elasticsearch-keystore with python3
echo "$version" > "$home/standin/VERSION"

# bin/: the commands of the vendor's layout, as small wrappers around the stand-in
cat > "$home/bin/elasticsearch" <<EOF
#!/bin/sh
# bin/elasticsearch of the Elasticsearch stand-in package (tests of mlops.observability): starts the stand-in in
# config mode on \$ES_PATH_CONF/elasticsearch.yml. Not Elasticsearch: no JVM.
ES_HOME=\${ES_HOME:-/usr/share/elasticsearch}
ES_PATH_CONF=\${ES_PATH_CONF:-/etc/elasticsearch}
export ES_HOME ES_PATH_CONF
case "\${1:-}" in
  --version|-V) echo "Version: $version (stand-in), Build: deb/stand-in, JVM: none (stand-in for Elasticsearch; not Elasticsearch)"; exit 0 ;;
esac
exec python3 -B "\$ES_HOME/standin/elasticsearch_standin.py" --config "\$ES_PATH_CONF/elasticsearch.yml" --version "$version" "\$@"
EOF
cat > "$home/bin/elasticsearch-keystore" <<'EOF'
#!/bin/sh
# bin/elasticsearch-keystore of the Elasticsearch stand-in package: the stand-in keystore tool (not Elastic's).
ES_HOME=${ES_HOME:-/usr/share/elasticsearch}
ES_PATH_CONF=${ES_PATH_CONF:-/etc/elasticsearch}
export ES_HOME ES_PATH_CONF
exec python3 -B "$ES_HOME/standin/elasticsearch-keystore" "$@"
EOF
cat > "$home/bin/systemd-entrypoint" <<'EOF'
#!/bin/sh
# ExecStart of elasticsearch.service (stand-in package): runs bin/elasticsearch with the unit's arguments, with
# the keystore passphrase file on stdin when ES_KEYSTORE_PASSPHRASE_FILE is set, like the vendor's entry point.
# exec keeps the stand-in the unit's main process, which sends READY=1.
if [ -n "${ES_KEYSTORE_PASSPHRASE_FILE:-}" ]; then
  exec /usr/share/elasticsearch/bin/elasticsearch "$@" < "$ES_KEYSTORE_PASSPHRASE_FILE"
fi
exec /usr/share/elasticsearch/bin/elasticsearch "$@"
EOF
chmod 0755 "$home/bin/elasticsearch" "$home/bin/elasticsearch-keystore" "$home/bin/systemd-entrypoint"

# /etc: own short defaults; the role renders elasticsearch.yml and adds files to jvm.options.d
cat > "$root/etc/elasticsearch/elasticsearch.yml" <<'EOF'
# elasticsearch.yml of the Elasticsearch stand-in package (tests of mlops.observability; not Elasticsearch).
# The stand-in does not start with this file: it serves only TLS with authentication, so xpack.security.* must
# be configured (the elasticsearch role renders this file). Settings the stand-in reads are listed in
# tests/standins/README.md of the collection.
#
#cluster.name: my-cluster
#node.name: node-1
#network.host: 192.0.2.10
#http.port: 9200
#discovery.seed_hosts: ["host1", "host2"]
path.data: /var/lib/elasticsearch
path.logs: /var/log/elasticsearch
EOF
cat > "$root/etc/elasticsearch/jvm.options" <<'EOF'
# jvm.options of the Elasticsearch stand-in package: read by nothing (the stand-in runs no JVM). Put your own
# options, such as the heap size, in files named *.options in jvm.options.d/.
-XX:+UseG1GC
EOF
cat > "$root/etc/default/elasticsearch" <<'EOF'
# Environment of elasticsearch.service (stand-in package for tests of mlops.observability).
#ES_PATH_CONF=/etc/elasticsearch
#ES_JAVA_OPTS=
# Stand-in only: with ES_STANDIN_FAIL_START=1 the service fails at every start (tests of a node that does not
# come back).
#ES_STANDIN_FAIL_START=1
EOF
chmod 0660 "$root/etc/elasticsearch/elasticsearch.yml" "$root/etc/elasticsearch/jvm.options"
chmod 2750 "$root/etc/elasticsearch" "$root/etc/elasticsearch/jvm.options.d" "$root/var/lib/elasticsearch" \
  "$root/var/log/elasticsearch"

# The unit. Its directives come from memory of the unit in Elastic's .deb, not from a copy of it: the same kind
# (notify), user, environment, limits and stop behaviour, so that drop-ins written for the product apply here.
cat > "$root/usr/lib/systemd/system/elasticsearch.service" <<'EOF'
# elasticsearch.service of the Elasticsearch stand-in package (tests of mlops.observability; not Elasticsearch).
# Directives written from memory of the vendor's unit, not copied from it.
[Unit]
Description=Elasticsearch stand-in (tests of mlops.observability; not Elasticsearch)
Wants=network-online.target
After=network-online.target

[Service]
Type=notify
NotifyAccess=all
RuntimeDirectory=elasticsearch
PrivateTmp=true
Environment=ES_HOME=/usr/share/elasticsearch
Environment=ES_PATH_CONF=/etc/elasticsearch
Environment=PID_DIR=/run/elasticsearch
Environment=ES_SD_NOTIFY=true
EnvironmentFile=-/etc/default/elasticsearch
WorkingDirectory=/usr/share/elasticsearch
User=elasticsearch
Group=elasticsearch
ExecStart=/usr/share/elasticsearch/bin/systemd-entrypoint -p ${PID_DIR}/elasticsearch.pid --quiet
StandardOutput=journal
StandardError=inherit
LimitNOFILE=65535
LimitNPROC=4096
LimitAS=infinity
LimitFSIZE=infinity
# stop: SIGTERM to the main process only, wait as long as it takes, never SIGKILL; a JVM exits 143 on SIGTERM
TimeoutStopSec=0
KillSignal=SIGTERM
KillMode=process
SendSIGKILL=no
SuccessExitStatus=143
TimeoutStartSec=900

[Install]
WantedBy=multi-user.target
EOF

cat > "$root/DEBIAN/control" <<EOF
Package: elasticsearch
Version: $version
Architecture: all
Maintainer: mlops.observability tests <tests@example.invalid>
Depends: python3, python3-yaml, adduser
Section: web
Priority: optional
Description: stand-in for Elasticsearch, for tests of mlops.observability; not Elasticsearch
 A small Python service with the package name and file layout of Elastic's
 elasticsearch package. It answers the few REST calls that the collection's
 roles and modules make. Built at test time by tests/standins/build-elastic-debs.sh.
EOF
printf '%s\n' /etc/elasticsearch/elasticsearch.yml /etc/elasticsearch/jvm.options /etc/default/elasticsearch > "$root/DEBIAN/conffiles"
# postinst: like the vendor's, it neither enables nor starts the service
cat > "$root/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent group elasticsearch >/dev/null; then
    addgroup --system --quiet elasticsearch
  fi
  if ! getent passwd elasticsearch >/dev/null; then
    adduser --system --quiet --ingroup elasticsearch --home /nonexistent --no-create-home --shell /usr/sbin/nologin \
      elasticsearch
  fi
  chown root:elasticsearch /etc/elasticsearch /etc/elasticsearch/jvm.options.d /etc/elasticsearch/elasticsearch.yml \
    /etc/elasticsearch/jvm.options
  chown elasticsearch:elasticsearch /var/lib/elasticsearch /var/log/elasticsearch
  chmod 2750 /etc/elasticsearch /etc/elasticsearch/jvm.options.d /var/lib/elasticsearch /var/log/elasticsearch
  if [ ! -f /etc/elasticsearch/elasticsearch.keystore ]; then
    ES_PATH_CONF=/etc/elasticsearch /usr/share/elasticsearch/bin/elasticsearch-keystore create >/dev/null
  fi
  chown root:elasticsearch /etc/elasticsearch/elasticsearch.keystore
  chmod 0660 /etc/elasticsearch/elasticsearch.keystore
  echo "elasticsearch (stand-in): security auto-configuration skipped; the stand-in never does it"
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
  fi
fi
EOF
cat > "$root/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload stop elasticsearch.service >/dev/null 2>&1 || true
fi
EOF
cat > "$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf /var/lib/elasticsearch /var/log/elasticsearch /etc/elasticsearch/elasticsearch.keystore
fi
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null 2>&1 || true
fi
EOF
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$out/elasticsearch_${version}_all.deb" >/dev/null
echo "$out/elasticsearch_${version}_all.deb (stand-in for Elasticsearch $version)"
