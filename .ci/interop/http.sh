#!/usr/bin/env bash
# Interop checks of the web tier (http-server) with software no one here wrote: curl, php-fpm and Chromium.
#
# Run from the repository root after `mvn package`. Everything happens inside a private network namespace
# (unshare -rn, loopback only), so no request, and no DNS query of the browser, can leave the machine; our web
# server, php-fpm and Chromium are all started inside it. Screenshots land in http-server/target/interop/.
# php-fpm runs an echo script and, for the guestbook, a PHP stand-in for the app tier (stand-in-app.php), so that
# this script checks the web tier alone, whether or not the app server exists.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT_DIR/http-server/target/interop"
JAR="$ROOT_DIR/http-server/target/http-server-0.1.0-SNAPSHOT.jar"
LIB="$ROOT_DIR/http-server/target/lib"

fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is missing (install: $2)"; }

# ---- step 0: enter a loopback-only network namespace, once ------------------------------------------
if [[ -z "${FOOBAR_IN_NETNS:-}" ]]; then
  need unshare util-linux
  exec unshare -rn env FOOBAR_IN_NETNS=1 bash "$0" "$@"
fi
need ip iproute2
ip link set lo up

need java openjdk-17-jre-headless
need curl curl
need chromium chromium
need openssl openssl
need chromedriver chromium-driver
PHP_FPM=$(ls /usr/sbin/php-fpm* 2>/dev/null | sort | tail -n 1 || true)
[[ -n "$PHP_FPM" ]] || fail "php-fpm is missing (install: php-fpm)"
[[ -f "$JAR" && -d "$LIB" ]] || fail "$JAR or $LIB missing: run 'mvn package' first"

WORK=$(mktemp -d)
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# ---- step 1: php-fpm with an echo script, in the foreground, two static children --------------------
FPM_PORT=19000   # the namespace is private, so this port is free
cp "$ROOT_DIR/http-server/src/test/resources/php/echo.php" "$ROOT_DIR/http-server/src/test/resources/php/stand-in-app.php" "$WORK/"
cat > "$WORK/php-fpm.conf" <<CONF
[global]
error_log = $WORK/php-fpm.log
daemonize = no
pid = $WORK/php-fpm.pid
[www]
listen = 127.0.0.1:$FPM_PORT
pm = static
pm.max_children = 2
CONF
"$PHP_FPM" -F -R -n -y "$WORK/php-fpm.conf" >"$WORK/php-fpm.out" 2>&1 &
PIDS+=($!)

# ---- step 2: our web server alone, on free ports, in front of php-fpm ---------------------------------
java -cp "$JAR:$LIB/*" org.foobarstack.http.WebServerMain --port 0 --https-port 0 --data-dir "$WORK/data" \
  --app "127.0.0.1:$FPM_PORT" --app-script "$WORK/stand-in-app.php" >"$WORK/server.out" 2>"$WORK/server.err" &
PIDS+=($!)
for _ in $(seq 1 150); do
  grep -q '^root ' "$WORK/server.out" 2>/dev/null && break
  sleep 0.1
done
grep -q '^root ' "$WORK/server.out" || { cat "$WORK/server.err" >&2; fail "web server did not start"; }
HTTP=$(awk '/^http /{print $2}' "$WORK/server.out")
HTTPS_PORT=$(awk '/^https /{print $2}' "$WORK/server.out" | sed 's/.*://')
HTTP_PORT=${HTTP##*:}
CA=$(awk '/^ca /{print $2}' "$WORK/server.out")
echo "web server at $HTTP and https port $HTTPS_PORT, CA $CA"

check() { # name, condition already evaluated by the caller
  echo "ok - $1"
}

# ---- step 3: curl over HTTP/1.1 and HTTP/1.0 ----------------------------------------------------------
body=$(curl -sS --http1.1 "$HTTP/")
grep -q 'foobar.com' <<<"$body" && grep -q 'Guestbook' <<<"$body" || fail "home page content"
check "HTTP/1.1 GET / returns the home page"

head10=$(curl -sS -0 -D - -o "$WORK/index10.html" "$HTTP/")
grep -q '^HTTP/1.1 200' <<<"$head10" || fail "HTTP/1.0 status: $head10"
grep -qi '^connection: close' <<<"$head10" || fail "HTTP/1.0 answer must close: $head10"
grep -qi '^transfer-encoding' <<<"$head10" && fail "HTTP/1.0 must never get chunked"
cmp -s "$WORK/index10.html" <(printf '%s' "$body") || cmp -s "$WORK/index10.html" <(curl -sS "$HTTP/") \
  || fail "HTTP/1.0 body differs"
check "HTTP/1.0 GET / closes and is not chunked"

reuse=$(curl -sS -v -o /dev/null -o /dev/null "$HTTP/" "$HTTP/style.css" 2>&1)
grep -q 'Re-using existing connection' <<<"$reuse" || fail "connection was not reused"
check "two requests on one kept-alive connection"

head=$(curl -sS -I "$HTTP/index.html")
length=$(curl -sS "$HTTP/index.html" | wc -c)
# whole lines, CR included: a prefix match would take "Content-Length: 1234" for 123
grep -qiE "^content-length: ${length}"$'\r'"?\$" <<<"$head" || fail "-I Content-Length differs from GET ($length): $head"
grep -qi '^content-type: text/html' <<<"$head" || fail "-I Content-Type"
check "HEAD (-I) carries GET's headers"

range=$(curl -sS -D "$WORK/range.h" --range 0-14 "$HTTP/index.html")
[[ "$range" == '<!DOCTYPE html>' ]] || fail "range body: $range"
grep -q '^HTTP/1.1 206' "$WORK/range.h" || fail "range status"
grep -qiE "^content-range: bytes 0-14/${length}"$'\r'"?\$" "$WORK/range.h" || fail "Content-Range: $(cat "$WORK/range.h")"
check "--range gives 206 with Content-Range"

etag=$(grep -i '^etag:' <<<"$head" | cut -d' ' -f2 | tr -d '\r')
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$HTTP/index.html")
[[ "$code" == 304 ]] || fail "If-None-Match gave $code"
check "If-None-Match gives 304"

css=$(curl -sS -D - -o /dev/null "$HTTP/style.css")
grep -qi '^content-type: text/css' <<<"$css" || fail "css MIME type"
check "style.css is text/css"

exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT"
printf 'GET / HTTP/1.1\r\n\r\n' >&3
bad=$(timeout 10 cat <&3 || true)
exec 3>&-
grep -q '^HTTP/1.1 400' <<<"$bad" && grep -q 'RFC 9112 §3.2' <<<"$bad" || fail "missing Host: $bad"
check "a request without Host gets 400 naming RFC 9112 §3.2"

# ---- step 4: HTTPS with the generated CA ---------------------------------------------------------------
for tls in 1.2 1.3; do
  page=$(curl -sS --cacert "$CA" --tlsv"$tls" --tls-max "$tls" --resolve "www.foobar.com:$HTTPS_PORT:127.0.0.1" \
    "https://www.foobar.com:$HTTPS_PORT/")
  grep -q 'Guestbook' <<<"$page" || fail "HTTPS TLS $tls home page"
  check "HTTPS (TLS $tls) with --cacert"
done
# exit 60 (CURLE_PEER_FAILED_VERIFICATION): refused for the certificate, not for any other failure
rc=0
curl -sS -o /dev/null --resolve "www.foobar.com:$HTTPS_PORT:127.0.0.1" "https://www.foobar.com:$HTTPS_PORT/" \
  2>"$WORK/nocacert.err" || rc=$?
[[ $rc == 60 ]] || fail "curl without --cacert: exit $rc, expected 60 (certificate refused): $(cat "$WORK/nocacert.err")"
check "without --cacert the certificate is refused"

# ---- step 5: our web server in front of real php-fpm ---------------------------------------------------
for _ in $(seq 1 100); do
  (exec 4<>"/dev/tcp/127.0.0.1/$FPM_PORT") 2>/dev/null && break
  sleep 0.1
done
echo_out=$(curl -sS -H 'X-Custom: from curl' -H 'Proxy: http://evil.example:3128' "$HTTP/api/echo/path?x=1&y=2")
for expected in 'REQUEST_METHOD=GET' 'SCRIPT_NAME=/api' 'PATH_INFO=/echo/path' 'QUERY_STRING=x=1&y=2' \
                'HTTP_X_CUSTOM=from curl' 'HTTP_PROXY=(unset)' 'GATEWAY_INTERFACE=CGI/1.1'; do
  grep -qxF "$expected" <<<"$echo_out" || fail "php-fpm did not see $expected: $echo_out"
done
check "CGI params reach php-fpm (and no HTTP_PROXY)"
trace=4bf92f3577b34da6a3ce929d0e0e4736
traced=$(curl -sS -D "$WORK/traced.h" -H "traceparent: 00-$trace-00f067aa0ba902b7-01" "$HTTP/api/echo")
grep -qi "^x-trace-id: $trace" "$WORK/traced.h" || fail "X-Trace-Id must carry the client's trace id"
grep -qi "^x-request-id: ${trace:0:8}" "$WORK/traced.h" || fail "X-Request-Id must be the trace's short id"
grep -qx "REQUEST_ID=${trace:0:8}" <<<"$traced" || fail "REQUEST_ID: $traced"
grep -qE "^HTTP_TRACEPARENT=00-$trace-[0-9a-f]{16}-01$" <<<"$traced" || fail "HTTP_TRACEPARENT: $traced"
grep -q "HTTP_TRACEPARENT=00-$trace-00f067aa0ba902b7-01" <<<"$traced" && fail "the app tier must get a child context"
fresh=$(curl -sS "$HTTP/api/echo")
grep -qE '^HTTP_TRACEPARENT=00-[0-9a-f]{32}-[0-9a-f]{16}-01$' <<<"$fresh" || fail "no HTTP_TRACEPARENT without one"
check "the trace reaches php-fpm as HTTP_TRACEPARENT (child context) and comes back as X-Trace-Id"
post='{"author":"ada","body":"hello from curl"}'
posted=$(curl -sS -H 'Content-Type: application/json' --data-binary "$post" "$HTTP/api/echo")
grep -qxF 'REQUEST_METHOD=POST' <<<"$posted" || fail "POST method"
grep -qxF "CONTENT_LENGTH=${#post}" <<<"$posted" || fail "CONTENT_LENGTH"
[[ "$(sed -n '/^--body--$/,$p' <<<"$posted" | tail -n +2)" == "$post" ]] || fail "POST body: $posted"
check "a POST body reaches php-fpm intact"

# ---- step 6: headless Chromium over HTTP and HTTPS -----------------------------------------------------
SPKI=$(openssl x509 -in "$WORK/data/tls/server.pem" -pubkey -noout | openssl pkey -pubin -outform der \
  | openssl dgst -sha256 -binary | base64)
browse() { # scheme port name
  local url="$1://www.foobar.com:$2/"
  local profile
  profile=$(mktemp -d)
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
               --disable-component-update --disable-sync --user-data-dir="$profile"
               --host-resolver-rules="MAP www.foobar.com 127.0.0.1"
               --ignore-certificate-errors-spki-list="$SPKI" --window-size=1200,1600)
  HOME="$profile" timeout 90 chromium "${flags[@]}" --screenshot="$OUT/home-$3.png" "$url" >"$WORK/chromium-$3.log" 2>&1 \
    || { cat "$WORK/chromium-$3.log" >&2; fail "chromium screenshot over $3"; }
  [[ -s "$OUT/home-$3.png" ]] || fail "no screenshot over $3"
  HOME="$profile" timeout 90 chromium "${flags[@]}" --virtual-time-budget=5000 --dump-dom "$url" \
    >"$WORK/dom-$3.html" 2>>"$WORK/chromium-$3.log" || fail "chromium dump-dom over $3"
  grep -q 'id="guestbook-form"' "$WORK/dom-$3.html" || fail "the page did not render over $3"
  local shown
  shown=$(echo "$3" | tr a-z A-Z)
  grep -q "<strong id=\"scheme\">$shown</strong>" "$WORK/dom-$3.html" \
    || fail "guestbook.js did not run over $3 (expected scheme $shown)"
  rm -rf "$profile"
  check "Chromium loads the home page over $3 (screenshot $OUT/home-$3.png)"
}
browse http "$HTTP_PORT" http
browse https "$HTTPS_PORT" https

# ---- step 7: a browser signs the guestbook through our web server -------------------------------------
# Chromium driven over the WebDriver protocol (chromedriver, plain curl), against the PHP stand-in for the app tier
# (stand-in-app.php behind php-fpm): type a message, submit, and wait for the page to list it.
DRIVER_PORT=19515
chromedriver --port="$DRIVER_PORT" >"$WORK/chromedriver.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -s "http://127.0.0.1:$DRIVER_PORT/status" | grep -q '"ready": *true' && break; sleep 0.1; done
wd() { # method path [json]
  curl -sS -X "$1" -H 'Content-Type: application/json' "http://127.0.0.1:$DRIVER_PORT$2" ${3:+-d "$3"}
}
element_id() { sed -n 's/.*"element-6066-11e4-a52e-4f735466cecf": *"\([^"]*\)".*/\1/p'; }
profile=$(mktemp -d)
session=$(wd POST /session "{\"capabilities\":{\"alwaysMatch\":{\"goog:chromeOptions\":{\"binary\":\"$(command -v chromium)\",
  \"args\":[\"--headless\",\"--no-sandbox\",\"--disable-gpu\",\"--disable-quic\",\"--no-first-run\",
  \"--disable-background-networking\",\"--disable-component-update\",\"--disable-sync\",
  \"--user-data-dir=$profile\",\"--host-resolver-rules=MAP www.foobar.com 127.0.0.1\",
  \"--ignore-certificate-errors-spki-list=$SPKI\",\"--window-size=1200,1600\"]}}}}" \
  | sed -n 's/.*"sessionId": *"\([^"]*\)".*/\1/p')
[[ -n "$session" ]] || { cat "$WORK/chromedriver.log" >&2; fail "no WebDriver session"; }
wd POST "/session/$session/url" "{\"url\":\"https://www.foobar.com:$HTTPS_PORT/\"}" >/dev/null
note="signed by Chromium at $(date +%s)"
author=$(wd POST "/session/$session/element" '{"using":"css selector","value":"input[name=author]"}' | element_id)
text=$(wd POST "/session/$session/element" '{"using":"css selector","value":"textarea[name=body]"}' | element_id)
button=$(wd POST "/session/$session/element" '{"using":"css selector","value":"#guestbook-form button"}' | element_id)
[[ -n "$author" && -n "$text" && -n "$button" ]] || fail "guestbook form not found"
wd POST "/session/$session/element/$author/value" '{"text":"ada <b>not bold</b>"}' >/dev/null
wd POST "/session/$session/element/$text/value" "{\"text\":\"$note\"}" >/dev/null
wd POST "/session/$session/element/$button/click" '{}' >/dev/null
listed=""
for _ in $(seq 1 100); do
  listed=$(wd POST "/session/$session/execute/sync" \
    '{"script":"return document.getElementById(\"messages\").innerHTML","args":[]}')
  grep -q "$note" <<<"$listed" && break
  sleep 0.1
done
grep -q "$note" <<<"$listed" || fail "the new message did not appear: $listed"
grep -q '&lt;b&gt;not bold&lt;/b&gt;' <<<"$listed" || fail "the author's markup was not escaped: $listed"
wd POST "/session/$session/execute/sync" \
  '{"script":"document.getElementById(\"guestbook-form\").scrollIntoView();","args":[]}' >/dev/null
wd GET "/session/$session/screenshot" | sed -n 's/.*"value": *"\([^"]*\)".*/\1/p' | base64 -d >"$OUT/guestbook-https.png"
[[ -s "$OUT/guestbook-https.png" ]] || fail "no guestbook screenshot"
wd DELETE "/session/$session" >/dev/null
rm -rf "$profile"
grep -q "$note" <(curl -sS --cacert "$CA" --resolve "www.foobar.com:$HTTPS_PORT:127.0.0.1" \
  "https://www.foobar.com:$HTTPS_PORT/api/messages") || fail "the message is not listed by the API"
check "Chromium posts to the guestbook over HTTPS and shows the new message, escaped (screenshot $OUT/guestbook-https.png)"

echo "all web tier interop checks passed"
