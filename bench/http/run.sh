#!/usr/bin/env bash
# Benchmark: our web server against nginx, serving the same 1 KiB and 100 KiB files, one after the other in one
# run, with wrk over loopback. Prints requests/s and p99 latency for both and the ratio ours/nginx.
#
#   bench/http/run.sh                       # after `mvn package`; DURATION=10s CONNECTIONS=32 THREADS=2 ROUNDS=3
#   TRACE_COMPARE=1 bench/http/run.sh       # also a second instance of ours with --no-trace, measured in the same
#                                           # run: the cost of recording hops (tracing is on by default)
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
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}

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
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
  }
}
CONF
    nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>>"$WORK/nginx/start.err" &
    NGINX_PID=$!
    for _ in $(seq 1 50); do
      kill -0 "$NGINX_PID" 2>/dev/null || break
      curl -s --max-time 1 -o /dev/null "http://127.0.0.1:$NGINX_PORT/1k.bin" && { PIDS+=("$NGINX_PID"); return; }
      sleep 0.1
    done
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  done
  cat "$WORK/nginx/start.err" >&2
  fail "nginx did not start"
}
start_nginx

java "${JAVA_OPTIONS[@]}" -cp "$JAR:$LIB/*" org.foobarstack.http.WebServerMain --port 0 --https-port off --root "$WORK/www" \
  --data-dir "$WORK/data" ${OURS_ARGS:-} >"$WORK/ours.out" 2>"$WORK/ours.err" &
PIDS+=($!)
for _ in $(seq 1 150); do grep -q '^root ' "$WORK/ours.out" 2>/dev/null && break; sleep 0.1; done
OURS=$(awk '/^http /{print $2}' "$WORK/ours.out")
[[ -n "$OURS" ]] || { cat "$WORK/ours.err" >&2; fail "our server did not start"; }
UNTRACED=""
if [[ "${TRACE_COMPARE:-0}" == 1 ]]; then
  java "${JAVA_OPTIONS[@]}" -cp "$JAR:$LIB/*" org.foobarstack.http.WebServerMain --port 0 --https-port off --root "$WORK/www" \
    --data-dir "$WORK/data-untraced" --no-trace ${OURS_ARGS:-} >"$WORK/untraced.out" 2>"$WORK/untraced.err" &
  PIDS+=($!)
  for _ in $(seq 1 150); do grep -q '^root ' "$WORK/untraced.out" 2>/dev/null && break; sleep 0.1; done
  UNTRACED=$(awk '/^http /{print $2}' "$WORK/untraced.out")
  [[ -n "$UNTRACED" ]] || { cat "$WORK/untraced.err" >&2; fail "our untraced server did not start"; }
fi
NGINX="http://127.0.0.1:$NGINX_PORT"
cmp <(curl -s "$OURS/100k.bin") <(curl -s "$NGINX/100k.bin") || fail "the servers serve different bytes"

# wrk's --latency output: "Requests/sec: N" and "99% X"; X in us/ms/s, converted to ms
run() { # url -> "rps p99ms"
  local out rps p99
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1")
  rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  p99=$(awk -v v="$p99" 'BEGIN{
    if (v ~ /us$/) { sub(/us$/,"",v); printf "%.3f", v/1000 }
    else if (v ~ /ms$/) { sub(/ms$/,"",v); printf "%.3f", v }
    else { sub(/s$/,"",v); printf "%.3f", v*1000 } }')
  echo "$rps $p99"
}

echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, loopback, $(nproc) cores; warm-up $WARMUP each;" \
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
    read -r on_rps on_p99 <<<"$(run "$OURS/$file")"
    read -r off_rps off_p99 <<<"$(run "$UNTRACED/$file")"
    ratio=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN{printf "%.2f", a/b}')
    printf '%-8s %14s %12s %16s %14s %13sx\n' "$file" "$on_rps" "$on_p99" "$off_rps" "$off_p99" "$ratio"
  done
fi

# ROUNDS rounds, each measuring ours and nginx back to back (the order alternating), so that a slow spell of the
# machine hits both; the verdict is the median of the per-round ratios.
ROUNDS=${ROUNDS:-3}
printf '%-8s %5s %14s %12s %14s %12s %10s\n' file round "ours req/s" "ours p99ms" "nginx req/s" "nginx p99ms" ratio
for file in 1k.bin 100k.bin; do
  ratios=()
  for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then
      read -r ours_rps ours_p99 <<<"$(run "$OURS/$file")"
      read -r nginx_rps nginx_p99 <<<"$(run "$NGINX/$file")"
    else
      read -r nginx_rps nginx_p99 <<<"$(run "$NGINX/$file")"
      read -r ours_rps ours_p99 <<<"$(run "$OURS/$file")"
    fi
    ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN{printf "%.2f", a/b}')
    ratios+=("$ratio")
    printf '%-8s %5s %14s %12s %14s %12s %9sx\n' "$file" "$round" "$ours_rps" "$ours_p99" "$nginx_rps" "$nginx_p99" "$ratio"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
  printf '%-8s median of %s rounds: %sx nginx\n' "$file" "$ROUNDS" "$median"
done
