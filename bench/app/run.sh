#!/usr/bin/env bash
# Benchmark of the app tier against the real peer, one after the other in one run:
#   ours: FRONT -> our app server (FastCGI) -> Derby Network Server: GET /api/messages (a real Derby read)
#   peer: nginx -> php-fpm (2 static children): a PHP "hello"
#   peer-db (PEER_DB=pgsql only): nginx -> php-fpm -> PostgreSQL: the same 20-message page as JSON, like for like
# FRONT=stack (default) starts the whole stack as the README does (bin/foobar-stack: our web tier -> our app
# tier -> Derby, all on free ports, with the access log off like the peer's nginx) and measures through our web tier,
# after a warm-up under load that lasts until the JIT has compiled the three tiers' hot paths (see JIT_QUIET);
# FRONT=nginx puts nginx in front of our app server instead, to measure the app tier alone;
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
#   PEER_DB (default empty; pgsql adds a third run, "peer-db": the same nginx and php-fpm running messages.php,
#     which reads the newest page of 20 messages from PostgreSQL over TCP with PDO (a persistent connection, the
#     usual php-fpm set-up; prepares emulated, which made it 2,900-3,500 req/s against 2,600-2,800 with PDO's
#     default server-side prepares in one run: the peer's best) and writes them as JSON in our shape: like for like with GET /api/messages, where
#     hello.php does no database work at all. Needs Debian's postgresql and php-pgsql. Its own php-fpm pool of
#     PEER_DB_CHILDREN static children, default APP_WORKERS or 8: a child blocks on the database as our workers
#     do, and we have 8 of those.)
#   OURS_PATH (default /api/messages; e.g. /api/no-such-path measures the FastCGI path without the database)
#   APP_JAVA_OPTS (extra JVM options for the stack's JVM, or the app server's with FRONT=nginx, e.g.
#     -XX:StartFlightRecording=duration=30s,filename=/tmp/app.jfr to profile); with FRONT=nginx only: APP_ARGS (extra
#     AppServerMain flags, e.g. "--trace off"), APP_WORKERS, and STORAGE_JAVA_OPTS (the storage JVM's options)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FRONT=${FRONT:-stack}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
OURS_PATH=${OURS_PATH:-/api/messages}
PEER_KEEP_CONN=${PEER_KEEP_CONN:-on}
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/app/results}
PEER_DB=${PEER_DB:-}
PEER_DB_CHILDREN=${PEER_DB_CHILDREN:-${APP_WORKERS:-8}}
COMMAND="${APP_ARGS:+APP_ARGS='$APP_ARGS' }${APP_WORKERS:+APP_WORKERS=$APP_WORKERS }${ROUNDS:+ROUNDS=$ROUNDS }${STACK_WARMUP:+STACK_WARMUP=$STACK_WARMUP }${JIT_QUIET:+JIT_QUIET=$JIT_QUIET }${PEER_DB:+PEER_DB=$PEER_DB PEER_DB_CHILDREN=$PEER_DB_CHILDREN }FRONT=$FRONT DURATION=$DURATION WARMUP=$WARMUP CONNECTIONS=$CONNECTIONS THREADS=$THREADS OURS_PATH=$OURS_PATH PEER_KEEP_CONN=$PEER_KEEP_CONN bench/app/run.sh"
WORK="$(mktemp -d /tmp/foobar-app-bench.XXXXXX)"
chmod 755 "$WORK"
PIDS=()

die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]:-}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  if [ -n "${PG_CTL:-}" ] && [ -f "$WORK/pg/data/postmaster.pid" ]; then
    as_postgres "$PG_CTL" -D "$WORK/pg/data" -m immediate stop > /dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, its commands run as the postgres user
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$FRONT" != nginx ] && [ -n "${APP_ARGS:-}${APP_WORKERS:-}${STORAGE_JAVA_OPTS:-}" ]; then
  die "APP_ARGS, APP_WORKERS and STORAGE_JAVA_OPTS configure the JVMs FRONT=nginx starts;" \
    "with FRONT=$FRONT they would be ignored"
fi
if [ "$FRONT" != nginx ] && [ "$FRONT" != stack ] && [ -n "${APP_JAVA_OPTS:-}" ]; then
  die "APP_JAVA_OPTS configures a JVM this script starts; with FRONT=$FRONT it starts none"
fi
case "$PEER_DB" in ""|pgsql) ;; *) die "PEER_DB must be empty or pgsql, not '$PEER_DB'" ;; esac

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
FPM_DB_PORT=$(free_port)
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
if [ "$PEER_DB" = pgsql ]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || die "PEER_DB=pgsql needs PostgreSQL (Debian: postgresql)"
  grep -qx pdo_pgsql <<<"$("$PHP_FPM" -m)" || die "PEER_DB=pgsql needs PHP's PostgreSQL driver (Debian: php-pgsql)"
  PG_CTL="$PG_BIN/pg_ctl"
  PG_PORT=$(free_port)
  mkdir -p "$WORK/pg"
  [ "$(id -u)" != 0 ] || chown postgres "$WORK/pg"
  as_postgres "$PG_BIN/initdb" -D "$WORK/pg/data" -U bench -A trust --no-sync > "$WORK/pg/initdb.out" 2>&1 \
    || die "initdb failed: $(tail -n 5 "$WORK/pg/initdb.out")"
  # stock settings but for the address: TCP on loopback, as our app tier reaches Derby
  as_postgres "$PG_CTL" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1" start > /dev/null \
    || die "PostgreSQL did not start: $(tail -n 5 "$WORK/pg/server.log")"
  as_postgres "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U bench -d postgres -v ON_ERROR_STOP=1 <<'SQL' \
    || die "could not create the peer's messages table"
CREATE TABLE messages (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author VARCHAR(64) NOT NULL,
  body VARCHAR(2000) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO messages (author, body) SELECT 'bench', 'message ' || n FROM generate_series(1, 20) AS n;
SQL
  # The same work as GET /api/messages: validate limit and before, read limit + 1 rows newest first (the extra
  # row says whether an older page exists), and answer {"messages":[...],"limit":..,"before":..,"nextBefore":..}
  cat > "$WORK/php/messages.php" <<PHP
<?php
function fail(\$status, \$message) {
  http_response_code(\$status);
  header('Content-Type: application/json');
  echo json_encode(['error' => \$message]);
  exit;
}
\$limit = \$_GET['limit'] ?? '20';
\$before = \$_GET['before'] ?? null;
if (!ctype_digit(\$limit) || (int) \$limit < 1 || (int) \$limit > 100) fail(400, 'limit must be 1..100');
if (\$before !== null && !ctype_digit(\$before)) fail(400, 'before must be a message id');
\$limit = (int) \$limit;
\$db = new PDO('pgsql:host=127.0.0.1;port=$PG_PORT;dbname=postgres', 'bench', '',
  [PDO::ATTR_PERSISTENT => true, PDO::ATTR_EMULATE_PREPARES => true,
   PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
\$columns = "id, author, body, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\\"T\\"HH24:MI:SS.US\\"Z\\"') AS created_at";
if (\$before === null) {
  \$st = \$db->prepare("SELECT \$columns FROM messages ORDER BY id DESC LIMIT ?");
  \$st->execute([\$limit + 1]);
} else {
  \$st = \$db->prepare("SELECT \$columns FROM messages WHERE id < ? ORDER BY id DESC LIMIT ?");
  \$st->execute([(int) \$before, \$limit + 1]);
}
\$messages = [];
foreach (\$st->fetchAll(PDO::FETCH_ASSOC) as \$row) {
  \$messages[] = ['id' => (int) \$row['id'], 'author' => \$row['author'], 'body' => \$row['body'],
    'createdAt' => \$row['created_at']];
}
\$next = null;
if (count(\$messages) > \$limit) {
  array_pop(\$messages);
  \$next = \$messages[\$limit - 1]['id'];
}
header('Content-Type: application/json');
echo json_encode(['messages' => \$messages, 'limit' => \$limit,
  'before' => \$before === null ? null : (int) \$before, 'nextBefore' => \$next]);
PHP
fi
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
if [ "$PEER_DB" = pgsql ]; then
  # its own pool: a child waits for PostgreSQL as our workers wait for Derby, so it gets as many as they are
  cat >> "$WORK/php-fpm.conf" <<FPM
[bench-db]
listen = 127.0.0.1:$FPM_DB_PORT
pm = static
pm.max_children = $PEER_DB_CHILDREN
FPM
fi
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
  $( [ "$PEER_KEEP_CONN" = on ] && echo "upstream peer_db { server 127.0.0.1:$FPM_DB_PORT; keepalive 16; }" \
     || echo "upstream peer_db { server 127.0.0.1:$FPM_DB_PORT; }" )
  server {
    listen 127.0.0.1:$NGINX_PEER;
    root $WORK/php;
    location ~ \.php\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass peer;
      fastcgi_keep_conn $PEER_KEEP_CONN;
    }
    location = /messages.php {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
      fastcgi_pass peer_db;
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
PEER_DB_URL="http://127.0.0.1:$NGINX_PEER/messages.php"
if [ "$PEER_DB" = pgsql ]; then
  answer=$(curl -s "$PEER_DB_URL")
  grep -q '"body":"message 20"' <<<"$answer" || die "messages.php does not list the peer's messages: ${answer:0:300}"
fi
# 20 messages, so that every GET reads a full default page from Derby
for i in $(seq 1 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "{\"author\":\"bench\",\"body\":\"message $i\"}" "$MESSAGES_URL")
  [ "$code" = 201 ] || die "seeding message $i answered $code"
done
grep -q '"body":"message 20"' <<<"$(curl -s "$MESSAGES_URL")" || die "GET /api/messages does not list the seeded messages"

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
PEER_DB_RATIOS=()
# one round: every run once, in the given order
measure() {
  local which
  for which in "$@"; do
    case "$which" in
      ours) read -r OURS_RPS OURS_P99 OURS_BAD < <(run_wrk "$OURS_URL") ;;
      peer) read -r PEER_RPS PEER_P99 PEER_BAD < <(run_wrk "$PEER_URL") ;;
      peer-db) read -r PEER_DB_RPS PEER_DB_P99 PEER_DB_BAD < <(run_wrk "$PEER_DB_URL") ;;
    esac
  done
}
ratio() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"; }
RUNS=(ours peer)
[ "$PEER_DB" != pgsql ] || RUNS+=(peer-db)
for round in $(seq 1 "$ROUNDS"); do
  # odd rounds in order, even rounds reversed: neither side always runs on the hotter machine
  if (( round % 2 )); then measure "${RUNS[@]}"; else measure $(printf '%s\n' "${RUNS[@]}" | tac); fi
  [ "$OURS_BAD" = 0 ] || [ "$OURS_PATH" != /api/messages ] || die "ours: $OURS_BAD non-2xx responses"
  [ "$PEER_BAD" = 0 ] || die "peer: $PEER_BAD non-2xx responses"
  RATIOS+=("$(ratio "$OURS_RPS" "$PEER_RPS")")
  line="round $round: ours $OURS_RPS req/s (p99 $OURS_P99 ms), peer $PEER_RPS req/s (p99 $PEER_P99 ms), ratio ${RATIOS[-1]}x"
  if [ "$PEER_DB" = pgsql ]; then
    [ "$PEER_DB_BAD" = 0 ] || die "peer-db: $PEER_DB_BAD non-2xx responses"
    PEER_DB_RATIOS+=("$(ratio "$OURS_RPS" "$PEER_DB_RPS")")
    line="$line; peer-db $PEER_DB_RPS req/s (p99 $PEER_DB_P99 ms), ratio ${PEER_DB_RATIOS[-1]}x"
  fi
  [ "$ROUNDS" = 1 ] || echo "$line" | tee -a "$WORK/rounds.txt"
done
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# command: $COMMAND"
  echo "# wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a ${WARMUP} warm-up each)"
  printf '%-62s %12s %10s\n' "run" "requests/s" "p99 ms"
  printf '%-62s %12s %10s\n' "ours: $FRONT -> app-server -> Derby, GET $OURS_PATH" "$OURS_RPS" "$OURS_P99"
  printf '%-62s %12s %10s\n' "peer: nginx -> php-fpm (2 static children, keep-conn $PEER_KEEP_CONN), hello.php" "$PEER_RPS" "$PEER_P99"
  if [ "$PEER_DB" = pgsql ]; then
    printf '%-62s %12s %10s\n' "peer-db: nginx -> php-fpm ($PEER_DB_CHILDREN children) -> PostgreSQL, messages.php" "$PEER_DB_RPS" "$PEER_DB_P99"
  fi
  echo "ratio ours/peer: $(ratio "$OURS_RPS" "$PEER_RPS")x requests/s"
  [ "$PEER_DB" != pgsql ] || echo "ratio ours/peer-db: $(ratio "$OURS_RPS" "$PEER_DB_RPS")x requests/s"
  if [ "$ROUNDS" != 1 ]; then
    echo "(the last round's figures above; all rounds:)"
    cat "$WORK/rounds.txt"
    python3 -c 'import statistics,sys; print("median ratio of %d rounds: %.2fx" % (len(sys.argv)-1, statistics.median(map(float, sys.argv[1:]))))' "${RATIOS[@]}"
    if [ "$PEER_DB" = pgsql ]; then
      python3 -c 'import statistics,sys; print("median ratio ours/peer-db of %d rounds: %.2fx" % (len(sys.argv)-1, statistics.median(map(float, sys.argv[1:]))))' "${PEER_DB_RATIOS[@]}"
    fi
  fi
} > "$WORK/summary.txt"
cat "$WORK/summary.txt"
mkdir -p "$RESULTS_DIR"
RESULT="$RESULTS_DIR/$(date -u +%Y%m%dT%H%M%SZ)$(tr -c 'a-zA-Z0-9\n' '-' <<<"${OURS_PATH}" | tr -d '\n').txt"
{
  cat "$WORK/summary.txt"
  echo; echo "# what each answered (first 300 bytes of the body)"
  for url in "$OURS_URL" "$PEER_URL" $( [ "$PEER_DB" != pgsql ] || echo "$PEER_DB_URL" ); do
    answer=$(curl -s "$url")
    echo "\$ curl -s $url"; echo "${answer:0:300}"
  done
  echo; echo "# raw wrk output"; cat "$WORK/wrk-raw.txt"
} > "$RESULT"
echo "written to $RESULT"
