#!/usr/bin/env bash
# Start-up time and memory of the whole stack, as a user runs it: bin/foobar-stack, the README's command
# (`java -jar` with bin/jvm.options and a class data sharing archive).
#
#   [RAW=1] [RUNS=5] [JAVA_OPTS='...'] bench/startup/run.sh [LOAD_SECONDS]
#
# RAW=1 starts plain `java -jar launcher/target/foobar-stack.jar` instead, with the JVM's defaults.
#
# 1. first start on an empty data directory (creates the database, the certificate authority and the site),
#    timed from `java -jar` until the stack serves (the DNS, web and app ports accept and the DNS server answers
#    www.foobar.com), then until the database port accepts, then until GET /api/messages answers 200 (Derby
#    boots beside the other tiers, so its boot delays only the first request that needs it);
# 2. RUNS (default 5) more starts on the same data directory, each timed the same way (the everyday case) and
#    stopped again but the last; the figure is their median;
# 3. LOAD_SECONDS (default 30) of wrk load (static page and /api/messages, a real database read), then the
#    resident memory (VmRSS) and peak (VmHWM) of the JVM.
# Needs: java, wrk, dig, curl, python3. Bounded: every wait has a deadline; everything started is stopped.
# Writes bench/startup/results/<UTC time>.txt: the command, every start's time and the summary.
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
for tool in java wrk dig curl python3; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid 2>/dev/null; rm -rf "$work"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dns=$(port); http=$(port); https=$(port); app=$(port); db=$(port)

# now_ms: wall clock in milliseconds
now_ms() { date +%s%3N; }
accepts() { (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null; }

# start_and_time: starts the stack in the background (sets pid) and sets
#   elapsed     the milliseconds until the stack serves: the DNS, web (HTTP and HTTPS) and app ports accept and
#               the DNS server answers www.foobar.com (the figure the README quotes);
#   db_elapsed  the milliseconds until the database's port accepts too (Derby boots beside the other tiers);
#   api_elapsed the milliseconds until GET /api/messages answers 200: the first request that needs the database.
start_and_time() {
  local began=$(now_ms)
  $launch run --admin-port 0 --dns-port $dns --http-port $http --https-port $https --app-port $app --db-port $db \
    --data-dir "$work/data" >"$work/stack.log" 2>&1 &
  pid=$!
  local deadline=$((began + 120000))
  wait_port() {
    until accepts $1; do
      [ $(now_ms) -lt $deadline ] || { cat "$work/stack.log"; echo "port $1 never answered" >&2; exit 1; }
      kill -0 $pid 2>/dev/null || { cat "$work/stack.log"; exit 1; }
      sleep 0.01
    done
  }
  for p in $app $http $https $dns; do wait_port $p; done
  until dig @127.0.0.1 -p $dns +short +tries=1 +time=1 www.foobar.com A | grep -q 127.0.0.1; do
    [ $(now_ms) -lt $deadline ] || { echo "DNS never answered" >&2; exit 1; }
    sleep 0.01
  done
  elapsed=$(( $(now_ms) - began ))
  wait_port $db
  db_elapsed=$(( $(now_ms) - began ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$http/api/messages)" = 200 ]; do
    [ $(now_ms) -lt $deadline ] || { cat "$work/stack.log"; echo "/api/messages never answered 200" >&2; exit 1; }
    sleep 0.01
  done
  api_elapsed=$(( $(now_ms) - began ))
}

stop() { kill -TERM $pid; wait $pid || true; pid=""; }

runs=${RUNS:-5}
mkdir -p bench/startup/results
result=bench/startup/results/$(date -u +%Y%m%dT%H%M%SZ).txt
exec > >(tee "$result") 2>&1
echo "date: $(date -u +%FT%TZ); commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?');" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
start_and_time; first=$elapsed; first_db=$db_elapsed; first_api=$api_elapsed; stop
echo "start 1 (empty data directory): serving ${elapsed} ms, database port ${db_elapsed} ms, first /api/messages ${api_elapsed} ms"
seconds=(); dbs=(); apis=()
for i in $(seq 1 "$runs"); do
  start_and_time
  seconds+=("$elapsed"); dbs+=("$db_elapsed"); apis+=("$api_elapsed")
  echo "start $((i + 1)) (same data directory): serving ${elapsed} ms, database port ${db_elapsed} ms, first /api/messages ${api_elapsed} ms"
  if [ "$i" -lt "$runs" ]; then stop; fi
done
second=$(median "${seconds[@]}"); second_db=$(median "${dbs[@]}"); second_api=$(median "${apis[@]}")
curl -s -X POST -H 'Content-Type: application/json' -d '{"author":"bench","body":"hello"}' \
  http://127.0.0.1:$http/api/messages >/dev/null
wrk -t1 -c8 -d"$((load_seconds / 2))s" http://127.0.0.1:$http/ >"$work/wrk-static.txt"
wrk -t1 -c8 -d"$((load_seconds - load_seconds / 2))s" http://127.0.0.1:$http/api/messages >"$work/wrk-api.txt"
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm_kb=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
static_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-static.txt")
api_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk-api.txt")
stop

echo "command:        RAW=${RAW:-0} RUNS=$runs JAVA_OPTS='${JAVA_OPTS:-}' bench/startup/run.sh $load_seconds   (java: $(java -version 2>&1 | head -1))"
echo "started with:   $launch"
echo "first start:    serving ${first} ms, database port ${first_db} ms, first /api/messages ${first_api} ms  (empty data directory: creates database, CA, site)"
echo "second start:   serving ${second} ms (same data directory; median of $runs: ${seconds[*]} ms)"
echo "                database port ${second_db} ms (median of: ${dbs[*]} ms)"
echo "                first /api/messages ${second_api} ms (median of: ${apis[*]} ms)"
echo "after ${load_seconds} s of load (static ${static_rps} req/s, /api/messages ${api_rps} req/s):"
echo "  resident:     $((rss_kb / 1024)) MB (VmRSS), peak $((hwm_kb / 1024)) MB (VmHWM)"
