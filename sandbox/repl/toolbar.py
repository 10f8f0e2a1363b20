"""The bottom toolbar: is the engine there, which version, how many containers run.

A background thread probes the engine (ping, version, running containers) every few
seconds and tells the prompt to redraw when the answer changes; drawing only reads the
last answer, so a slow or dead engine never slows typing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from prompt_toolkit.formatted_text import StyleAndTextTuples

from sandbox.errors import EngineError, EngineUnavailable, SandboxError

State = Literal["checking", "up", "down"]

POLL_INTERVAL = 3.0
"""Seconds between probes: the count of running containers is glanced at, not watched."""

START_HINT = "sudo sandbox up"


@dataclass(frozen=True)
class EngineStatus:
    state: State = "checking"
    address: str = ""
    api_version: str = ""
    version: str = ""
    """The server's own version (``/version``'s ``Version``)."""
    running: int | None = None
    problem: str = ""
    hint: str = ""


def probe(client: Any) -> EngineStatus:
    """One look at the engine through ``client``; never raises a SandboxError."""
    address = str(getattr(client, "address", ""))
    try:
        ping = client.ping()
    except EngineUnavailable as err:
        return EngineStatus("down", err.address, problem=err.reason, hint=err.hint or "")
    except SandboxError as err:
        return EngineStatus("down", address, problem=err.message, hint=err.hint or "")
    version = running = None
    try:
        version = str((client.version() or {}).get("Version") or "")
        running = len(client.containers.list(filters={"status": ["running"]}))
    except EngineError:
        pass  # it answered the ping, so it runs; the toolbar shows what it could learn
    except SandboxError as err:
        return EngineStatus("down", address, problem=err.message, hint=err.hint or "")
    return EngineStatus("up", address, ping.api_version or "", version or "", running)


def toolbar_fragments(status: EngineStatus) -> StyleAndTextTuples:
    if status.state == "checking":
        return [("class:toolbar.checking", " engine: checking… ")]
    if status.state == "down" and status.hint and START_HINT not in status.hint:
        # It runs but will not talk to us (permission denied …): starting it is not the fix.
        return [("class:toolbar.down", " engine unreachable "), ("", f"— {status.problem}: {status.hint} ")]
    if status.state == "down":
        return [("class:toolbar.down", " engine not running "),
                ("", f"— start it with `{START_HINT}`  "),
                ("class:toolbar.checking", f"({status.address}) " if status.address else "")]
    parts = [f"API {status.api_version}" if status.api_version else "",
             f"v{status.version}" if status.version else "",
             f"{status.running} running" if status.running is not None else ""]
    detail = " · ".join(p for p in parts if p)
    return [("class:toolbar.ok", " ● engine "), ("", f" {detail} "),
            ("class:toolbar.checking", f" {status.address} " if status.address else ""),
            ("", "  Tab completes · Ctrl-C cancels · Ctrl-D exits ")]


class StatusPoller:
    """Keeps ``status`` fresh from a daemon thread; ``on_change`` runs in that thread
    (prompt_toolkit's ``invalidate`` is safe to call from any thread)."""

    def __init__(self, probe_once: Callable[[], EngineStatus], on_change: Callable[[], None] = lambda: None,
                 interval: float = POLL_INTERVAL) -> None:
        self.probe_once = probe_once
        self.on_change = on_change
        self.interval = interval
        self.status = EngineStatus()
        self.first = threading.Event()
        """Set once the first probe is in."""
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="engine-status", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        """Probe now (after a command that may have started or stopped containers)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def update(self) -> EngineStatus:
        status = self.probe_once()
        changed = status != self.status
        self.status = status
        self.first.set()
        if changed:
            self.on_change()
        return status

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.update()
            self._wake.wait(self.interval)
            self._wake.clear()

    def fragments(self) -> StyleAndTextTuples:
        return toolbar_fragments(self.status)
