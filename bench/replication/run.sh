#!/usr/bin/env bash
# Replication soak: does a replica keep up with its primary under a sustained write load, and does it end with
# exactly the primary's data? One JVM runs a primary and a replica (two StorageServers, each on a free loopback
# port, the replica following over Derby's client driver); WRITERS threads insert guestbook messages on the primary
# as the app user, one autocommit transaction each, for DURATION seconds, while the replica's lag is sampled every
# 50 ms. Then the writers stop, the replica catches up (at most 60 s), and both databases are compared: MESSAGES
# row by row and column by column, the change log REPL.MESSAGES_LOG, REPL.HEAD, and the primary's row count against
# the writes acknowledged. The class is org.foobarstack.storage.bench.ReplicationSoak (storage's test sources).
#
#   bench/replication/run.sh                          # WRITERS=4 DURATION=30 ROUNDS=1
#   WRITERS=8 bench/replication/run.sh                # more writers
#   ROUNDS=3 DURATION=60 bench/replication/run.sh     # three rounds, each a fresh pair of databases in a new JVM
#
# How to read it (per round, then a table of the rounds):
#   writes acknowledged / primary insert rate: inserts whose commit returned, per second of the write window, and
#     the time of one insert as its writer saw it. A primary's writers commit one at a time (the change log's head
#     row is held by each writing transaction to its commit), so the rate is about 1 / (one insert + one log sync).
#   replica apply rate: changes the replica applied per second, while the writers wrote and to the end of the
#     catch-up. Equal to the insert rate when it keeps up.
#   lag, own: the replica's ReplicationStatus.lag (what `ctl status` and /metrics show): how long the oldest change
#     it has not applied has been waiting, against the primary's head as it last read it.
#   lag, observed: the same sample checked against the primary itself (its head and its log's WRITTEN_AT).
#   lag in transactions: the same two ways, in the primary's transactions (one per insert here).
#   catch-up: from the writers' stop to the replica's applying the primary's last change.
#   target (from the issue): lag p99 under 1000 ms, own and observed, and the databases equal -> PASS, else FAIL.
#
# Output goes to the terminal and to bench/replication/results/<UTC time>.txt, whose first line is the command.
# Bounded: each round stops by itself (DURATION + catch-up), and is killed after DURATION + 300 s in any case.
# Exit status 0 when every round passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WRITERS=${WRITERS:-4}
DURATION=${DURATION:-30}
ROUNDS=${ROUNDS:-1}
COMMAND="WRITERS=$WRITERS DURATION=$DURATION ROUNDS=$ROUNDS bench/replication/run.sh"

die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
for knob in WRITERS DURATION ROUNDS; do
  [[ "${!knob}" =~ ^[1-9][0-9]*$ ]] || die "$knob must be a whole number of at least 1, not '${!knob}'"
done
for tool in java mvn timeout; do
  command -v "$tool" >/dev/null || die "required tool '$tool' is not installed"
done

WORK="$(mktemp -d /tmp/foobar-replication-soak.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
# The storage module's classes and test classes, and its test classpath (HdrHistogram is a test dependency).
# Offline first (a built tree has everything in ~/.m2); online if something is missing.
build() {
  mvn -B -q "$@" -Dstyle.color=never -pl storage -am test-compile \
    && mvn -B -q "$@" -Dstyle.color=never -pl storage dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$WORK/cp.txt"
}
build -o >"$WORK/mvn.log" 2>&1 || build >"$WORK/mvn.log" 2>&1 || { cat "$WORK/mvn.log" >&2; die "the build failed"; }
CP="$ROOT/storage/target/test-classes:$ROOT/storage/target/classes:$(cat "$WORK/cp.txt")"

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$ROOT/bench/replication/results"
RESULT="$ROOT/bench/replication/results/$STAMP.txt"
log() { echo "$*" | tee -a "$RESULT"; }
: > "$RESULT"
log "# command: $COMMAND"
log "# $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(nproc) cores (nproc), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
while IFS= read -r line; do log "# $line"; done < <(java -version 2>&1)

failed=0
for ((round = 1; round <= ROUNDS; round++)); do
  log ""
  log "## round $round of $ROUNDS"
  # logs at warn only: the report is the output; a warning from the servers still shows, in its place
  if timeout --kill-after=10s "$((DURATION + 300))s" \
      java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" org.foobarstack.storage.bench.ReplicationSoak \
      --writers "$WRITERS" --seconds "$DURATION" --data-dir "$WORK/round-$round" 2>&1 | tee -a "$RESULT"; then
    :
  else
    status=$?
    [ "$status" -eq 124 ] && log "round $round: killed after $((DURATION + 300)) s"
    failed=$((failed + 1))
  fi
  rm -rf "$WORK/round-$round"
done

log ""
log "## rounds (lag in ms; insert and apply rates per second)"
{
  printf '%-6s %8s %9s %8s %8s %8s %8s %9s %9s %9s %6s %s\n' round writes insert/s apply/s "lag p50" "lag p99" \
    "lag max" "obs. p99" "obs. max" catch-up equal result
  grep '^SUMMARY ' "$RESULT" | awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%-6d %8s %9s %8s %8s %8s %8s %9s %9s %9s %6s %s\n", NR, v["writes"], v["insert_per_s"], v["apply_per_s"],
      v["lag_ms_p50"], v["lag_ms_p99"], v["lag_ms_max"], v["observed_ms_p99"], v["observed_ms_max"], v["catch_up_ms"],
      v["equal"], v["result"]
  }'
} | tee -a "$RESULT"
if [ "$failed" -gt 0 ]; then
  log "FAIL: $failed of $ROUNDS rounds failed (see above); results in ${RESULT#"$ROOT"/}"
  exit 1
fi
log "PASS: all $ROUNDS rounds; results in ${RESULT#"$ROOT"/}"
