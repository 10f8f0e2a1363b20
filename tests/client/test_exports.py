"""The public surface is pinned: changing it is a decision, not an accident."""

import sandbox.client as client_pkg

EXPECTED = {
    "API_VERSION", "DEFAULT_SOCKET", "ByteStream", "ContainersAPI", "EngineClient", "EngineError",
    "EngineProtocolError", "EngineUnavailable", "ExecAPI", "FrameDecoder", "FrameStream", "Headers",
    "HijackedStream", "ImagesAPI", "JSONStream", "MockResponse", "MockRouter", "MockTransport", "NetworksAPI", "PathStat",
    "SandboxAPI",
    "Ping", "Request", "Response", "Stream", "Transport", "UnixTransport", "Upgraded", "VolumesAPI", "Waiter",
    "encode_frame", "iter_frames", "negotiate", "socket_path",
}


def test_exported_names_are_pinned() -> None:
    assert set(client_pkg.__all__) == EXPECTED


def test_every_exported_name_exists() -> None:
    missing = [name for name in client_pkg.__all__ if not hasattr(client_pkg, name)]
    assert missing == []


def test_errors_are_the_project_error_tree() -> None:
    from sandbox.errors import SandboxError

    for name in ("EngineError", "EngineUnavailable", "EngineProtocolError"):
        assert issubclass(getattr(client_pkg, name), SandboxError)
