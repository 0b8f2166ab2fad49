#!/usr/bin/env bash
# Benchmark of the app tier against the real peer, one after the other in one run:
#   ours: FRONT -> our app server (FastCGI) -> Derby Network Server: GET /api/messages (a real Derby read)
#   peer: nginx -> php-fpm (2 static children): a PHP "hello"
# FRONT=nginx (default) puts nginx in front of our app server, since this module has no web tier of its own;
# FRONT=stack starts the whole stack as the README does (bin/foobar-stack: our web tier -> our app tier ->
# Derby, all on free ports, with the access log off like the peer's nginx) and measures through our web tier,
# after a warm-up under load that lasts until the JIT has compiled the three tiers' hot paths (see JIT_QUIET);
# FRONT=http://HOST:PORT points the "ours" run at an already running front end (e.g. our web tier, which
# forwards /api/* to our app tier) instead, and then this script starts no tier of ours.
# JIT_QUIET (default 20): our JVMs are warmed with load, STACK_WARMUP (default 30s) first and then in 5 s slices
#   (at most 36 of them), until a slice in which HotSpot compiled fewer than JIT_QUIET methods (jstat -compiler);
#   nginx and php-fpm are compiled ahead of time, so measuring a JVM whose compiler threads still take a core
#   (they do for well over a minute on 2 cores) would compare a warm-up with a steady state. JIT_QUIET=0 skips it.
# ROUNDS (default 1) measures ours and the peer that many times, alternating which goes first, and prints the
# median ratio.
# Prints requests/s and p99 for both and the ratio ours/peer, and writes them, with the exact command and the raw
# wrk output, to bench/app/results/<UTC time>.txt (RESULTS_DIR to change).
#   DURATION (default 10s), WARMUP (default 5s), CONNECTIONS (default 32), THREADS (default 2)
#   PEER_KEEP_CONN (default on, the peer's best throughput: 11,400 req/s against 3,200 with off in one run; but
#     each php-fpm child then serves one kept connection at a time, so waiting connections get a p99 of seconds),
#   OURS_PATH (default /api/messages; e.g. /api/no-such-path measures the FastCGI path without the database)
#   APP_ARGS (extra AppServerMain flags, e.g. "--trace off"), APP_JAVA_OPTS and STORAGE_JAVA_OPTS (extra JVM
#     options for our two JVMs, e.g. -XX:StartFlightRecording=duration=30s,filename=/tmp/app.jfr to profile)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FRONT=${FRONT:-nginx}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
OURS_PATH=${OURS_PATH:-/api/messages}
PEER_KEEP_CONN=${PEER_KEEP_CONN:-on}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/app/results}
COMMAND="${APP_ARGS:+APP_ARGS='$APP_ARGS' }${APP_WORKERS:+APP_WORKERS=$APP_WORKERS }${ROUNDS:+ROUNDS=$ROUNDS }${STACK_WARMUP:+STACK_WARMUP=$STACK_WARMUP }${JIT_QUIET:+JIT_QUIET=$JIT_QUIET }FRONT=$FRONT DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS THREADS=$THREADS OURS_PATH=$OURS_PATH PEER_KEEP_CONN=$PEER_KEEP_CONN bench/app/run.sh"
WORK="$(mktemp -d /tmp/foobar-app-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()

die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

PHP_FPM=$(command -v php-fpm || ls /usr/sbin/php-fpm* 2>/dev/null | head -n1 || true)
[ -n "$PHP_FPM" ] || die "php-fpm is not installed (Debian: php-fpm)"
for tool in java mvn nginx wrk curl python3; do
  command -v "$tool" >/dev/null || die "required tool '$tool' is not installed"
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() {
  local file=$1 regex=$2 pid=$3 deadline=$((SECONDS + 60))
  until grep -Eq "$regex" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "process $pid exited (see $file): $(tail -n 20 "$file")"
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for /$regex/ in $file"
    sleep 0.1
  done
}
wait_http() {
  local url=$1 deadline=$((SECONDS + 20))
  until curl -s -o /dev/null "$url"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$url does not answer"
    sleep 0.1
  done
}

NGINX_OURS=$(free_port)
NGINX_PEER=$(free_port)
FPM_PORT=$(free_port)
APP_UPSTREAM=""

if [ "$FRONT" = nginx ]; then
  cd "$ROOT"
  mvn -q -o -pl app-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" \
    || mvn -q -pl app-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
  CP="$(ls "$ROOT"/app-server/target/app-server-*.jar | head -n1):$(cat "$WORK/cp.txt")"
  # shellcheck disable=SC2086
  java ${STORAGE_JAVA_OPTS:-} -cp "$CP" org.foobarstack.storage.StorageServerMain --bind 127.0.0.1 --port 0 --data-dir "$WORK/storage" \
    > "$WORK/storage.out" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/storage.out" '^READY [0-9]+' "${PIDS[-1]}"
  JDBC_URL=$(sed -n 's/^storage: JDBC URL //p' "$WORK/storage.out")
  # shellcheck disable=SC2086
  java ${APP_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.foobarstack.app.AppServerMain \
    --bind 127.0.0.1 --port 0 --instance app-bench --workers "${APP_WORKERS:-8}" ${APP_ARGS:-} \
    --jdbc-url "$JDBC_URL" --db-user foobar_app --db-password app-local-only > "$WORK/app.out" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/app.out" 'listening on 127\.0\.0\.1:[0-9]+' "${PIDS[-1]}"
  APP_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/app.out" | head -n1)
  APP_UPSTREAM="upstream ours { server 127.0.0.1:$APP_PORT; keepalive 16; }
  server {
    listen 127.0.0.1:$NGINX_OURS;
    location /api/ { include /etc/nginx/fastcgi_params; fastcgi_pass ours; fastcgi_keep_conn on; }
  }"
  OURS_BASE="http://127.0.0.1:$NGINX_OURS"
elif [ "$FRONT" = stack ]; then
  [ -f "$ROOT/launcher/target/foobar-stack.jar" ] || die "build first: mvn -q -DskipTests package"
  STACK_HTTP=$(free_port)
  # shellcheck disable=SC2086
  JAVA_OPTS="-Dorg.slf4j.simpleLogger.log.org.foobarstack.http.access=warn ${APP_JAVA_OPTS:-}" \
    "$ROOT/bin/foobar-stack" run --http-port "$STACK_HTTP" --https-port 0 --dns-port 0 --app-port 0 \
    --db-port 0 --admin-port 0 --data-dir "$WORK/stack" > "$WORK/stack.out" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/stack.out" 'foobar-stack is up' "${PIDS[-1]}"
  OURS_BASE="http://127.0.0.1:$STACK_HTTP"
else
  OURS_BASE="${FRONT%/}"
fi

# the peer: php-fpm with 2 static children, as the issue asks
mkdir -p "$WORK/php"
printf '<?php\necho "hello\\n";\n' > "$WORK/php/hello.php"
cat > "$WORK/php-fpm.conf" <<FPM
[global]
pid = $WORK/php-fpm.pid
error_log = $WORK/php-fpm.log
daemonize = no
[bench]
listen = 127.0.0.1:$FPM_PORT
pm = static
pm.max_children = 2
FPM
"$PHP_FPM" -F -R -y "$WORK/php-fpm.conf" -p "$WORK" > "$WORK/php-fpm.out" 2>&1 &
PIDS+=($!)

mkdir -p "$WORK/nginx"
cat > "$WORK/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  proxy_temp_path $WORK/nginx/proxy;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  $APP_UPSTREAM
  $( [ "$PEER_KEEP_CONN" = on ] && echo "upstream peer { server 127.0.0.1:$FPM_PORT; keepalive 16; }" \
     || echo "upstream peer { server 127.0.0.1:$FPM_PORT; }" )
  server {
    listen 127.0.0.1:$NGINX_PEER;
    root $WORK/php;
    location ~ \.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass peer;
      fastcgi_keep_conn $PEER_KEEP_CONN;
    }
  }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log" > "$WORK/nginx.out" 2>&1 &
PIDS+=($!)
PEER_URL="http://127.0.0.1:$NGINX_PEER/hello.php"
MESSAGES_URL="$OURS_BASE/api/messages"
OURS_URL="$OURS_BASE$OURS_PATH"
wait_http "$PEER_URL"
wait_http "$MESSAGES_URL"
deadline=$((SECONDS + 30))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$MESSAGES_URL")" = 200 ]; do
  [ "$SECONDS" -lt "$deadline" ] || die "$MESSAGES_URL does not answer 200"
  sleep 0.2
done

[ "$(curl -s "$PEER_URL")" = hello ] || die "php-fpm does not say hello: $(curl -s "$PEER_URL")"
# 20 messages, so that every GET reads a full default page from Derby
for i in $(seq 1 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "{\"author\":\"bench\",\"body\":\"message $i\"}" "$MESSAGES_URL")
  [ "$code" = 201 ] || die "seeding message $i answered $code"
done
curl -s "$MESSAGES_URL" | grep -q '"body":"message 20"' || die "GET /api/messages does not list the seeded messages"

# run_wrk URL -> prints "RPS P99_MS NON2XX"
run_wrk() {
  local url=$1 out
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" > /dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  { echo "\$ wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency $url"; echo "$out"; echo; } >> "$WORK/wrk-raw.txt"
  local rps p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $(to_ms "$p99") ${non2xx:-0}"
}
to_ms() { python3 -c 'import re,sys; v=sys.argv[1]; n,u=re.match(r"([\d.]+)(\w+)",v).groups(); print(round(float(n)*{"us":0.001,"ms":1,"s":1000,"m":60000}[u],2))' "$1"; }

# compiled_methods PID...: how many methods HotSpot has compiled so far, summed over our JVMs
compiled_methods() {
  local pid total=0 n
  for pid in "$@"; do
    n=$(jstat -compiler "$pid" 2>/dev/null | awk 'NR == 2 {print $1}')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}
if [ "$FRONT" = stack ] || [ "$FRONT" = nginx ]; then
  OUR_JVMS=()
  for pid in "${PIDS[@]}"; do
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null | xargs -r basename)" = java ] && OUR_JVMS+=("$pid")
  done
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${STACK_WARMUP:-30s}" "$OURS_URL" > /dev/null
  JIT_QUIET=${JIT_QUIET:-20}
  if [ "$JIT_QUIET" -gt 0 ]; then
    command -v jstat >/dev/null || die "jstat (from the JDK) is needed to see when the JIT is done; JIT_QUIET=0 skips"
    before=$(compiled_methods "${OUR_JVMS[@]}")
    for slice in $(seq 1 36); do
      wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$OURS_URL" > /dev/null
      after=$(compiled_methods "${OUR_JVMS[@]}")
      if [ $((after - before)) -lt "$JIT_QUIET" ]; then
        echo "JIT quiet after $slice more 5 s slices of load: $((after - before)) methods compiled in the last one"
        break
      fi
      before=$after
    done
  fi
fi
ROUNDS=${ROUNDS:-1}
RATIOS=()
for round in $(seq 1 "$ROUNDS"); do
  if (( round % 2 )); then
    read -r OURS_RPS OURS_P99 OURS_BAD < <(run_wrk "$OURS_URL")
    read -r PEER_RPS PEER_P99 PEER_BAD < <(run_wrk "$PEER_URL")
  else
    read -r PEER_RPS PEER_P99 PEER_BAD < <(run_wrk "$PEER_URL")
    read -r OURS_RPS OURS_P99 OURS_BAD < <(run_wrk "$OURS_URL")
  fi
  [ "$OURS_BAD" = 0 ] || [ "$OURS_PATH" != /api/messages ] || die "ours: $OURS_BAD non-2xx responses"
  [ "$PEER_BAD" = 0 ] || die "peer: $PEER_BAD non-2xx responses"
  RATIOS+=("$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$OURS_RPS" "$PEER_RPS")")
  [ "$ROUNDS" = 1 ] || printf 'round %s: ours %s req/s (p99 %s ms), peer %s req/s (p99 %s ms), ratio %sx\n' \
    "$round" "$OURS_RPS" "$OURS_P99" "$PEER_RPS" "$PEER_P99" "${RATIOS[-1]}" | tee -a "$WORK/rounds.txt"
done
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# command: $COMMAND"
  echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a ${WARMUP} warm-up each)"
  printf '%-62s %12s %10s\n' "run" "requests/s" "p99 ms"
  printf '%-62s %12s %10s\n' "ours: $FRONT -> app-server -> Derby, GET $OURS_PATH" "$OURS_RPS" "$OURS_P99"
  printf '%-62s %12s %10s\n' "peer: nginx -> php-fpm (2 static children, keep-conn $PEER_KEEP_CONN), hello.php" "$PEER_RPS" "$PEER_P99"
  python3 -c 'import sys; print("ratio ours/peer: %.2fx requests/s" % (float(sys.argv[1]) / float(sys.argv[2])))' \
    "$OURS_RPS" "$PEER_RPS"
  if [ "$ROUNDS" != 1 ]; then
    echo "(the last round's figures above; all rounds:)"
    cat "$WORK/rounds.txt"
    python3 -c 'import statistics,sys; print("median ratio of %d rounds: %.2fx" % (len(sys.argv)-1, statistics.median(map(float, sys.argv[1:]))))' "${RATIOS[@]}"
  fi
} > "$WORK/summary.txt"
cat "$WORK/summary.txt"
mkdir -p "$RESULTS_DIR"
RESULT="$RESULTS_DIR/$(date -u +%Y%m%dT%H%M%SZ)$(tr -c 'a-zA-Z0-9\n' '-' <<<"${OURS_PATH}" | tr -d '\n').txt"
{ cat "$WORK/summary.txt"; echo; echo "# raw wrk output"; cat "$WORK/wrk-raw.txt"; } > "$RESULT"
echo "written to $RESULT"
