# Shared helpers for the interop scripts: sourced, never run.

# fail MESSAGE: print and exit non-zero.
fail() { echo "FAIL: $*" >&2; exit 1; }

# need TOOL...: every interop check needs its real peer; a missing one is a failure, never a skip.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed (see .ci/run for the packages)"
  done
}

# expect_contains HAYSTACK NEEDLE WHAT: assert that NEEDLE occurs in HAYSTACK.
expect_contains() {
  case "$1" in
    *"$2"*) echo "ok: $3" ;;
    *) printf '%s\n' "$1" >&2; fail "$3: expected to find '$2'" ;;
  esac
}

# free_port: a TCP port that is free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_line FILE TEXT SECONDS PID: wait until FILE contains TEXT, or fail (also when PID died).
wait_for_line() {
  local file=$1 text=$2 seconds=$3 pid=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -qF "$text" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$file" >&2; fail "process $pid exited before printing '$text'"; }
    sleep 0.1
  done
  cat "$file" >&2
  fail "no '$text' in $file after $seconds s"
}

# storage_classpath DIR: prints our storage classes and every dependency of the storage module (derby, derbynet,
# derbyclient, derbytools...), for StorageServerMain and ij. Offline first (everything is in ~/.m2 after the build),
# online if the dependency plugin itself is missing; maven's output goes to DIR/mvn.log. Fails (status 1) if neither
# works.
storage_classpath() {
  local dir=$1 root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  _storage_cp() {
    (cd "$root" && mvn -B -q "$@" -Dstyle.color=never -pl storage dependency:build-classpath \
        -Dmdep.outputFile="$dir/cp.txt" >"$dir/mvn.log" 2>&1)
  }
  _storage_cp -o || _storage_cp || return 1
  echo "$root/storage/target/classes:$(cat "$dir/cp.txt")"
}
