#!/usr/bin/env bash
# Interop of the app tier with software no one here wrote:
#   1. real nginx (Debian package) with fastcgi_pass to our app server serves the guestbook API end to end,
#      POST bodies included, once with `fastcgi_keep_conn on` (upstream keepalive) and once without;
#   2. cgi-fcgi (Debian libfcgi-bin) gets a well-formed CGI response from our app server.
# Runs after `mvn package`. Starts storage + app server (their Main classes) and nginx on free loopback ports
# in a temp dir, asserts response contents, and stops everything it started.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/foobar-app-interop.XXXXXX)"
chmod 755 "$WORK"
PIDS=()
FAILED=1

say() { printf '== %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  if [ "$FAILED" = 1 ]; then
    for f in "$WORK"/*.log "$WORK"/*.out; do
      [ -f "$f" ] && { echo "----- $f (last 40 lines)"; tail -n 40 "$f"; }
    done
    echo "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

for tool in java mvn nginx cgi-fcgi curl python3; do
  command -v "$tool" >/dev/null || die "required tool '$tool' is not installed (Debian: nginx, libfcgi-bin, curl, python3)"
done
[ -f /etc/nginx/fastcgi_params ] || die "/etc/nginx/fastcgi_params missing (Debian package nginx-common)"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# wait_for FILE REGEX PID: an external process announces readiness on its stdout
wait_for() {
  local file=$1 regex=$2 pid=$3 deadline=$((SECONDS + 60))
  until grep -Eq "$regex" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before printing /$regex/ (see $file)"
    [ "$SECONDS" -lt "$deadline" ] || die "timed out waiting for /$regex/ in $file"
    sleep 0.1
  done
}

say "classpath"
cd "$ROOT"
mvn -q -o -pl app-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" \
  || mvn -q -pl app-server -am -DskipTests package dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
APP_JAR=$(ls "$ROOT"/app-server/target/app-server-*.jar | head -n1)
CP="$APP_JAR:$(cat "$WORK/cp.txt")"

say "storage"
java -cp "$CP" org.foobarstack.storage.StorageServerMain --bind 127.0.0.1 --port 0 --data-dir "$WORK/storage" \
  > "$WORK/storage.out" 2>&1 &
PIDS+=($!)
wait_for "$WORK/storage.out" '^READY [0-9]+' "${PIDS[-1]}"
JDBC_URL=$(sed -n 's/^storage: JDBC URL //p' "$WORK/storage.out")
[ -n "$JDBC_URL" ] || die "storage printed no JDBC URL"

say "app server"
java -cp "$CP" org.foobarstack.app.AppServerMain --bind 127.0.0.1 --port 0 --instance app-interop \
  --jdbc-url "$JDBC_URL" --db-user foobar_app --db-password app-local-only > "$WORK/app.out" 2>&1 &
PIDS+=($!)
wait_for "$WORK/app.out" 'listening on 127\.0\.0\.1:[0-9]+' "${PIDS[-1]}"
APP_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/app.out" | head -n1)
say "app server on 127.0.0.1:$APP_PORT, database $JDBC_URL"

say "nginx"
PORT_ON=$(free_port)
PORT_OFF=$(free_port)
mkdir -p "$WORK/nginx"
# nginx's workers may run as another user (nobody) and buffer large request bodies in these directories
mkdir -p "$WORK/nginx/body" "$WORK/nginx/fastcgi" && chmod 777 "$WORK/nginx" "$WORK/nginx/body" "$WORK/nginx/fastcgi"
cat > "$WORK/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log info;
events { worker_connections 128; }
http {
  access_log $WORK/nginx-access.log;
  client_max_body_size 8m;
  client_body_temp_path $WORK/nginx/body;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  proxy_temp_path $WORK/nginx/proxy;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;

  upstream app_keepalive {
    server 127.0.0.1:$APP_PORT;
    keepalive 4;
  }
  # fastcgi_keep_conn on: FCGI_KEEP_CONN set, connections reused from the upstream keepalive pool
  server {
    listen 127.0.0.1:$PORT_ON;
    server_name www.foobar.com;
    location = /ready { return 204; }
    location /api/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass app_keepalive;
      fastcgi_keep_conn on;
    }
  }
  # the default: FCGI_KEEP_CONN clear, one connection per request, closed by our app server
  server {
    listen 127.0.0.1:$PORT_OFF;
    server_name www.foobar.com;
    location = /ready { return 204; }
    location /api/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass 127.0.0.1:$APP_PORT;
    }
  }
}
NGINX
nginx -t -q -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log" || die "nginx rejected the config"
nginx -c "$WORK/nginx.conf" -p "$WORK" -e "$WORK/nginx-error.log" > "$WORK/nginx.out" 2>&1 &
PIDS+=($!)
deadline=$((SECONDS + 20))
until curl -sf -o /dev/null "http://127.0.0.1:$PORT_OFF/ready" && curl -sf -o /dev/null "http://127.0.0.1:$PORT_ON/ready"; do
  [ "$SECONDS" -lt "$deadline" ] || die "nginx did not start listening"
  sleep 0.1
done

# request METHOD URL [curl args...] -> sets STATUS, HEADERS, BODY
request() {
  local method=$1 url=$2; shift 2
  : > "$WORK/headers" ; : > "$WORK/body"
  STATUS=$(curl -s -X "$method" -D "$WORK/headers" -o "$WORK/body" -w '%{http_code}' "$@" "$url")
  HEADERS=$(tr -d '\r' < "$WORK/headers")
  BODY=$(cat "$WORK/body")
}
expect_status() { [ "$STATUS" = "$1" ] || die "$2: expected HTTP $1, got $STATUS; body: $BODY"; }
expect_body() { grep -Fq -- "$1" <<<"$BODY" || die "$2: body lacks '$1'; body: $BODY"; }
expect_header() { grep -Eiq -- "$1" <<<"$HEADERS" || die "$2: headers lack /$1/; headers: $HEADERS"; }
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1].split("/"): d=d[int(k)] if isinstance(d,list) else d[k]
print(d)' "$1" <<<"$BODY"; }

walk_guestbook() {
  local port=$1 label=$2 base="http://127.0.0.1:$1"
  say "guestbook through nginx ($label) on port $port"

  request POST "$base/api/messages" -H 'Content-Type: application/json' \
    --data-binary "{\"author\":\"ada-$label\",\"body\":\"hi from nginx <$label> & \\u00e9\"}"
  expect_status 201 "POST json ($label)"
  expect_body "\"author\":\"ada-$label\"" "POST json ($label)"
  expect_body "hi from nginx <$label> & é" "POST json ($label)"
  local id; id=$(json_field id)
  expect_header "^Location: /api/messages/$id\$" "POST json ($label)"
  expect_header '^Content-Type: application/json' "POST json ($label)"

  request POST "$base/api/messages" --data-urlencode "author=grace $label" --data-urlencode 'body=form & post'
  expect_status 201 "POST form ($label)"
  expect_body "\"author\":\"grace $label\"" "POST form ($label)"
  expect_body '"body":"form & post"' "POST form ($label)"

  # a body of 1,900 characters: a real payload, not just a few bytes
  local long; long=$(printf 'x%.0s' $(seq 1 1900))
  request POST "$base/api/messages" -H 'Content-Type: application/json' \
    --data-binary "{\"author\":\"long-$label\",\"body\":\"$long\"}"
  expect_status 201 "POST long body ($label)"
  [ "$(json_field body | wc -c)" -eq 1901 ] || die "long body came back with another length ($label)"

  request GET "$base/api/messages?limit=3"
  expect_status 200 "GET list ($label)"
  [ "$(json_field messages/0/author)" = "long-$label" ] || die "newest message is not first ($label): $BODY"
  [ "$(json_field messages/2/id)" = "$id" ] || die "list does not hold message $id third ($label): $BODY"

  request GET "$base/api/messages/$id"
  expect_status 200 "GET by id ($label)"
  [ "$(json_field author)" = "ada-$label" ] || die "GET by id returned another message ($label)"

  request GET "$base/api/messages/999999999"
  expect_status 404 "GET missing id ($label)"
  expect_body '"status":404' "GET missing id ($label)"

  request POST "$base/api/messages" -H 'Content-Type: text/plain' --data-binary 'author=a&body=b'
  expect_status 415 "POST text/plain ($label)"

  request POST "$base/api/messages" -H 'Content-Type: application/json' --data-binary '{"author":"a",'
  expect_status 400 "POST malformed JSON ($label)"

  request POST "$base/api/messages" -H 'Content-Type: application/json' --data-binary '{"author":" ","body":"b"}'
  expect_status 422 "POST blank author ($label)"

  # 100 KB: nginx sends it in several STDIN records; over the application's 16 KiB limit
  python3 -c 'print("{\"author\":\"big\",\"body\":\"" + "b" * 100000 + "\"}")' > "$WORK/big.json"
  request POST "$base/api/messages" -H 'Content-Type: application/json' --data-binary "@$WORK/big.json"
  expect_status 413 "POST 100 KB ($label)"
  expect_body 'at most 16384 bytes' "POST 100 KB ($label)"

  # 2 MB: over the responder's 1 MiB STDIN limit; refused by the responder, answered once nginx has sent it all
  python3 -c 'print("x" * 2000000)' > "$WORK/huge.txt"
  request POST "$base/api/messages" -H 'Content-Type: application/json' --data-binary "@$WORK/huge.txt"
  expect_status 413 "POST 2 MB ($label)"
  expect_body 'request body over 1048576 bytes' "POST 2 MB ($label)"

  request PUT "$base/api/messages" -H 'Content-Type: application/json' --data-binary '{}'
  expect_status 405 "PUT ($label)"
  expect_header '^Allow: GET, HEAD, POST$' "PUT ($label)"

  request GET "$base/api/nothing"
  expect_status 404 "unknown path ($label)"

  request GET "$base/api/whoami" -H 'Host: www.foobar.com' \
    -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
  expect_status 200 "whoami ($label)"
  [ "$(json_field requestId)" = 4bf92f3577b34da6a3ce929d0e0e4736 ] || die "whoami lost the traceparent: $BODY"
  [ "$(json_field webServer/serverSoftware)" = "nginx/$(nginx -v 2>&1 | sed 's|.*nginx/||')" ] \
    || die "whoami does not name nginx: $BODY"
  [ "$(json_field webServer/serverPort)" = "$port" ] || die "whoami has the wrong web port: $BODY"
  [ "$(json_field appServer/instance)" = app-interop ] || die "whoami has the wrong app instance: $BODY"
  [ "$(json_field appServer/address)" = "127.0.0.1:$APP_PORT" ] || die "whoami has the wrong app address: $BODY"
  [ "$(json_field database/product)" = "Apache Derby" ] || die "whoami made no database round trip: $BODY"
}

fastcgi_peer() { request GET "http://127.0.0.1:$1/api/whoami"; json_field webServer/fastcgiPeer; }

walk_guestbook "$PORT_ON" keep-conn-on
walk_guestbook "$PORT_OFF" keep-conn-off

say "connection reuse"
a=$(fastcgi_peer "$PORT_ON"); b=$(fastcgi_peer "$PORT_ON")
[ "$a" = "$b" ] || die "with fastcgi_keep_conn on nginx should reuse one FastCGI connection: $a then $b"
a=$(fastcgi_peer "$PORT_OFF"); b=$(fastcgi_peer "$PORT_OFF")
[ "$a" != "$b" ] || die "without keep-conn each request should get its own FastCGI connection: $a twice"
say "keep-conn on reused $a; keep-conn off used a new connection per request"

say "cgi-fcgi"
cgi_env=(REQUEST_METHOD=GET SCRIPT_NAME=/api/messages QUERY_STRING=limit=2 REQUEST_URI=/api/messages?limit=2
         SERVER_NAME=cgi-fcgi SERVER_SOFTWARE=libfcgi-cgi-fcgi GATEWAY_INTERFACE=CGI/1.1 REMOTE_ADDR=127.0.0.1)
OUT=$(env -i "${cgi_env[@]}" cgi-fcgi -bind -connect "127.0.0.1:$APP_PORT" </dev/null | tr -d '\r')
grep -q '^Status: 200 OK$' <<<"$OUT" || die "cgi-fcgi GET: no 'Status: 200 OK' line: $OUT"
grep -q '^Content-Type: application/json$' <<<"$OUT" || die "cgi-fcgi GET: no JSON content type: $OUT"
grep -q '"messages":\[{"id":' <<<"$OUT" || die "cgi-fcgi GET: no messages: $OUT"
grep -q '"limit":2' <<<"$OUT" || die "cgi-fcgi GET: query string not used: $OUT"

POST_BODY='{"author":"cgi-fcgi","body":"posted through libfcgi"}'
OUT=$(printf '%s' "$POST_BODY" | env -i REQUEST_METHOD=POST SCRIPT_NAME=/api/messages \
  CONTENT_TYPE=application/json CONTENT_LENGTH=${#POST_BODY} GATEWAY_INTERFACE=CGI/1.1 \
  cgi-fcgi -bind -connect "127.0.0.1:$APP_PORT" | tr -d '\r')
grep -q '^Status: 201 Created$' <<<"$OUT" || die "cgi-fcgi POST: no 'Status: 201 Created': $OUT"
grep -q '^Location: /api/messages/[0-9]*$' <<<"$OUT" || die "cgi-fcgi POST: no Location: $OUT"
grep -q '"body":"posted through libfcgi"' <<<"$OUT" || die "cgi-fcgi POST: message not echoed: $OUT"

say "nginx error log"
if grep -E '\[(error|crit|alert|emerg)\]' "$WORK/nginx-error.log"; then
  die "nginx logged errors talking to our app server (above)"
fi

FAILED=0
say "app interop passed: nginx keep-conn on/off and cgi-fcgi against app-server on 127.0.0.1:$APP_PORT"
