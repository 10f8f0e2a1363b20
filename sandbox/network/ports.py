"""The table of published ports: checks, bookkeeping and persistence around ``PortProxy``."""

from __future__ import annotations

import ipaddress
import threading

from sandbox.errors import InvalidNetworkConfig, NetlinkFailed, PortAllocated
from sandbox.network import validate
from sandbox.network.model import PortBinding
from sandbox.network.proxy import PortProxy
from sandbox.network.store import NetworkStore

ANY_V4 = "0.0.0.0"


def normalize_host_ip(host_ip: str) -> str:
    """Docker's empty ``HostIp`` means every address; we bind IPv4's wildcard for it."""
    if host_ip in ("", None):
        return ANY_V4
    try:
        return str(ipaddress.ip_address(host_ip))
    except ValueError:
        raise InvalidNetworkConfig("host IP", host_ip, "not an IP address",
                                   "use 127.0.0.1 for this host only, or 0.0.0.0 for every address") from None


def _clashes(a: PortBinding, b: PortBinding) -> bool:
    """Two bindings need the same socket: same port and protocol, and the same address or
    one of them the wildcard (the kernel would refuse the second bind anyway)."""
    if a.host_port != b.host_port or a.proto != b.proto:
        return False
    wild = ("0.0.0.0", "::")
    return a.host_ip == b.host_ip or a.host_ip in wild or b.host_ip in wild


class PortTable:
    def __init__(self, store: NetworkStore, proxy: PortProxy) -> None:
        self.store = store
        self.proxy = proxy
        self._lock = threading.RLock()
        self._bindings: list[PortBinding] = []

    def bindings(self, container_id: str | None = None) -> list[PortBinding]:
        with self._lock:
            return [b for b in self._bindings if container_id is None or b.container_id == container_id]

    def publish(self, container_id: str, host_ip: str, host_port: int, container_ip: str,
                container_port: int, proto: str = "tcp") -> PortBinding:
        want = PortBinding(container_id, normalize_host_ip(host_ip),
                           validate.port(host_port, "host port", allow_zero=True),
                           str(ipaddress.ip_address(container_ip)),
                           validate.port(container_port, "container port"), validate.proto(proto))
        with self._lock:
            for have in self._bindings:
                if want.host_port and _clashes(want, have):
                    if have == want:
                        return have  # the engine asked again for what is already there
                    raise PortAllocated(want.host_ip, want.host_port, want.proto, have.container_id[:12])
            bound = self.proxy.add(want)
            self._bindings.append(bound)
            self._save()
            return bound

    def unpublish(self, binding: PortBinding) -> None:
        with self._lock:
            self.proxy.remove(binding)
            self._bindings = [b for b in self._bindings if b != binding]
            self._save()

    def unpublish_all(self, container_id: str) -> list[PortBinding]:
        with self._lock:
            gone = self.bindings(container_id)
            for b in gone:
                self.proxy.remove(b)
            if gone:
                self._bindings = [b for b in self._bindings if b.container_id != container_id]
                self._save()
            return gone

    def restore(self, keep: set[str]) -> tuple[list[PortBinding], list[tuple[PortBinding, str]]]:
        """Listen again for the saved bindings of containers in ``keep``. Returns what is
        listening and what could not be (with why); the failed ones are forgotten."""
        ok: list[PortBinding] = []
        failed: list[tuple[PortBinding, str]] = []
        with self._lock:
            for b in self.store.load_ports():
                if b.container_id not in keep:
                    failed.append((b, "the container has no endpoint any more"))
                    continue
                if b in self._bindings:
                    ok.append(b)
                    continue
                try:
                    self._bindings.append(self.proxy.add(b))
                    ok.append(b)
                except (PortAllocated, NetlinkFailed) as e:
                    failed.append((b, e.message))
            self._save()
        return ok, failed

    def _save(self) -> None:
        self.store.save_ports(self._bindings)
