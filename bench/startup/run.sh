#!/usr/bin/env bash
# Start-up time and memory of the whole stack, as a user runs it: bin/foobar-stack, the README's command
# (`java -jar` with bin/jvm.options and a class data sharing archive).
#
#   [RAW=1] [JAVA_OPTS='...'] bench/startup/run.sh [LOAD_SECONDS]
#
# RAW=1 starts plain `java -jar launcher/target/foobar-stack.jar` instead, with the JVM's defaults.
#
# 1. first start on an empty data directory (creates the database, the certificate authority and the site),
#    timed from `java -jar` until every TCP port accepts and the DNS server answers;
# 2. second start on the same data directory, timed the same way (the everyday case);
# 3. LOAD_SECONDS (default 30) of wrk load (static page and /api/messages, a real database read), then the
#    resident memory (VmRSS) and peak (VmHWM) of the JVM.
# Needs: java, wrk, dig, python3. Bounded: every wait has a deadline; everything started is stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
load_seconds=${1:-30}
jar=launcher/target/foobar-stack.jar
[ -f "$jar" ] || { echo "build first: mvn -q -DskipTests package" >&2; exit 1; }
if [ "${RAW:-0}" = 1 ]; then
  launch="java ${JAVA_OPTS:-} -jar $jar"
else
  launch="bin/foobar-stack"   # reads JAVA_OPTS itself
fi
for tool in java wrk dig python3; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid 2>/dev/null; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dns=$(port); http=$(port); https=$(port); app=$(port); db=$(port)

# now_ms: wall clock in milliseconds
now_ms() { date +%s%3N; }
accepts() { (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; }

# start_and_time: starts the stack in the background (sets pid) and sets elapsed to the milliseconds it took
start_and_time() {
  local began=$(now_ms)
  $launch run --admin-port 0 --dns-port $dns --http-port $http --https-port $https --app-port $app --db-port $db \
    --data-dir "$work/data" >"$work/stack.log" 2>&1 &
  pid=$!
  local deadline=$((began + 120000))
  for p in $db $app $http $https $dns; do
    until accepts $p; do
      [ $(now_ms) -lt $deadline ] || { cat "$work/stack.log"; echo "port $p never answered" >&2; exit 1; }
      kill -0 $pid 2>/dev/null || { cat "$work/stack.log"; exit 1; }
      sleep 0.01
    done
  done
  until dig @127.0.0.1 -p $dns +short +tries=1 +time=1 www.foobar.com A | grep -q 127.0.0.1; do
    [ $(now_ms) -lt $deadline ] || { echo "DNS never answered" >&2; exit 1; }
    sleep 0.01
  done
  elapsed=$(( $(now_ms) - began ))
}

stop() { kill -TERM $pid; wait $pid || true; pid=""; }

start_and_time; first=$elapsed; stop
start_and_time; second=$elapsed
curl -s -X POST -H 'Content-Type: application/json' -d '{"author":"bench","body":"hello"}' \
  http://127.0.0.1:$http/api/messages >/dev/null
wrk -t1 -c8 -d"$((load_seconds / 2))s" http://127.0.0.1:$http/ >"$work/wrk-static.txt"
wrk -t1 -c8 -d"$((load_seconds - load_seconds / 2))s" http://127.0.0.1:$http/api/messages >"$work/wrk-api.txt"
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
static_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-static.txt")
api_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-api.txt")
stop

echo "command:        RAW=${RAW:-0} JAVA_OPTS='${JAVA_OPTS:-}' bench/startup/run.sh $load_seconds   (java: $(java -version 2>&1 | head -1))"
echo "started with:   $launch"
echo "first start:    ${first} ms  (empty data directory: creates database, CA, site)"
echo "second start:   ${second} ms (same data directory)"
echo "after ${load_seconds} s of load (static ${static_rps} req/s, /api/messages ${api_rps} req/s):"
echo "  resident:     $((rss_kb / 1024)) MB (VmRSS), peak $((hwm_kb / 1024)) MB (VmHWM)"
