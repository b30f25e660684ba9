#!/usr/bin/env bash
# Builds STAND-IN packages for tests of mlops.observability, not Elastic's products:
#   OUTDIR/elasticsearch_<VERSION>_all.deb   runs tests/standins/elasticsearch_standin.py in config mode, no JVM
#   OUTDIR/logstash_<VERSION>_all.deb        (Debian version 1:<VERSION>-1) runs tests/standins/logstash_standin.py
#   OUTDIR/kibana_<VERSION>_all.deb          runs tests/standins/kibana_standin.py in config mode, no Node.js
#   OUTDIR/filebeat_<VERSION>_all.deb        runs tests/standins/filebeat_standin.py: checks configs, ships nothing
# Each has the vendor's package name and the layout that Elastic documents for its .deb (paths, user and group,
# unit name and kind).
#   usage: build-elastic-debs.sh OUTDIR [VERSION] [PACKAGE...]
#          VERSION: 9.1.0 unless given; PACKAGE: elasticsearch, logstash, kibana, filebeat (elasticsearch unless given)
# Needs dpkg-deb. Nothing here is copied from Elastic's packages: the units, the default configs and the maintainer
# scripts are written for the stand-ins, from what Elastic documents and from memory of the vendor's files.
set -euo pipefail
usage='usage: build-elastic-debs.sh OUTDIR [VERSION] [PACKAGE...]  (PACKAGE: elasticsearch, logstash, kibana, filebeat)'
out=${1:?$usage}
version=${2:-9.1.0}
shift $(($# < 2 ? $# : 2))
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(elasticsearch)
for package in "${packages[@]}"; do
  case $package in
    elasticsearch|logstash|kibana|filebeat) ;;
    *) echo "build-elastic-debs.sh: unknown package '$package'; $usage" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
command -v dpkg-deb >/dev/null || { echo "build-elastic-debs.sh: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

# ---- shared by the packages

# write_control ROOT PACKAGE DEB_VERSION SUMMARY LONG_LINE...: DEBIAN/control of a stand-in package. Depends is
# $control_depends, which a build function may set as a local variable (filebeat: no adduser)
control_depends='python3, python3-yaml, adduser'
write_control() {
  local root=$1 package=$2 deb_version=$3 summary=$4
  shift 4
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: all\n' "$package" "$deb_version"
    printf 'Maintainer: mlops.observability tests <tests@example.invalid>\nDepends: %s\n' "$control_depends"
    printf 'Section: web\nPriority: optional\nDescription: %s\n' "$summary"
    printf ' %s\n' "$@"
  } > "$root/DEBIAN/control"
}

# write_postinst ROOT USER HOME: DEBIAN/postinst. On configure it adds the system group and user USER (home HOME,
# not created, no login; nothing when USER is empty), runs the package's own steps (read from stdin) and reloads
# systemd. Like the vendor's postinst scripts, it neither enables nor starts the service.
write_postinst() {
  local root=$1 user=$2 home=$3
  {
    # shellcheck disable=SC2016  # $1 is the postinst's own argument
    printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then\n'
    if [ -n "$user" ]; then
      printf '  if ! getent group %s >/dev/null; then\n    addgroup --system --quiet %s\n  fi\n' "$user" "$user"
      printf '  if ! getent passwd %s >/dev/null; then\n' "$user"
      printf '    adduser --system --quiet --ingroup %s --home %s --no-create-home --shell /usr/sbin/nologin %s\n' "$user" "$home" "$user"
      printf '  fi\n'
    fi
    cat
    printf '  if [ -d /run/systemd/system ]; then\n    systemctl --system daemon-reload >/dev/null || true\n  fi\nfi\n'
  } > "$root/DEBIAN/postinst"
}

# write_prerm_postrm ROOT SERVICE PURGED_PATH...: prerm stops SERVICE on remove; postrm removes the paths on purge
# and reloads systemd
write_prerm_postrm() {
  local root=$1 service=$2
  shift 2
  cat > "$root/DEBIAN/prerm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload stop $service.service >/dev/null 2>&1 || true
fi
EOF
  cat > "$root/DEBIAN/postrm" <<EOF
#!/bin/sh
set -e
if [ "\$1" = purge ]; then
  rm -rf $*
fi
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null 2>&1 || true
fi
EOF
}

# build_deb ROOT FILE WHAT: the maintainer scripts executable, then dpkg-deb
build_deb() {
  chmod 0755 "$1/DEBIAN/postinst" "$1/DEBIAN/prerm" "$1/DEBIAN/postrm"
  dpkg-deb --root-owner-group -Zgzip --build "$1" "$out/$2" >/dev/null
  echo "$out/$2 ($3)"
}

# ---- elasticsearch
build_elasticsearch() {
  local root=$work/elasticsearch
  local home=$root/usr/share/elasticsearch
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

  write_control "$root" elasticsearch "$version" \
    'stand-in for Elasticsearch, for tests of mlops.observability; not Elasticsearch' \
    "A small Python service with the package name and file layout of Elastic's" \
    "elasticsearch package. It answers the few REST calls that the collection's" \
    'roles and modules make. Built at test time by tests/standins/build-elastic-debs.sh.'
  printf '%s\n' /etc/elasticsearch/elasticsearch.yml /etc/elasticsearch/jvm.options /etc/default/elasticsearch > "$root/DEBIAN/conffiles"
  write_postinst "$root" elasticsearch /nonexistent <<'EOF'
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
EOF
  write_prerm_postrm "$root" elasticsearch /var/lib/elasticsearch /var/log/elasticsearch /etc/elasticsearch/elasticsearch.keystore
  build_deb "$root" "elasticsearch_${version}_all.deb" "stand-in for Elasticsearch $version"
}

# ---- logstash
build_logstash() {
  local root=$work/logstash
  local home=$root/usr/share/logstash
  mkdir -p "$root/DEBIAN" "$home/bin" "$home/standin" "$root/etc/logstash/conf.d" "$root/usr/lib/systemd/system" \
    "$root/var/lib/logstash" "$root/var/log/logstash"

  # the stand-in, and bin/ as in the vendor's layout: sh wrappers that run it (python3 -B: no .pyc written)
  install -m 0644 "$here/logstash_standin.py" "$home/standin/logstash_standin.py"
  install -m 0644 "$here/logstash-keystore" "$home/standin/logstash-keystore"
  echo "$version" > "$home/standin/VERSION"
  local tool
  for tool in logstash:logstash_standin.py logstash-keystore:logstash-keystore; do
    cat > "$home/bin/${tool%%:*}" <<EOF
#!/bin/sh
# bin/${tool%%:*} of the Logstash stand-in package (tests of mlops.observability): runs the stand-in. Not Logstash:
# no JVM, no pipeline runs.
exec python3 -B "\$(dirname "\$0")/../standin/${tool#*:}" "\$@"
EOF
    chmod 0755 "$home/bin/${tool%%:*}"
  done

  # /etc/logstash: own short files; the logstash role renders logstash.yml, pipelines.yml and conf.d/
  cat > "$root/etc/logstash/logstash.yml" <<'EOF'
# logstash.yml of the Logstash stand-in package (tests of mlops.observability; not Logstash). The settings the
# stand-in reads are listed in tests/standins/README.md of the collection.
path.data: /var/lib/logstash
path.logs: /var/log/logstash
EOF
  cat > "$root/etc/logstash/pipelines.yml" <<'EOF'
# pipelines.yml of the Logstash stand-in package: one pipeline, made of the files in conf.d/.
- pipeline.id: main
  path.config: "/etc/logstash/conf.d/*.conf"
EOF
  cat > "$root/etc/logstash/jvm.options" <<'EOF'
# jvm.options of the Logstash stand-in package: read by nothing (the stand-in runs no JVM).
-Xms1g
-Xmx1g
EOF
  cat > "$root/etc/logstash/log4j2.properties" <<'EOF'
# log4j2.properties of the Logstash stand-in package: read by nothing. The stand-in writes its log lines to stdout
# (the journal) and to path.logs/logstash-plain.log.
status = error
name = LogstashStandinUnused
EOF
  cat > "$root/etc/logstash/startup.options" <<'EOF'
# startup.options of the Logstash stand-in package: read by nothing (the package ships its unit ready-made).
LS_HOME=/usr/share/logstash
LS_SETTINGS_DIR=/etc/logstash
LS_USER=logstash
LS_GROUP=logstash
EOF

  # The unit, written from memory of the vendor's unit (not copied): a simple service as the logstash user, with
  # the vendor's ExecStart, restart, niceness, file limit and unlimited stop timeout; no reload command.
  cat > "$root/usr/lib/systemd/system/logstash.service" <<'EOF'
# logstash.service of the Logstash stand-in package (tests of mlops.observability; not Logstash).
# Directives written from memory of the vendor's unit, not copied from it. Reload: SIGHUP (kill -HUP).
[Unit]
Description=Logstash stand-in (tests of mlops.observability; not Logstash)

[Service]
Type=simple
User=logstash
Group=logstash
EnvironmentFile=-/etc/default/logstash
ExecStart=/usr/share/logstash/bin/logstash "--path.settings" "/etc/logstash"
Restart=always
WorkingDirectory=/
Nice=19
LimitNOFILE=16384
TimeoutStopSec=infinity

[Install]
WantedBy=multi-user.target
EOF

  # Elastic's logstash packages carry the epoch 1
  write_control "$root" logstash "1:$version-1" \
    'stand-in for Logstash, for tests of mlops.observability; not Logstash' \
    "A small Python program with the package name and file layout of Elastic's" \
    'logstash package. It checks pipeline configs and serves a part of the' \
    'monitoring API; it runs no pipeline. Built at test time by' \
    'tests/standins/build-elastic-debs.sh.'
  printf '/etc/logstash/%s\n' logstash.yml pipelines.yml jvm.options log4j2.properties startup.options > "$root/DEBIAN/conffiles"
  write_postinst "$root" logstash /usr/share/logstash <<'EOF'
  chown logstash:logstash /var/lib/logstash /var/log/logstash
EOF
  write_prerm_postrm "$root" logstash /var/lib/logstash /var/log/logstash
  build_deb "$root" "logstash_${version}_all.deb" "stand-in for Logstash $version"
}

# ---- kibana
build_kibana() {
  local root=$work/kibana
  local home=$root/usr/share/kibana
  mkdir -p "$root/DEBIAN" "$home/bin" "$home/standin" "$root/etc/kibana" "$root/etc/default" "$root/usr/lib/systemd/system" \
    "$root/var/lib/kibana" "$root/var/log/kibana"
  install -m 0644 "$here/kibana_standin.py" "$home/standin/kibana_standin.py"
  install -m 0644 "$here/kibana-keystore" "$home/standin/kibana-keystore"  # run by bin/kibana-keystore with python3

  cat > "$home/bin/kibana" <<EOF
#!/bin/sh
# bin/kibana of the Kibana stand-in package (tests of mlops.observability): starts the stand-in in config mode on
# \$KBN_PATH_CONF/kibana.yml. Not Kibana: no Node.js.
KBN_HOME=\${KBN_HOME:-/usr/share/kibana}
KBN_PATH_CONF=\${KBN_PATH_CONF:-/etc/kibana}
export KBN_HOME KBN_PATH_CONF
case "\${1:-}" in
  --version|-V) echo "$version (stand-in; not Kibana)"; exit 0 ;;
esac
exec python3 -B "\$KBN_HOME/standin/kibana_standin.py" --config "\$KBN_PATH_CONF/kibana.yml" --kibana-version "$version" "\$@"
EOF
  cat > "$home/bin/kibana-keystore" <<'EOF'
#!/bin/sh
# bin/kibana-keystore of the Kibana stand-in package: the stand-in keystore tool (not Kibana's).
KBN_HOME=${KBN_HOME:-/usr/share/kibana}
KBN_PATH_CONF=${KBN_PATH_CONF:-/etc/kibana}
export KBN_HOME KBN_PATH_CONF
exec python3 -B "$KBN_HOME/standin/kibana-keystore" "$@"
EOF
  chmod 0755 "$home/bin/kibana" "$home/bin/kibana-keystore"

  cat > "$root/etc/kibana/kibana.yml" <<'EOF'
# kibana.yml of the Kibana stand-in package (tests of mlops.observability; not Kibana).
# The stand-in does not start with this file alone: it serves only TLS and needs the Elasticsearch settings
# (the kibana role renders this file). The settings it reads are listed in tests/standins/README.md.
#
#server.host: "localhost"
#server.port: 5601
#server.ssl.enabled: true
#elasticsearch.hosts: ["https://localhost:9200"]
path.data: /var/lib/kibana
EOF
  cat > "$root/etc/kibana/node.options" <<'EOF'
# node.options of the Kibana stand-in package: read by nothing (the stand-in runs no Node.js).
#--max-old-space-size=4096
EOF
  cat > "$root/etc/default/kibana" <<'EOF'
# Environment of kibana.service (stand-in package for tests of mlops.observability).
#KBN_PATH_CONF=/etc/kibana
#NODE_OPTIONS=
EOF
  chmod 0660 "$root/etc/kibana/kibana.yml" "$root/etc/kibana/node.options"
  chmod 2750 "$root/etc/kibana" "$root/var/lib/kibana" "$root/var/log/kibana"

  # The unit: the directives of the vendor's unit (kind, user, environment, restart policy), text of our own.
  cat > "$root/usr/lib/systemd/system/kibana.service" <<'EOF'
# kibana.service of the Kibana stand-in package (tests of mlops.observability; not Kibana).
# The directives of the vendor's unit; this text is our own, not a copy.
[Unit]
Description=Kibana stand-in (tests of mlops.observability; not Kibana)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=kibana
Group=kibana
Environment=KBN_HOME=/usr/share/kibana
Environment=KBN_PATH_CONF=/etc/kibana
EnvironmentFile=-/etc/default/kibana
ExecStart=/usr/share/kibana/bin/kibana
Restart=on-failure
RestartSec=3
StartLimitBurst=3
StartLimitInterval=60
WorkingDirectory=/usr/share/kibana
StandardOutput=journal
StandardError=inherit

[Install]
WantedBy=multi-user.target
EOF

  write_control "$root" kibana "$version" 'stand-in for Kibana, for tests of mlops.observability; not Kibana' \
    "A small Python service with the package name and file layout of Elastic's" \
    "kibana package. It answers the few API calls that the collection's roles and" \
    'modules make, and never contacts Elasticsearch. Built at test time by' 'tests/standins/build-elastic-debs.sh.'
  printf '%s\n' /etc/kibana/kibana.yml /etc/kibana/node.options /etc/default/kibana > "$root/DEBIAN/conffiles"
  # postinst: like the vendor's .deb, it creates no keystore (the vendor's RPM does, in its posttrans script) and
  # neither enables nor starts the service
  write_postinst "$root" kibana /nonexistent <<'EOF'
  chown -R root:kibana /etc/kibana
  chmod 2750 /etc/kibana
  chown kibana:kibana /var/lib/kibana /var/log/kibana
  chmod 2750 /var/lib/kibana /var/log/kibana
EOF
  cat > "$root/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload stop kibana.service >/dev/null 2>&1 || true
fi
EOF
  # postrm: as the vendor's, remove and purge delete the logs, and the data and config directories if empty; purge
  # also the user and group
  cat > "$root/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
  rm -rf /var/log/kibana
  rmdir --ignore-fail-on-non-empty /var/lib/kibana /etc/kibana 2>/dev/null || true
fi
if [ "$1" = purge ]; then
  if getent passwd kibana >/dev/null; then userdel kibana; fi
  if getent group kibana >/dev/null; then groupdel kibana; fi
fi
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null 2>&1 || true
fi
EOF
  build_deb "$root" "kibana_${version}_all.deb" "stand-in for Kibana $version"
}

# ---- filebeat
build_filebeat() {
  local root=$work/filebeat
  local home=$root/usr/share/filebeat
  local control_depends='python3, python3-yaml'  # Filebeat runs as root: no user, so no adduser
  mkdir -p "$root/DEBIAN" "$home/bin" "$home/standin" "$root/usr/bin" "$root/etc/filebeat/inputs.d" \
    "$root/usr/lib/systemd/system" "$root/var/lib/filebeat" "$root/var/log/filebeat"
  install -m 0644 "$here/filebeat_standin.py" "$home/standin/filebeat_standin.py"
  echo "$version" > "$home/standin/VERSION"

  # bin/filebeat runs the stand-in (python3 -B: no .pyc written); /usr/bin/filebeat, as in the vendor's package,
  # runs it with the paths that the unit passes
  cat > "$home/bin/filebeat" <<'WRAPPER'
#!/bin/sh
# bin/filebeat of the Filebeat stand-in package (tests of mlops.observability): runs the stand-in. Not Filebeat:
# it checks configs and serves a part of the HTTP endpoint; it reads, ships and keeps no log line.
exec python3 -B /usr/share/filebeat/standin/filebeat_standin.py "$@"
WRAPPER
  cat > "$root/usr/bin/filebeat" <<'WRAPPER'
#!/bin/sh
# filebeat of the Filebeat stand-in package: bin/filebeat with the paths that filebeat.service passes.
exec /usr/share/filebeat/bin/filebeat --path.home /usr/share/filebeat --path.config /etc/filebeat \
  --path.data /var/lib/filebeat --path.logs /var/log/filebeat "$@"
WRAPPER
  chmod 0755 "$home/bin/filebeat" "$root/usr/bin/filebeat"

  # /etc/filebeat: our own short filebeat.yml (the filebeat role renders it), writable by its owner only, as
  # Filebeat's strict.perms check wants; inputs.d/ for the files of filebeat.config.inputs
  cat > "$root/etc/filebeat/filebeat.yml" <<'CONFIG'
# filebeat.yml of the Filebeat stand-in package (tests of mlops.observability; not Filebeat). The settings the
# stand-in knows are listed in tests/standins/README.md of the collection.
filebeat.inputs:
  - type: filestream
    id: my-filestream-id
    enabled: false
    paths:
      - /var/log/*.log
filebeat.config.inputs:
  enabled: true
  path: ${path.config}/inputs.d/*.yml
  reload.enabled: false
output.elasticsearch:
  hosts: ["localhost:9200"]
CONFIG
  chmod 0600 "$root/etc/filebeat/filebeat.yml"
  chmod 0750 "$root/var/lib/filebeat" "$root/var/log/filebeat"

  # The unit, written from memory of the vendor's unit (not copied): root (no User=), the vendor's BEAT_*_OPTS
  # environment and ExecStart, Restart=always, no ExecReload (a SIGHUP stops Filebeat, it does not reload it)
  cat > "$root/usr/lib/systemd/system/filebeat.service" <<'UNIT'
# filebeat.service of the Filebeat stand-in package (tests of mlops.observability; not Filebeat).
# Directives written from memory of the vendor's unit, not copied from it.
[Unit]
Description=Filebeat stand-in (tests of mlops.observability; not Filebeat)
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
Environment="GODEBUG=madvdontneed=1"
Environment="BEAT_LOG_OPTS="
Environment="BEAT_CONFIG_OPTS=-c /etc/filebeat/filebeat.yml"
Environment="BEAT_PATH_OPTS=--path.home /usr/share/filebeat --path.config /etc/filebeat --path.data /var/lib/filebeat --path.logs /var/log/filebeat"
ExecStart=/usr/share/filebeat/bin/filebeat --environment systemd $BEAT_LOG_OPTS $BEAT_CONFIG_OPTS $BEAT_PATH_OPTS
Restart=always

[Install]
WantedBy=multi-user.target
UNIT

  write_control "$root" filebeat "$version" 'stand-in for Filebeat, for tests of mlops.observability; not Filebeat' \
    "A small Python program with the package name and file layout of Elastic's" \
    'filebeat package. It checks filebeat.yml and its inputs and serves a part of' \
    'the HTTP endpoint; it reads, ships and keeps no log line. Built at test time' \
    'by tests/standins/build-elastic-debs.sh.'
  printf '%s\n' /etc/filebeat/filebeat.yml > "$root/DEBIAN/conffiles"
  write_postinst "$root" '' '' < /dev/null  # no user to add (root): only the systemd reload
  write_prerm_postrm "$root" filebeat /var/lib/filebeat /var/log/filebeat
  build_deb "$root" "filebeat_${version}_all.deb" "stand-in for Filebeat $version"
}

for package in "${packages[@]}"; do
  "build_$package"
done
