#!/usr/bin/env bash
# The admin dashboard in a real browser, against the whole stack: the stack is started from the launcher's jar,
# `walk` sends one request through every tier (its trace id rides in the DNS query's EDNS option and in the
# HTTP traceparent header), and headless Chromium opens the dashboard on that request, steps to a later hop,
# and must show the request in the list, a waterfall with DNS, web and app hops, and the selected hop's fields.
# Everything runs in a loopback-only network namespace; screenshots go to launcher/target/screenshots/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. .ci/interop/lib.sh

if [[ -z "${FOOBAR_IN_NETNS:-}" ]]; then
  need unshare
  exec unshare -rn env FOOBAR_IN_NETNS=1 bash "$0" "$@"
fi
need ip java chromium
ip link set lo up

jar=launcher/target/foobar-stack.jar
[ -f "$jar" ] || fail "$jar is missing: run mvn package first"
shots="$root/launcher/target/screenshots"
mkdir -p "$shots"
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The namespace is private: the default ports are free.
java -jar "$jar" run --data-dir "$work/data" >"$work/stack.log" 2>&1 &
pid=$!
wait_for_line "$work/stack.log" "foobar-stack is up" 90 "$pid"

walk=$(java -jar "$jar" walk --trace-api http://127.0.0.1:9090 -X POST -H 'Content-Type: application/json' \
  -d '{"author":"dashboard","body":"seen in the browser"}' http://www.foobar.com:8080/api/messages)
trace=$(printf '%s\n' "$walk" | sed -n 's/^  trace \([0-9a-f]\{32\}\).*/\1/p' | head -1)
[ -n "$trace" ] || { printf '%s\n' "$walk"; fail "walk printed no trace id"; }
expect_contains "$walk" "dns/dns-1  DNS received" "walk: the DNS server's hop is in the trace"
expect_contains "$walk" "app/app-1  SQL sent" "walk: the SQL hop is in the trace"

browser() {   # browser URL ARGS... : headless Chromium with a fresh profile, nothing in the background
  local url=$1; shift
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d -p "$work")" --window-size=1400,1000 --virtual-time-budget=6000 \
    "$@" "$url" 2>>"$work/chromium.log"
}

# The dashboard opened on the request, first hop selected (hop numbers in the link count from 1).
dom=$(browser "http://127.0.0.1:9090/#trace=$trace&hop=1" --dump-dom)
expect_contains "$dom" "data-trace-id=\"$trace\"" "dashboard: the request is in the recent list"
expect_contains "$dom" 'data-tier="dns"' "dashboard: the waterfall has the DNS server's hop"
expect_contains "$dom" 'data-tier="web"' "dashboard: the waterfall has web hops"
expect_contains "$dom" 'data-tier="app"' "dashboard: the waterfall has app hops"
expect_contains "$dom" 'id="hop-detail"' "dashboard: a hop is shown in detail"
printf '%s' "$dom" | grep -Eq 'id="hop-detail"[^>]*data-hop-index="0"|data-hop-index="0"[^>]*id="hop-detail"' \
  || fail "dashboard: hop 0 is not the selected hop"
expect_contains "$dom" 'data-field-name=' "dashboard: the selected hop shows its decoded fields"

# Stepping: the same request at a later hop.
hops=$(printf '%s' "$dom" | grep -o 'class="hop[^"]*"[^>]*data-hop-index="[0-9]*"' | wc -l)
[ "$hops" -gt 1 ] || fail "dashboard: only $hops hop in the waterfall"
last=$((hops - 1))
dom_last=$(browser "http://127.0.0.1:9090/#trace=$trace&hop=$hops" --dump-dom)
printf '%s' "$dom_last" | grep -Eq "id=\"hop-detail\"[^>]*data-hop-index=\"$last\"|data-hop-index=\"$last\"[^>]*id=\"hop-detail\"" \
  || fail "dashboard: stepping to hop $last did not select it"
echo "ok: dashboard: stepped to the last hop ($hops of $hops)"

browser "http://127.0.0.1:9090/#trace=$trace&hop=1" --screenshot="$shots/dashboard-first-hop.png" >/dev/null
browser "http://127.0.0.1:9090/#trace=$trace&hop=$hops" --screenshot="$shots/dashboard-last-hop.png" >/dev/null
[ -s "$shots/dashboard-first-hop.png" ] && [ -s "$shots/dashboard-last-hop.png" ] || fail "no screenshot was written"
echo "ok: screenshots in $shots"
echo "dashboard interop: all checks passed"
