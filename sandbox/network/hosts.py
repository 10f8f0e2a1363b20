"""Name resolution through managed ``/etc/hosts`` and ``/etc/resolv.conf`` files.

Docker answers container names with an embedded DNS server at 127.0.0.11. We write each
container's hosts file instead: it needs no server, no NAT rule inside the container, and a
learner can simply ``cat /etc/hosts`` to see why ``ping web`` works. The engine bind-mounts
the file at ``/etc/hosts``; when peers come and go on a shared user network, the manager
rewrites the file of every container on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sandbox.network.model import Network

LOCALHOST_LINES = (
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
)


@dataclass(frozen=True)
class HostEntry:
    ip: str
    names: tuple[str, ...]

    def line(self) -> str:
        return f"{self.ip}\t{' '.join(self.names)}"


def entries_for(container_id: str, networks: Iterable[Network]) -> list[HostEntry]:
    """The container's own addresses first (its host name, and on user networks its name and
    aliases), then every peer on the user networks it shares: name, aliases and short id."""
    own: list[HostEntry] = []
    peers: list[HostEntry] = []
    for net in networks:
        me = net.endpoints.get(container_id)
        if me is None:
            continue
        names = [me.hostname or container_id[:12]]
        if net.resolves_names:
            names += [me.container_name, *me.aliases]
        own.append(HostEntry(me.ip, tuple(dict.fromkeys(n for n in names if n))))
        if not net.resolves_names:
            continue
        for cid, ep in sorted(net.endpoints.items(), key=lambda kv: kv[1].ip):
            if cid != container_id:
                peer = [ep.container_name, *ep.aliases, cid[:12]]
                peers.append(HostEntry(ep.ip, tuple(dict.fromkeys(n for n in peer if n))))
    return own + peers


def render_hosts(entries: Iterable[HostEntry]) -> str:
    lines = list(LOCALHOST_LINES)
    seen: set[str] = set()
    for entry in entries:
        line = entry.line()
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines) + "\n"


def write_in_place(path: Path, content: str) -> bool:
    """Replace the file's content keeping its inode. A bind mount pins the inode it was made
    with: renaming a new file over the old one (the usual atomic write) would leave the
    container reading the old one forever. Returns whether anything changed."""
    data = content.encode()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        old = os.pread(fd, len(data) + 1, 0)
        if old == data:
            return False
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)
    return True


def render_resolv_conf(host_text: str, fallback: tuple[str, ...] = ()) -> str:
    """The host's resolv.conf for a container: loopback name servers are dropped, because
    127.0.0.53 inside the container's own network namespace is nobody. ``search`` and
    ``options`` lines are kept. With no server left, ``fallback`` ones are written."""
    keep: list[str] = []
    servers = 0
    for raw in host_text.splitlines():
        line = raw.strip()
        fields = line.split()
        if not fields or line.startswith(("#", ";")):
            continue
        if fields[0] == "nameserver" and len(fields) > 1:
            if _is_loopback(fields[1]):
                continue
            servers += 1
            keep.append(f"nameserver {fields[1]}")
        elif fields[0] in ("search", "domain", "options"):
            keep.append(line)
    if servers == 0:
        keep = [f"nameserver {s}" for s in fallback] + keep
    return "\n".join(keep) + "\n" if keep else ""


def host_resolv_text(path: Path, systemd_path: Path) -> str:
    """The host's resolver configuration. When it points only at a local stub (systemd-resolved's
    127.0.0.53), the real upstream servers are in ``systemd_path``: use that file instead."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    if render_resolv_conf(text).count("nameserver") == 0 and systemd_path.is_file():
        return systemd_path.read_text(encoding="utf-8", errors="replace")
    return text


def _is_loopback(address: str) -> bool:
    return address.startswith("127.") or address == "::1"
