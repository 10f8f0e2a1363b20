"""What a build tells its client: the legacy builder's lines, as events.

Each event is one object of Docker's JSON build stream (``{"stream": …}``, ``{"aux": …}``,
``{"error": …, "errorDetail": …}``), so the engine writes ``event.to_json()`` as it is and a
terminal front end prints ``event.text``. In quiet mode (``q=1``) the step lines are held
back: a successful build says only the image id, a failed one first shows what it held
back, so the learner still sees why it failed (dockerd does the same).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import BuildError, SandboxError


@dataclass(frozen=True)
class BuildEvent:
    stream: str | None = None
    aux: dict[str, Any] | None = None
    error: str | None = None
    code: int | None = None

    def to_json(self) -> dict[str, Any]:
        if self.error is not None:
            detail: dict[str, Any] = {"message": self.error}
            if self.code is not None:
                detail["code"] = self.code
            return {"errorDetail": detail, "error": self.error}
        if self.aux is not None:
            return {"aux": self.aux}
        return {"stream": self.stream or ""}

    @property
    def text(self) -> str:
        """What a terminal shows for it (aux events show nothing)."""
        if self.error is not None:
            return self.error + "\n"
        return self.stream or ""


Emit = Callable[[BuildEvent], None]


def _discard(event: BuildEvent) -> None:
    return None


@dataclass
class Output:
    emit: Emit = _discard
    quiet: bool = False
    held: list[BuildEvent] = field(default_factory=list)

    def _send(self, event: BuildEvent) -> None:
        if self.quiet:
            self.held.append(event)
        else:
            self.emit(event)

    def line(self, text: str) -> None:
        self._send(BuildEvent(stream=text if text.endswith("\n") else text + "\n"))

    def raw(self, text: str) -> None:
        """A command's output, passed on as it came."""
        if text:
            self._send(BuildEvent(stream=text))

    def step(self, number: int, total: int, original: str) -> None:
        self.line(f"Step {number}/{total} : {original}")

    def arrow(self, text: str) -> None:
        self.line(f" ---> {text}")

    def aux_id(self, image_id: str) -> None:
        self._send(BuildEvent(aux={"ID": image_id}))

    def done(self, image_id: str, tags: list[str]) -> None:
        if self.quiet:
            self.emit(BuildEvent(stream=image_id + "\n"))
            return
        self.line(f"Successfully built {image_id.removeprefix('sha256:')[:12]}")
        for tag in tags:
            self.line(f"Successfully tagged {tag}")

    def fail(self, error: SandboxError) -> None:
        for event in self.held:
            self.emit(event)
        self.held.clear()
        code = error.code if isinstance(error, BuildError) else None
        self.emit(BuildEvent(error=error.message, code=code))
