"""Offline base images: ``busybox:latest`` from Debian's busybox-static, ``debian:bookworm``
from mmdebstrap.

Both are real OCI images in the store, made without a registry: the classroom VM needs
nothing but the Debian package mirror. The busybox image is reproducible — the same binary
always gives the same layer, config and manifest digests — because every tar entry has a
fixed mtime (0, or ``SOURCE_DATE_EPOCH``), numeric owners and a sorted place.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from sandbox.errors import BootstrapError
from sandbox.images._apt_sources import mirror_lines
from sandbox.images._elf import is_elf, is_static
from sandbox.images._tarwriter import ReproducibleTar
from sandbox.storage import HistoryEntry, Image, ImageConfig, Store
from sandbox.storage.importer import host_arch

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

PASSWD = (
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    "user:x:1000:1000:user:/home/user:/bin/sh\n"
)
GROUP = "root:x:0:\nnobody:x:65534:\nuser:x:1000:\n"
HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"


def _epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "0")
    try:
        return int(value)
    except ValueError as e:
        raise BootstrapError(f"SOURCE_DATE_EPOCH={value!r} is not a number of seconds") from e


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _busybox_binary(busybox_path: Path) -> Path:
    if not busybox_path.is_file():
        raise BootstrapError(f"no busybox at {busybox_path}", "install it: apt-get install busybox-static")
    if not is_elf(busybox_path) or not is_static(busybox_path):
        raise BootstrapError(f"{busybox_path} is not a statically linked busybox",
                             "install the static build: apt-get install busybox-static")
    return busybox_path


def _applets(busybox: Path) -> tuple[list[str], str]:
    """The applet paths (``usr/bin/env``…) and the version banner of this busybox."""
    try:
        listing = subprocess.run([str(busybox), "--list-full"], check=True, capture_output=True, text=True,
                                 timeout=30).stdout
        # Without arguments busybox prints its banner and exits 1: not a failure here.
        banner = subprocess.run([str(busybox)], check=False, capture_output=True, text=True,
                                timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as e:
        raise BootstrapError(f"could not run {busybox} --list-full: {e}",
                             "install it: apt-get install busybox-static") from e
    applets = sorted({line.strip().lstrip("/") for line in listing.splitlines() if line.strip()})
    version = banner.splitlines()[0].strip() if banner else "BusyBox"
    return applets, version


def busybox_rootfs_tar(busybox_path: Path = Path("/bin/busybox"),
                       mtime: int | None = None) -> tuple[bytes, str]:
    """The busybox image's single layer as tar bytes, and the busybox version banner."""
    busybox = _busybox_binary(busybox_path)
    applets, version = _applets(busybox)
    tar = ReproducibleTar(mtime=_epoch() if mtime is None else mtime)
    for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "usr/local", "usr/local/bin", "etc", "var",
              "var/log", "var/run", "proc", "sys", "dev", "home"):
        tar.dir(d, 0o755)
    tar.dir("home/user", 0o755, uid=1000, gid=1000)
    tar.dir("root", 0o700)
    tar.dir("tmp", 0o1777)
    tar.file("bin/busybox", busybox.read_bytes(), 0o755)
    for applet in applets:
        if applet == "bin/busybox":
            continue
        parent = os.path.dirname(applet)
        if parent and parent not in tar.entries:
            tar.dir(parent, 0o755)
        # Relative links keep working wherever the tree is unpacked (a bundle, a mount).
        tar.symlink(applet, os.path.relpath("bin/busybox", parent or "."))
    tar.file("etc/passwd", PASSWD.encode())
    tar.file("etc/group", GROUP.encode())
    tar.file("etc/hostname", b"")
    tar.file("etc/hosts", HOSTS.encode())
    return tar.bytes(), version


def bootstrap_busybox(store: Store, tag: str = "busybox:latest",
                      busybox_path: Path = Path("/bin/busybox")) -> Image:
    """Build ``busybox:latest`` (one layer) from the host's busybox-static binary."""
    epoch = _epoch()
    data, version = busybox_rootfs_tar(busybox_path, epoch)
    layer = store.import_layer_tar(io.BytesIO(data))
    config = ImageConfig(
        architecture=host_arch(), os="linux", created=_iso(epoch),
        env=[DEFAULT_PATH], cmd=["sh"],
        history=[HistoryEntry(created=_iso(epoch), created_by=f"sandbox bootstrap: {version}",
                              comment="busybox-static with applet links, /etc/passwd and /etc/group")],
    )
    return store.create_image([layer], config, [tag])


def _without_devices(src: Path, dst: Path) -> None:
    """Copy a tarball leaving out device nodes: mmdebstrap puts /dev/null and friends in
    it, but a layer never carries devices (the runtime makes a container's /dev)."""
    import tarfile

    with tarfile.open(src, "r|") as tin, open(dst, "wb") as out, \
            tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tout:
        for member in tin:
            if member.ischr() or member.isblk():
                continue
            tout.addfile(member, tin.extractfile(member) if member.isreg() else None)


def bootstrap_debian(store: Store, tag: str = "debian:bookworm", mirror: str | None = None,
                     suite: str = "bookworm", etc_apt: Path = Path("/etc/apt")) -> Image:
    """Build ``debian:bookworm`` (minbase) with mmdebstrap from the host's apt sources, or
    from ``mirror`` (a URL or a sources.list line)."""
    mmdebstrap = shutil.which("mmdebstrap")
    if mmdebstrap is None:
        raise BootstrapError("mmdebstrap is not installed", "install it: apt-get install mmdebstrap")
    mirrors = [mirror] if mirror else mirror_lines(suite, etc_apt)
    if not mirrors:
        raise BootstrapError(f"no apt source for {suite} in {etc_apt}",
                             "pass mirror=URL, or add the Debian mirror to the apt sources")
    # Next to the store, so the big tarball and the layer are on the same file system.
    store.root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".bootstrap-", dir=store.root))
    try:
        raw, clean = work / "rootfs.tar", work / "layer.tar"
        cmd = [mmdebstrap, "--variant=minbase", "--format=tar", "--quiet", suite, str(raw), *mirrors]
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
            raise BootstrapError(f"mmdebstrap failed ({proc.returncode}): {tail}",
                                 "check that the apt sources are reachable (apt-get update)")
        _without_devices(raw, clean)
        raw.unlink()
        layer = store.import_layer_tar(clean)
        epoch = _epoch() if "SOURCE_DATE_EPOCH" in os.environ else int(time.time())
        config = ImageConfig(
            architecture=host_arch(), os="linux", created=_iso(epoch), env=[DEFAULT_PATH], cmd=["bash"],
            history=[HistoryEntry(created=_iso(epoch), created_by=f"mmdebstrap --variant=minbase {suite}")],
        )
        return store.create_image([layer], config, [tag])
    finally:
        shutil.rmtree(work, ignore_errors=True)
