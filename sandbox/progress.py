"""Pull and push progress: Docker's JSON progress messages, and a plain-text renderer.

The engine streams the messages as NDJSON from ``POST /images/create`` and
``POST /images/{name}/push``, exactly as dockerd does, so the docker CLI draws its own bars:

    {"status":"Pulling fs layer","progressDetail":{},"id":"9ad63333ebc9"}
    {"status":"Downloading","progressDetail":{"current":524288,"total":2152262},
     "progress":"[============>             ]  524.3kB/2.152MB","id":"9ad63333ebc9"}
    {"status":"Pull complete","progressDetail":{},"id":"9ad63333ebc9"}
    {"status":"Digest: sha256:…"}

``ProgressRenderer`` is our CLI's side: one line per layer, redrawn in place on a terminal
(ANSI cursor movement, as the docker CLI does), one line per change of status otherwise.
It reads the same dicts, so it can draw a stream from our engine or from a real dockerd.

It lives at the bottom of the package, beside ``errors`` and ``config``, because both
sides use it: the registry client (``sandbox.images``) makes the messages and the
``docker`` commands (``sandbox.commands``) draw them, and neither may import the other.
It needs nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

BAR_WIDTH = 50
_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")


def human_size(n: float) -> str:
    """Decimal units with four significant digits, as Docker's ``units.HumanSize``:
    ``2.152MB``, ``524.3kB``, ``512B``."""
    i = 0
    while n >= 1000 and i < len(_UNITS) - 1:
        n /= 1000.0
        i += 1
    return f"{n:.4g}{_UNITS[i]}"


def progress_bar(current: int, total: int | None, width: int = BAR_WIDTH) -> str:
    """``[=====>      ]  1.2MB/3.4MB``; without a total, only the byte count."""
    if not total or total <= 0:
        return f"{human_size(current):>8}"
    # As Docker's JSONProgress: whole percents halved onto 50 cells, then the arrow head.
    filled = min(int(current * 100 / total) * width // 100, width)
    box = "[" + "=" * filled + ">" + " " * (width - filled) + "]"
    numbers = f"{human_size(current):>8}/{human_size(total)}" if current <= total else f"{human_size(current):>8}"
    return f"{box} {numbers}"


@dataclass
class ProgressEvent:
    status: str
    id: str | None = None
    current: int | None = None
    total: int | None = None
    aux: dict[str, Any] | None = None

    @property
    def progress(self) -> str:
        return progress_bar(self.current, self.total) if self.current is not None else ""

    def to_dict(self) -> dict[str, Any]:
        """The message as dockerd streams it."""
        # An aux message (the pushed digest) has no status, as dockerd sends it.
        out: dict[str, Any] = {"status": self.status} if self.status or self.aux is None else {}
        if self.current is not None:
            detail: dict[str, int] = {"current": self.current}
            if self.total:
                detail["total"] = self.total
            out["progressDetail"] = detail
            out["progress"] = self.progress
        elif self.id is not None or self.aux is not None:
            out["progressDetail"] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.aux is not None:
            out["aux"] = self.aux
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ProgressEvent:
        detail = d.get("progressDetail") or {}
        return cls(status=str(d.get("status") or ""), id=d.get("id"), current=detail.get("current"),
                   total=detail.get("total"), aux=d.get("aux"))


ProgressCallback = Callable[[ProgressEvent], None]


def error_message(error: BaseException) -> dict[str, Any]:
    """The last message of a failed stream: ``{"error": …, "errorDetail": {"message": …}}``."""
    text = str(error)
    return {"errorDetail": {"message": text}, "error": text}


def short_id(digest: str) -> str:
    """The 12 hex digits Docker shows for a layer."""
    return digest.split(":", 1)[-1][:12]


@dataclass
class ProgressRenderer:
    """Draws a stream of progress messages (dicts or ``ProgressEvent``) as text.

    On a terminal every layer keeps its line and is redrawn where it is; elsewhere (a log,
    a pipe) a line is written only when a layer's status changes, without bars."""

    out: TextIO
    tty: bool | None = None
    _lines: dict[str, int] = field(default_factory=dict)
    _printed: int = 0
    _last: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.tty is None:
            isatty = getattr(self.out, "isatty", None)
            self.tty = bool(isatty and isatty())

    def __call__(self, message: ProgressEvent | dict[str, Any]) -> None:
        event = message if isinstance(message, ProgressEvent) else None
        doc = message.to_dict() if isinstance(message, ProgressEvent) else message
        if "error" in doc:
            self._line(None, f"{doc.get('error')}")
            return
        if event is None:
            event = ProgressEvent.from_dict(doc)
        if not event.status and doc.get("stream"):
            self.out.write(str(doc["stream"]))
            self.out.flush()
            return
        if not event.status:
            return
        text = f"{event.id}: {event.status}" if event.id else event.status
        if not self.tty:
            if event.id is not None:
                if self._last.get(event.id) == event.status:
                    return
                self._last[event.id] = event.status
            self._line(None, text)
            return
        progress = doc.get("progress") or (event.progress if event.current is not None else "")
        self._line(event.id, f"{text} {progress}".rstrip())

    def _line(self, ident: str | None, text: str) -> None:
        if ident is not None and ident in self._lines:
            # Go up to the layer's line, rewrite it, and come back down.
            up = self._printed - self._lines[ident]
            self.out.write(f"\x1b[{up}A\r\x1b[2K{text}\r\x1b[{up}B")
        else:
            if ident is not None:
                self._lines[ident] = self._printed
            self.out.write(("\x1b[2K" if self.tty else "") + text + "\n")
            self._printed += 1
        self.out.flush()
