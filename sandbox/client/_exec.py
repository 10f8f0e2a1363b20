"""``client.exec``: a second process in a running container (create, start, inspect, resize)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._hijack import HijackedStream
from ._http import quote_segment

if TYPE_CHECKING:
    from ._client import EngineClient, JSONObject


class ExecAPI:
    def __init__(self, client: "EngineClient") -> None:
        self._c = client

    def create(self, container: str, cmd: Sequence[str], *, stdin: bool = False, stdout: bool = True,
               stderr: bool = True, tty: bool = False, env: Sequence[str] | None = None,
               workdir: str = "", user: str = "", privileged: bool = False,
               detach_keys: str = "") -> "JSONObject":
        """Returns ``{"Id": …}``. The body has the fields the docker CLI sends."""
        body = {"User": user, "Privileged": privileged, "Tty": tty, "AttachStdin": stdin,
                "AttachStderr": stderr, "AttachStdout": stdout, "Detach": False,
                "DetachKeys": detach_keys, "Env": list(env or []), "WorkingDir": workdir, "Cmd": list(cmd)}
        return self._c.call_json("POST", f"/containers/{quote_segment(container)}/exec", json_body=body)

    def start(self, exec_id: str, *, tty: bool = False) -> HijackedStream:
        """Start attached: the hijacked socket carries stdin and the output."""
        return self._c.upgrade("POST", f"/exec/{exec_id}/start", tty=tty,
                               json_body={"Detach": False, "Tty": tty})

    def start_detached(self, exec_id: str, *, tty: bool = False) -> None:
        self._c.call("POST", f"/exec/{exec_id}/start", json_body={"Detach": True, "Tty": tty})

    def inspect(self, exec_id: str) -> "JSONObject":
        """``{"ExitCode", "Running", "Pid", …}``."""
        return self._c.call_json("GET", f"/exec/{exec_id}/json")

    def resize(self, exec_id: str, *, height: int, width: int) -> None:
        self._c.call("POST", f"/exec/{exec_id}/resize", params={"h": height, "w": width})
