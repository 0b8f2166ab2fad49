#!/usr/bin/env bash
# Every host in a Linux network namespace of its own (bin/foobar-stack up --netns), checked with real clients from
# the client namespace fbs-client, as a visitor on the same LAN would:
#   1. distributed: dig asks the name server in fbs-ns1 and gets the balancer's address; curl through the balancer
#      (fbs-lb-1) is answered by web-1 and web-2, each in its own namespace; each host's JVM runs in its own
#      namespace and sees only its own sockets; the supervisor's trace of the request, joined from the hosts' own
#      admin APIs across the bridge, has the balancer's and a web server's hops. Then SIGTERM: up stops the hosts
#      and removes every namespace, veth and the bridge.
#   2. secured: each host's firewall is real nftables rules in its namespace: the client's connection to a
#      database port goes nowhere, and the drop is counted by the kernel's rule, while the balancer answers (and
#      the supervisor still collects the hops through the firewalls) and an app server, from its own namespace,
#      reaches the same port. Then up is killed with SIGKILL, as a crash:
#      its hosts exit with it and `down` finds and removes what is left, by name.
# Needs root, iproute2 and nftables: in CI (CI set) a missing one fails; elsewhere the check is skipped with a
# message. The network is 198.18.0.0/24 (RFC 2544's benchmarking range); no name is ever looked up: dig is given the
# server's address and curl --resolve.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/interop/lib.sh

unavailable() {   # unavailable REASON: a failure in CI, a skip elsewhere
  [ -z "${CI:-}" ] || fail "$1"
  echo "SKIP: netns interop: $1"
  exit 0
}
[ "$(id -u)" -eq 0 ] || unavailable "it needs root, to make network namespaces"
command -v ip >/dev/null 2>&1 || unavailable "'ip' is not installed (iproute2)"
command -v nft >/dev/null 2>&1 || unavailable "'nft' is not installed (nftables)"
need java dig curl python3 timeout

jar=launcher/target/foobar-stack.jar
[ -f "$jar" ] || fail "$jar is missing: run mvn package first"
if ip netns list | grep -q '^fbs-' || ip link show fbs0 >/dev/null 2>&1; then
  fail "namespaces or links named fbs-* are already here (a stack of up --netns is running?): bin/foobar-stack down"
fi

work=$(mktemp -d)
pid=""
stop_up() {   # SIGTERM to up (through timeout, which passes it on), and wait for it to have removed everything
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  pid=""
}
cleanup() {
  stop_up
  bin/foobar-stack down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

start_up() {   # start_up DESIGN LOG: up in the background, at most 150 s, until its banner
  timeout 150 bin/foobar-stack up --netns "$1" --admin-port 0 --data-dir "$work/data" >"$2" 2>&1 &
  pid=$!
  wait_for_line "$2" "Press Ctrl+C to stop" 120 "$pid"
}
in_client() { ip netns exec fbs-client "$@"; }
nothing_left() {   # nothing_left WHAT: no fbs-* namespace, no fbs* link
  if ip netns list | grep -q '^fbs-'; then ip netns list >&2; fail "$1: fbs-* namespaces are left"; fi
  if ip -o link show | grep -q ': fbs'; then ip -o link show >&2; fail "$1: fbs* links are left"; fi
  echo "ok: $1: no fbs-* namespace and no fbs* link left"
}
tcp_connects() {   # tcp_connects NAMESPACE ADDRESS PORT: whether a TCP connection is made within 3 s
  ip netns exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null
}

admin_of() {   # admin_of LOG: the supervisor's admin address, as up printed it
  local admin
  admin=$(sed -n 's/^  admin  *\(127\.0\.0\.1:[0-9][0-9]*\)$/\1/p' "$1" | head -1)
  [ -n "$admin" ] || { cat "$1" >&2; fail "up printed no admin address"; }
  echo "$admin"
}
# trace_crosses_hosts ADMIN REQUEST_ID: the supervisor copies each host's hops from the host's admin API (port 9100
# of its address, across the bridge) every half second; the request's trace must have the balancer's hops, from
# fbs-lb-1, and a web server's, from fbs-server-1 or fbs-server-2
trace_crosses_hosts() {
  local admin=$1 id=$2 tiers="" i
  for ((i = 0; i < 20; i++)); do
    if curl -sS -m 10 -o "$work/trace.json" -f "http://$admin/api/traces/$id" 2>/dev/null; then
      tiers=$(python3 -c 'import json,sys; print(" ".join(sorted({h["tier"] for h in json.load(open(sys.argv[1]))["hops"]})))' \
        "$work/trace.json")
      [[ " $tiers " == *" lb "* && " $tiers " == *" web "* ]] && break
    fi
    sleep 0.5
  done
  [[ " $tiers " == *" lb "* && " $tiers " == *" web "* ]] \
    || fail "the supervisor's trace $id has hops of tiers '$tiers', not the balancer's and a web server's"
  echo "ok: the supervisor's trace $id joins the hosts' hops ($tiers)"
}

echo "-- distributed: four hosts, four namespaces"
start_up distributed "$work/distributed.log"
admin=$(admin_of "$work/distributed.log")

for host in ns1 lb-1 server-1 server-2; do
  pids=$(ip netns pids "fbs-$host")
  [ -n "$pids" ] || fail "no process runs in fbs-$host"
  # shellcheck disable=SC2086
  ps -o args= -p $pids | grep -q "host $host --topology distributed" || fail "fbs-$host does not run $host's JVM"
done
echo "ok: each host's JVM runs in its own namespace"
sockets=$(ip netns exec fbs-server-1 ss -tln)
expect_contains "$sockets" "198.18.0.11]:1527" "server-1's namespace has its database's socket"
case "$sockets" in *198.18.0.12*) fail "server-1's namespace sees server-2's sockets" ;; esac
echo "ok: server-1's namespace does not see server-2's sockets"

out=$(in_client dig @198.18.0.2 -p 5300 www.foobar.com A +norecurse +time=2 +tries=2)
expect_contains "$out" "status: NOERROR" "dig from fbs-client: NOERROR for www.foobar.com"
echo "$out" | grep -Eq '^www\.foobar\.com\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+198\.18\.0\.10$' \
  || { echo "$out"; fail "dig from fbs-client: no A record 198.18.0.10 for www.foobar.com"; }
echo "ok: dig from fbs-client: www.foobar.com A 198.18.0.10"

# the balancer takes a server once its health checks have risen (rise 2, every 2 s): up says the hosts are up,
# not that the checks have passed, so the first answers may be 503 (no server yet) or all from web-1
seen=""
request_id=""
for ((i = 0; i < 40; i++)); do
  headers=$(in_client curl -sS -m 10 -o /dev/null -D - --resolve www.foobar.com:8080:198.18.0.10 \
    http://www.foobar.com:8080/api/whoami | tr -d '\r')
  status=$(printf '%s\n' "$headers" | head -1)
  case "$status" in
    "HTTP/1.1 200"*) ;;
    "HTTP/1.1 503"*) sleep 0.5; continue ;;
    *) printf '%s\n' "$headers"; fail "curl through the balancer: $status" ;;
  esac
  backend=$(printf '%s\n' "$headers" | sed -n 's/^[Xx]-[Bb]ackend-[Ss]erver: *//p')
  request_id=$(printf '%s\n' "$headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p')
  [[ " $seen " == *" $backend "* ]] || seen="$seen $backend"
  [[ " $seen " == *" web-1 "* && " $seen " == *" web-2 "* ]] && break
  sleep 0.5
done
[[ " $seen " == *" web-1 "* && " $seen " == *" web-2 "* ]] || fail "curl through the balancer: only$seen answered"
echo "ok: curl from fbs-client through lb-1: 200 from web-1 and from web-2"
[ -n "$request_id" ] || fail "the balancer's answer has no X-Request-Id"

recent=$(curl -sS -m 10 "http://$admin/api/traces?limit=5")
expect_contains "$recent" '"traces"' "the supervisor's /api/traces answers"
trace_crosses_hosts "$admin" "$request_id"

stop_up
grep -q "^foobar-stack stopped.$" "$work/distributed.log" || { cat "$work/distributed.log"; fail "up did not stop cleanly"; }
expect_contains "$(cat "$work/distributed.log")" "# ip link del fbs0" "SIGTERM: up removed the bridge last"
nothing_left "after SIGTERM"

echo "-- secured: each host's firewall as nftables rules in its namespace"
start_up secured "$work/secured.log"

# 503 until the balancer's first server has risen: up says the hosts are up, not that their checks have passed
for ((i = 0; i < 40; i++)); do
  headers=$(in_client curl -sS -m 10 -o /dev/null -D - --cacert "$work/data/secured/lb-1/lb/tls/ca.pem" \
    --resolve www.foobar.com:8443:198.18.0.10 https://www.foobar.com:8443/api/whoami | tr -d '\r')
  status=$(printf '%s\n' "$headers" | head -1)
  case "$status" in "HTTP/1.1 200"*) break ;; esac
  sleep 0.5
done
case "$status" in "HTTP/1.1 200"*) ;; *) printf '%s\n' "$headers"; fail "curl https through lb-1: $status" ;; esac
echo "ok: the balancer answers the client (https, 200)"
trace_crosses_hosts "$(admin_of "$work/secured.log")" "$(printf '%s\n' "$headers" | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: *//p')"

drops() {   # the packets counted by server-1's default-policy rule, in its namespace's kernel
  ip netns exec fbs-server-1 nft list chain inet foobar_server_1 input \
    | sed -n 's/.*counter packets \([0-9]*\) bytes [0-9]* drop comment "default policy: drop".*/\1/p'
}
before=$(drops)
[ -n "$before" ] || { ip netns exec fbs-server-1 nft list ruleset; fail "server-1's namespace has no default-drop rule"; }
if tcp_connects fbs-client 198.18.0.11 1527; then fail "the client connected to server-1's database port"; fi
after=$(drops)
((after > before)) || fail "server-1's default-drop rule counted no packet ($before, then $after)"
echo "ok: the client's connection to 198.18.0.11:1527 was dropped by nftables in fbs-server-1 ($((after - before)) packets)"
tcp_connects fbs-server-2 198.18.0.11 1527 || fail "server-2, an app server, did not reach server-1's database"
echo "ok: server-2 (an app server, from its own namespace) reaches the same port"

# a crash: SIGKILL to up's JVM; its hosts exit with their parent, and down removes what is left
java_pid=$(ps -o pid= --ppid "$pid" | tr -d ' ')
[ -n "$java_pid" ] || fail "no process under timeout"
kill -KILL "$java_pid"
wait "$pid" 2>/dev/null || true   # timeout dies of the same signal as its child; bash would report "Killed"
pid=""
ip netns list | grep -q '^fbs-' || fail "SIGKILL: up should have had no chance to remove its namespaces"
out=$(bin/foobar-stack down)
printf '%s\n' "$out"
expect_contains "$out" "namespace fbs-server-1" "down: removed server-1's namespace"
expect_contains "$out" "bridge fbs0" "down: removed the bridge"
nothing_left "after SIGKILL and down"
out=$(bin/foobar-stack down)
expect_contains "$out" "Nothing to remove" "down again: nothing to remove, exit 0"
echo "netns interop: all checks passed"
