#!/usr/bin/env bash
# The balancer's cost per request: the whole request path of the distributed design, through its load balancer
# and straight to each of its two web servers, in the same running stack and in alternating rounds.
#
#   bench/path/run.sh           # after `mvn package`; DURATION=10s WARMUP=10s ROUNDS=3 CONNECTIONS=16
#
# 1. starts `bin/foobar-stack run --topology distributed` on a fresh data directory (lb-1 on 127.0.0.10, web
#    servers on 127.0.0.11 and 127.0.0.12, each with its app server; server-1's database is the primary,
#    server-2's a replica) and posts 20 messages, so that GET /api/messages reads a page of them;
# 2. warms both paths up for WARMUP each;
# 3. ROUNDS times, in alternating order, for each of two URLs (the static home page, which the web server answers
#    from a file, and GET /api/messages, the whole path: web, app over FastCGI, Derby): wrk with ONE connection
#    (each request waits for the one before, so the difference in mean latency is what the balancer adds to one
#    request) and with CONNECTIONS connections (requests per second and p99 under load). The balancer sends half
#    the requests to each server, and server-2's app server reads from its own replica, so "direct" is the mean
#    of the two servers measured one at a time;
# 4. prints the medians and the differences, and writes everything, raw wrk output included, to
#    bench/path/results/<time>.txt.
# The balancer, both web servers, both app servers and both databases share this machine's cores with wrk: under
# load, a server measured alone has them all, and the figures say what one machine can do, not two.
# Needs: java, wrk, curl. Bounded: every wait has a deadline; everything started is stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
LB=http://127.0.0.10:8080
WEB1=http://127.0.0.11:8080
WEB2=http://127.0.0.12:8080

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in java wrk curl; do command -v "$tool" >/dev/null || fail "$tool is missing"; done
[ -f launcher/target/foobar-stack.jar ] || fail "build first: mvn -q -DskipTests package"

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -TERM $pid 2>/dev/null && wait $pid 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p bench/path/results
result=bench/path/results/$(date -u +%Y%m%dT%H%M%SZ).txt
exec > >(tee "$result") 2>&1
echo "command: DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS CONNECTIONS=$CONNECTIONS bench/path/run.sh"
echo "date: $(date -u +%FT%TZ); commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?');" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "versions: $(java -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); $(nproc) cores"

bin/foobar-stack run --topology distributed --admin-port 0 --data-dir "$work/data" >"$work/stack.log" 2>&1 &
pid=$!
deadline=$(( $(date +%s) + 120 ))
until [ "$(curl -s -o /dev/null -w '%{http_code}' $LB/api/messages)" = 200 ] \
    && [ "$(curl -s -o /dev/null -w '%{http_code}' $WEB1/api/messages)" = 200 ] \
    && [ "$(curl -s -o /dev/null -w '%{http_code}' $WEB2/api/messages)" = 200 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/stack.log"; fail "the distributed design did not answer within 120 s"; }
  kill -0 $pid 2>/dev/null || { cat "$work/stack.log"; fail "the stack stopped"; }
  sleep 0.1
done
for i in $(seq 1 20); do
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"author\":\"bench\",\"body\":\"message $i of the path benchmark\"}" $LB/api/messages
done
echo "stack: $(grep -c 'up in' "$work/stack.log") tiers up; 20 messages posted"

# run URL CONNECTIONS -> "requests/s mean_ms p99_ms", the raw output appended to the result file
run() {
  local out rps mean p99
  out=$(wrk -t1 -c"$2" -d"$DURATION" --timeout 5s --latency "$1")
  { echo "--- wrk -t1 -c$2 -d$DURATION --latency $1"; echo "$out"; } >>"$work/raw.txt"
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  mean=$(awk '/^    Latency/ {print $2}' <<<"$out")
  p99=$(awk '/^ +99%/ {print $2}' <<<"$out")
  echo "$rps $(ms "$mean") $(ms "$p99")"
}
# ms VALUE: wrk's 950.00us / 1.20ms / 1.02s in milliseconds
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for url in / /api/messages; do
  for target in $LB $WEB1 $WEB2; do wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "$target$url" >/dev/null; done
done

mean2() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", (a + b) / 2}'; }
printf '%-14s %-5s %-5s %11s %8s %8s %11s %8s %8s %11s %8s %8s\n' path conns round "lb req/s" "mean ms" "p99 ms" \
  "web-1 req/s" "mean ms" "p99 ms" "web-2 req/s" "mean ms" "p99 ms"
for url in / /api/messages; do
  for conns in 1 "$CONNECTIONS"; do
    lb_rps=(); lb_mean=(); lb_p99=(); d_rps=(); d_mean=(); d_p99=()
    for round in $(seq 1 "$ROUNDS"); do
      if (( round % 2 )); then
        read -r r m p < <(run "$LB$url" "$conns"); read -r r1 m1 p1 < <(run "$WEB1$url" "$conns")
        read -r r2 m2 p2 < <(run "$WEB2$url" "$conns")
      else
        read -r r2 m2 p2 < <(run "$WEB2$url" "$conns"); read -r r1 m1 p1 < <(run "$WEB1$url" "$conns")
        read -r r m p < <(run "$LB$url" "$conns")
      fi
      lb_rps+=("$r"); lb_mean+=("$m"); lb_p99+=("$p")
      d_rps+=("$(mean2 "$r1" "$r2")"); d_mean+=("$(mean2 "$m1" "$m2")"); d_p99+=("$(mean2 "$p1" "$p2")")
      printf '%-14s %-5s %-5s %11s %8s %8s %11s %8s %8s %11s %8s %8s\n' "$url" "$conns" "$round" \
        "$r" "$m" "$p" "$r1" "$m1" "$p1" "$r2" "$m2" "$p2"
    done
    R=$(median "${lb_rps[@]}"); M=$(median "${lb_mean[@]}"); P=$(median "${lb_p99[@]}")
    DR=$(median "${d_rps[@]}"); DM=$(median "${d_mean[@]}"); DP=$(median "${d_p99[@]}")
    if [ "$conns" = 1 ]; then
      echo "$url, one connection, median of $ROUNDS: through the balancer ${M} ms a request, direct ${DM} ms" \
        "(mean of the two servers): the balancer adds $(awk -v a="$M" -v b="$DM" 'BEGIN {printf "%.3f", a - b}') ms"
    else
      echo "$url, $conns connections, median of $ROUNDS: through the balancer $R req/s (p99 $P ms)," \
        "direct $DR req/s (p99 $DP ms, mean of the two servers): $(awk -v a="$R" -v b="$DR" 'BEGIN {printf "%.2f", a / b}')x"
    fi
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "raw wrk output, in the order run:"
cat "$work/raw.txt"
