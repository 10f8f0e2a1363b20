"""sandbox.client: how every front end talks to the engine (and to a real dockerd).

    from sandbox.client import EngineClient
    with EngineClient() as client:          # DOCKER_HOST, else /run/sandbox/engine.sock
        for c in client.containers.list(all=True):
            print(c["Names"][0], c["Status"])

The public surface is what this module exports; the ``_modules`` behind it may change.
Errors are ``sandbox.errors.EngineError`` (the engine said no), ``EngineUnavailable``
(nothing listens) and ``EngineProtocolError`` (the answer made no sense).
"""

from sandbox.errors import EngineError, EngineProtocolError, EngineUnavailable

from ._address import DEFAULT_SOCKET, socket_path
from ._archive import PathStat
from ._client import API_VERSION, EngineClient, Ping, negotiate
from ._containers import ContainersAPI, Waiter
from ._exec import ExecAPI
from ._frames import FrameDecoder, Stream, encode_frame, iter_frames
from ._hijack import HijackedStream
from ._http import Headers, Request, Response
from ._images import ImagesAPI
from ._introspect import SandboxAPI
from ._mock import MockResponse, MockRouter, MockTransport
from ._networks import NetworksAPI
from ._streams import ByteStream, FrameStream, JSONStream
from ._transport import Transport, UnixTransport, Upgraded
from ._volumes import VolumesAPI

__all__ = [
    "API_VERSION",
    "DEFAULT_SOCKET",
    "ByteStream",
    "ContainersAPI",
    "EngineClient",
    "EngineError",
    "EngineProtocolError",
    "EngineUnavailable",
    "ExecAPI",
    "FrameDecoder",
    "FrameStream",
    "Headers",
    "HijackedStream",
    "ImagesAPI",
    "JSONStream",
    "MockResponse",
    "MockRouter",
    "MockTransport",
    "NetworksAPI",
    "PathStat",
    "Ping",
    "Request",
    "Response",
    "SandboxAPI",
    "Stream",
    "Transport",
    "UnixTransport",
    "Upgraded",
    "VolumesAPI",
    "Waiter",
    "encode_frame",
    "iter_frames",
    "negotiate",
    "socket_path",
]
