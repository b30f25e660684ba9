#!/usr/bin/env bash
# What a restart of the receiver costs the rsyslog shipping path, by transport: Debian's rsyslog on both ends, on
# this machine's loopback, over TLS (a CA made for the run). A writer appends N numbered JSON lines to a file at
# RATE lines a second; a shipper rsyslogd reads it with imfile and sends it, through a disk-assisted action queue
# with no retry limit (as the rsyslog_shipper role does), to a receiver rsyslogd, which is stopped (SIGTERM) and
# started again RESTARTS times while the lines flow. Then it counts what the receiver wrote: lines missing, lines
# received twice, and whether they arrived in order. Transports:
#   tcp   omfwd to imtcp, plain TCP syslog (octet-stuffed lines), the path the role uses to Logstash's TCP input
#   relp  omrelp to imrelp, RELP (application-level acknowledgements; Debian's package rsyslog-relp)
# Prints figures and asserts nothing. Needs root for the packages, which it installs when they are missing.
# Usage: benchmarks/receiver_restart.sh [N [RATE [RESTARTS]]]   (default 20000 2000 3)
set -euo pipefail
n=${1:-20000} rate=${2:-2000} restarts=${3:-3}
missing=()
for p in rsyslog rsyslog-gnutls rsyslog-relp; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq "${missing[@]}" >/dev/null
work=$(mktemp -d)
trap 'pkill -f "rsyslogd -n -f $work" || true; rm -rf "$work"' EXIT
cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -subj /CN=bench-ca -days 1 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > tls.ext
openssl x509 -req -in tls.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out tls.crt -days 1 -extfile tls.ext 2>/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tls="defaultNetstreamDriverCAFile=\"$work/ca.crt\" defaultNetstreamDriverCertFile=\"$work/tls.crt\" defaultNetstreamDriverKeyFile=\"$work/tls.key\""
relp_tls="tls=\"on\" tls.caCert=\"$work/ca.crt\" tls.myCert=\"$work/tls.crt\" tls.myPrivKey=\"$work/tls.key\" tls.authMode=\"name\" tls.permittedPeer=[\"localhost\"]"

# configs MODE: the shipper's and the receiver's rsyslog.conf for one transport
configs() {
  local modules="" out line input
  if [ "$1" = relp ]; then
    modules='module(load="omrelp")'
    out="action(type=\"omrelp\" target=\"127.0.0.1\" port=\"$port\" $relp_tls template=\"line\""
    line='%msg%'
    input="module(load=\"imrelp\")
input(type=\"imrelp\" port=\"$port\" $relp_tls ruleset=\"receive\")"
  else
    out="action(type=\"omfwd\" target=\"127.0.0.1\" port=\"$port\" protocol=\"tcp\" streamDriver=\"gtls\" streamDriverMode=\"1\"
       streamDriverAuthMode=\"x509/name\" streamDriverPermittedPeers=\"localhost\" template=\"line\""
    line='%msg%\n'
    input="module(load=\"imtcp\" streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.authMode=\"x509/name\" permittedPeer=[\"localhost\"])
input(type=\"imtcp\" port=\"$port\" ruleset=\"receive\")"
  fi
  mkdir -p "$work/$1/shipper" "$work/$1/receiver"
  cat > "$work/$1/shipper.conf" <<EOF
global(workDirectory="$work/$1/shipper" defaultNetstreamDriver="gtls" $tls)
module(load="imfile" mode="inotify")
$modules
template(name="line" type="string" string="$line")
ruleset(name="ship") {
  $out
         queue.type="LinkedList" queue.filename="ship" queue.saveOnShutdown="on"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
input(type="imfile" file="$work/$1/written.log" tag="bench" ruleset="ship" addMetadata="off" freshStartTail="off")
EOF
  cat > "$work/$1/receiver.conf" <<EOF
global(workDirectory="$work/$1/receiver" $tls)
template(name="raw" type="string" string="%rawmsg%\n")
ruleset(name="receive") { action(type="omfile" file="$work/$1/received.log" template="raw") }
$input
EOF
  touch "$work/$1/written.log"
  for conf in shipper receiver; do
    rsyslogd -N1 -f "$work/$1/$conf.conf" > "$work/$1/$conf.check" 2>&1 || { cat "$work/$1/$conf.check" >&2; return 1; }
  done
}

# run MODE: the lines, the restarts, the counts
run() {
  local d=$work/$1 receiver shipper writer
  configs "$1"
  rsyslogd -n -f "$d/receiver.conf" -i "$d/receiver.pid" 2>> "$d/receiver.err" & receiver=$!
  sleep 1
  rsyslogd -n -f "$d/shipper.conf" -i "$d/shipper.pid" 2>> "$d/shipper.err" & shipper=$!
  sleep 1
  python3 - "$d/written.log" "$n" "$rate" <<'EOF' & writer=$!
import sys, time
path, n, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
start = time.monotonic()
with open(path, "a", buffering=1) as log:
    for i in range(1, n + 1):
        log.write('{"seq": %d, "pad": "%s"}\n' % (i, "x" * 300))
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
EOF
  for _ in $(seq "$restarts"); do
    sleep "$(python3 -c "print($n / $rate / ($restarts + 1))")"
    kill -TERM "$receiver"; wait "$receiver" || true
    rsyslogd -n -f "$d/receiver.conf" -i "$d/receiver.pid" 2>> "$d/receiver.err" & receiver=$!
  done
  wait "$writer"
  # until the receiver has every line, or its count stays still for 5 s
  local last=-1 still=0 now
  while :; do
    now=$(wc -l < "$d/received.log")
    [ "$now" -ge "$n" ] && sleep 3 && break
    if [ "$now" = "$last" ]; then still=$((still + 1)); [ $still -ge 5 ] && break; else still=0; fi
    last=$now; sleep 1
  done
  kill "$shipper" "$receiver"; wait "$shipper" "$receiver" || true
  python3 - "$1" "$d/received.log" "$n" "$restarts" <<'EOF'
import json, sys
mode, path, n, restarts = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
seqs = [json.loads(line)["seq"] for line in open(path) if line.strip()]
missing = sorted(set(range(1, n + 1)) - set(seqs))
print(f"{mode}: {len(seqs)} lines received of {n} written, {restarts} receiver restarts: "
      f"{len(missing)} missing, {len(seqs) - len(set(seqs))} received twice, "
      f"in order: {all(a < b for a, b in zip(seqs, seqs[1:]))}"
      + (f" (first missing: {missing[:5]})" if missing else ""))
EOF
}

echo "receiver restarts: $n lines at $rate lines/s, TLS on loopback, Debian's rsyslog $(dpkg-query -W -f '${Version}' rsyslog)"
run tcp
run relp
