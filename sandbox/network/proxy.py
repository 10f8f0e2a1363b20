"""Port publishing with a userspace proxy: one listener per published port, in-process.

Why a proxy and not NAT (Docker's iptables DNAT rules):

* It works on loopback. ``curl 127.0.0.1:18080`` never leaves the host's ``lo``; a DNAT rule
  can only send such a packet to a bridge when ``net.ipv4.conf.*.route_localnet`` is turned
  on for the whole host, which also lets 127/8 traffic be routed off ``lo``. Docker itself
  falls back to a userland proxy for exactly this case.
* It changes nothing outside our own devices: no host sysctl, no iptables or nftables rule
  that a crash could leave behind. A listener is a socket: the kernel closes it when the
  daemon dies, and the port is free the instant we close it.
* It is visible: a learner sees the daemon listening with ``ss -ltnp``, and we can count
  the connections a published port carries for the TUI.

The cost is a copy through user space per byte, fine for a classroom.

All sockets are served by one asyncio loop in one daemon thread. ``add`` binds the listening
socket in the caller's thread first, so "port already allocated" is raised right there.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import NetlinkFailed, PortAllocated
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.network.model import PortBinding

_CHUNK = 65536
_UDP_IDLE_SECONDS = 60.0
"""A UDP "connection" (client address -> its backend socket) is forgotten after this much silence."""
_CONNECT_TIMEOUT = 5.0
_CALL_TIMEOUT = 10.0


def bind_listener(host_ip: str, host_port: int, proto: str, holder: str | None = None) -> socket.socket:
    """A bound (and for TCP, listening) socket, or ``PortAllocated`` in Docker's words."""
    family = socket.AF_INET6 if ":" in host_ip else socket.AF_INET
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    sock = socket.socket(family, kind)
    try:
        if proto == "tcp":
            # Lets the port be bound again at once after unpublish, although accepted
            # connections may linger in TIME_WAIT. Not for UDP: there it would let two
            # sockets share the port silently.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host_ip, host_port))
        if proto == "tcp":
            sock.listen(128)
        sock.setblocking(False)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortAllocated(host_ip or "0.0.0.0", host_port, proto, holder) from None
        if e.errno == errno.EADDRNOTAVAIL:
            raise NetlinkFailed("bind", f"{host_ip}:{host_port}", e.errno,
                                hint="the host has no such address") from None
        raise NetlinkFailed("bind", f"{host_ip}:{host_port}/{proto}", e.errno) from None
    return sock


@dataclass
class _Listener:
    binding: PortBinding
    server: Any = None
    """asyncio.Server (tcp) or DatagramTransport (udp)."""
    conns: set[asyncio.Task[None]] = field(default_factory=set)
    transports: set[Any] = field(default_factory=set)
    flows: dict[Any, _UdpFlow] = field(default_factory=dict)
    total: int = 0


class PortProxy:
    """The listeners of every published port. Thread-safe; the loop thread starts on first use."""

    def __init__(self, tracer: Tracer = NULL_TRACER) -> None:
        self.tracer = tracer
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: dict[tuple[str, int, str], _Listener] = {}

    # -- public, from any thread ---------------------------------------------------------

    def add(self, binding: PortBinding) -> PortBinding:
        """Listen for ``binding``; with ``host_port`` 0 the kernel picks a free port, and the
        returned binding carries it."""
        sock = bind_listener(binding.host_ip, binding.host_port, binding.proto)
        port = sock.getsockname()[1]
        bound = PortBinding(binding.container_id, binding.host_ip, port, binding.container_ip,
                            binding.container_port, binding.proto)
        try:
            self._call(self._serve(bound, sock))
        except BaseException:
            sock.close()
            raise
        self.tracer.emit("port.publish", binding=bound.describe(), target=f"{bound.container_ip}:"
                         f"{bound.container_port}")
        return bound

    def remove(self, binding: PortBinding) -> bool:
        """Close the listener and every connection it carries; the port is free on return."""
        with self._lock:
            if binding.key not in self._listeners or self._loop is None:
                return False
        self._call(self._close(binding.key))
        self.tracer.emit("port.unpublish", binding=binding.describe())
        return True

    def connections(self, binding: PortBinding) -> tuple[int, int]:
        """(open now, accepted in total) for the TUI."""
        with self._lock:
            lst = self._listeners.get(binding.key)
            if lst is None:
                return (0, 0)
            return (len(lst.conns) + len(lst.flows), lst.total)

    def close(self) -> None:
        """Close every listener and stop the loop thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            keys = list(self._listeners)
        if loop is None or thread is None:
            return
        for key in keys:
            self._call(self._close(key))
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=_CALL_TIMEOUT)
        loop.close()
        with self._lock:
            self._loop = self._thread = None

    # -- the loop thread -----------------------------------------------------------------

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=run, name="sandbox-ports", daemon=True)
                self._thread.start()
                ready.wait(_CALL_TIMEOUT)
                self._loop = loop
            return self._loop

    def _call(self, coro: Coroutine[Any, Any, None]) -> None:
        loop = self._ensure_loop()
        asyncio.run_coroutine_threadsafe(coro, loop).result(_CALL_TIMEOUT)

    async def _serve(self, binding: PortBinding, sock: socket.socket) -> None:
        lst = _Listener(binding)
        loop = asyncio.get_running_loop()
        if binding.proto == "tcp":
            lst.server = await asyncio.start_server(lambda r, w: self._accepted(lst, r, w), sock=sock)
        else:
            lst.server, _ = await loop.create_datagram_endpoint(lambda: _UdpListener(lst), sock=sock)
        with self._lock:
            self._listeners[binding.key] = lst

    async def _close(self, key: tuple[str, int, str]) -> None:
        with self._lock:
            lst = self._listeners.pop(key, None)
        if lst is None:
            return
        lst.server.close()  # closes the listening socket now: the port is free
        for t in list(lst.transports):
            t.abort()
        for task in list(lst.conns):
            task.cancel()
        for flow in list(lst.flows.values()):
            flow.close()
        lst.flows.clear()

    # -- tcp -----------------------------------------------------------------------------

    def _accepted(self, lst: _Listener, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(self._relay(lst, reader, writer))
        lst.conns.add(task)
        lst.total += 1
        task.add_done_callback(lst.conns.discard)

    async def _relay(self, lst: _Listener, c_reader: asyncio.StreamReader,
                     c_writer: asyncio.StreamWriter) -> None:
        b = lst.binding
        lst.transports.add(c_writer.transport)
        try:
            try:
                b_reader, b_writer = await asyncio.wait_for(
                    asyncio.open_connection(b.container_ip, b.container_port), _CONNECT_TIMEOUT)
            except (TimeoutError, OSError):
                # Nobody listens in the container (yet): the client sees its connection
                # closed, as with Docker's proxy.
                return
            lst.transports.add(b_writer.transport)
            try:
                await asyncio.gather(_pump(c_reader, b_writer), _pump(b_reader, c_writer))
            finally:
                lst.transports.discard(b_writer.transport)
                b_writer.close()
        finally:
            lst.transports.discard(c_writer.transport)
            c_writer.close()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until end of stream, then pass the half-close on (``shutdown(SHUT_WR)``), so
    request/response protocols that read to EOF keep working through the proxy."""
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        # A reset on either side ends this direction; closing both ends (in _relay) tells
        # the other side. There is nobody else to report a peer's reset to.
        writer.transport.abort()


# -- udp -------------------------------------------------------------------------------------


class _UdpListener(asyncio.DatagramProtocol):
    """Receives on the published port; each client address gets its own backend socket, so
    replies find their way back to the right client."""

    def __init__(self, lst: _Listener) -> None:
        self.lst = lst
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        flow = self.lst.flows.get(addr)
        if flow is None:
            assert self.transport is not None
            flow = _UdpFlow(self.lst, self.transport, addr)
            self.lst.flows[addr] = flow
            self.lst.total += 1
        flow.send(data)


class _UdpFlow(asyncio.DatagramProtocol):
    def __init__(self, lst: _Listener, listener: asyncio.DatagramTransport, client: Any) -> None:
        self.lst = lst
        self.listener = listener
        self.client = client
        self.backend: asyncio.DatagramTransport | None = None
        self.pending: list[bytes] = []
        loop = asyncio.get_running_loop()
        self.idle: asyncio.TimerHandle = loop.call_later(_UDP_IDLE_SECONDS, self.close)
        b = lst.binding
        self.opening = loop.create_task(
            loop.create_datagram_endpoint(lambda: self, remote_addr=(b.container_ip, b.container_port)))
        self.opening.add_done_callback(self._opened)

    def _opened(self, task: asyncio.Task[Any]) -> None:
        # No route to the container (it went away): drop the flow; the client's datagrams
        # are lost, as they would be on the wire.
        if not task.cancelled() and task.exception() is not None:
            self.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.backend = transport  # type: ignore[assignment]
        for data in self.pending:
            self.backend.sendto(data)
        self.pending.clear()

    def send(self, data: bytes) -> None:
        self._touch()
        if self.backend is None:
            self.pending.append(data)
        else:
            self.backend.sendto(data)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self._touch()
        self.listener.sendto(data, self.client)

    def error_received(self, exc: Exception) -> None:
        # ICMP port unreachable from the container: UDP has no way to tell the client but
        # silence, which is what it gets. The flow stays until idle.
        return None

    def _touch(self) -> None:
        self.idle.cancel()
        self.idle = asyncio.get_running_loop().call_later(_UDP_IDLE_SECONDS, self.close)

    def close(self) -> None:
        self.idle.cancel()
        self.opening.cancel()
        if self.backend is not None:
            self.backend.close()
        self.lst.flows.pop(self.client, None)
