#!/usr/bin/env bash
# A real Prometheus scraping our monitoring server: the pull half of the monitored design.
#
# MonitoringServerMain runs on loopback with its demo host (a monitoring client in the same JVM pushing a made-up
# web instance, demo-web-1, that answers ten requests a second). Prometheus scrapes the server's /metrics every
# second, with honor_labels: true as one configures a scrape of a Pushgateway (the pushed samples' own instance
# label is kept, instead of being renamed exported_instance). Through Prometheus's HTTP API the checks then ask:
#   up{job="foobar-monitoring"}                      1: the scrape succeeds, so the page is valid exposition
#   foobar_monitoring_host_up{host="demo-web"}       1: the server hears the demo host's pushes
#   foobar_http_requests_total{host="demo-web"}      the pushed counter, with the host label the server added
#
# Run from the repository root after `mvn package`. Loopback only; both processes are bounded in time
# (MonitoringServerMain --run-seconds, timeout around each) and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/interop/lib.sh
need java curl prometheus python3 timeout

jar=monitoring/target/monitoring-0.1.0-SNAPSHOT.jar
lib=monitoring/target/lib
[ -f "$jar" ] && [ -d "$lib" ] || fail "$jar or $lib is missing: run mvn package first"

work=$(mktemp -d)
pids=()
# running PID: the process exists and is not a zombie waiting to be reaped
running() { [ -r "/proc/$1/status" ] && ! grep -q '^State:.*zombie' "/proc/$1/status" 2>/dev/null; }
# stop_pid PID: SIGTERM, then SIGKILL if it is still running 10 s later
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do running "$pid" || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mon_port=$(free_port)
prom_port=$(free_port)
prom="http://127.0.0.1:$prom_port"

timeout 150 java -cp "$jar:$lib/*" org.foobarstack.monitoring.MonitoringServerMain --bind 127.0.0.1 \
  --port "$mon_port" --demo-host demo-web --demo-address 127.0.0.1 --run-seconds 120 >"$work/monitoring.log" 2>&1 &
mon_pid=$!
pids+=("$mon_pid")
wait_for_line "$work/monitoring.log" "monitoring http://127.0.0.1:$mon_port" 30 "$mon_pid"
echo "ok: monitoring server listening on 127.0.0.1:$mon_port"

cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: foobar-monitoring
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:$mon_port']
EOF
timeout 150 prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!
pids+=("$prom_pid")

ready=""
for ((i = 0; i < 300; i++)); do
  curl -fsS --max-time 2 -o /dev/null "$prom/-/ready" 2>/dev/null && { ready=yes; break; }
  running "$prom_pid" || { cat "$work/prometheus.log" >&2; fail "prometheus exited before it was ready"; }
  sleep 0.1
done
[ -n "$ready" ] || { cat "$work/prometheus.log" >&2; fail "prometheus not ready at $prom/-/ready within 30 s"; }
echo "ok: prometheus ready on 127.0.0.1:$prom_port"

# query_value PROMQL: the value of the query's first result, or nothing when it has none
query_value() {
  curl -sS --max-time 5 -G "$prom/api/v1/query" --data-urlencode "query=$1" 2>/dev/null | python3 -c '
import json, sys
try:
    data = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
results = data.get("data", {}).get("result", [])
if data.get("status") == "success" and results:
    print(results[0]["value"][1])'
}

# wait_query PROMQL WANT SECONDS WHAT: poll until the query's value is WANT ("any": any value at all), or fail.
wait_query() {
  local query=$1 want=$2 seconds=$3 what=$4 value="" i
  for ((i = 0; i < seconds * 2; i++)); do
    value=$(query_value "$query")
    if [ -n "$value" ] && { [ "$want" = any ] || [ "$value" = "$want" ]; }; then
      echo "ok: $what: $query = $value"
      return 0
    fi
    running "$mon_pid" || { cat "$work/monitoring.log" >&2; fail "the monitoring server exited"; }
    running "$prom_pid" || { cat "$work/prometheus.log" >&2; fail "prometheus exited"; }
    sleep 0.5
  done
  curl -sS --max-time 5 "$prom/api/v1/targets" >&2 || true
  fail "$what: $query is '${value:-no result}', not $want, after $seconds s"
}

wait_query 'up{job="foobar-monitoring"}' 1 30 "prometheus scrapes the monitoring server"
wait_query 'foobar_monitoring_host_up{host="demo-web"}' 1 30 "the demo host pushes"
wait_query 'foobar_http_requests_total{host="demo-web",instance="demo-web-1",code="200"}' any 30 \
  "a pushed counter reaches prometheus with its host label"
# the scrape would be 0 and the target's lastError set if the page were not valid exposition
health=$(curl -sS --max-time 5 "$prom/api/v1/targets" | python3 -c '
import json, sys
t = json.load(sys.stdin)["data"]["activeTargets"][0]
print(t["health"], repr(t["lastError"]))')
expect_contains "$health" "up ''" "the target's health, and no scrape error"
echo "prometheus interop: all checks passed"
