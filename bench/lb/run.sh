#!/usr/bin/env bash
# Benchmark: our load balancer against HAProxy, each in front of the same two nginx backends serving a 1 KiB
# file, with wrk over loopback, in alternating rounds. Prints requests/s and p99 for both and the ratio ours/HAProxy,
# and writes everything (command, versions, raw wrk output) to bench/lb/results/<time>.txt.
#
#   bench/lb/run.sh                 # after `mvn package`; DURATION=10s CONNECTIONS=32 WRK_THREADS=1 ROUNDS=3
#   LB_THREADS=1 bench/lb/run.sh    # both balancers on one thread (default: 2, one per core, HAProxy's default)
#   TRACE=off bench/lb/run.sh       # ours without recording hops (on by default, as the stack runs it)
#   JIT_QUIET=20 (default): after WARMUP, ours is kept under load in 5 s slices (at most 36) until HotSpot compiles
#   fewer than JIT_QUIET methods in one (jstat -compiler); HAProxy is compiled ahead of time, and a JVM whose
#   compiler threads still take a core on a 2-core machine would be measured mid-warm-up. JIT_QUIET=0 skips it.
#
# Both balancers: one process, roundrobin over the same two servers, HTTP health checks every 2 s, keep-alive to
# the servers, X-Forwarded-For and an X-Backend-Server response header added. Ours also adds Forwarded, Via and
# traceparent (HAProxy 2.6 cannot add Forwarded). HAProxy logs nothing; ours logs nothing per request.
# Ours runs with the JVM options the stack ships with (bin/jvm.options). Everything stops by itself.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
JAR="$ROOT_DIR/load-balancer/target/load-balancer-0.1.0-SNAPSHOT.jar"
LIB="$ROOT_DIR/load-balancer/target/lib"
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-15s}
CONNECTIONS=${CONNECTIONS:-32}
WRK_THREADS=${WRK_THREADS:-1}
ROUNDS=${ROUNDS:-3}
LB_THREADS=${LB_THREADS:-2}
TRACE=${TRACE:-on}
JIT_QUIET=${JIT_QUIET:-20}

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in wrk nginx haproxy java curl; do command -v "$tool" >/dev/null || fail "$tool is missing"; done
[[ -f "$JAR" && -d "$LIB" ]] || fail "run 'mvn package' first"
mapfile -t JAVA_OPTIONS < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
  "$ROOT_DIR/bin/jvm.options")

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULT="$ROOT_DIR/bench/lb/results/$STAMP.txt"
log() { echo "$*" | tee -a "$RESULT"; }
: > "$RESULT"
log "# bench/lb/run.sh at $STAMP"
log "# command: DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS WRK_THREADS=$WRK_THREADS ROUNDS=$ROUNDS LB_THREADS=$LB_THREADS TRACE=$TRACE JIT_QUIET=$JIT_QUIET bench/lb/run.sh"
log "# $(haproxy -v | head -1)"
log "# $(nginx -v 2>&1)"
log "# $(java -version 2>&1 | head -1); machine: $(nproc) cores"

wait_http() {  # url what
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "$2 did not answer at $1"
}

# ---- two nginx backends, one worker each, on addresses of their own
BACKEND_PORT=18081
mkdir -p "$WORK/www"
chmod 755 "$WORK" "$WORK/www"
head -c 1024 /dev/urandom > "$WORK/www/1k.bin"
chmod 644 "$WORK/www/1k.bin"
for n in 1 2; do
  mkdir -p "$WORK/nginx$n/logs"
  cat > "$WORK/nginx$n/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $WORK/nginx$n/logs/error.log warn;
pid $WORK/nginx$n/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.6$n:$BACKEND_PORT;
    root $WORK/www;
    location = /health { return 200 "ok\n"; }
  }
}
CONF
  nginx -c "$WORK/nginx$n/nginx.conf" -p "$WORK/nginx$n" &
  PIDS+=($!)
  wait_http "http://127.0.0.6$n:$BACKEND_PORT/health" "nginx backend $n"
done

# ---- HAProxy on 127.0.0.71
cat > "$WORK/haproxy.cfg" <<CONF
global
  nbthread $LB_THREADS
  maxconn 4000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 10s
  retries 3
  option redispatch
frontend http-in
  bind 127.0.0.71:8080
  option forwardfor
  default_backend servers
backend servers
  balance roundrobin
  option httpchk GET /health
  http-response set-header X-Backend-Server %s
  default-server inter 2s rise 2 fall 3
  server web-1 127.0.0.61:$BACKEND_PORT check
  server web-2 127.0.0.62:$BACKEND_PORT check
CONF
haproxy -f "$WORK/haproxy.cfg" -db &
PIDS+=($!)
wait_http "http://127.0.0.71:8080/1k.bin" "HAProxy"

# ---- ours on 127.0.0.72
TRACE_FLAG=()
[[ "$TRACE" == off ]] && TRACE_FLAG=(--no-trace)
java "${JAVA_OPTIONS[@]}" -cp "$JAR:$LIB/*" org.foobarstack.lb.LoadBalancerMain --bind 127.0.0.72 --port 8080 \
  --stats-port -1 --threads "$LB_THREADS" --server "web-1=127.0.0.61:$BACKEND_PORT" \
  --server "web-2=127.0.0.62:$BACKEND_PORT" "${TRACE_FLAG[@]}" > "$WORK/ours.log" 2>&1 &
OURS_PID=$!
PIDS+=($OURS_PID)
wait_http "http://127.0.0.72:8080/1k.bin" "our load balancer"

# both answer through both servers
for url in http://127.0.0.71:8080/1k.bin http://127.0.0.72:8080/1k.bin; do
  servers=$(for _ in 1 2 3 4; do curl -s -o /dev/null -D - "$url" | tr -d '\r' | grep -i '^x-backend-server' ; done | sort -u | wc -l)
  [[ "$servers" == 2 ]] || fail "$url did not alternate between the two servers"
done

run_wrk() {  # url duration -> raw output
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$2" --latency "$1" 2>&1
}
rps() { awk '/^Requests\/sec/ {print $2}'; }
p99() { awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}'; }

log "# warm-up: $WARMUP each (ours compiles its hot paths meanwhile)"
run_wrk http://127.0.0.71:8080/1k.bin "$WARMUP" > /dev/null
run_wrk http://127.0.0.72:8080/1k.bin "$WARMUP" > /dev/null
if [[ "$JIT_QUIET" -gt 0 ]]; then
  command -v jstat >/dev/null || fail "jstat (from the JDK) tells when the JIT is done; JIT_QUIET=0 skips it"
  compiled() { jstat -compiler "$OURS_PID" 2>/dev/null | awk 'NR == 2 {print $1}'; }
  before=$(compiled)
  for slice in $(seq 1 36); do
    run_wrk http://127.0.0.72:8080/1k.bin 5s > /dev/null
    after=$(compiled)
    if [[ $((after - before)) -lt "$JIT_QUIET" ]]; then
      log "# JIT quiet after $slice more 5 s slices: $((after - before)) methods compiled in the last one"
      break
    fi
    before=$after
  done
fi

declare -a OURS_RPS HAP_RPS OURS_P99 HAP_P99 RATIOS
for round in $(seq 1 "$ROUNDS"); do
  for who in haproxy ours; do
    url=http://127.0.0.71:8080/1k.bin
    [[ $who == ours ]] && url=http://127.0.0.72:8080/1k.bin
    out=$(run_wrk "$url" "$DURATION")
    { echo "## round $round: $who ($url)"; echo "$out"; } >> "$RESULT"
    r=$(echo "$out" | rps); p=$(echo "$out" | p99)
    if [[ $who == haproxy ]]; then HAP_RPS+=("$r"); HAP_P99+=("$p"); else OURS_RPS+=("$r"); OURS_P99+=("$p"); fi
  done
  ratio=$(awk -v o="${OURS_RPS[-1]}" -v h="${HAP_RPS[-1]}" 'BEGIN {printf "%.2f", o/h}')
  RATIOS+=("$ratio")
  log "round $round: HAProxy ${HAP_RPS[-1]} req/s (p99 ${HAP_P99[-1]} ms), ours ${OURS_RPS[-1]} req/s (p99 ${OURS_P99[-1]} ms): ${ratio}x"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
log "median: HAProxy $(median "${HAP_RPS[@]}") req/s p99 $(median "${HAP_P99[@]}") ms; ours $(median "${OURS_RPS[@]}") req/s p99 $(median "${OURS_P99[@]}") ms"
log "median ratio ours/HAProxy (requests/s): $(median "${RATIOS[@]}")x; p99 ours/HAProxy: $(awk -v o="$(median "${OURS_P99[@]}")" -v h="$(median "${HAP_P99[@]}")" 'BEGIN {printf "%.2f", o/h}')x"
log "# result file: ${RESULT#$ROOT_DIR/}"
