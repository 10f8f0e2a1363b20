"""Fixtures for the network tests.

Every kernel object a test makes carries the test's unique tag (devices start with it) and
a subnet picked at random from 10.200-250.x.0/24 that no host route uses, and is removed in
teardown, also after a failure. Traffic goes only to loopback and to namespaces made here.
"""

from __future__ import annotations

import ipaddress
import os
import random
import select
import socket
import struct
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.network import NetworkManager, NetworkOptions
from sandbox.network.fake import FakeLinks
from sandbox.network.links import Route
from sandbox.network.netns import run_in_thread

WAIT = 5.0
"""Upper bound for anything a test polls for; never a sleep."""


@pytest.fixture
def tag(unique: str) -> str:
    """8 characters from the shared ``unique``: device names are tag + a letter + up to 6 more
    (the kernel allows 15), so every device a test makes can be found by this prefix."""
    return "sbt" + unique[1:6]


def options_for(tag: str, pool: str = "10.214.0.0/16", default_subnet: str = "10.213.0.0/24",
                **kw: object) -> NetworkOptions:
    return NetworkOptions(default_bridge=tag + "d0", default_subnet=default_subnet, pool=pool,
                          bridge_prefix=tag + "b", veth_prefix=tag + "v", **kw)  # type: ignore[arg-type]


# -- without root: the manager over FakeLinks ------------------------------------------------


@pytest.fixture
def fake_links(tag: str) -> FakeLinks:
    """A host with one uplink route, plus the connected route of our own default bridge (which
    the manager must recognise as its own, not as a clash)."""
    return FakeLinks(routes=[Route("192.0.2.0/24", "eth0"), Route("10.213.0.0/24", tag + "d0")])


@pytest.fixture
def fake_manager(tmp_path: Path, tag: str, fake_links: FakeLinks) -> Iterator[NetworkManager]:
    mgr = NetworkManager(tmp_path / "net", options=options_for(tag), links=fake_links)
    try:
        yield mgr
    finally:
        mgr.close()


# -- with root: real bridges, veths and namespaces ---------------------------------------------


def _host_routes() -> list[ipaddress.IPv4Network]:
    from sandbox.network.netlink import KernelLinks

    return [ipaddress.IPv4Network(r.dst, strict=False) for r in KernelLinks().host_routes()]


def free_subnets(count: int) -> list[str]:
    """``count`` random /24s in 10.200.0.0-10.250.255.0 that no host route overlaps."""
    taken = _host_routes()
    out: list[str] = []
    while len(out) < count:
        net = ipaddress.IPv4Network(f"10.{random.randint(200, 250)}.{random.randint(0, 255)}.0/24")
        if str(net) not in out and not any(net.overlaps(t) for t in taken):
            out.append(str(net))
    return out


def sweep(tag: str) -> None:
    """Delete any device carrying the tag: the safety net after a failed test."""
    from sandbox.network.netlink import KernelLinks

    links = KernelLinks()
    for name in links.link_names((tag,)):
        links.delete_link(name)


@dataclass
class Lab:
    """Network namespaces, sockets inside them, and a manager, all cleaned up by the fixture."""

    tag: str
    state_dir: Path
    subnets: list[str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    mounts: list[Path] = field(default_factory=list)
    managers: list[NetworkManager] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def manager(self, tracer: Tracer = NULL_TRACER) -> NetworkManager:
        mgr = NetworkManager(self.state_dir, tracer=tracer,
                             options=options_for(self.tag, pool=self.subnets[-1], default_subnet=self.subnets[0]))
        self.managers.append(mgr)
        return mgr

    def netns(self) -> str:
        """A namespace held by a sleeping process: ``/proc/PID/ns/net``, like a container's."""
        proc = subprocess.Popen(["unshare", "--net", "sleep", "600"])
        self.procs.append(proc)
        path = f"/proc/{proc.pid}/ns/net"
        own = os.stat("/proc/self/ns/net").st_ino
        _poll(lambda: os.path.exists(path) and os.stat(path).st_ino != own, "unshare to make a namespace")
        return path

    def bound_netns(self) -> str:
        """A namespace kept by a bind mount on a file (as ``ip netns add`` does), made in a thread."""
        from sandbox.linux.mountflags import MS_BIND
        from sandbox.linux.syscalls import CLONE_NEWNET, LinuxSyscalls

        target = self.state_dir.parent / f"ns-{len(self.mounts)}"
        target.touch()
        sys = LinuxSyscalls()

        def make() -> None:
            sys.unshare(CLONE_NEWNET)
            sys.mount("/proc/thread-self/ns/net", str(target), None, MS_BIND)
        run_in_thread(make)
        self.mounts.append(target)
        return str(target)

    def kill(self, netns: str) -> None:
        for proc in self.procs:
            if netns == f"/proc/{proc.pid}/ns/net":
                proc.kill()
                proc.wait()

    def socket_in(self, netns: str, kind: int, proto: int = 0) -> socket.socket:
        """A socket that lives in ``netns`` (a socket keeps the namespace it was made in)."""
        sock = run_in_thread(lambda: socket.socket(socket.AF_INET, kind, proto), netns=netns)
        self.closers.append(sock.close)
        return sock

    def ping(self, netns: str, ip: str, timeout: float = 1.0) -> bool:
        """One ICMP echo from inside ``netns``; True if the reply came."""
        sock = self.socket_in(netns, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        ident = random.randint(1, 0xFFFF)
        header = struct.pack("!BBHHH", 8, 0, 0, ident, 1)
        payload = b"sandbox-ping"
        packet = header[:2] + struct.pack("!H", _checksum(header + payload)) + header[4:] + payload
        try:
            sock.sendto(packet, (ip, 0))
        except OSError:
            return False  # e.g. ENETUNREACH: no route at all
        end = _deadline(timeout)
        while (left := end - _now()) > 0:
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                break
            data, addr = sock.recvfrom(2048)
            ihl = (data[0] & 0x0F) * 4
            kind, _, _, rid, _ = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if kind == 0 and rid == ident and addr[0] == ip:
                return True
        return False

    def tcp_echo(self, netns: str, ip: str, port: int) -> None:
        """A tiny TCP echo server listening on ip:port inside ``netns`` until teardown."""
        server = self.socket_in(netns, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((ip, port))
        server.listen(8)
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                ready, _, _ = select.select([server], [], [], 0.2)
                if not ready:
                    continue
                conn, _ = server.accept()
                with conn:
                    while data := conn.recv(65536):
                        conn.sendall(data)
        t = threading.Thread(target=serve, daemon=True)
        t.start()
        self.closers.insert(0, lambda: (stop.set(), t.join(WAIT)))

    def udp_echo(self, netns: str, ip: str, port: int) -> None:
        server = self.socket_in(netns, socket.SOCK_DGRAM)
        server.bind((ip, port))
        stop = threading.Event()

        def serve() -> None:
            while not stop.is_set():
                ready, _, _ = select.select([server], [], [], 0.2)
                if ready:
                    data, addr = server.recvfrom(65536)
                    server.sendto(b"echo:" + data, addr)
        t = threading.Thread(target=serve, daemon=True)
        t.start()
        self.closers.insert(0, lambda: (stop.set(), t.join(WAIT)))

    def cleanup(self) -> None:
        """Undo everything; one failing step does not stop the others, the first error is raised."""
        from sandbox.linux.syscalls import LinuxSyscalls

        steps: list[Callable[[], object]] = list(self.closers)
        for mgr in self.managers:
            steps += [lambda m=mgr: m.teardown(everything=True), mgr.close]
        for proc in self.procs:
            steps += [proc.kill, proc.wait]
        for target in self.mounts:
            steps += [lambda t=target: LinuxSyscalls().umount2(str(t)), target.unlink]
        steps.append(lambda: sweep(self.tag))
        errors: list[BaseException] = []
        for step in steps:
            try:
                step()
            except Exception as e:  # noqa: BLE001 -- collected and re-raised after the other steps
                errors.append(e)
        if errors:
            raise errors[0]


@pytest.fixture
def lab(tmp_path: Path, tag: str) -> Iterator[Lab]:
    state = tmp_path / "state"
    state.mkdir()
    lab = Lab(tag, state, free_subnets(4))
    try:
        yield lab
    finally:
        lab.cleanup()


def hosts_lookup(path: Path, name: str) -> str | None:
    """What libc's files backend would answer for ``name``: the first line naming it."""
    for line in path.read_text().splitlines():
        fields = line.split("#")[0].split()
        if len(fields) >= 2 and name in fields[1:]:
            return fields[0]
    return None


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def _now() -> float:
    import time
    return time.monotonic()


def _deadline(seconds: float) -> float:
    return _now() + seconds


def _poll(cond: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    end = _deadline(timeout)
    while not cond():
        if _now() > end:
            raise TimeoutError(f"timed out waiting for {what}")
        select.select([], [], [], 0.005)  # a short yield between polls


@pytest.fixture
def lookup() -> Callable[[Path, str], str | None]:
    return hosts_lookup


@pytest.fixture
def poll() -> Callable[..., None]:
    return _poll
