#!/usr/bin/env bash
# Storage benchmark: inserts and primary-key reads per second through the stack's pool (HikariCP over
# Derby's client driver) next to raw Derby network JDBC (one connection, no pool), on loopback.
#
#   bash bench/storage/run.sh [SECONDS_PER_PHASE] [THREADS] [ROUNDS]   (defaults: 3, 4, 3; bounded: 8 workloads x ROUNDS)
#
# Writes the table, the command and the machine to bench/storage/results.md and prints it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_PHASE="${1:-3}"
THREADS="${2:-4}"
ROUNDS="${3:-3}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
# Offline first (a built tree has everything in ~/.m2); online if something is missing.
mvn -B -q -o -Dstyle.color=never -pl storage -am test-compile >/dev/null \
  || mvn -B -q -Dstyle.color=never -pl storage -am test-compile >/dev/null
mvn -B -q -o -Dstyle.color=never -pl storage dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null \
  || mvn -B -q -Dstyle.color=never -pl storage dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
CP="$ROOT/storage/target/test-classes:$ROOT/storage/target/classes:$(cat "$WORK/cp.txt")"

TABLE="$(java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
  org.foobarstack.storage.bench.StorageBench --seconds "$SECONDS_PER_PHASE" --threads "$THREADS" --rounds "$ROUNDS" \
  --data-dir "$WORK/data")"

{
  echo "# storage benchmark results"
  echo
  echo "Command: \`bash bench/storage/run.sh $SECONDS_PER_PHASE $THREADS $ROUNDS\`"
  echo "Date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg) at the end; $(java -version 2>&1 | head -1); Derby 10.16.1.1, HikariCP 7.0.2"
  echo
  echo "$TABLE"
} > "$ROOT/bench/storage/results.md"
cat "$ROOT/bench/storage/results.md"
