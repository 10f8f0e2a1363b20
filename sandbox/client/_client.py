"""EngineClient: the Docker Engine API over a transport, with version negotiation.

The first API call pings the engine (``/_ping``), reads its ``Api-Version`` header and uses
``min(API_VERSION, server's)`` as the ``/v1.xx`` prefix of every later path — what the
docker CLI does, so a new client works against an older engine and the other way round.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox import __version__
from sandbox.errors import EngineError, EngineProtocolError

from ._address import display_address, socket_path
from ._hijack import HijackedStream
from ._http import QueryValue, Request, Response, encode_filters, with_query
from ._streams import JSONStream
from ._transport import Transport, UnixTransport

if TYPE_CHECKING:
    from ._containers import ContainersAPI
    from ._exec import ExecAPI
    from ._images import ImagesAPI
    from ._networks import NetworksAPI
    from ._volumes import VolumesAPI

API_VERSION = "1.47"
"""The newest API version this client speaks."""
FALLBACK_API_VERSION = "1.24"
"""What docker assumes of a server whose ping has no Api-Version header."""

JSONObject = dict[str, Any]


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def negotiate(ours: str, theirs: str | None) -> str:
    """The version both sides speak: the lower of the two, the fallback if they never said."""
    if not theirs:
        return FALLBACK_API_VERSION
    return theirs if _version_key(theirs) < _version_key(ours) else ours


@dataclass(frozen=True)
class Ping:
    api_version: str | None
    os_type: str | None
    experimental: bool
    builder_version: str | None


class EngineClient:
    """Talks to one engine. Thread-safe: each request takes its own pooled connection.

    ``address`` is ``unix:///path`` or a path; without it ``DOCKER_HOST`` from ``env`` (or
    the process environment) and then ``/run/sandbox/engine.sock``. ``transport`` replaces
    the socket entirely (tests); ``version`` pins the API version and skips the ping.
    """

    def __init__(self, address: str | None = None, *, transport: Transport | None = None,
                 version: str | None = None, env: Mapping[str, str] | None = None,
                 timeout: float | None = None) -> None:
        if transport is None:
            path = socket_path(address, env)
            transport = UnixTransport(path, timeout=timeout)
            self.address = display_address(path)
        else:
            self.address = address or "in-process transport"
        self.transport = transport
        self._version = version
        self._lock = threading.Lock()
        self.headers = {"User-Agent": f"sandbox-client/{__version__}"}
        from ._containers import ContainersAPI
        from ._exec import ExecAPI
        from ._images import ImagesAPI
        from ._introspect import SandboxAPI
        from ._networks import NetworksAPI
        from ._volumes import VolumesAPI

        self.containers: ContainersAPI = ContainersAPI(self)
        self.images: ImagesAPI = ImagesAPI(self)
        self.exec: ExecAPI = ExecAPI(self)
        self.volumes: VolumesAPI = VolumesAPI(self)
        self.networks: NetworksAPI = NetworksAPI(self)
        self.sandbox: SandboxAPI = SandboxAPI(self)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> "EngineClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- version negotiation --------------------------------------------------------------

    @property
    def api_version(self) -> str:
        if self._version is None:
            with self._lock:
                if self._version is None:
                    self._version = negotiate(API_VERSION, self.ping().api_version)
        return self._version

    def speaks(self, version: str) -> bool:
        """Whether the negotiated API version is ``version`` or newer (a request's shape
        that changed between versions)."""
        return _version_key(self.api_version) >= _version_key(version)

    def ping(self) -> Ping:
        """``GET /_ping`` (unversioned, like the docker CLI). Error replies still carry the
        version headers, so only a missing engine raises."""
        response = self.transport.send(Request("GET", "/_ping", dict(self.headers)))
        try:
            response.read()
        finally:
            response.close()
        h = response.headers
        if response.status >= 400 and "Api-Version" not in h:
            raise EngineError(response.status, f"ping failed: {response.status} {response.reason}")
        return Ping(api_version=h.get("Api-Version"), os_type=h.get("Ostype"),
                    experimental=h.get("Docker-Experimental", "false").lower() == "true",
                    builder_version=h.get("Builder-Version"))

    # -- request plumbing shared by the API groups ----------------------------------------

    def url(self, path: str, params: Mapping[str, QueryValue] | None = None) -> str:
        return with_query(f"/v{self.api_version}{path}", params or {})

    def _build(self, method: str, path: str, params: Mapping[str, QueryValue] | None,
               json_body: object, body: bytes | None, headers: Mapping[str, str] | None) -> Request:
        all_headers = dict(self.headers)
        if json_body is not None:
            body = json.dumps(json_body, separators=(",", ":")).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        return Request(method, self.url(path, params), all_headers, body)

    def request(self, method: str, path: str, *, params: Mapping[str, QueryValue] | None = None,
                json_body: object = None, body: bytes | None = None,
                headers: Mapping[str, str] | None = None) -> Response:
        """Send and return the open response; an error status raises ``EngineError``."""
        response = self.transport.send(self._build(method, path, params, json_body, body, headers))
        if response.status >= 400:
            raise _error_from(response)
        return response

    def call(self, method: str, path: str, **kwargs: Any) -> Response:
        """A request whose body does not matter (204, 304): read it so the connection is reused."""
        response = self.request(method, path, **kwargs)
        try:
            response.read()
        finally:
            response.close()
        return response

    def call_json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            data = response.read()
        finally:
            response.close()
        if not data.strip():
            return None
        try:
            return json.loads(data)
        except ValueError as err:
            raise EngineProtocolError(f"{method} {path}", f"the answer is not JSON: {data[:80]!r}") from err

    def stream_json(self, method: str, path: str, **kwargs: Any) -> JSONStream:
        return JSONStream(self.request(method, path, **kwargs), f"{method} {path}")

    def upgrade(self, method: str, path: str, *, tty: bool, params: Mapping[str, QueryValue] | None = None,
                json_body: object = None) -> HijackedStream:
        """A hijacked request (attach, exec start): ``101`` hands over the raw socket."""
        headers = {"Connection": "Upgrade", "Upgrade": "tcp"}
        if json_body is None:
            headers["Content-Type"] = "text/plain"
        upgraded = self.transport.hijack(self._build(method, path, params, json_body, None, headers))
        if upgraded.status >= 400:
            raise _error_from_body(upgraded.status, upgraded.reason, upgraded.body)
        if upgraded.status != 101 or upgraded.sock is None:
            raise EngineProtocolError(f"{method} {path}",
                                      f"expected 101 UPGRADED, got {upgraded.status} {upgraded.reason}")
        return HijackedStream(upgraded.sock, upgraded.leftover, tty=tty,
                              content_type=upgraded.headers.get("Content-Type", ""))

    # -- system ---------------------------------------------------------------------------

    def version(self) -> JSONObject:
        return self.call_json("GET", "/version")

    def info(self) -> JSONObject:
        return self.call_json("GET", "/info")

    def df(self) -> JSONObject:
        """``docker system df``: images, containers, volumes and build cache with sizes."""
        return self.call_json("GET", "/system/df")

    def events(self, *, since: str | int | float | None = None, until: str | int | float | None = None,
               filters: Mapping[str, object] | None = None) -> JSONStream:
        """The event stream, as JSON objects; it ends at ``until`` or when closed."""
        params: dict[str, QueryValue] = {"since": _timestamp(since), "until": _timestamp(until),
                                         "filters": encode_filters(filters)}
        return self.stream_json("GET", "/events", params=params)


def _timestamp(value: str | int | float | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return f"{value:.9f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def _error_from(response: Response) -> EngineError:
    try:
        body = response.read()
    finally:
        response.close()
    return _error_from_body(response.status, response.reason, body)


def _error_from_body(status: int, reason: str, body: bytes) -> EngineError:
    message = ""
    text = body.decode("utf-8", "replace").strip()
    if text:
        try:
            doc = json.loads(text)
            message = doc.get("message", "") if isinstance(doc, dict) else ""
        except ValueError:
            message = text
        if not message:
            message = text
    return EngineError(status, message or f"{status} {reason}".strip())
