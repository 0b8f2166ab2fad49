#!/usr/bin/env bash
# The walking skeleton with real clients: the stack started as the README starts it (bin/foobar-stack), then dig
# and curl walk www.foobar.com through all four tiers, the stack is stopped by its PID and started again, and the
# message posted before the restart is still there. The first stop writes the class data sharing archive; the
# restart must be able to use it (-Xshare:on makes the JVM refuse to start otherwise).
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/interop/lib.sh
need java dig curl python3

jar=launcher/target/foobar-stack.jar
[ -f "$jar" ] || fail "$jar is missing: run mvn package first"
work=$(mktemp -d)
pid=""
stop_stack() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  pid=""
}
trap 'stop_stack; rm -rf "$work"' EXIT

dns_port=$(free_port); http_port=$(free_port); https_port=$(free_port); app_port=$(free_port); db_port=$(free_port)
start_stack() {
  bin/foobar-stack run --dns-port "$dns_port" --http-port "$http_port" --https-port "$https_port" \
    --app-port "$app_port" --db-port "$db_port" --data-dir "$work/data" >"$work/stack.log" 2>&1 &
  pid=$!
  wait_for_line "$work/stack.log" "foobar-stack is up" 60 "$pid"
}

start_stack
cat "$work/stack.log"

out=$(dig @127.0.0.1 -p "$dns_port" www.foobar.com A +norecurse)
expect_contains "$out" "status: NOERROR" "dig: NOERROR for www.foobar.com"
echo "$out" | grep -E '^;; flags:.* aa[ ;]' >/dev/null || fail "dig: the aa flag is not set"
echo "ok: dig: aa flag"
echo "$out" | grep -E '^www\.foobar\.com\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+127\.0\.0\.1' >/dev/null \
  || { echo "$out"; fail "dig: no A record 127.0.0.1 for www.foobar.com"; }
echo "ok: dig: www.foobar.com A 127.0.0.1"

home=$(curl -sS --max-time 10 "http://127.0.0.1:$http_port/")
expect_contains "$home" "foobar.com" "curl: home page"
expect_contains "$home" "guestbook" "curl: home page has the guestbook"

marker="hi-$RANDOM-$RANDOM"
code=$(curl -sS --max-time 10 -o "$work/post.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d "{\"author\":\"ada\",\"body\":\"$marker\"}" "http://127.0.0.1:$http_port/api/messages")
[ "$code" = 201 ] || { cat "$work/post.json"; fail "POST /api/messages answered $code, not 201"; }
expect_contains "$(cat "$work/post.json")" "$marker" "curl: POST answered 201 with the stored message"
list=$(curl -sS --max-time 10 "http://127.0.0.1:$http_port/api/messages")
expect_contains "$list" "$marker" "curl: GET /api/messages lists the message"

echo "-- restart"
stop_stack
grep -q "foobar-stack stopped" "$work/stack.log" || fail "SIGTERM did not stop the stack cleanly"
echo "ok: SIGTERM stopped the stack cleanly"
[ -s launcher/target/foobar-stack.jsa ] || fail "the first stop did not write launcher/target/foobar-stack.jsa"
echo "ok: the first stop wrote the class data sharing archive"
JAVA_OPTS="-Xshare:on" start_stack
echo "ok: the restart maps the class data sharing archive"
list=$(curl -sS --max-time 10 "http://127.0.0.1:$http_port/api/messages")
expect_contains "$list" "$marker" "curl: the message survived a restart"
stop_stack
echo "stack interop: all checks passed"
