#!/usr/bin/env bash
# Our load balancer and HAProxy put through the same checks (check_balancer), each against real peers:
#
#   pair 1: real HAProxy in front of our web servers: the distributed design runs on addresses of its own
#           (127.0.6.x), HAProxy on 127.0.6.20 balances over its two web servers; the same checks then run
#           through the design's own balancer lb-1 (127.0.6.10), in front of the same servers;
#   pair 2: our balancer alone (LoadBalancerMain, 127.0.6.30) in front of two real nginx (127.0.6.31, .32).
#
# The checks: four requests alternate between the two servers (X-Backend-Server); the server receives an
# X-Forwarded-For naming the client; with server B stopped, ten requests all answer 200 from server A and the
# stats CSV (HAProxy's columns) shows B DOWN; with B started again, the CSV shows it UP and requests alternate.
# Then a request with bare LF line endings gets 400 naming RFC 9112 §2.2, from our balancer as from our web server.
#
# Run from the repository root after `mvn package`. Loopback only; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/interop/lib.sh
need java curl haproxy nginx python3 timeout

jar=launcher/target/foobar-stack.jar
lb_jar=load-balancer/target/load-balancer-0.1.0-SNAPSHOT.jar
lb_lib=load-balancer/target/lib
[ -f "$jar" ] || fail "$jar is missing: run mvn package first"
[ -f "$lb_jar" ] && [ -d "$lb_lib" ] || fail "$lb_jar or $lb_lib is missing: run mvn package first"

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
  [ -z "${web_root:-}" ] || rm -rf "$web_root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_http URL SECONDS PID WHAT: wait until URL answers 2xx, or fail (also when PID died).
wait_http() {
  local url=$1 seconds=$2 pid=$3 what=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null && return 0
    running "$pid" || fail "$what exited before answering at $url"
    sleep 0.1
  done
  fail "$what did not answer at $url within $seconds s"
}

# now_ms: milliseconds since the epoch; seconds_since MS: the seconds from MS to now, to a tenth
now_ms() { date +%s%3N; }
seconds_since() { awk -v ms=$(($(now_ms) - $1)) 'BEGIN { printf "%.1f", ms / 1000 }'; }

# fetch URL: one GET through a balancer. Sets code, client (the address curl connected from), served (the
# X-Backend-Server header), answered (the server's own name for itself) and xff (the X-Forwarded-For it received).
# Our web servers say both in GET /api/whoami's JSON; the nginx servers answer their name and echo the header.
fetch() {
  local out
  : >"$work/fetch.h"; : >"$work/fetch.b"
  out=$(curl -sS --max-time 10 -D "$work/fetch.h" -o "$work/fetch.b" -w '%{http_code} %{local_ip}' "$1" 2>>"$work/curl.err") || true
  code=${out%% *}; client=${out#* }
  served=$(tr -d '\r' <"$work/fetch.h" | sed -n 's/^[Xx]-[Bb]ackend-[Ss]erver: *//p' | tail -n 1)
  if [ "$(head -c 1 "$work/fetch.b")" = "{" ]; then
    { read -r answered; read -r xff; } < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(d["webServer"]["instance"]); print(d["client"].get("xForwardedFor") or "")' "$work/fetch.b" 2>/dev/null || echo)
  else
    answered=$(head -n 1 "$work/fetch.b")
    xff=$(tr -d '\r' <"$work/fetch.h" | sed -n 's/^[Xx]-[Ss]een-[Ff]orwarded-[Ff]or: *//p' | tail -n 1)
  fi
}

# stats_status CSV_URL SERVER: the status column of backend "servers", server SERVER, in HAProxy's stats CSV
# (the column found by its name in the "# pxname,svname,..." header line).
stats_status() {
  curl -sS --max-time 5 "$1" 2>/dev/null | tr -d '\r' | awk -F, -v sv="$2" '
    NR == 1 { sub(/^# */, ""); for (i = 1; i <= NF; i++) if ($i == "status") col = i; next }
    col && $1 == "servers" && $2 == sv { print $col; exit }' || true
}

# wait_status NAME CSV_URL SERVER WANT SECONDS: poll the CSV until SERVER's status is exactly WANT, or fail.
# Sets waited to the seconds it took.
wait_status() {
  local name=$1 url=$2 server=$3 want=$4 seconds=$5 start status=""
  start=$(now_ms)
  while (($(now_ms) - start < seconds * 1000)); do
    status=$(stats_status "$url" "$server")
    if [ "$status" = "$want" ]; then
      waited=$(seconds_since "$start")
      return 0
    fi
    sleep 0.5
  done
  curl -sS --max-time 5 "$url" >&2 || true
  fail "$name: $server is '$status' in $url, not $want, after $seconds s"
}

# alternate NAME URL A B WHAT: four requests, all 200, served by A and B in turn.
alternate() {
  local name=$1 url=$2 a=$3 b=$4 what=$5 seen=() i
  for i in 1 2 3 4; do
    fetch "$url"
    [ "$code" = 200 ] || { cat "$work/fetch.h" "$work/curl.err" >&2; fail "$name: request $i answered '$code', not 200"; }
    seen+=("${served:-(none)}")
  done
  for i in 1 2 3; do
    [ "${seen[i]}" != "${seen[i - 1]}" ] || fail "$name: X-Backend-Server ${seen[*]} does not alternate"
  done
  case " ${seen[*]} " in *" $a "*) ;; *) fail "$name: X-Backend-Server ${seen[*]} never names $a" ;; esac
  case " ${seen[*]} " in *" $b "*) ;; *) fail "$name: X-Backend-Server ${seen[*]} never names $b" ;; esac
  echo "ok: $name: $what: X-Backend-Server ${seen[*]}"
}

# check_balancer NAME FRONT_URL STATS_CSV_URL SERVER_A SERVER_B KILL_CMD START_CMD
check_balancer() {
  local name=$1 url=$2 csv=$3 a=$4 b=$5 kill_cmd=$6 start_cmd=$7 i seen=() stopped_at took
  echo "-- $name: $url"
  # both servers UP to begin with (a balancer that has just started may still be checking them)
  wait_status "$name" "$csv" "$a" UP 20
  wait_status "$name" "$csv" "$b" UP 20

  # 1. round robin
  alternate "$name" "$url" "$a" "$b" "four requests alternate between $a and $b"

  # 2. the server sees the client
  fetch "$url"
  [ "$code" = 200 ] || fail "$name: answered '$code', not 200"
  [ -n "$client" ] || fail "$name: curl did not report the address it connected from"
  [ "$answered" = "$served" ] \
    || { cat "$work/fetch.h" "$work/fetch.b" >&2; fail "$name: X-Backend-Server '$served' but '$answered' answered"; }
  echo "ok: $name: X-Backend-Server names the server that answered ($served)"
  expect_contains "$xff" "$client" "$name: $served received X-Forwarded-For '$xff' (curl connected from $client)"

  # 3. server B stopped: A takes every request, and the stats show B DOWN
  eval "$kill_cmd"
  stopped_at=$(now_ms)
  for i in $(seq 1 10); do
    fetch "$url"
    [ "$code" = 200 ] || { cat "$work/fetch.h" "$work/curl.err" >&2; fail "$name: with $b stopped, request $i answered '$code', not 200"; }
    seen+=("${served:-(none)}")
  done
  for i in "${seen[@]}"; do
    [ "$i" = "$a" ] || fail "$name: with $b stopped, X-Backend-Server ${seen[*]}: not all $a"
  done
  took=$(seconds_since "$stopped_at")
  echo "ok: $name: with $b stopped, ten requests answer 200, all from $a (in $took s)"
  wait_status "$name" "$csv" "$b" DOWN 15
  echo "ok: $name: the stats CSV shows $b DOWN $(seconds_since "$stopped_at") s after it stopped"

  # 4. server B started again: UP in the stats, and requests alternate again
  eval "$start_cmd"
  wait_status "$name" "$csv" "$b" UP 20
  echo "ok: $name: the stats CSV shows $b UP again $waited s after it started"
  alternate "$name" "$url" "$a" "$b" "requests alternate again"
}

# raw_request HOST PORT BYTES: send BYTES as they are (bash's /dev/tcp) and print the answer, up to 5 s.
raw_request() {
  exec 3<>"/dev/tcp/$1/$2" || fail "bash could not connect to $1:$2 through /dev/tcp"
  printf %b "$3" >&3
  timeout 5 cat <&3 || true
  exec 3<&- 3>&-
}

# ---- pair 1: HAProxy, then our lb-1, in front of the distributed design's web servers ---------------------
sed 's/127\.0\.0\./127.0.6./g' topology/src/main/resources/org/foobarstack/topology/shipped/distributed.yaml \
  >"$work/topology.yaml"
admin_port=$(free_port)
java -jar "$jar" run --topology "$work/topology.yaml" --data-dir "$work/data" --admin-port "$admin_port" \
  >"$work/stack.log" 2>&1 &
pids+=($!)
stack_pid=$!
wait_for_line "$work/stack.log" "foobar-stack is up" 60 "$stack_pid"
sed -n '/^  host /,/^$/p' "$work/stack.log"

# ctl ACTION HOST: the stack's own command line, with the token it wrote to its data directory
ctl() {
  local out
  out=$(java -jar "$jar" ctl "$1" "$2" --admin "http://127.0.0.1:$admin_port" --data-dir "$work/data" 2>&1) \
    || { printf '%s\n' "$out" >&2; fail "ctl $1 $2 failed"; }
  echo "   $out"
}

cat >"$work/haproxy.cfg" <<CONF
global
  maxconn 4000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 10s
  retries 3
  option redispatch
frontend http-in
  bind 127.0.6.20:8080
  option forwardfor
  default_backend servers
backend servers
  balance roundrobin
  option httpchk GET /health
  http-response set-header X-Backend-Server %s
  default-server inter 2s rise 2 fall 3
  server web-1 127.0.6.11:8080 check
  server web-2 127.0.6.12:8080 check
listen stats
  bind 127.0.6.20:8404
  stats enable
  stats uri /stats
CONF
haproxy -c -q -f "$work/haproxy.cfg" || fail "haproxy refused the generated configuration"
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.6.20:8404/stats;csv" 10 "$!" HAProxy

check_balancer "HAProxy -> our web servers" "http://127.0.6.20:8080/api/whoami" "http://127.0.6.20:8404/stats;csv" \
  web-1 web-2 "ctl kill server-2" "ctl start server-2"
check_balancer "our lb-1 -> our web servers" "http://127.0.6.10:8080/api/whoami" "http://127.0.6.10:8404/stats;csv" \
  web-1 web-2 "ctl kill server-2" "ctl start server-2"

# ---- pair 2: our balancer alone in front of two nginx -----------------------------------------------------
# in a directory of their own, readable by all: the workers may run as nobody
web_root=$(mktemp -d)
chmod 755 "$web_root"
declare -A nginx_address=([nginx-a]=127.0.6.31 [nginx-b]=127.0.6.32) nginx_pid=()
for name in nginx-a nginx-b; do
  dir="$web_root/$name"
  mkdir -p "$dir/logs" "$dir/tmp"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen ${nginx_address[$name]}:8081;
    location = /health { return 200 "ok\n"; }
    location / {
      add_header X-Seen-Forwarded-For \$http_x_forwarded_for always;
      return 200 "$name\n";
    }
  }
}
CONF
done
chmod -R go+rX "$web_root"

# start_nginx NAME, stop_nginx NAME: in the foreground of a background job, so that its PID is ours
start_nginx() {
  local dir="$web_root/$1"
  nginx -e "$dir/logs/error.log" -c "$dir/nginx.conf" -p "$dir/" >>"$dir/logs/out.log" 2>&1 &
  pids+=($!)
  nginx_pid[$1]=$!
  wait_http "http://${nginx_address[$1]}:8081/health" 10 "$!" "nginx $1"
}
stop_nginx() {
  local dir="$web_root/$1" pid=${nginx_pid[$1]} i
  nginx -e "$dir/logs/error.log" -c "$dir/nginx.conf" -p "$dir/" -s stop 2>>"$dir/logs/out.log" \
    || { cat "$dir/logs/out.log" >&2; fail "nginx -s stop did not stop $1"; }
  for ((i = 0; i < 100; i++)); do running "$pid" || break; sleep 0.1; done
  running "$pid" && fail "nginx $1 (PID $pid) still runs 10 s after nginx -s stop"
  wait "$pid" 2>/dev/null || true
  echo "   nginx $1 stopped"
}
start_nginx nginx-a
start_nginx nginx-b

java -cp "$lb_jar:$lb_lib/*" org.foobarstack.lb.LoadBalancerMain --bind 127.0.6.30 --port 8080 --stats-port 8404 \
  --server nginx-a=127.0.6.31:8081 --server nginx-b=127.0.6.32:8081 >"$work/lb.log" 2>&1 &
pids+=($!)
wait_for_line "$work/lb.log" "frontend http://" 30 "$!"

check_balancer "our balancer -> nginx" "http://127.0.6.30:8080/" "http://127.0.6.30:8404/stats;csv" \
  nginx-a nginx-b "stop_nginx nginx-b" "start_nginx nginx-b"

# ---- a broken request: bare LF line endings, to our balancer and to our web server ------------------------
echo "-- a request with bare LF line endings"
from_lb=$(raw_request 127.0.6.30 8080 'GET / HTTP/1.1\nHost: x\n\n')
from_web=$(raw_request 127.0.6.11 8080 'GET / HTTP/1.1\nHost: x\n\n')
lb_status=$(printf '%s\n' "$from_lb" | head -n 1 | tr -d '\r')
web_status=$(printf '%s\n' "$from_web" | head -n 1 | tr -d '\r')
lb_rule=$(printf '%s\n' "$from_lb" | sed -n 's|.*<p>Rule: <code>\(.*\)</code></p>.*|\1|p')
web_rule=$(printf '%s\n' "$from_web" | sed -n 's|.*<p>Rule: <code>\(.*\)</code></p>.*|\1|p')
expect_contains "$lb_status" "HTTP/1.1 400" "our balancer answers a bare-LF request '$lb_status'"
expect_contains "$lb_rule" "RFC 9112 §2.2" "our balancer's page names the rule ($lb_rule)"
expect_contains "$(printf '%s' "$from_lb" | tr -d '\r')" $'\nConnection: close\n' "our balancer closes the connection"
expect_contains "$web_status" "HTTP/1.1 400" "our web server answers it '$web_status'"
expect_contains "$web_rule" "RFC 9112 §2.2" "our web server's page names the rule ($web_rule)"
expect_contains "$(printf '%s' "$from_web" | tr -d '\r')" $'\nConnection: close\n' "our web server closes the connection"
[ "$lb_status" = "$web_status" ] && [ "$lb_rule" = "$web_rule" ] \
  || fail "the balancer's '$lb_status' / '$lb_rule' differ from the web server's '$web_status' / '$web_rule'"
echo "ok: our balancer and our web server give the same status and rule"

echo "lb interop: all checks passed"
