"""A container service with volumes and networks, on top of ``h`` (see conftest.py).

Every device it makes starts with the test's tag, its networks use random /24s and a /20
pool that no host route overlaps, and teardown removes every container (with ``-v``), every
endpoint and port, then the devices, and asserts nothing with the tag is left.
"""

from __future__ import annotations

import ipaddress
import random
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sandbox.errors import SandboxError

from .conftest import Harness, eventually

WAIT = 15.0


def _host_routes() -> list[ipaddress.IPv4Network]:
    from sandbox.network.netlink import KernelLinks

    return [ipaddress.IPv4Network(r.dst, strict=False) for r in KernelLinks().host_routes()]


def free_block(prefixlen: int, avoid: list[ipaddress.IPv4Network]) -> ipaddress.IPv4Network:
    """A random block of 10.200.0.0-10.250.255.255 that no host route (nor ``avoid``) overlaps."""
    taken = _host_routes() + avoid
    while True:
        base = ipaddress.IPv4Address(f"10.{random.randint(200, 250)}.{random.randint(0, 255)}.0")
        net = ipaddress.IPv4Network(f"{base}/{prefixlen}", strict=False)
        if not any(net.overlaps(t) for t in taken):
            return net


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Wired:
    h: Harness
    tag: str
    subnets: list[str]
    """Two spare /24s for the test's own user networks."""

    @property
    def svc(self) -> Any:
        return self.h.svc

    @property
    def net(self) -> Any:
        return self.h.svc.eng.networks

    @property
    def vol(self) -> Any:
        return self.h.svc.eng.volumes

    def run(self, cmd: list[str], name: str | None = None, **config: Any) -> str:
        return self.h.run(cmd, name, **config)

    def finish(self, cid: str) -> tuple[int, str]:
        """Wait for the exit; (exit code, the whole output)."""
        code = self.svc.wait(cid, timeout=WAIT)["StatusCode"]
        return code, self.output(cid)

    def output(self, cid: str) -> str:
        return "".join(chunk.decode() for _, chunk, _ in self.svc.logs(cid))

    def wait_output(self, cid: str, text: str) -> str:
        return eventually(lambda: text in self.output(cid) and self.output(cid), WAIT, f"{text!r} in the output")

    def our_devices(self) -> list[str]:
        return self.net.devices()


def make_service(h: Harness, tag: str, default_subnet: str, pool: str) -> Any:
    """A ContainerService with volumes and networks on the harness's directories."""
    from sandbox.engine.api.wiring import make_volume_and_network_services
    from sandbox.engine.containers import ContainerService
    from sandbox.network import NetworkManager, NetworkOptions
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Store

    s = h.settings
    volumes, _ = make_volume_and_network_services(s)
    options = NetworkOptions(default_bridge=tag + "d0", default_subnet=default_subnet, pool=pool,
                             bridge_prefix=tag + "b", veth_prefix=tag + "v")
    networks = NetworkManager(s.root / "network", options=options)
    svc = ContainerService(s, Store(s.root), Runtime(s.runtime_root, cgroup_parent=s.cgroup_parent),
                           lambda *e: h.events.append(e), volumes=volumes, networks=networks)
    h.services.append(svc)
    return svc


def wired_service(h: Harness) -> Iterator[Wired]:
    """The body of each test module's ``w`` fixture: ``yield from wired_service(h)``."""
    tag = "sbt" + h.unique[1:6]
    default = free_block(24, [])
    pool = free_block(20, [default])
    spare = [free_block(24, [default, pool])]
    spare.append(free_block(24, [default, pool, spare[0]]))
    make_service(h, tag, str(default), str(pool))
    wired = Wired(h, tag, [str(n) for n in spare])
    try:
        yield wired
    finally:
        problems: list[str] = []
        # Only the newest service removes: older ones were closed (an engine restart) and
        # no longer watch exits; the newest re-adopted their containers.
        for c in h.svc.eng.registry.all():
            try:
                h.svc.remove(c.id, force=True, volumes=True)
            except SandboxError as e:
                problems.append(f"rm {c.id}: {e}")
        managers = [svc.eng.networks for svc in h.services if svc.eng.networks is not None]
        for mgr in managers:
            mgr.teardown(everything=True)
            for net in mgr.networks():
                if not net.predefined:
                    mgr.remove(net.id)
            mgr.teardown()
            mgr.close()
        from sandbox.network.netlink import KernelLinks

        links = KernelLinks()
        left = links.link_names((tag,))
        for name in left:
            links.delete_link(name)
        assert not problems, problems
        assert not left, f"devices left behind: {left}"
