"""What the TUI asks of the system, as plain frozen dataclasses.

The Backend (``protocol.py``) returns these; the widgets render them. They carry what the
engine and the lesson engine said and nothing the UI made up: a picture with no data gets
``None`` and says so, it never fills a gap with a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

LANGS = ("en", "zh")
"""The languages lessons and the UI come in; the first is the fallback."""

JSON = dict[str, Any]


@dataclass(frozen=True)
class Localized:
    """One text in several languages. ``get`` falls back to English, then to anything."""

    texts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, value: str | Mapping[str, str] | None) -> Localized:
        if value is None:
            return cls({})
        if isinstance(value, str):
            return cls({"en": value})
        return cls(dict(value))

    def get(self, lang: str) -> str:
        if lang in self.texts:
            return self.texts[lang]
        if "en" in self.texts:
            return self.texts["en"]
        return next(iter(self.texts.values()), "")

    def __bool__(self) -> bool:
        return any(self.texts.values())


PICTURES = ("layers", "namespaces", "cgroups", "network", "trace")
"""The picture kinds, in the order the cycle key walks them."""


@dataclass(frozen=True)
class ShowSpec:
    """A step's ``show:``: which picture, and optionally what it is about."""

    picture: str
    container: str | None = None
    image: str | None = None
    network: str | None = None
    path: str | None = None
    """For the layers picture: the file whose origin to highlight."""

    @classmethod
    def parse(cls, value: str | Mapping[str, Any] | None) -> ShowSpec | None:
        """``show: cgroups`` or ``show: {picture: cgroups, container: hog}``; aliases ``ns``
        and ``net`` are accepted because lesson authors will type them."""
        if value is None:
            return None
        if isinstance(value, str):
            return cls(picture=normalize_picture(value))
        picture = normalize_picture(str(value.get("picture") or value.get("kind") or ""))
        return cls(picture=picture, container=value.get("container"), image=value.get("image"),
                   network=value.get("network"), path=value.get("path"))


_PICTURE_ALIASES = {"ns": "namespaces", "namespace": "namespaces", "net": "network", "networks": "network",
                    "cgroup": "cgroups", "layer": "layers", "image": "layers"}


def normalize_picture(name: str) -> str:
    """The canonical picture name; an unknown name is returned as is (the pane says so)."""
    name = name.strip().lower()
    return _PICTURE_ALIASES.get(name, name)


@dataclass(frozen=True)
class StepDoc:
    text: Localized
    """The step's Markdown."""
    try_command: str | None = None
    hints: tuple[Localized, ...] = ()
    """Tiers: a nudge, then the command, then the solution."""
    show: ShowSpec | None = None
    title: Localized = field(default_factory=Localized)


@dataclass(frozen=True)
class LessonDoc:
    id: str
    title: Localized
    steps: tuple[StepDoc, ...]
    summary: Localized = field(default_factory=Localized)
    needs_root: bool = False


@dataclass(frozen=True)
class LessonSummary:
    id: str
    title: Localized
    steps: int
    done: int
    summary: Localized = field(default_factory=Localized)
    requires: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.steps > 0 and self.done >= self.steps


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    text: Localized = field(default_factory=Localized)
    """When it failed: what is wrong and what the check saw, in each language it has."""

    @classmethod
    def failed(cls, message: str | Mapping[str, str]) -> CheckResult:
        return cls(False, Localized.of(message))

    def message(self, lang: str = "en") -> str:
        return self.text.get(lang)


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    output: str
    """stdout and stderr interleaved as they were written."""
    trace: tuple[TraceRecord, ...] = ()
    """The runtime's records made while the command ran."""


@dataclass(frozen=True)
class TraceRecord:
    op: str
    args: Mapping[str, Any] = field(default_factory=dict)
    pid: int = 0
    time: float = 0.0
    error: str | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> TraceRecord:
        return cls(op=str(doc.get("op", "?")), args=dict(doc.get("args") or {}), pid=int(doc.get("pid") or 0),
                   time=float(doc.get("time") or 0.0), error=doc.get("error"))


@dataclass(frozen=True)
class Names:
    """Live names for completion."""

    containers: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngineStatus:
    running: bool
    address: str
    version: str = ""
    message: str = ""
    """Why it is not running, when it is not."""
    hint: str = ""
