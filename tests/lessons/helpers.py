"""Helpers for lesson-engine tests: lessons written to disk, a controllable timer."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COURSE = REPO / "lessons"
SCENARIOS = Path(__file__).resolve().parent / "killercoda"


@dataclass
class FakeTimer:
    delay: float
    fn: Callable[[], None]
    started: bool = False
    cancelled: bool = False

    def start(self) -> None:
        self.started = True

    def cancel(self) -> None:
        self.cancelled = True


@dataclass
class Timers:
    """A timer factory for debounce tests: nothing fires until the test says so."""

    made: list[FakeTimer] = field(default_factory=list)

    def __call__(self, delay: float, fn: Callable[[], None]) -> FakeTimer:
        timer = FakeTimer(delay, fn)
        self.made.append(timer)
        return timer

    def live(self) -> list[FakeTimer]:
        return [t for t in self.made if t.started and not t.cancelled]

    def fire(self) -> None:
        for timer in self.live():
            timer.cancelled = True
            timer.fn()


def write_lesson(
    root: Path, lesson_id: str, yaml_text: str, files: dict[str, str] | None = None, *, steps_md: bool = True
) -> Path:
    """A lesson folder under ``root``; step Markdown in both languages is written for every
    ``text:`` reference unless ``steps_md`` is false."""
    folder = root / lesson_id
    folder.mkdir(parents=True, exist_ok=True)
    text = textwrap.dedent(yaml_text).lstrip("\n")
    (folder / "lesson.yaml").write_text(text, encoding="utf-8")
    if steps_md:
        for ref in re.findall(r"(?:text|intro|finish): (\S+\.md)", text):
            for lang in ("en", "zh"):
                path = folder / f"{ref.removesuffix('.md')}.{lang}.md"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"# {ref} ({lang})\n\nSome text.\n", encoding="utf-8")
    for name, content in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return folder


MINIMAL = """
id: {id}
title: {{en: "A lesson", zh: "一课"}}
summary: {{en: "Summary", zh: "摘要"}}
steps:
  - text: steps/01-run.md
    try: "docker run -d --name web busybox sleep 3600"
    check: {{container: {{name: web, running: true}}}}
    solve: ["docker run -d --name web busybox sleep 3600"]
"""
