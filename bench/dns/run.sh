#!/usr/bin/env bash
# Queries per second of our DNS server against NSD, same zone, same machine, one after the other.
#
# Usage: bench/dns/run.sh [seconds-per-run]   (default 10; run after `mvn package`)
#        CP_FILE=/tmp/dns.cp bench/dns/run.sh 6   (use that classpath file and the jar built already)
#        ROUNDS=5 CLIENTS=8 WARMUP=5              (rounds, dnsperf clients, warm-up seconds)
#
# Both servers serve dns-server/src/test/resources/zones-lab/foobar.com.zone on free loopback
# ports. dnsperf replays bench/dns/queries.txt (mixed names and types: answers, NXDOMAIN, NODATA,
# CNAME chains, wildcards, referrals, REFUSED) over UDP, then over TCP, against each server. Each
# measured run is preceded by a short warm-up run (the JVM compiles the hot path; NSD gets the
# same). Our query log is switched off (logger level WARN), as NSD logs no queries by default.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SECONDS_PER_RUN=${1:-10}
CLIENTS=${CLIENTS:-8}
WARMUP=${WARMUP:-5}

fail() { echo "dns bench: FAIL: $*" >&2; exit 1; }
for tool in java mvn nsd dnsperf dig python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "required tool '$tool' is missing"
done

WORK=$(mktemp -d /tmp/dns-bench.XXXXXX)
OUR_PIDS=()
NSD_PID=""
cleanup() {
  for pid in "${OUR_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [[ -n "$NSD_PID" ]] && kill "$NSD_PID" 2>/dev/null && wait "$NSD_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c '
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        t.close(); u.close()'
}
wait_dns() {
  for _ in $(seq 1 100); do
    dig @127.0.0.1 -p "$1" +time=1 +tries=1 foobar.com SOA 2>/dev/null | grep -q 'status: NOERROR' && return 0
    sleep 0.2
  done
  fail "$2 did not answer on port $1"
}

JAR=$(ls "$ROOT"/dns-server/target/dns-server-*.jar 2>/dev/null | head -1 || true)
[[ -n "$JAR" ]] || fail "run 'mvn package' first"
if [[ -n "${CP_FILE:-}" ]]; then
  # The classpath of a build made already (mvn -pl dns-server package dependency:build-classpath
  # -Dmdep.outputFile=FILE): measure that jar as it is, without building again.
  cp "$CP_FILE" "$WORK/cp.txt"
else
  (cd "$ROOT" && { mvn -q -o -pl dns-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null 2>&1 \
      || mvn -q -pl dns-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >/dev/null; })
fi
mkdir -p "$WORK/zones" "$WORK/nsd"
cp "$ROOT/dns-server/src/test/resources/zones-lab/foobar.com.zone" "$WORK/zones/"
cp "$ROOT/dns-server/src/test/resources/zones-lab/foobar.com.zone" "$WORK/nsd/"

CP="$JAR:$(cat "$WORK/cp.txt")"
# Two instances of ours: Java NIO (--nio), and Linux's native epoll transport (the default where it loads;
# --native makes the choice explicit, and a server that cannot load it says so in its log).
NIO_PORT=$(free_port)
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.foobarstack.dns.DnsServerMain \
  --port "$NIO_PORT" --zones "$WORK/zones" --nio > "$WORK/ours-nio.log" 2>&1 &
OUR_PIDS=($!)
NATIVE_PORT=$(free_port)
while [[ "$NATIVE_PORT" == "$NIO_PORT" ]]; do NATIVE_PORT=$(free_port); done
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.foobarstack.dns.DnsServerMain \
  --port "$NATIVE_PORT" --zones "$WORK/zones" --native > "$WORK/ours-native.log" 2>&1 &
OUR_PIDS+=($!)
NSD_PORT=$(free_port)
while [[ "$NSD_PORT" == "$NIO_PORT" || "$NSD_PORT" == "$NATIVE_PORT" ]]; do NSD_PORT=$(free_port); done
cat > "$WORK/nsd/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$NSD_PORT
  username: ""
  zonesdir: "$WORK/nsd"
  pidfile: "$WORK/nsd/nsd.pid"
  database: ""
  xfrdfile: "$WORK/nsd/xfrd.state"
  xfrdir: "$WORK/nsd"
  zonelistfile: "$WORK/nsd/zone.list"
  logfile: "$WORK/nsd/nsd.log"
  server-count: 1
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: foobar.com
  zonefile: "foobar.com.zone"
CONF
nsd -d -c "$WORK/nsd/nsd.conf" > "$WORK/nsd/stdout.log" 2>&1 &
NSD_PID=$!
wait_dns "$NIO_PORT" "our server (NIO)"
wait_dns "$NATIVE_PORT" "our server (native)"
wait_dns "$NSD_PORT" "nsd"

# A process and all its descendants (nsd -d forks: xfrd, then main, then the server process).
family() {
  local child
  echo "$1"
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do family "$child"; done
}
# CPU time (clock ticks) used so far by a process and its descendants.
cpu_ticks() {
  local total=0 pid
  for pid in $(family "$1"); do
    # utime + stime, fields 14 and 15; the command name before them may contain spaces.
    [[ -r /proc/$pid/stat ]] && total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}
# measure PID PORT MODE SECONDS -> "qps cpu-microseconds-per-query"
measure() {
  local before after out
  before=$(cpu_ticks "$1")
  out=$(dnsperf -s 127.0.0.1 -p "$2" -m "$3" -d "$ROOT/bench/dns/queries.txt" -c "$CLIENTS" -l "$4" -q 500 2>&1)
  after=$(cpu_ticks "$1")
  echo "$out" >> "$WORK/dnsperf.log"
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /Queries completed/ { n = $3 } /Queries per second/ { q = $4 }
    END { if (q != "") printf "%s %.1f\n", q, (n > 0 ? ticks * 1000000 / hz / n : 0) }' <<<"$out"
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

ROUNDS=${ROUNDS:-3}
declare -A MED MEDCPU
echo "dns bench: load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dns bench: dnsperf -m {udp,tcp} -c $CLIENTS -q 500 -l $SECONDS_PER_RUN -d bench/dns/queries.txt ($(wc -l < "$ROOT/bench/dns/queries.txt") names/types), $(nproc) cores, $ROUNDS rounds, median qps"
declare -A RUNS CPU
for mode in udp tcp; do
  for round in $(seq 1 "$ROUNDS"); do
    # Interleaved, so that load from anything else on the machine hits every server alike.
    for who in nio native nsd; do
      case $who in
        nio) port=$NIO_PORT pid=${OUR_PIDS[0]} ;;
        native) port=$NATIVE_PORT pid=${OUR_PIDS[1]} ;;
        nsd) port=$NSD_PORT pid=$NSD_PID ;;
      esac
      [[ $round == 1 ]] && measure "$pid" "$port" "$mode" "$WARMUP" > /dev/null
      read -r figure cpu < <(measure "$pid" "$port" "$mode" "$SECONDS_PER_RUN")
      [[ -n "${figure:-}" ]] || fail "dnsperf gave no figure for $who $mode; log: $(tail -20 "$WORK/dnsperf.log")"
      RUNS[$who-$mode]="${RUNS[$who-$mode]:-} $figure"
      CPU[$who-$mode]="${CPU[$who-$mode]:-} $cpu"
    done
  done
  for who in nio native nsd; do
    MED[$who]=$(tr ' ' '\n' <<<"${RUNS[$who-$mode]}" | grep . | median)
    MEDCPU[$who]=$(tr ' ' '\n' <<<"${CPU[$who-$mode]}" | grep . | median)
  done
  printf 'dns bench: %s  nsd %7.0f qps | ours --nio %7.0f qps = %s x nsd | ours epoll (default) %7.0f qps = %s x nsd\n' \
    "$mode" "${MED[nsd]}" "${MED[nio]}" "$(ratio "${MED[nio]}" "${MED[nsd]}")" "${MED[native]}" "$(ratio "${MED[native]}" "${MED[nsd]}")"
  printf 'dns bench: %s  server CPU per query: nsd %s us | ours --nio %s us | ours epoll (default) %s us\n' \
    "$mode" "${MEDCPU[nsd]}" "${MEDCPU[nio]}" "${MEDCPU[native]}"
  echo "dns bench: $mode all runs (qps): nsd${RUNS[nsd-$mode]} | nio${RUNS[nio-$mode]} | native${RUNS[native-$mode]}"
done
grep -h -E 'Queries lost' "$WORK/dnsperf.log" | sort | uniq -c | sed 's/^/dns bench: /'
echo "dns bench: load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
