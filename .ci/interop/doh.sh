#!/usr/bin/env bash
# Chromium resolves www.foobar.com through our DNS server, over DNS-over-HTTPS (RFC 8484), and loads the site.
#
# Run from anywhere after `mvn package` (as root in CI). Everything happens inside a private network namespace
# with only loopback (unshare -n, then `ip link set lo up`): no query of the browser can leave the machine, and
# the real ports the browser needs (5300, 8080, 8443) are free there. Steps:
#   1. DohDemoMain: our DNS server on 127.0.0.1:5300 and our web server on 8080/8443 with /dns-query (no app tier);
#   2. curl --doh-url, a second DoH client no one here wrote, fetches http://www.foobar.com:8080/ the same way;
#   3. a fresh Chromium profile set up as docs/browser-doh.md says: `Local State` with DoH mode "secure" and the
#      template https://127.0.0.1:8443/dns-query{?dns}; our CA trusted in the profile's NSS database (certutil);
#   4. headless Chromium loads http://www.foobar.com:8080/ with NO host-resolver rules and NO /etc/hosts entry:
#      a screenshot (doh/target/screenshots/www-foobar-com.png) and the DOM, which must be our page; again with
#      the other trust method (--ignore-certificate-errors-spki-list, no NSS database); and a control run with a
#      profile without the DoH settings, which must NOT find the site;
#   5. the DoH endpoint's log and the DNS server's query log must show the queries Chromium made for
#      www.foobar.com, and the recorded hops the DNS messages the DoH endpoint exchanged for them.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=lib.sh
source "$ROOT_DIR/.ci/interop/lib.sh"

# ---- step 0: a loopback-only network namespace (the script runs itself again inside it) -----------------
if [[ -z "${FOOBAR_DOH_NETNS:-}" ]]; then
  need unshare
  if [[ $(id -u) -eq 0 ]]; then
    exec unshare -n env FOOBAR_DOH_NETNS=1 bash "$0" "$@"
  fi
  exec unshare -rn env FOOBAR_DOH_NETNS=1 bash "$0" "$@"   # outside CI: an unprivileged user namespace
fi
need ip java chromium certutil curl timeout
ip link set lo up
# nothing but loopback in here, so no lookup can reach the machine's resolver
[[ $(ip -o link show | wc -l) -eq 1 ]] || { ip -o link show >&2; fail "the namespace has more than loopback"; }
if grep -qi 'foobar' /etc/hosts; then fail "/etc/hosts names foobar.com: this check must resolve through DoH only"; fi

JAR=$(ls "$ROOT_DIR"/doh/target/doh-*.jar 2>/dev/null | grep -v sources | head -n 1 || true)
LIB="$ROOT_DIR/doh/target/lib"
[[ -n "$JAR" && -d "$LIB" ]] || fail "doh/target/doh-*.jar or doh/target/lib missing: run 'mvn package' first"
OUT="$ROOT_DIR/doh/target/screenshots"
mkdir -p "$OUT"
WORK=$(mktemp -d)
DEMO_PID=""
cleanup() {
  if [[ -n "$DEMO_PID" ]]; then kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DNS_PORT=5300 HTTP_PORT=8080 HTTPS_PORT=8443
TEMPLATE="https://127.0.0.1:$HTTPS_PORT/dns-query{?dns}"
SITE="http://www.foobar.com:$HTTP_PORT/"

# ---- step 1: DNS + web with /dns-query ------------------------------------------------------------------
java -cp "$JAR:$LIB/*" org.foobarstack.doh.DohDemoMain --dns-port "$DNS_PORT" --http-port "$HTTP_PORT" \
  --https-port "$HTTPS_PORT" --data-dir "$WORK/web" >"$WORK/demo.out" 2>"$WORK/demo.err" &
DEMO_PID=$!
wait_for_line "$WORK/demo.out" "doh demo: ready" 60 "$DEMO_PID"
cat "$WORK/demo.out"
CA=$(sed -n 's/^doh demo: CA certificate //p' "$WORK/demo.out")
[[ -s "$CA" ]] || fail "no CA certificate at '$CA'"
expect_contains "$(cat "$WORK/demo.out")" "DoH template $TEMPLATE" "the demo serves the template Chromium is given"

# ---- step 2: curl as a DoH client -----------------------------------------------------------------------
page=$(timeout 30 curl -sS --max-time 20 --cacert "$CA" --doh-url "https://127.0.0.1:$HTTPS_PORT/dns-query" "$SITE") \
  || fail "curl --doh-url could not fetch $SITE"
expect_contains "$page" "<title>foobar.com" "curl resolves www.foobar.com through our DoH endpoint and gets the site"

# ---- step 3: a fresh Chromium profile, as docs/browser-doh.md says --------------------------------------
PROFILE="$WORK/profile"
HOME_DIR="$WORK/home"           # Chromium reads the NSS database at $HOME/.pki/nssdb
mkdir -p "$PROFILE" "$HOME_DIR/.pki/nssdb"
printf '{"dns_over_https":{"mode":"secure","templates":"%s"}}\n' "$TEMPLATE" >"$PROFILE/Local State"
certutil -d "sql:$HOME_DIR/.pki/nssdb" -N --empty-password
certutil -d "sql:$HOME_DIR/.pki/nssdb" -A -t "C,," -n foobar-ca -i "$CA"
certutil -d "sql:$HOME_DIR/.pki/nssdb" -L | grep -q foobar-ca || fail "our CA is not in the NSS database"
echo "ok: profile with Local State DoH settings and our CA in its NSS database"

# ---- step 4: headless Chromium, no resolver rules, no hosts entry -----------------------------------------
FLAGS=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$PROFILE" --window-size=1200,900)
for flag in "${FLAGS[@]}"; do
  case "$flag" in --host-resolver-rules*|--ignore-certificate-errors*) fail "flag $flag would bypass the check" ;; esac
done
SHOT="$OUT/www-foobar-com.png"
rm -f "$SHOT"
HOME="$HOME_DIR" timeout 90 chromium "${FLAGS[@]}" --screenshot="$SHOT" "$SITE" >"$WORK/chromium-shot.log" 2>&1 \
  || { cat "$WORK/chromium-shot.log" >&2; fail "chromium --screenshot $SITE"; }
[[ -s "$SHOT" ]] || { cat "$WORK/chromium-shot.log" >&2; fail "no screenshot at $SHOT"; }
HOME="$HOME_DIR" timeout 90 chromium "${FLAGS[@]}" --virtual-time-budget=5000 --dump-dom "$SITE" \
  >"$WORK/dom.html" 2>"$WORK/chromium-dom.log" || { cat "$WORK/chromium-dom.log" >&2; fail "chromium --dump-dom $SITE"; }
if ! grep -q '<title>foobar.com' "$WORK/dom.html"; then
  head -c 2000 "$WORK/dom.html" >&2; cat "$WORK/chromium-dom.log" >&2
  fail "Chromium did not get our page for $SITE (see the DOM and log above)"
fi
echo "ok: Chromium loaded $SITE (screenshot $SHOT)"

# the other trust method of docs/browser-doh.md: no CA in any NSS database, the leaf's key pinned by flag instead
SPKI=$(sed -n 's/^doh demo: server certificate SPKI sha256 //p' "$WORK/demo.out")
[[ -n "$SPKI" ]] || fail "the demo printed no SPKI hash"
mkdir -p "$WORK/spki-home" "$WORK/spki-profile"
printf '{"dns_over_https":{"mode":"secure","templates":"%s"}}\n' "$TEMPLATE" >"$WORK/spki-profile/Local State"
SPKI_FLAGS=("${FLAGS[@]/--user-data-dir=$PROFILE/--user-data-dir=$WORK/spki-profile}")
HOME="$WORK/spki-home" timeout 90 chromium "${SPKI_FLAGS[@]}" --ignore-certificate-errors-spki-list="$SPKI" \
  --virtual-time-budget=5000 --dump-dom "$SITE" >"$WORK/dom-spki.html" 2>"$WORK/chromium-spki.log" \
  || { cat "$WORK/chromium-spki.log" >&2; fail "chromium --dump-dom with the SPKI pin"; }
grep -q '<title>foobar.com' "$WORK/dom-spki.html" \
  || { cat "$WORK/chromium-spki.log" >&2; fail "Chromium with --ignore-certificate-errors-spki-list did not get our page"; }
echo "ok: Chromium also loads $SITE through DoH with --ignore-certificate-errors-spki-list instead of the NSS CA"

# the control: the same browser with a profile WITHOUT the DoH settings cannot find www.foobar.com in here
mkdir -p "$WORK/plain-profile"
PLAIN=("${FLAGS[@]/--user-data-dir=$PROFILE/--user-data-dir=$WORK/plain-profile}")
HOME="$HOME_DIR" timeout 90 chromium "${PLAIN[@]}" --virtual-time-budget=3000 --dump-dom "$SITE" \
  >"$WORK/dom-plain.html" 2>"$WORK/chromium-plain.log" || true
if grep -q '<title>foobar.com' "$WORK/dom-plain.html"; then
  fail "Chromium loaded $SITE without the DoH settings: something else resolves www.foobar.com here"
fi
echo "ok: without the Local State DoH settings the same Chromium cannot resolve www.foobar.com (control)"

# ---- step 5: the queries Chromium made, seen by our DoH endpoint and our DNS server -------------------------
kill "$DEMO_PID"
wait "$DEMO_PID" 2>/dev/null || true
DEMO_PID=""
grep -q '^doh demo: stopped' "$WORK/demo.out" || { cat "$WORK/demo.err" >&2; fail "the demo did not stop cleanly"; }
doh_lines=$(grep -E 'org\.foobarstack\.doh - doh .* www\.foobar\.com\. A -> NOERROR answers=1' "$WORK/demo.err" || true)
[[ -n "$doh_lines" ]] || { cat "$WORK/demo.err" >&2; fail "no DoH query for www.foobar.com A in the log"; }
echo "$doh_lines" | head -n 3
dns_lines=$(grep -E 'querylog - client 127\.0\.0\.1#[0-9]+ \(www\.foobar\.com\): query: www\.foobar\.com IN A .* NOERROR' \
  "$WORK/demo.err" || true)
[[ -n "$dns_lines" ]] || { cat "$WORK/demo.err" >&2; fail "no query for www.foobar.com A in the DNS query log"; }
echo "$dns_lines" | head -n 3
# curl asks with POST; Chromium fills the template's {?dns} and asks with GET (RFC 8484 §4.1)
grep -qE 'org\.foobarstack\.doh - doh .* GET www\.foobar\.com\. A -> NOERROR' "$WORK/demo.err" \
  || { cat "$WORK/demo.err" >&2; fail "no GET (Chromium's) DoH query for www.foobar.com A"; }
echo "ok: Chromium asked our DoH endpoint (GET) for www.foobar.com A, and our DNS server answered"
# beside A and AAAA, Chromium asks for the HTTPS record of the port-prefixed name (RFC 9460 §9.1): NXDOMAIN
grep -qE 'org\.foobarstack\.doh - doh .* GET _8080\._https\.www\.foobar\.com\. HTTPS -> NXDOMAIN answers=0 .* max-age=300' \
  "$WORK/demo.err" || { cat "$WORK/demo.err" >&2; fail "no NXDOMAIN for Chromium's HTTPS query _8080._https.www.foobar.com"; }
echo "ok: Chromium's HTTPS-type query for _8080._https.www.foobar.com got NXDOMAIN with the SOA's 300 s"
hops=$(grep -E '^doh demo: hop web/web-1 DNS (sent query|received answer).*www\.foobar\.com|^doh demo: hop web/web-1 DNS received answer NOERROR' \
  "$WORK/demo.out" || true)
grep -q '^doh demo: hop web/web-1 DNS sent query www\.foobar\.com\. A over UDP' <<<"$hops" \
  || { cat "$WORK/demo.out" >&2; fail "no DNS hop recorded by the DoH endpoint for www.foobar.com"; }
grep -q '^doh demo: hop dns/dns-1 DNS received query www\.foobar\.com\. A over UDP' "$WORK/demo.out" \
  || fail "no DNS hop recorded by the DNS server for www.foobar.com"
echo "ok: the DNS hops of the page load are in the trace recorders (web/web-1 and dns/dns-1)"
echo "doh interop: all checks passed"
