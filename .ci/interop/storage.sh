#!/usr/bin/env bash
# Interop check for the storage tier: Derby's own command-line tool `ij` (derbytools) talks to our
# StorageServerMain over the network port, with the credentials documented in storage/README.md.
#
#   1. start StorageServerMain alone on a free port in a temporary data directory;
#   2. insert a row through the Derby client JDBC driver, as the app tier would;
#   3. read the MESSAGES table back with ij and assert the row is there;
#   4. check that the app user cannot drop the table (SQLState 42507);
#   5. check that ij is refused with a wrong password (SQLState 08004).
#
# Run after `mvn package` (needs storage/target/classes and the dependencies in ~/.m2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=lib.sh
. "$ROOT/.ci/interop/lib.sh"   # storage_classpath; fail() below is this script's own
WORK="$(mktemp -d)"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"            # SIGTERM: the shutdown hook closes the database cleanly
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "storage interop: FAIL: $*" >&2
  for f in "$WORK"/mvn.log "$WORK"/server.out "$WORK"/server.err "$WORK"/ij.out; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
  done
  exit 1
}

command -v java >/dev/null || fail "java is not on the PATH"
[[ -d "$ROOT/storage/target/classes" ]] || fail "storage/target/classes missing: run 'mvn package' first"

CP="$(storage_classpath "$WORK")" || fail "could not build the storage classpath with maven (see above)"

APP_USER=foobar_app
APP_PASSWORD=app-local-only

# 1. the storage tier alone, port 0 = a free port (printed on the READY line)
(cd "$WORK" && exec java -cp "$CP" org.foobarstack.storage.StorageServerMain \
    --bind 127.0.0.1 --port 0 --data-dir "$WORK/data") >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

# Waiting on an external process: poll its output with a deadline.
for _ in $(seq 1 600); do
  grep -q '^READY ' "$WORK/server.out" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "StorageServerMain exited before it was ready"
  sleep 0.1
done
grep -q '^READY ' "$WORK/server.out" || fail "StorageServerMain was not ready within 60 s"
PORT="$(awk '/^READY /{print $2}' "$WORK/server.out")"
URL="$(sed -n 's/^storage: JDBC URL //p' "$WORK/server.out")"
[[ "$URL" == "jdbc:derby://127.0.0.1:$PORT/"* ]] || fail "unexpected JDBC URL '$URL' for port $PORT"
echo "storage interop: server ready on 127.0.0.1:$PORT ($URL)"

# 2. insert one row through the client driver, as the app tier does (a single-file Java program)
MARKER="interop-$$-$RANDOM"
cat >"$WORK/Insert.java" <<'JAVA'
import java.sql.*;
public class Insert {
    public static void main(String[] a) throws Exception {
        try (Connection c = DriverManager.getConnection(a[0], a[1], a[2]);
             PreparedStatement ps = c.prepareStatement("INSERT INTO MESSAGES (AUTHOR, BODY) VALUES (?, ?)")) {
            ps.setString(1, "ij-interop");
            ps.setString(2, a[3]);
            if (ps.executeUpdate() != 1) throw new IllegalStateException("insert did not insert");
        }
    }
}
JAVA
(cd "$WORK" && java -cp "$CP" Insert.java "$URL" "$APP_USER" "$APP_PASSWORD" "$MARKER") || fail "JDBC insert failed"

# 3. Derby's ij reads it back over the network port
cat >"$WORK/read.sql" <<SQL
CONNECT '$URL;user=$APP_USER;password=$APP_PASSWORD';
SELECT ID, AUTHOR, BODY FROM MESSAGES WHERE AUTHOR = 'ij-interop';
DISCONNECT;
EXIT;
SQL
(cd "$WORK" && java -cp "$CP" org.apache.derby.tools.ij "$WORK/read.sql") >"$WORK/ij.out" 2>&1 || fail "ij exited with an error"
grep -q "ERROR" "$WORK/ij.out" && fail "ij reported an error"
grep -q "ij-interop *|$MARKER" "$WORK/ij.out" || fail "ij did not show the row '$MARKER'"
grep -q "1 row selected" "$WORK/ij.out" || fail "ij did not select exactly one row"
echo "storage interop: ij read back the row '$MARKER'"

# 4. the app user may not drop its table (SQL authorization; 42507), and the row is still there after
cat >"$WORK/drop.sql" <<SQL
CONNECT '$URL;user=$APP_USER;password=$APP_PASSWORD';
DROP TABLE MESSAGES;
SELECT BODY FROM MESSAGES WHERE AUTHOR = 'ij-interop';
EXIT;
SQL
(cd "$WORK" && java -cp "$CP" org.apache.derby.tools.ij "$WORK/drop.sql") >"$WORK/ij.out" 2>&1 || true
grep -q "ERROR 42507" "$WORK/ij.out" || fail "the app user was not refused DROP TABLE with 42507"
grep -q "^$MARKER" "$WORK/ij.out" || fail "MESSAGES and its row did not survive the refused DROP"
echo "storage interop: DROP TABLE as the app user refused (42507)"

# 5. a wrong password is refused with Derby's authentication SQLState
cat >"$WORK/wrong.sql" <<SQL
CONNECT '$URL;user=$APP_USER;password=not-the-password';
EXIT;
SQL
(cd "$WORK" && java -cp "$CP" org.apache.derby.tools.ij "$WORK/wrong.sql") >"$WORK/ij.out" 2>&1 || true
grep -q "08004" "$WORK/ij.out" || fail "ij with a wrong password was not refused with 08004"
echo "storage interop: wrong password refused (08004)"

echo "storage interop: OK (JDBC insert, ij read-back, DROP refused, wrong password refused)"
