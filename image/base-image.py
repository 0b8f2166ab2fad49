#!/usr/bin/env python3
"""Makes the image's base and stages the stack's files for jib, all from this machine, without a registry.

    base-image.py --java-home DIR --launcher DIR --jvm-options FILE --modules LIST --stack-version V --out DIR

It writes into --out (image/target):

  base/rootfs/           the base's files: a Java runtime made with jlink (/opt/java), the shared libraries that
                         runtime and the stack's native libraries link against (libc, libm, libz, ld-linux...),
                         a minimal /etc (passwd and group with the user foobar, nsswitch.conf, hosts), /tmp,
                         and the data directory /var/lib/foobar-stack, owned by foobar
  base-image.tar         that tree as a one-layer image, in the format `docker save` writes, which jib takes as
                         its base image (from.image tar://...)
  app/libraries/         the stack's third-party jars, into /opt/foobar-stack/lib (one layer: they change seldom)
  app/stack/             the stack's own jars, foobar-stack.jar and jvm.options (another layer: every build)

The base is written here rather than pulled because the build must not need a registry; and as a tar rather than
as jib extra directories because only a layer written here can give /var/lib/foobar-stack to a non-root owner and
/tmp its sticky bit (jib gives extra files root as their owner and takes three-digit modes only).

Everything in the layer is sorted, owned by uid 0 but for the data directory, and dated 1970-01-01T00:00:01Z as
jib dates its own files, so that the same inputs give the same layer; all but the class data sharing archive,
which JDK 17 does not write the same twice (so each build's base layer has a digest of its own).
"""

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import zipfile

MTIME = 1
USER, UID, GID = "foobar", 10001, 10001
DATA_DIR = "var/lib/foobar-stack"
JAVA_HOME = "opt/java"
APP_DIR = "opt/foobar-stack"

# Jars of natives for other systems than the image's (linux/amd64): netty-all brings every platform's epoll and
# BoringSSL; none of them can load here, and the JVM skips a Class-Path entry whose file is missing.
FOREIGN_NATIVES = re.compile(r"-(osx|windows)-[^/]*\.jar$|-linux-(aarch_64|riscv64|ppcle_64|s390_64)\.jar$")

ETC = {
    "etc/passwd": f"root:x:0:0:root:/root:/sbin/nologin\n"
                  f"{USER}:x:{UID}:{GID}:foobar-stack:/{DATA_DIR}:/sbin/nologin\n",
    "etc/group": f"root:x:0:\n{USER}:x:{GID}:\n",
    # the users and the hosts from the files above; names beyond localhost from DNS (Docker writes resolv.conf)
    "etc/nsswitch.conf": "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n",
    # Docker replaces it with its own; this one is for a plain chroot of the layers
    "etc/hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
}


def fail(message):
    print(f"base-image: {message}", file=sys.stderr)
    sys.exit(1)


def run(command, **kwargs):
    try:
        return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs).stdout
    except FileNotFoundError:
        fail(f"'{command[0]}' is not installed")
    except subprocess.CalledProcessError as e:
        fail(f"{' '.join(command)} failed ({e.returncode}):\n{e.stdout}{e.stderr}")


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def jlink(java_home, modules, target):
    tool = os.path.join(java_home, "bin", "jlink")
    if not os.path.isfile(tool):
        fail(f"{tool} is missing: build with a full JDK (17 or later), not a JRE")
    if not os.path.isdir(os.path.join(java_home, "jmods")):
        fail(f"{java_home}/jmods is missing: jlink needs the JDK's jmods (Debian: openjdk-17-jdk-headless)")
    shutil.rmtree(target, ignore_errors=True)
    # no --compress: the layer is gzipped anyway, and classes read from an uncompressed modules file start faster;
    # --generate-cds-archive: the JDK's default class data sharing archive, which a JDK ships and jlink leaves out
    run([tool, "--add-modules", modules, "--strip-debug", "--no-header-files", "--no-man-pages",
         "--generate-cds-archive", "--output", target])
    # the archive for a JVM without compressed object pointers (heaps of 32 GB and more): bin/jvm.options caps the
    # heap at 128 MB, so only classes.jsa is ever mapped
    nocoops = os.path.join(target, "lib", "server", "classes_nocoops.jsa")
    if os.path.exists(nocoops):
        os.remove(nocoops)


def linked_libraries(elf_files, runtime_dir):
    """The shared libraries the given ELF files need, transitively, as ldd resolves them on this machine."""
    libraries = set()
    runtime_names = {name for _, _, names in os.walk(runtime_dir) for name in names}
    for line in run(["ldd", *elf_files]).splitlines():
        line = line.strip()
        if line.endswith(":") or not line or "linux-vdso" in line or line == "statically linked":
            continue
        if "=>" in line:
            name, target = (part.strip() for part in line.split("=>", 1))
            if target.startswith("not found"):
                # libjvm.so and its siblings: found in the runtime itself when the JVM runs
                if name not in runtime_names:
                    fail(f"ldd cannot find {name}, which the runtime or the stack's natives need")
                continue
            path = target.split(" (")[0]
        else:
            path = line.split(" (")[0]  # the dynamic loader itself: /lib64/ld-linux-x86-64.so.2
        if os.path.isabs(path) and not path.startswith(os.path.abspath(runtime_dir)):
            libraries.add(path)
    return libraries


def stack_natives(lib_dir, scratch):
    """The linux-x86_64 shared libraries packed in the stack's jars, which Netty copies out and loads at run time."""
    found = []
    for jar in sorted(os.listdir(lib_dir)):
        if not jar.endswith(".jar") or FOREIGN_NATIVES.search(jar):
            continue
        with zipfile.ZipFile(os.path.join(lib_dir, jar)) as z:
            for entry in z.namelist():
                if entry.startswith("META-INF/native/") and entry.endswith(".so"):
                    target = os.path.join(scratch, os.path.basename(entry))
                    with z.open(entry) as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
                    found.append(target)
    if not found:
        fail(f"no linux native library in the jars of {lib_dir} (netty-tcnative, netty-transport-native-epoll)")
    return found


def make_rootfs(args, rootfs):
    shutil.rmtree(rootfs, ignore_errors=True)
    os.makedirs(rootfs)
    runtime = os.path.join(rootfs, JAVA_HOME)
    jlink(args.java_home, args.modules, runtime)

    elf_files = [os.path.join(d, n) for d, _, names in os.walk(runtime) for n in names]
    elf_files = sorted(p for p in elf_files if not os.path.islink(p) and is_elf(p))
    with tempfile.TemporaryDirectory() as scratch:
        elf_files += stack_natives(os.path.join(args.launcher, "lib"), scratch)
        libraries = linked_libraries(elf_files, runtime)
    # glibc loads libgcc_s itself to unwind a thread that pthread_exit or pthread_cancel ends
    libc_dir = next((os.path.dirname(p) for p in libraries if os.path.basename(p) == "libc.so.6"), None)
    if libc_dir is None:
        fail("ldd names no libc.so.6: the image needs a glibc system to be built on")
    if os.path.exists(os.path.join(libc_dir, "libgcc_s.so.1")):
        libraries.add(os.path.join(libc_dir, "libgcc_s.so.1"))
    for path in sorted(libraries):
        target = os.path.join(rootfs, path.lstrip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.realpath(path), target)  # the file itself, under the name the loader asks for
        os.chmod(target, 0o755)

    for path, text in ETC.items():
        target = os.path.join(rootfs, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as f:
            f.write(text)
        os.chmod(target, 0o644)
    for path in ("tmp", DATA_DIR):
        os.makedirs(os.path.join(rootfs, path), exist_ok=True)
    return sorted(libraries)


def owner_and_mode(relative, info):
    """The layer's owner and mode of each entry: root's, but for the data directory and /tmp."""
    if relative == DATA_DIR:
        return UID, GID, 0o755
    if relative == "tmp":
        return 0, 0, 0o1777
    mode = stat.S_IMODE(info.mode)
    return 0, 0, (0o755 if info.isdir() or mode & 0o111 else 0o644)


def write_layer(rootfs, layer_path):
    entries = []
    for directory, dirs, files in os.walk(rootfs):
        dirs.sort()
        for name in sorted(dirs + files):
            entries.append(os.path.relpath(os.path.join(directory, name), rootfs))
    entries.sort()
    with tarfile.open(layer_path, "w", format=tarfile.PAX_FORMAT) as tar:
        for relative in entries:
            info = tar.gettarinfo(os.path.join(rootfs, relative), arcname=relative)
            info.uid, info.gid, info.mode = owner_and_mode(relative, info)
            info.uname = info.gname = ""
            info.mtime = MTIME
            if info.isreg():
                with open(os.path.join(rootfs, relative), "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_image(layer_path, java_version, image_path):
    """A one-layer image in `docker save`'s format: manifest.json, the config, the layer."""
    diff_id = sha256(layer_path)
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {
            "Env": [f"PATH=/{JAVA_HOME}/bin:/usr/bin:/bin", f"JAVA_HOME=/{JAVA_HOME}", "LANG=C.UTF-8"],
        },
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{diff_id}"]},
        "history": [{"created": "1970-01-01T00:00:00Z",
                     "created_by": f"image/base-image.py: Java {java_version} runtime (jlink), its shared "
                                   f"libraries, /etc, /tmp, /{DATA_DIR}"}],
    }
    config_bytes = json.dumps(config, indent=2, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": ["foobar-stack-base:local"], "Layers": [f"{diff_id}/layer.tar"]}]
    with tarfile.open(image_path, "w") as tar:
        def add(name, data=None, path=None):
            info = tarfile.TarInfo(name)
            info.mtime, info.mode = MTIME, 0o644
            if path is not None:
                info.size = os.path.getsize(path)
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        add("manifest.json", json.dumps(manifest, indent=2).encode())
        add(config_name, config_bytes)
        add(f"{diff_id}/layer.tar", path=layer_path)
    return diff_id


def stage_app(args, out):
    """The stack's files, in the two trees jib adds as layers: third-party jars, then the stack's own."""
    lib_dir = os.path.join(args.launcher, "lib")
    jar = os.path.join(args.launcher, "foobar-stack.jar")
    if not os.path.isfile(jar) or not os.path.isdir(lib_dir):
        fail(f"{jar} or {lib_dir} is missing: build the launcher first (mvn -q -DskipTests package, or mvn verify)")
    trees = {"libraries": os.path.join(out, "app", "libraries"), "stack": os.path.join(out, "app", "stack")}
    for tree in trees.values():
        shutil.rmtree(tree, ignore_errors=True)
        os.makedirs(os.path.join(tree, APP_DIR, "lib"))
    for name in sorted(os.listdir(lib_dir)):
        if not name.endswith(".jar") or FOREIGN_NATIVES.search(name):
            continue
        # the stack's own modules are the jars of its version (as jib puts snapshot dependencies in a layer apart)
        tree = trees["stack"] if name.endswith(f"-{args.stack_version}.jar") else trees["libraries"]
        shutil.copyfile(os.path.join(lib_dir, name), os.path.join(tree, APP_DIR, "lib", name))
    shutil.copyfile(jar, os.path.join(trees["stack"], APP_DIR, "foobar-stack.jar"))
    shutil.copyfile(args.jvm_options, os.path.join(trees["stack"], APP_DIR, "jvm.options"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--java-home", required=True, help="the JDK whose jlink makes the runtime")
    parser.add_argument("--launcher", required=True, help="launcher/target: foobar-stack.jar and lib/")
    parser.add_argument("--jvm-options", required=True, help="bin/jvm.options")
    parser.add_argument("--modules", required=True, help="the JDK modules of the runtime, comma-separated")
    parser.add_argument("--stack-version", required=True, help="the stack's version: its own jars end with it")
    parser.add_argument("--out", required=True, help="the directory to write into (image/target)")
    args = parser.parse_args()

    stage_app(args, args.out)
    # jib reads the module's class output, which a module without sources never gets: an empty one
    os.makedirs(os.path.join(args.out, "classes"), exist_ok=True)
    rootfs = os.path.join(args.out, "base", "rootfs")
    libraries = make_rootfs(args, rootfs)
    java_version = next((line.strip().split("=", 1)[1].strip('"') for line in open(os.path.join(rootfs, JAVA_HOME, "release"))
                         if line.startswith("JAVA_VERSION=")), "?")
    layer = os.path.join(args.out, "base", "layer.tar")
    write_layer(rootfs, layer)
    image = os.path.join(args.out, "base-image.tar")
    diff_id = write_image(layer, java_version, image)
    os.remove(layer)
    print(f"base-image: Java {java_version} runtime of {args.modules.count(',') + 1} modules, "
          f"{len(libraries)} shared libraries ({', '.join(os.path.basename(p) for p in libraries)}); "
          f"{os.path.getsize(image) >> 20} MiB, layer sha256:{diff_id[:12]}")


if __name__ == "__main__":
    main()
