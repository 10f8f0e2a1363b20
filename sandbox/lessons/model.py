"""The lesson format: what ``lessons/<id>/lesson.yaml`` may say, as dataclasses.

    id: hello-container
    title: {en: "Your first container", zh: "你的第一个容器"}
    summary: {en: "…", zh: "…"}
    requires: []                      # lesson ids to do first
    needs: {root: false}              # host commands of this lesson need root
    resources: {containers: [hello]}  # names it makes: checked free before it starts
    setup: ["docker pull busybox"]    # run before the first step (docker … or shell lines)
    steps:
      - text: steps/01-run.md         # per language: steps/01-run.en.md, steps/01-run.zh.md
        try: "docker run --name hello busybox echo hi"
        check: {container: {name: hello, status: exited, exit_code: 0}}
        hints:
          nudge: {en: "…", zh: "…"}    # tier 1; tier 2 is the command (default: try);
          solution: {en: "…", zh: "…"} # tier 3 is the solution (default: the solve lines)
        solve: ["docker run --name hello busybox echo hi"]
        show: layers                  # the picture the TUI shows: layers|ns|cgroups|net|trace

The schema lives in the type hints; ``schema.build`` reads them. Checks are described in
``sandbox.lessons.checks``; FORMAT.md beside this file is the authors' guide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from . import shellwords
from .checks import CHECK
from .schema import Converter, Ctx, Invalid, build, describe
from .text import LANGS, Text
from .yamlmarks import PathKey

Show = Literal["layers", "ns", "cgroups", "net", "trace"]
LESSON_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# -- special values ---------------------------------------------------------------------


def _translated(value: Any, path: PathKey, ctx: Ctx) -> Text | None:
    if not isinstance(value, dict):
        raise Invalid(f"expected a text per language like {{en: …, zh: …}}, got {describe(value)}")
    ok = True
    for lang, text in value.items():
        if lang not in LANGS:
            ctx.add((*path, lang), f"unknown language (the course has: {', '.join(LANGS)})", at_key=True)
            ok = False
        elif lang not in ctx.languages:
            ctx.add((*path, lang), f"this lesson declares languages {', '.join(ctx.languages)}", at_key=True)
            ok = False
        elif not isinstance(text, str) or not text.strip():
            ctx.add((*path, lang), f"expected a non-empty text, got {describe(text)}")
            ok = False
    for lang in ctx.languages:
        if lang not in value:
            ctx.add(path, f"missing translation {lang}")
            ok = False
    return Text(value) if ok else None


TRANSLATED = Converter("a text per language like {en: …, zh: …}", ("mapping",), _translated)


@dataclass(frozen=True)
class DocRef:
    """A Markdown file named without its language: ``steps/01-run.md`` stands for
    ``steps/01-run.en.md`` and ``steps/01-run.zh.md``."""

    path: str

    def for_lang(self, lang: str) -> str:
        return f"{self.path.removesuffix('.md')}.{lang}.md"

    @property
    def stem(self) -> str:
        return PurePosixPath(self.path).name.removesuffix(".md")


def doc_ref_problem(value: Any) -> str | None:
    """What is wrong with a Markdown reference as written, or None."""
    if not isinstance(value, str) or not value.endswith(".md"):
        return f"expected a Markdown file name like steps/01-run.md, got {describe(value)}"
    parts = PurePosixPath(value).parts
    if value.startswith("/") or ".." in parts:
        return "must be a path inside the lesson folder"
    lang = PurePosixPath(value).name.removesuffix(".md").rsplit(".", 1)
    if len(lang) == 2 and lang[1] in LANGS:
        return f"name the file without its language: {value.removesuffix(f'.{lang[1]}.md')}.md"
    return None


def _doc_ref(value: Any, path: PathKey, ctx: Ctx) -> DocRef:
    problem = doc_ref_problem(value)
    if problem is not None:
        raise Invalid(problem)
    return DocRef(value)


DOC = Converter("a Markdown file name like steps/01-run.md", ("str",), _doc_ref)


@dataclass(frozen=True)
class Command:
    """A command line the lesson runs: ``docker …`` through the docker grammar, anything
    else through /bin/sh in the lesson folder. ``expect_exit`` is the code that counts as
    success; ``any`` accepts every code."""

    run: str
    expect_exit: int | Literal["any"] = 0

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        yield from _line_problems(self.run, ("run",))

    def accepts(self, code: int) -> bool:
        return self.expect_exit == "any" or code == self.expect_exit


def _line_problems(line: str, where: PathKey) -> Iterator[tuple[PathKey, str]]:
    if not line.strip():
        yield where, "the command is empty"
        return
    try:
        shellwords.split(line)
    except ValueError as err:
        yield where, f"does not parse as a command line: {err}"


def _command(value: Any, path: PathKey, ctx: Ctx) -> Command | None:
    if isinstance(value, str):
        problems = list(_line_problems(value, ()))
        if problems:
            raise Invalid(problems[0][1])
        return Command(value)
    if isinstance(value, dict):
        command: Command | None = build(Command, value, path, ctx)
        return command
    raise Invalid(f"expected a command line, or {{run: …, expect_exit: N}}, got {describe(value)}")


COMMAND = Converter("a command line", ("str", "mapping"), _command)


def _line(value: Any, path: PathKey, ctx: Ctx) -> str:
    if not isinstance(value, str):
        raise Invalid(f"expected a command line, got {describe(value)}")
    problems = list(_line_problems(value, ()))
    if problems:
        raise Invalid(problems[0][1])
    return value


LINE = Converter("a command line", ("str",), _line)


# -- the format ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    root: bool = False
    """Its host commands need root (reading /sys/fs/cgroup, /proc of other users…)."""


@dataclass(frozen=True)
class Resources:
    """Names the lesson makes. Before it starts, each is checked to be free (or made by
    this lesson), so a learner's own ``web`` container is reported, never removed."""

    containers: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hints:
    nudge: Annotated[Text, TRANSLATED]
    """Tier 1: where to look."""
    command: Annotated[str, LINE] | None = None
    """Tier 2: the command to type; the step's ``try`` when left out."""
    solution: Annotated[Text, TRANSLATED] | None = None
    """Tier 3: the whole answer explained; the step's ``solve`` lines when left out."""


@dataclass(frozen=True)
class Step:
    text: Annotated[DocRef, DOC]
    check: Annotated[Any, CHECK] | None = None
    solve: list[Annotated[Command, COMMAND]] = field(default_factory=list)
    try_: Annotated[str, LINE] | None = field(default=None, metadata={"key": "try"})
    hints: Hints | None = None
    show: Show | None = None
    setup: list[Annotated[Command, COMMAND]] = field(default_factory=list)
    """Run when the step begins (Killercoda's per-step background scripts)."""
    title: Annotated[Text, TRANSLATED] | None = None
    """The step list's label; without it, the first heading of the step's text."""
    settle: float = 10.0
    """Seconds the state may take to show the solution (a container exiting, an OOM kill)."""

    @property
    def id(self) -> str:
        return self.text.stem

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if self.check is not None and not self.solve:
            yield ("solve",), "a step with a check needs its reference solution (solve: [commands])"
        if self.settle <= 0 or self.settle > 600:
            yield ("settle",), "must be between 0 and 600 seconds"


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Annotated[Text, TRANSLATED]
    summary: Annotated[Text, TRANSLATED]
    steps: list[Step]
    languages: list[Literal["en", "zh"]] = field(default_factory=lambda: ["en", "zh"])
    requires: list[str] = field(default_factory=list)
    needs: Needs = field(default_factory=Needs)
    resources: Resources = field(default_factory=Resources)
    intro: Annotated[DocRef, DOC] | None = None
    finish: Annotated[DocRef, DOC] | None = None
    setup: list[Annotated[Command, COMMAND]] = field(default_factory=list)
    directory: Path = field(default=Path("."), metadata={"schema": False})
    """Where the lesson was loaded from (set by the loader, not written in YAML)."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not LESSON_ID.match(self.id):
            yield ("id",), "use lower-case letters, digits and dashes (like hello-container)"
        if not self.steps:
            yield ("steps",), "a lesson needs at least one step"
        seen: dict[str, int] = {}
        for i, step in enumerate(self.steps):
            if step.id in seen:
                yield ("steps", i, "text"), f"step id {step.id!r} is used by steps[{seen[step.id]}] too"
            seen.setdefault(step.id, i)
        if self.id in self.requires:
            yield ("requires",), "a lesson cannot require itself"

    def docs(self) -> Iterator[tuple[PathKey, DocRef]]:
        """Every Markdown reference with where it was written."""
        if self.intro is not None:
            yield ("intro",), self.intro
        for i, step in enumerate(self.steps):
            yield ("steps", i, "text"), step.text
        if self.finish is not None:
            yield ("finish",), self.finish

    def read(self, ref: DocRef, lang: str) -> str:
        """The Markdown of ``ref`` in ``lang`` (English if that translation is missing)."""
        for choice in (lang, "en", *self.languages):
            path = self.directory / ref.for_lang(choice)
            if path.is_file():
                return path.read_text(encoding="utf-8")
        return ""

    def step_title(self, index: int, lang: str) -> str:
        step = self.steps[index]
        if step.title is not None:
            return step.title.pick(lang)
        for line in self.read(step.text, lang).splitlines():
            if line.startswith("#"):
                return line.lstrip("#").strip()
        return step.id

    def step_index(self, step_id: str) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)
