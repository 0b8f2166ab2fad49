#!/usr/bin/env bash
# Interop check for replication: Derby's own command-line tool `ij` (derbytools) talks to a primary and a replica,
# each one StorageServerMain on a loopback port of its own, the replica following the primary over Derby's client
# driver (storage's package org.foobarstack.storage.replication).
#
#   1. start a primary (--role primary) on a free port, then a replica of it (--role replica --source <the primary's
#      JDBC URL>) on another, each with a temporary data directory; the replica copies the primary by online backup;
#   2. insert a row on the primary with ij, as the app user;
#   3. poll ij on the replica, with a deadline, until it reads that row;
#   4. check that ij on the replica is refused an INSERT as the app user with Derby's own permission error
#      (SQLState 42500, "does not have INSERT permission"), and that the replica still holds one such row;
#   5. check that REPL.HEAD shows the same LAST_SEQ on both, read with ij as the app user.
#
# Run after `mvn package` (needs storage/target/classes and the dependencies in ~/.m2). Both servers are stopped
# on every exit, passed or failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "$ROOT/.ci/interop/lib.sh"   # storage_classpath; fail() below is this script's own
WORK="$(mktemp -d)"
PRIMARY_PID=""
REPLICA_PID=""

stop() {  # PID: SIGTERM, whose shutdown hook closes the database cleanly
  if [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; then
    kill "$1"
    wait "$1" 2>/dev/null || true
  fi
}
cleanup() {
  stop "$REPLICA_PID"   # the follower first, so that it does not log a lost primary
  stop "$PRIMARY_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "replication interop: FAIL: $*" >&2
  for f in "$WORK"/mvn.log "$WORK"/primary.out "$WORK"/primary.err "$WORK"/replica.out "$WORK"/replica.err \
      "$WORK"/ij.out; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
  done
  exit 1
}

command -v java >/dev/null || fail "java is not on the PATH"
[[ -d "$ROOT/storage/target/classes" ]] || fail "storage/target/classes missing: run 'mvn package' first"

CP="$(storage_classpath "$WORK")" || fail "could not build the storage classpath with maven (see above)"

APP_USER=foobar_app
APP_PASSWORD=app-local-only

# start_server NAME ARGS...: StorageServerMain on a free port (port 0; the READY line gives the real one)
start_server() {
  local name=$1
  shift
  (cd "$WORK" && exec java -cp "$CP" org.foobarstack.storage.StorageServerMain --bind 127.0.0.1 --port 0 "$@") \
    >"$WORK/$name.out" 2>"$WORK/$name.err" &
}

# await_ready NAME PID: waiting on an external process, so poll its output with a deadline (60 s)
await_ready() {
  local name=$1 pid=$2
  for _ in $(seq 1 600); do
    grep -q '^READY ' "$WORK/$name.out" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || fail "the $name exited before it was ready"
    sleep 0.1
  done
  fail "the $name was not ready within 60 s"
}

# ij_run URL SQL...: one ij session as the app user, the statements given one per argument; output in ij.out
ij_run() {
  local url=$1
  shift
  {
    echo "CONNECT '$url;user=$APP_USER;password=$APP_PASSWORD';"
    printf '%s\n' "$@"
    echo "DISCONNECT;"
    echo "EXIT;"
  } >"$WORK/session.sql"
  # ij loads Derby's engine too, which would otherwise write a derby.log into the working directory
  (cd "$WORK" && java -Dderby.stream.error.file="$WORK/ij-derby.log" -cp "$CP" org.apache.derby.tools.ij \
      "$WORK/session.sql") >"$WORK/ij.out" 2>&1
}

# 1. the primary, then its replica, which makes its own copy of the primary before it serves
start_server primary --role primary --data-dir "$WORK/primary"
PRIMARY_PID=$!
await_ready primary "$PRIMARY_PID"
PRIMARY_PORT="$(awk '/^READY /{print $2}' "$WORK/primary.out")"
PRIMARY_URL="$(sed -n 's/^storage: JDBC URL //p' "$WORK/primary.out")"
[[ "$PRIMARY_URL" == "jdbc:derby://127.0.0.1:$PRIMARY_PORT/"* ]] || fail "unexpected JDBC URL '$PRIMARY_URL'"
grep -q '^storage: role primary ' "$WORK/primary.out" || fail "the primary did not start as a primary"
echo "replication interop: primary ready on 127.0.0.1:$PRIMARY_PORT ($PRIMARY_URL)"

start_server replica --role replica --source "$PRIMARY_URL" --data-dir "$WORK/replica"
REPLICA_PID=$!
await_ready replica "$REPLICA_PID"
REPLICA_PORT="$(awk '/^READY /{print $2}' "$WORK/replica.out")"
REPLICA_URL="$(sed -n 's/^storage: JDBC URL //p' "$WORK/replica.out")"
[[ "$REPLICA_URL" == "jdbc:derby://127.0.0.1:$REPLICA_PORT/"* ]] || fail "unexpected JDBC URL '$REPLICA_URL'"
[[ "$REPLICA_PORT" != "$PRIMARY_PORT" ]] || fail "the primary and the replica report the same port $PRIMARY_PORT"
grep -q '^storage: role replica ' "$WORK/replica.out" || fail "the replica did not start as a replica"
echo "replication interop: replica ready on 127.0.0.1:$REPLICA_PORT, following the primary"

# 2. ij inserts a row on the primary, as the app user
MARKER="replication-interop-$$-$RANDOM"
ij_run "$PRIMARY_URL" "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('ij-replication', '$MARKER');" \
  || fail "ij on the primary exited with an error"
grep -q "ERROR" "$WORK/ij.out" && fail "ij on the primary reported an error"
grep -q "1 row inserted/updated/deleted" "$WORK/ij.out" || fail "ij did not insert the row on the primary"
echo "replication interop: ij inserted '$MARKER' on the primary"

# 3. ij on the replica reads it, once the replica has applied it (asynchronous: poll, with a deadline)
READ_WITHIN_S=30
SELECT_MARKER="SELECT AUTHOR, BODY FROM MESSAGES WHERE BODY = '$MARKER';"
deadline=$((SECONDS + READ_WITHIN_S))
until ij_run "$REPLICA_URL" "$SELECT_MARKER" && grep -q "ij-replication *|$MARKER" "$WORK/ij.out"; do
  grep -q "ERROR" "$WORK/ij.out" && fail "ij on the replica reported an error"
  kill -0 "$REPLICA_PID" 2>/dev/null || fail "the replica exited"
  ((SECONDS < deadline)) || fail "the replica did not show '$MARKER' within $READ_WITHIN_S s"
  sleep 0.2
done
grep -q "1 row selected" "$WORK/ij.out" || fail "ij on the replica did not select exactly one row"
echo "replication interop: ij on the replica read back '$MARKER'"

# 4. the replica is read-only for the app user: Derby's own permission error, and nothing written
ij_run "$REPLICA_URL" "INSERT INTO MESSAGES (AUTHOR, BODY) VALUES ('ij-replication', '$MARKER');" \
  "SELECT COUNT(*) AS COPIES FROM MESSAGES WHERE BODY = '$MARKER';" || true
grep -q "ERROR 42500" "$WORK/ij.out" || fail "an INSERT on the replica was not refused with 42500"
grep -q "does not have INSERT permission" "$WORK/ij.out" \
  || fail "the replica's refusal did not say 'does not have INSERT permission'"
grep -A3 "^COPIES" "$WORK/ij.out" | grep -qx "1 *" || fail "the replica does not hold exactly one copy of the row"
echo "replication interop: INSERT on the replica refused (42500, does not have INSERT permission)"

# 5. the same position in the change log on both: REPL.HEAD's LAST_SEQ, which the app user may read
last_seq() {  # URL NAME: prints LAST_SEQ of REPL.HEAD
  ij_run "$1" "SELECT 'LAST_SEQ=' || TRIM(CHAR(LAST_SEQ)) AS HEAD FROM REPL.HEAD;" \
    || fail "ij on the $2 exited with an error reading REPL.HEAD"
  grep -q "ERROR" "$WORK/ij.out" && fail "ij on the $2 reported an error reading REPL.HEAD"
  sed -n 's/^LAST_SEQ=\([0-9][0-9]*\).*/\1/p' "$WORK/ij.out"
}
PRIMARY_SEQ="$(last_seq "$PRIMARY_URL" primary)"
REPLICA_SEQ="$(last_seq "$REPLICA_URL" replica)"
[[ "$PRIMARY_SEQ" =~ ^[1-9][0-9]*$ ]] || fail "the primary's REPL.HEAD has no LAST_SEQ above 0 ('$PRIMARY_SEQ')"
[[ "$REPLICA_SEQ" == "$PRIMARY_SEQ" ]] \
  || fail "REPL.HEAD LAST_SEQ differs: primary $PRIMARY_SEQ, replica $REPLICA_SEQ"
echo "replication interop: REPL.HEAD LAST_SEQ is $PRIMARY_SEQ on both"

echo "replication interop: OK (ij insert on the primary, read on the replica, INSERT on the replica refused," \
  "same REPL.HEAD)"
