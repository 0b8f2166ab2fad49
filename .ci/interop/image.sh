#!/usr/bin/env bash
# The stack's container image (image/README.md), checked without Docker:
#   1. built as the README builds it: mvn -Pimage -pl image package, from the launcher that mvn verify built;
#   2. read with tar and python3: the manifest's tags, the config's entrypoint, command, user, working directory,
#      volume and ports (every port of the shipped topologies), each layer against its digest, the base's Java
#      runtime against the modules jdeps finds in the jars;
#   3. run as a container runtime would, as root: the layers unpacked in order into one root, then the config's
#      entrypoint and command run in it by chroot, as the config's user, in its working directory and environment,
#      in a network namespace of its own (a container's loopback): the default command, --version, topologies,
#      the JVM options of bin/jvm.options, and `run` itself, its web server asked over HTTP and HTTPS with curl.
# Step 3 needs root (chroot, mknod, mount, unshare). Outside CI a user who is not root gets steps 1 and 2 only; in
# CI (CI set) not being root is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
. .ci/interop/lib.sh

ENTRYPOINT='["/opt/java/bin/java", "@/opt/foobar-stack/jvm.options", "-jar", "/opt/foobar-stack/foobar-stack.jar"]'
DATA=/var/lib/foobar-stack

# --- step 3's inside: in a new network and mount namespace (see the end of this file) ---
if [ "${1:-}" = --in-namespace ]; then
  root=$2 config=$3 work=$4
  run_image() { python3 "$work/run-image.py" "$root" "$config" "$@"; }
  ip link set lo up
  # mount points where a container has them: its root (the stack asks the file store of its data directory, which
  # Java finds among the mounts) and the volume; and its /proc, which the dynamic loader reads for $ORIGIN
  mount --bind "$root" "$root"
  mount --bind "$root$DATA" "$root$DATA"
  mkdir -p "$root/proc" "$root/dev"
  mount -t proc proc "$root/proc"
  for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9; do
    IFS=: read -r name major minor <<<"$node"
    mknod -m 666 "$root/dev/$name" c "$major" "$minor"
  done

  out=$(run_image 2>&1) || { echo "$out" >&2; fail "the default command exited non-zero"; }
  expect_contains "$out" "Usage: foobar-stack" "the default command (--help) prints the usage"
  out=$(run_image --version 2>&1) || { echo "$out" >&2; fail "--version exited non-zero"; }
  expected=$(java -jar launcher/target/foobar-stack.jar --version)
  [ "$out" = "$expected" ] || fail "--version printed '$out', the launcher jar prints '$expected'"
  echo "ok: --version prints '$out', as the launcher jar does"
  out=$(run_image topologies 2>&1) || { echo "$out" >&2; fail "topologies exited non-zero"; }
  for name in simple distributed secured scaled; do
    expect_contains "$out" "$name " "topologies lists $name"
  done

  # the JVM of the entrypoint runs with exactly bin/jvm.options' options, read as bin/foobar-stack reads them
  options=()
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%%#*}"
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    [ -n "$line" ] && options+=("$line")
  done <bin/jvm.options
  entry_flags=$(IMAGE_ENV_JAVA_TOOL_OPTIONS=-XX:+PrintCommandLineFlags run_image --version 2>/dev/null | grep -- '-XX:') \
    || fail "no -XX:+PrintCommandLineFlags output from the entrypoint"
  direct_flags=$(run_image --entrypoint /opt/java/bin/java "${options[@]}" -XX:+PrintCommandLineFlags -version \
    2>/dev/null | grep -- '-XX:') || fail "the image's java did not start with bin/jvm.options' options"
  [ "$entry_flags" = "$direct_flags" ] || {
    echo "entrypoint: $entry_flags" >&2; echo "bin/jvm.options: $direct_flags" >&2
    fail "the entrypoint's JVM flags are not those of bin/jvm.options"
  }
  echo "ok: the entrypoint's JVM runs with bin/jvm.options (${options[*]})"

  # run: the default (simple) design, data in the volume, as `docker run IMAGE run` would
  log="$work/run.log"
  timeout 120 python3 "$work/run-image.py" "$root" "$config" run >"$log" 2>&1 &
  pid=$!
  trap 'kill -TERM $pid 2>/dev/null || true' EXIT
  wait_for_line "$log" "foobar-stack is up" 90 "$pid"
  expect_contains "$(cat "$log")" "TLS by BORINGSSL" "the web server's TLS is BoringSSL (netty-tcnative loads)"
  ! grep -q "native transport asked for but unavailable" "$log" || { cat "$log" >&2; fail "epoll did not load"; }
  echo "ok: the name server's epoll transport loads"
  home=$(curl -sS --max-time 10 http://127.0.0.1:8080/)
  expect_contains "$home" "guestbook" "curl: the home page on 127.0.0.1:8080"
  marker="image-$RANDOM-$RANDOM"
  code=$(curl -sS --max-time 10 -o "$work/post.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -d "{\"author\":\"ada\",\"body\":\"$marker\"}" http://127.0.0.1:8080/api/messages)
  [ "$code" = 201 ] || { cat "$work/post.json" >&2; fail "POST /api/messages answered $code, not 201"; }
  list=$(curl -sS --max-time 10 --cacert "$root$DATA/data/web/tls/ca.pem" \
    --resolve www.foobar.com:8443:127.0.0.1 https://www.foobar.com:8443/api/messages)
  expect_contains "$list" "$marker" "curl: the message posted, read back over HTTPS (the stack's own CA)"
  kill -TERM "$pid"
  wait "$pid" || true
  grep -q "foobar-stack stopped" "$log" || { cat "$log" >&2; fail "SIGTERM did not stop the stack cleanly"; }
  echo "ok: SIGTERM stopped the stack cleanly"
  owner=$(stat -c %u:%g "$root$DATA/data/storage")
  [ "$owner" = 10001:10001 ] || fail "the database in the volume belongs to $owner, not to the image's user"
  echo "ok: the data went to $DATA/data (the volume), owned by the image's user"
  exit 0
fi

need mvn java jdeps python3 tar curl
jar=launcher/target/foobar-stack.jar
[ -f "$jar" ] || fail "$jar is missing: run mvn package (or mvn verify) first"
image=image/target/foobar-stack-image.tar
version=$(python3 -c 'import sys, xml.etree.ElementTree as t
print(t.parse("pom.xml").getroot().find("{http://maven.apache.org/POM/4.0.0}version").text)')
work=$(mktemp -d)
root="$work/root"
cleanup() {
  # never remove a root something is still mounted in
  if grep -qF " $root/" /proc/mounts; then
    echo "image.sh: $root still has mounts, left in place" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

echo "-- 1. build: mvn -Pimage -pl image package"
start=$SECONDS
# offline first (everything is in ~/.m2 after the build), online if jib itself is not there yet
if ! mvn -B -q -o -Dstyle.color=never -Pimage -pl image package >"$work/mvn.log" 2>&1; then
  mvn -B -q -Dstyle.color=never -Pimage -pl image package >"$work/mvn.log" 2>&1 \
    || { cat "$work/mvn.log" >&2; fail "mvn -Pimage -pl image package failed"; }
fi
grep '^base-image:' "$work/mvn.log" || true
[ -s "$image" ] || fail "$image was not written"
echo "ok: $image, $(( $(stat -c %s "$image") >> 20 )) MiB, built in $((SECONDS - start)) s"

echo "-- 2. inspect: manifest, config, layers"
start=$SECONDS
ports=$(grep -ohE '(^|[[:space:]{,])(port|https-port|stats-port):[[:space:]]*[0-9]+' \
  topology/src/main/resources/org/foobarstack/topology/shipped/*.yaml | grep -oE '[0-9]+$' | sort -un | tr '\n' ' ')
modules_needed=$(jdeps -s --multi-release 17 --ignore-missing-deps "$jar" launcher/target/lib/*.jar 2>/dev/null \
  | sed -nE 's/.* -> ((java|jdk)\.[a-z.]+)$/\1/p' | sort -u | tr '\n' ' ')
[ -n "$modules_needed" ] || fail "jdeps found no JDK module in the jars"
python3 - "$image" "$version" "$ENTRYPOINT" "$ports" "$modules_needed" "$root" "$work/config.json" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
image, version, entrypoint, ports, modules_needed, root, config_out = sys.argv[1:]

def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)

def ok(message):
    print(f"ok: {message}")

with tarfile.open(image) as tar:
    names = tar.getnames()
    if "manifest.json" not in names:
        fail(f"no manifest.json in the tar (members: {names})")
    manifest = json.load(tar.extractfile("manifest.json"))
    if len(manifest) != 1:
        fail(f"{len(manifest)} images in the tar, not one")
    manifest = manifest[0]
    tags = manifest.get("RepoTags", [])
    for tag in (f"foobar-stack:{version}", "foobar-stack:latest"):
        if tag not in tags:
            fail(f"tag {tag} missing: {tags}")
    ok(f"one image, tagged {', '.join(tags)}")
    config_bytes = tar.extractfile(manifest["Config"]).read()
    with open(config_out, "wb") as f:
        f.write(config_bytes)
    image_config = json.loads(config_bytes)
    config = image_config["config"]

    if (image_config.get("os"), image_config.get("architecture")) != ("linux", "amd64"):
        fail(f"platform {image_config.get('os')}/{image_config.get('architecture')}, not linux/amd64")
    if config.get("Entrypoint") != json.loads(entrypoint):
        fail(f"entrypoint {config.get('Entrypoint')}, expected {entrypoint}")
    ok(f"entrypoint {' '.join(config['Entrypoint'])}")
    if config.get("Cmd") != ["--help"]:
        fail(f"command {config.get('Cmd')}, expected ['--help']")
    ok("command --help")
    user = config.get("User", "")
    uid = user.split(":")[0]
    if not uid.isdigit() or uid == "0":
        fail(f"user '{user}': expected a numeric non-root uid[:gid]")
    ok(f"user {user} (not root)")
    if config.get("WorkingDir") != "/var/lib/foobar-stack" or "/var/lib/foobar-stack" not in config.get("Volumes", {}):
        fail(f"working directory {config.get('WorkingDir')}, volumes {config.get('Volumes')}")
    ok("working directory and volume /var/lib/foobar-stack")
    exposed = set(config.get("ExposedPorts", {}))
    wanted = {f"{p}/tcp" for p in ports.split()} | {"5300/udp", "9090/tcp", "9100/tcp"}
    if wanted - exposed:
        fail(f"ports of the shipped topologies not exposed: {sorted(wanted - exposed)} (exposed: {sorted(exposed)})")
    ok(f"exposed {' '.join(sorted(exposed, key=lambda p: int(p.split('/')[0])))}: every port of the shipped topologies")

    diff_ids = image_config["rootfs"]["diff_ids"]
    layers = manifest["Layers"]
    if len(layers) != len(diff_ids) or len(layers) < 3:
        fail(f"{len(layers)} layers for {len(diff_ids)} diff_ids: expected the base, the libraries, the stack")
    history = [h for h in image_config.get("history", []) if not h.get("empty_layer")]
    total = 0
    files = {}
    os.makedirs(root)
    for i, (layer, diff_id) in enumerate(zip(layers, diff_ids)):
        member = tar.getmember(layer)
        total += member.size
        data = tar.extractfile(member).read()
        content = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
        if "sha256:" + hashlib.sha256(content).hexdigest() != diff_id:
            fail(f"layer {i} ({layer}) does not match its diff_id {diff_id}")
        with tarfile.open(fileobj=io.BytesIO(content)) as layer_tar:
            for entry in layer_tar.getmembers():
                name = entry.name[2:] if entry.name.startswith("./") else entry.name
                if name.startswith("/") or ".." in name.split("/"):
                    fail(f"layer {i}: unsafe path {entry.name}")
                if os.path.basename(name).startswith(".wh."):
                    fail(f"layer {i}: whiteout {entry.name}: the layers are expected to only add files")
                files[name] = entry
            # in order: a later layer's file replaces an earlier's; the paths were checked above, and the owners
            # and modes (the sticky /tmp) must stay as they are, which the newer Pythons' default filter would not
            trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
            layer_tar.extractall(root, numeric_owner=True, **trusted)
        what = history[i].get("created_by", "") + " " + history[i].get("comment", "") if i < len(history) else ""
        print(f"    layer {i}: {member.size / 2**20:6.1f} MiB gzipped, {len(content) / 2**20:6.1f} MiB "
              f"({what.strip()})")
    ok(f"{len(layers)} layers, each matching its digest, {total / 2**20:.1f} MiB in all")
    if not 20 * 2**20 < total < 150 * 2**20:
        fail(f"{total / 2**20:.1f} MiB of layers: expected between 20 and 150 MiB")

    for path in ("opt/java/bin/java", "opt/foobar-stack/foobar-stack.jar", "opt/foobar-stack/jvm.options",
                 "lib64/ld-linux-x86-64.so.2", "etc/passwd"):
        if path not in files:
            fail(f"/{path} is in no layer")
    data_dir, tmp = files["var/lib/foobar-stack"], files["tmp"]
    if (data_dir.uid, data_dir.gid) != (int(uid), int(user.split(":")[1] if ":" in user else uid)):
        fail(f"/var/lib/foobar-stack belongs to {data_dir.uid}:{data_dir.gid}, not to the image's user {user}")
    if tmp.mode & 0o7777 != 0o1777:
        fail(f"/tmp has mode {oct(tmp.mode)}, not 1777")
    ok("the runtime, the stack and jvm.options are in; /var/lib/foobar-stack is the user's, /tmp is 1777")

    release = open(os.path.join(root, "opt/java/release")).read()
    have = set(next(l for l in release.splitlines() if l.startswith("MODULES=")).split("=", 1)[1].strip('"').split())
    # java.desktop is left out on purpose (image/pom.xml): only optional java.beans support in jackson and snakeyaml
    missing = set(modules_needed.split()) - have - {"java.desktop"}
    if missing:
        fail(f"the jars need JDK modules the runtime lacks: {sorted(missing)} (add them to image.jdk.modules)")
    ok(f"the runtime's {len(have)} modules cover what jdeps finds in the jars (but java.desktop)")
PY
cmp -s "$root/opt/foobar-stack/jvm.options" bin/jvm.options || fail "/opt/foobar-stack/jvm.options is not bin/jvm.options"
echo "ok: /opt/foobar-stack/jvm.options is bin/jvm.options (inspected in $((SECONDS - start)) s)"

echo "-- 3. run: the layers in one root, the config's entrypoint in it by chroot"
start=$SECONDS
if [ "$(id -u)" -ne 0 ]; then
  [ -z "${CI:-}" ] || fail "step 3 (chroot, mount, mknod, unshare) needs root, and CI runs every check"
  echo "skipped: step 3 needs root (chroot, mount, mknod, unshare); outside CI it is left out"
  echo "image check: steps 1 and 2 passed"
  exit 0
fi
need chroot unshare mount mknod ip timeout
# what a container runtime does with the config: the root, the working directory, the user, the environment, and
# the entrypoint with the arguments given or else the command (--entrypoint PATH replaces the entrypoint)
cat >"$work/run-image.py" <<'PY'
import json, os, sys
root, config_path, *args = sys.argv[1:]
config = json.load(open(config_path))["config"]
entrypoint = config["Entrypoint"]
if args[:1] == ["--entrypoint"]:
    entrypoint, args = [args[1]], args[2:]
argv = entrypoint + (args or ([] if entrypoint != config["Entrypoint"] else config.get("Cmd", [])))
env = dict(e.split("=", 1) for e in config.get("Env", []))
env.update((k[len("IMAGE_ENV_"):], v) for k, v in os.environ.items() if k.startswith("IMAGE_ENV_"))
uid, gid = (int(x) for x in config["User"].split(":"))
home = next((line.split(":")[5] for line in open(os.path.join(root, "etc/passwd")) if line.split(":")[2] == str(uid)), "/")
env.setdefault("HOME", home)
os.chroot(root)
os.chdir(config.get("WorkingDir") or "/")
os.setgroups([])
os.setgid(gid)
os.setuid(uid)
os.execve(argv[0], argv, env)
PY
# a mount namespace of its own too: /proc mounted in the root goes away with it, whatever happens
timeout 300 unshare -n -m --propagation private bash "$0" --in-namespace "$root" "$work/config.json" "$work" \
  || fail "step 3 failed"
echo "ok: ran in $((SECONDS - start)) s"
echo "image check: all checks passed in $SECONDS s"
