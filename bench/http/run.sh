#!/usr/bin/env bash
# Benchmark: our web server against nginx, serving the same 1 KiB and 100 KiB files, one after the other in one
# run, with wrk over loopback. Prints requests/s and p99 latency for both and the ratio ours/nginx.
#
#   bench/http/run.sh                       # after `mvn package`; DURATION=10s CONNECTIONS=32 THREADS=2 ROUNDS=3
#   TRACE_COMPARE=1 bench/http/run.sh       # also a second instance of ours with --no-trace, measured in the same
#                                           # run: the cost of recording hops (tracing is on by default)
#   MODE=https bench/http/run.sh            # over TLS 1.3: ours and nginx with the same certificate and key (the
#                                           # leaf that ours makes for www.foobar.com), wrk's OpenSSL as client
#   MODE=many bench/http/run.sh             # 1,000 concurrent connections (CONNECTIONS=1000), plain HTTP: also
#                                           # prints wrk's timeouts (requests slower than 2 s) and socket errors
#
# Every run writes bench/http/results/<UTC time>-<mode>.txt: the command, the versions, the table and every raw
# wrk output.
#
# Ours runs with the JVM options the stack ships with (bin/jvm.options); OURS_JAVA_OPTS='...' replaces them
# (OURS_JAVA_OPTS=' ' for the JVM's defaults).
#
# nginx runs with one worker, access_log off and sendfile on, in the foreground from a temporary config
# (NGINX_OPEN_FILE_CACHE=1 adds open_file_cache with 1 s validity: ours keeps file metadata for 1 s, nginx's cache
# also keeps the descriptors open); ours runs
# WebServerMain with HTTPS off and no access log (no SLF4J binding on the classpath). Both get a warm-up run first
# (the JVM compiles its hot paths during it). Everything stops by itself; the trap kills both servers.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
JAR="$ROOT_DIR/http-server/target/http-server-0.1.0-SNAPSHOT.jar"
LIB="$ROOT_DIR/http-server/target/lib"
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
MODE=${MODE:-http}
case "$MODE" in
  http|https) CONNECTIONS=${CONNECTIONS:-32} ;;
  many) CONNECTIONS=${CONNECTIONS:-1000} ;;
  *) echo "FAIL: MODE is http, https or many, not '$MODE'" >&2; exit 1 ;;
esac
THREADS=${THREADS:-2}
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
# 1,000 connections need 1,000 descriptors in wrk and in each server, and a few more
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in wrk nginx java; do command -v "$tool" >/dev/null || fail "$tool is missing"; done
[[ -f "$JAR" && -d "$LIB" ]] || fail "run 'mvn package' first"

# the options in bin/jvm.options, one per line, '#' comments dropped
if [[ -n "${OURS_JAVA_OPTS:-}" ]]; then
  read -r -a JAVA_OPTIONS <<<"$OURS_JAVA_OPTS"
else
  mapfile -t JAVA_OPTIONS < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
    "$ROOT_DIR/bin/jvm.options")
fi

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

RESULTS_DIR="$ROOT_DIR/bench/http/results"
mkdir -p "$RESULTS_DIR"
RESULT="$RESULTS_DIR/$(date -u +%Y%m%dT%H%M%SZ)-$MODE.txt"
RAW="$WORK/raw.txt"
: >"$RAW"
exec > >(tee "$RESULT") 2>&1
echo "command: MODE=$MODE DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS THREADS=$THREADS" \
  "ROUNDS=${ROUNDS:-3} TRACE_COMPARE=${TRACE_COMPARE:-0} NGINX_OPEN_FILE_CACHE=${NGINX_OPEN_FILE_CACHE:-0}" \
  "OURS_ARGS='${OURS_ARGS:-}' bench/http/run.sh"
echo "date: $(date -u +%FT%TZ); commit: $(git -C "$ROOT_DIR" rev-parse --short HEAD 2>/dev/null || echo '?');" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(java -version 2>&1 | head -1); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1)"

mkdir -p "$WORK/www" "$WORK/nginx/logs"
chmod 755 "$WORK" "$WORK/www"   # nginx workers may run as another user (nobody) and must read the files
head -c 1024 /dev/urandom > "$WORK/www/1k.bin"
head -c 102400 /dev/urandom > "$WORK/www/100k.bin"
chmod 644 "$WORK/www/"*.bin

free_port() {
  local port
  while true; do
    port=$(( (RANDOM % 20000) + 30000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# ours first: over HTTPS it makes the certificate that nginx is then given too
HTTPS_PORT_ARG=off
[[ "$MODE" == https ]] && HTTPS_PORT_ARG=0
start_ours() { # name extra-args... -> sets the URL in the variable named by $1
  local var=$1 dir=$2; shift 2
  java "${JAVA_OPTIONS[@]}" -cp "$JAR:$LIB/*" org.foobarstack.http.WebServerMain --port 0 --https-port "$HTTPS_PORT_ARG" \
    --root "$WORK/www" --data-dir "$WORK/$dir" "$@" ${OURS_ARGS:-} >"$WORK/$dir.out" 2>"$WORK/$dir.err" &
  PIDS+=($!)
  for _ in $(seq 1 150); do grep -q '^root ' "$WORK/$dir.out" 2>/dev/null && break; sleep 0.1; done
  local scheme=http
  [[ "$MODE" == https ]] && scheme=https
  local url
  url=$(awk -v s="$scheme" '$1==s{print $2}' "$WORK/$dir.out")
  [[ -n "$url" ]] || { cat "$WORK/$dir.err" >&2; fail "our server ($dir) did not start"; }
  printf -v "$var" '%s' "$url"
  if [[ "$MODE" == https ]]; then
    echo "ours ($dir): TLS by $(awk '$1=="tls"{print $2}' "$WORK/$dir.out")"
  fi
}
start_ours OURS data
UNTRACED=""
if [[ "${TRACE_COMPARE:-0}" == 1 ]]; then
  start_ours UNTRACED data-untraced --no-trace
fi
NGINX_LISTEN_OPTS=""
NGINX_TLS=""
if [[ "$MODE" == https ]]; then
  # the same key, and the same certificate: the leaf alone, as ours sends it (server.pem is leaf then CA)
  awk '{print} /END CERTIFICATE/{exit}' "$WORK/data/tls/server.pem" > "$WORK/nginx/leaf.pem"
  cp "$WORK/data/tls/server-key.pem" "$WORK/nginx/leaf-key.pem"
  NGINX_LISTEN_OPTS="ssl"
  NGINX_TLS="ssl_certificate $WORK/nginx/leaf.pem; ssl_certificate_key $WORK/nginx/leaf-key.pem; ssl_protocols TLSv1.3;"
fi
NGINX_CACHE=""
if [[ "${NGINX_OPEN_FILE_CACHE:-0}" == 1 ]]; then
  NGINX_CACHE="open_file_cache max=1024 inactive=10s; open_file_cache_valid 1s;"
fi
# a port found free may be taken before nginx binds it (other builds share the machine): then try another
start_nginx() {
  for _ in 1 2 3 4 5; do
    NGINX_PORT=$(free_port)
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
error_log $WORK/nginx/logs/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  $NGINX_CACHE
  default_type application/octet-stream;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT $NGINX_LISTEN_OPTS;
    $NGINX_TLS
    root $WORK/www;
  }
}
CONF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>>"$WORK/nginx/start.err" &
    NGINX_PID=$!
    for _ in $(seq 1 50); do
      kill -0 "$NGINX_PID" 2>/dev/null || break
      curl -sk --max-time 1 -o /dev/null "$SCHEME://127.0.0.1:$NGINX_PORT/1k.bin" && { PIDS+=("$NGINX_PID"); return; }
      sleep 0.1
    done
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  done
  cat "$WORK/nginx/start.err" >&2
  fail "nginx did not start"
}
SCHEME=http
[[ "$MODE" == https ]] && SCHEME=https
start_nginx

NGINX="$SCHEME://127.0.0.1:$NGINX_PORT"
cmp <(curl -sk "$OURS/100k.bin") <(curl -sk "$NGINX/100k.bin") || fail "the servers serve different bytes"
if [[ "$MODE" == https ]]; then
  for url in "$OURS" "$NGINX"; do
    curl -sk -o /dev/null -w '%{http_version}' "$url/1k.bin" >/dev/null
    proto=$(echo | openssl s_client -connect "${url#https://}" 2>/dev/null | awk '/Protocol *:/{print $3; exit} /^New, /{sub(",", "", $2); print $2; exit}')
    echo "TLS of $url: ${proto:-unknown}"
    [[ "$proto" == TLSv1.3* ]] || fail "$url does not speak TLS 1.3"
  done
fi

# wrk's --latency output: "Requests/sec: N", "99% X" (X in us/ms/s, converted to ms) and, when any, "Socket
# errors: connect C, read R, write W, timeout T" (T: requests with no response within WRK_TIMEOUT). Every raw
# output is kept for the result file.
run() { # url -> "rps p99ms timeouts errors"
  local out rps p99 timeouts errors non2xx
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$WRK_TIMEOUT" --latency "$1")
  { echo "--- wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT --latency $1"; echo "$out"; } >>"$RAW"
  rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  p99=$(awk -v v="$p99" 'BEGIN{
    if (v ~ /us$/) { sub(/us$/,"",v); printf "%.3f", v/1000 }
    else if (v ~ /ms$/) { sub(/ms$/,"",v); printf "%.3f", v }
    else { sub(/s$/,"",v); printf "%.3f", v*1000 } }')
  timeouts=$(awk '/Socket errors:/{gsub(",",""); print $10}' <<<"$out")
  errors=$(awk '/Socket errors:/{gsub(",",""); print $4+$6+$8}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/{print $5}' <<<"$out")
  echo "$rps $p99 ${timeouts:-0} $(( ${errors:-0} + ${non2xx:-0} ))"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT --latency, loopback, $(nproc) cores; warm-up $WARMUP each;" \
  "ours: ${OURS_ARGS:-default threads}, JVM options: ${JAVA_OPTIONS[*]:-(defaults)}; nginx open_file_cache: ${NGINX_OPEN_FILE_CACHE:-0}"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$OURS/1k.bin" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$OURS/100k.bin" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$NGINX/1k.bin" >/dev/null
if [[ -n "$UNTRACED" ]]; then
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$UNTRACED/1k.bin" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$UNTRACED/100k.bin" >/dev/null
  # traced (default) against untraced, each file measured back to back; then the usual comparison with nginx
  printf '%-8s %14s %12s %16s %14s %14s\n' file "traced req/s" "traced p99ms" "untraced req/s" \
    "untraced p99ms" "traced/untr."
  for file in 1k.bin 100k.bin; do
    read -r on_rps on_p99 _ _ <<<"$(run "$OURS/$file")"
    read -r off_rps off_p99 _ _ <<<"$(run "$UNTRACED/$file")"
    ratio=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN{printf "%.2f", a/b}')
    printf '%-8s %14s %12s %16s %14s %13sx\n' "$file" "$on_rps" "$on_p99" "$off_rps" "$off_p99" "$ratio"
  done
fi

# ROUNDS rounds, each measuring ours and nginx back to back (the order alternating), so that a slow spell of the
# machine hits both; the verdict is the median of the per-round ratios.
ROUNDS=${ROUNDS:-3}
printf '%-8s %5s %12s %11s %8s %7s %12s %11s %8s %7s %8s %8s\n' file round "ours req/s" "ours p99ms" "ours>2s" \
  "ours err" "nginx req/s" "nginx p99ms" "ngx>2s" "ngx err" ratio "p99 ratio"
for file in 1k.bin 100k.bin; do
  ratios=()
  p99_ratios=()
  for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then
      read -r ours_rps ours_p99 ours_to ours_err <<<"$(run "$OURS/$file")"
      read -r nginx_rps nginx_p99 nginx_to nginx_err <<<"$(run "$NGINX/$file")"
    else
      read -r nginx_rps nginx_p99 nginx_to nginx_err <<<"$(run "$NGINX/$file")"
      read -r ours_rps ours_p99 ours_to ours_err <<<"$(run "$OURS/$file")"
    fi
    ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN{printf "%.2f", a/b}')
    p99_ratio=$(awk -v a="$ours_p99" -v b="$nginx_p99" 'BEGIN{printf "%.2f", a/b}')
    ratios+=("$ratio")
    p99_ratios+=("$p99_ratio")
    printf '%-8s %5s %12s %11s %8s %7s %12s %11s %8s %7s %7sx %7sx\n' "$file" "$round" "$ours_rps" "$ours_p99" \
      "$ours_to" "$ours_err" "$nginx_rps" "$nginx_p99" "$nginx_to" "$nginx_err" "$ratio" "$p99_ratio"
  done
  median() { sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
  printf '%-8s median of %s rounds: %sx nginx requests/s, p99 %sx nginx'"'"'s\n' "$file" "$ROUNDS" \
    "$(printf '%s\n' "${ratios[@]}" | median)" "$(printf '%s\n' "${p99_ratios[@]}" | median)"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "raw wrk output, in the order run:"
cat "$RAW"
