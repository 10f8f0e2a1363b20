"""``client.containers``: the container endpoints, one method each, returning parsed JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sandbox.errors import EngineProtocolError

from ._archive import PathStat, decode_path_stat
from ._hijack import HijackedStream
from ._http import QueryValue, Response, encode_filters, quote_segment
from ._streams import ByteStream, FrameStream, JSONStream

if TYPE_CHECKING:
    from ._client import EngineClient, JSONObject

PATH_STAT_HEADER = "X-Docker-Container-Path-Stat"


class Waiter:
    """A ``/wait`` whose headers are in: the engine is watching. ``result()`` blocks until the
    condition is met. ``docker run`` starts the container only after this exists, so an exit
    right after start is never missed."""

    def __init__(self, client: "EngineClient", response: Response, container: str) -> None:
        self._client = client
        self._response = response
        self.container = container

    def result(self) -> "JSONObject":
        import json

        try:
            data = self._response.read()
        finally:
            self._response.close()
        try:
            doc = json.loads(data)
        except ValueError as err:
            raise EngineProtocolError(f"wait {self.container}", f"not JSON: {data[:80]!r}") from err
        return doc

    def close(self) -> None:
        self._response.close()


class ContainersAPI:
    def __init__(self, client: "EngineClient") -> None:
        self._c = client

    @staticmethod
    def _path(container: str, suffix: str = "") -> str:
        return f"/containers/{quote_segment(container)}{suffix}"

    # -- list, inspect, create ----------------------------------------------------------

    def list(self, *, all: bool = False, filters: Mapping[str, object] | None = None,
             limit: int | None = None, size: bool = False) -> list["JSONObject"]:
        params: dict[str, QueryValue] = {"all": all or None, "limit": limit, "size": size or None,
                                         "filters": encode_filters(filters)}
        return self._c.call_json("GET", "/containers/json", params=params) or []

    def inspect(self, container: str, *, size: bool = False) -> "JSONObject":
        return self._c.call_json("GET", self._path(container, "/json"), params={"size": size or None})

    def create(self, config: Mapping[str, Any], *, name: str | None = None,
               platform: str | None = None) -> "JSONObject":
        """``config`` is the create body: Config fields plus ``HostConfig`` and
        ``NetworkingConfig``. Returns ``{"Id", "Warnings"}``; a 404 means the image is missing."""
        return self._c.call_json("POST", "/containers/create", params={"name": name, "platform": platform},
                                 json_body=dict(config))

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, container: str) -> None:
        self._c.call("POST", self._path(container, "/start"))

    def stop(self, container: str, *, timeout: int | None = None, signal: str | None = None) -> None:
        self._c.call("POST", self._path(container, "/stop"), params={"t": timeout, "signal": signal})

    def restart(self, container: str, *, timeout: int | None = None, signal: str | None = None) -> None:
        self._c.call("POST", self._path(container, "/restart"), params={"t": timeout, "signal": signal})

    def kill(self, container: str, *, signal: str | int | None = None) -> None:
        self._c.call("POST", self._path(container, "/kill"),
                     params={"signal": None if signal is None else str(signal)})

    def pause(self, container: str) -> None:
        self._c.call("POST", self._path(container, "/pause"))

    def unpause(self, container: str) -> None:
        self._c.call("POST", self._path(container, "/unpause"))

    def begin_wait(self, container: str, *, condition: str | None = None) -> Waiter:
        """Send ``/wait`` and return once the engine answered with its headers."""
        response = self._c.request("POST", self._path(container, "/wait"), params={"condition": condition})
        return Waiter(self._c, response, container)

    def wait(self, container: str, *, condition: str | None = None) -> "JSONObject":
        """Block until ``condition`` (``not-running``, ``next-exit``, ``removed``):
        ``{"StatusCode": N, "Error": …}``."""
        return self.begin_wait(container, condition=condition).result()

    def remove(self, container: str, *, force: bool = False, v: bool = False, link: bool = False) -> None:
        self._c.call("DELETE", self._path(container),
                     params={"force": force or None, "v": v or None, "link": link or None})

    def rename(self, container: str, name: str) -> None:
        self._c.call("POST", self._path(container, "/rename"), params={"name": name})

    def update(self, container: str, resources: Mapping[str, Any]) -> "JSONObject":
        """Live limits (``Memory``, ``NanoCpus``, ``PidsLimit``, ``RestartPolicy`` …)."""
        return self._c.call_json("POST", self._path(container, "/update"), json_body=dict(resources)) or {}

    def prune(self, *, filters: Mapping[str, object] | None = None) -> "JSONObject":
        return self._c.call_json("POST", "/containers/prune", params={"filters": encode_filters(filters)})

    # -- looking inside -------------------------------------------------------------------

    def top(self, container: str, *, ps_args: str | None = None) -> "JSONObject":
        return self._c.call_json("GET", self._path(container, "/top"), params={"ps_args": ps_args})

    def changes(self, container: str) -> list["JSONObject"]:
        return self._c.call_json("GET", self._path(container, "/changes")) or []

    def stats(self, container: str, *, stream: bool = True, one_shot: bool = False) -> JSONStream | "JSONObject":
        """Streamed: a JSONStream of samples. ``stream=False``: one sample, with
        ``precpu_stats`` filled unless ``one_shot`` (which skips the engine's second sample)."""
        params: dict[str, QueryValue] = {"stream": stream, "one-shot": one_shot or None}
        if stream:
            return self._c.stream_json("GET", self._path(container, "/stats"), params=params)
        return self._c.call_json("GET", self._path(container, "/stats"), params=params)

    def logs(self, container: str, *, stdout: bool = True, stderr: bool = True, follow: bool = False,
             timestamps: bool = False, tail: str | int = "all", since: str | int | None = None,
             until: str | int | None = None, details: bool = False, tty: bool | None = None) -> FrameStream:
        """(stream, bytes) pairs. The body is framed unless the container has a TTY; pass
        ``tty`` if known, otherwise the container is inspected first (as the docker CLI does)."""
        if tty is None:
            tty = bool((self.inspect(container).get("Config") or {}).get("Tty"))
        params: dict[str, QueryValue] = {"follow": follow or None, "stdout": stdout or None,
                                         "stderr": stderr or None, "since": since, "until": until,
                                         "timestamps": timestamps or None, "details": details or None,
                                         "tail": str(tail)}
        response = self._c.request("GET", self._path(container, "/logs"), params=params)
        return FrameStream(response, multiplexed=not tty)

    def attach(self, container: str, *, stdin: bool = False, stdout: bool = True, stderr: bool = True,
               stream: bool = True, logs: bool = False, detach_keys: str | None = None,
               tty: bool | None = None) -> HijackedStream:
        """Hijacked attach: the returned socket carries stdin in and (framed) output out."""
        if tty is None:
            tty = bool((self.inspect(container).get("Config") or {}).get("Tty"))
        params: dict[str, QueryValue] = {"detachKeys": detach_keys, "logs": logs or None,
                                         "stderr": stderr or None, "stdin": stdin or None,
                                         "stdout": stdout or None, "stream": stream or None}
        return self._c.upgrade("POST", self._path(container, "/attach"), tty=tty, params=params)

    def resize(self, container: str, *, height: int, width: int) -> None:
        self._c.call("POST", self._path(container, "/resize"), params={"h": height, "w": width})

    # -- files ----------------------------------------------------------------------------

    def stat_path(self, container: str, path: str) -> PathStat:
        response = self._c.call("HEAD", self._path(container, "/archive"), params={"path": path})
        stat = decode_path_stat(response.headers.get(PATH_STAT_HEADER), f"stat {container}:{path}")
        if stat is None:
            raise EngineProtocolError(f"stat {container}:{path}", f"no {PATH_STAT_HEADER} header")
        return stat

    def get_archive(self, container: str, path: str) -> tuple[bytes, PathStat | None]:
        """A tar of ``path`` and the stat of ``path`` itself (from the response header)."""
        response = self._c.request("GET", self._path(container, "/archive"), params={"path": path})
        stat = decode_path_stat(response.headers.get(PATH_STAT_HEADER), f"copy from {container}:{path}")
        return ByteStream(response).read_all(), stat

    def put_archive(self, container: str, path: str, data: bytes, *, no_overwrite_dir_non_dir: bool = False,
                    copy_uid_gid: bool = False) -> None:
        """Extract the tar ``data`` into directory ``path`` in the container."""
        params: dict[str, QueryValue] = {"path": path,
                                         "noOverwriteDirNonDir": no_overwrite_dir_non_dir or None,
                                         "copyUIDGID": copy_uid_gid or None}
        self._c.call("PUT", self._path(container, "/archive"), params=params, body=data,
                     headers={"Content-Type": "application/x-tar"})

    def export(self, container: str) -> ByteStream:
        """The container's whole filesystem as a tar stream."""
        return ByteStream(self._c.request("GET", self._path(container, "/export")))
