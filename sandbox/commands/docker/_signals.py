"""Forwarding signals to a container, as ``docker run``/``attach`` do with --sig-proxy.

SIGINT and SIGTERM to the CLI become ``POST /containers/{id}/kill?signal=INT|TERM``; the
container decides what to do, and its exit ends the command. The request is sent from a
thread, never from inside the handler. Only the main thread may install handlers: in a
REPL worker the proxy does nothing, and the REPL's own Ctrl-C handling applies.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from sandbox.client import EngineClient
from sandbox.errors import SandboxError

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


class SignalProxy:
    def __init__(self, client: EngineClient, container: str, enabled: bool = True) -> None:
        self.client = client
        self.container = container
        self.enabled = enabled and threading.current_thread() is threading.main_thread()
        self._previous: dict[int, object] = {}
        self.sent: list[str] = []

    def _forward(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name.removeprefix("SIG")
        self.sent.append(name)
        threading.Thread(target=self._kill, args=(name,), name=f"forward-{name}", daemon=True).start()

    def _kill(self, name: str) -> None:
        try:
            self.client.containers.kill(self.container, signal=name)
        except SandboxError:
            # The container may already be gone; its exit status still ends the command.
            pass

    def __enter__(self) -> "SignalProxy":
        if self.enabled:
            for signum in FORWARDED:
                self._previous[signum] = signal.signal(signum, self._forward)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
        self._previous.clear()
