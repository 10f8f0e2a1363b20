"""Loading lessons from disk, and every problem found on the way (what lint prints).

``read_lesson`` never raises for a bad lesson: it returns what it could build and the
problems, each as ``file:line: field: problem``. ``load_lesson`` and ``load_course`` are
for running lessons and raise LessonInvalid when anything is wrong.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import LessonInvalid, LessonNotFound

from . import yamlmarks
from .checks import REGISTRY, AllOf, AnyOf
from .model import DocRef, Lesson, doc_ref_problem
from .schema import Ctx, build, render_path
from .text import LANGS
from .yamlmarks import Marks, PathKey

LESSON_FILE = "lesson.yaml"


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.problem}"


@dataclass
class Parsed:
    directory: Path
    lesson: Lesson | None
    problems: list[Problem]
    marks: Marks = field(default_factory=Marks)
    raw_id: str | None = None
    """The ``id`` as written, even when the rest did not build (for duplicate detection)."""
    requires: list[str] = field(default_factory=list)
    """``requires`` as written (strings only), checked even when the rest did not build."""

    @property
    def file(self) -> str:
        return str(self.directory / LESSON_FILE)


def read_lesson(directory: Path) -> Parsed:
    path = directory / LESSON_FILE
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Parsed(
            directory, None, [Problem(file, 1, "(file)", "missing: every lesson folder needs lesson.yaml")]
        )
    except (OSError, UnicodeDecodeError) as err:
        return Parsed(directory, None, [Problem(file, 1, "(file)", f"cannot be read: {err}")])
    try:
        data, marks = yamlmarks.load(text)
    except yamlmarks.YamlSyntax as err:
        return Parsed(directory, None, [Problem(file, err.line, "(yaml)", f"syntax error: {err.problem}")])
    problems: list[Problem] = []
    for dup_path, line, first in marks.duplicates:
        problems.append(
            Problem(file, line, render_path(dup_path), f"duplicate key (first given on line {first})")
        )
    ctx = Ctx(languages=_declared_languages(data))
    lesson = build(Lesson, data, (), ctx) if data is not None else None
    if data is None:
        problems.append(Problem(file, 1, "(document)", "the file is empty"))
    for issue in ctx.issues:
        problems.append(
            Problem(file, marks.line(issue.path, key=issue.at_key), render_path(issue.path), issue.problem)
        )
    raw_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    if isinstance(data, dict):
        # Files and names are checked on the raw document, so a lesson with a typo in one
        # field still gets its missing files reported in the same run.
        problems.extend(_file_problems(data, marks, file, directory, ctx.languages))
        if raw_id is not None and raw_id != directory.name:
            problems.append(
                Problem(file, marks.line(("id",)), "id", f"must match its folder name {directory.name!r}")
            )
    if lesson is not None:
        lesson = dataclasses.replace(lesson, directory=directory)
    requires = data.get("requires") if isinstance(data, dict) else None
    raw_requires = [r for r in requires if isinstance(r, str)] if isinstance(requires, list) else []
    return Parsed(
        directory, lesson if not problems else None, sorted(set(problems)), marks, raw_id, raw_requires
    )


def _declared_languages(data: Any) -> tuple[str, ...]:
    langs = data.get("languages") if isinstance(data, dict) else None
    if isinstance(langs, list) and langs and all(isinstance(x, str) and x in LANGS for x in langs):
        return tuple(langs)
    return LANGS


def _raw_docs(data: dict[str, Any]) -> Iterator[tuple[PathKey, str]]:
    for key in ("intro", "finish"):
        if isinstance(data.get(key), str):
            yield (key,), data[key]
    steps = data.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, dict) and isinstance(step.get("text"), str):
            yield ("steps", i, "text"), step["text"]


def _raw_scripts(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    """``command: {script: …}`` anywhere in a check, combinators included."""
    if isinstance(value, dict):
        for key, sub in value.items():
            if key == "command" and isinstance(sub, dict) and isinstance(sub.get("script"), str):
                yield (*path, key, "script"), sub["script"]
            else:
                yield from _raw_scripts(sub, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _raw_scripts(item, (*path, i))


def _inside(directory: Path, name: str) -> bool:
    return not name.startswith("/") and ".." not in Path(name).parts


def _file_problems(
    data: dict[str, Any], marks: Marks, file: str, directory: Path, languages: tuple[str, ...]
) -> Iterator[Problem]:
    for path, ref in _raw_docs(data):
        if doc_ref_problem(ref) is not None:
            continue  # the schema reports the name itself
        for lang in languages:
            name = DocRef(ref).for_lang(lang)
            target = directory / name
            if not target.is_file():
                yield Problem(file, marks.line(path), render_path(path), f"missing file {name}")
            elif not target.read_text(encoding="utf-8", errors="replace").strip():
                yield Problem(file, marks.line(path), render_path(path), f"file {name} is empty")
    steps = data.get("steps")
    for i, step in enumerate(steps if isinstance(steps, list) else []):
        if not isinstance(step, dict):
            continue
        for path, script in _raw_scripts(step.get("check"), ("steps", i, "check")):
            if _inside(directory, script) and not (directory / script).is_file():
                yield Problem(file, marks.line(path), render_path(path), f"missing file {script}")


_NAMES = {cls: name for name, cls in REGISTRY.items()}


def _walk_checks(check: Any, path: PathKey) -> Iterator[tuple[PathKey, Any]]:
    if isinstance(check, (AllOf, AnyOf)):
        key = "all_of" if isinstance(check, AllOf) else "any_of"
        for j, part in enumerate(check.checks):
            yield from _walk_checks(part, (*path, key, j))
        return
    yield (*path, _NAMES.get(type(check), "?")), check


def walk_checks(check: Any) -> Iterator[Any]:
    """Every leaf check inside combinators."""
    for _, leaf in _walk_checks(check, ()):
        yield leaf


# -- a folder of lessons ------------------------------------------------------------------


@dataclass
class Course:
    directory: Path
    lessons: dict[str, Lesson]
    """In teaching order: every lesson after those it requires."""

    def get(self, lesson_id: str) -> Lesson:
        if lesson_id not in self.lessons:
            raise LessonNotFound(lesson_id, str(self.directory), list(self.lessons))
        return self.lessons[lesson_id]

    def __iter__(self) -> Iterator[Lesson]:
        return iter(self.lessons.values())


def lesson_dirs(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def lint_course(root: Path) -> tuple[list[Parsed], list[Problem]]:
    """Every lesson under ``root`` parsed, and every problem: their own and between them
    (duplicate ids, ``requires`` naming no lesson, cycles)."""
    if not root.is_dir():
        return [], [Problem(str(root), 1, "(dir)", "is not a directory")]
    single = (root / LESSON_FILE).is_file()
    parsed = [read_lesson(root)] if single else [read_lesson(d) for d in lesson_dirs(root)]
    # One lesson's folder: its `requires` name the folders beside it.
    siblings = root.parent if single else root
    problems = [p for item in parsed for p in item.problems]
    first: dict[str, Parsed] = {}
    for item in parsed:
        if item.raw_id is None:
            continue
        if item.raw_id in first:
            other = first[item.raw_id]
            problems.append(
                Problem(
                    item.file,
                    item.marks.line(("id",)),
                    "id",
                    f"duplicate lesson id {item.raw_id!r} (also {other.file}:{other.marks.line(('id',))})",
                )
            )
        else:
            first[item.raw_id] = item
    known = set(first)
    for item in parsed:
        for i, req in enumerate(item.requires):
            if req not in known and not (siblings / req / LESSON_FILE).is_file():
                problems.append(
                    Problem(
                        item.file,
                        item.marks.line(("requires", i)),
                        f"requires[{i}]",
                        f"no lesson named {req!r}",
                    )
                )
    lessons = {item.raw_id: item for item in parsed if item.raw_id is not None}
    for lesson_id in _cycle(lessons):
        item = lessons[lesson_id]
        problems.append(
            Problem(
                item.file,
                item.marks.line(("requires",)),
                "requires",
                "lessons require each other in a circle",
            )
        )
    return parsed, sorted(set(problems))


def _cycle(parsed: dict[str, Parsed]) -> list[str]:
    """Ids on a requires-cycle (empty when the order is possible)."""
    try:
        _order({k: p.requires for k, p in parsed.items()})
    except ValueError as err:
        return [str(x) for x in err.args[0]]
    return []


def _order(requires: dict[str, list[str]]) -> list[str]:
    """Teaching order: requires first, otherwise by id. ValueError([ids]) on a cycle."""
    done: list[str] = []
    state: dict[str, int] = {}

    def visit(lesson_id: str, trail: list[str]) -> None:
        if state.get(lesson_id) == 2 or lesson_id not in requires:
            return
        if state.get(lesson_id) == 1:
            raise ValueError(trail[trail.index(lesson_id) :])
        state[lesson_id] = 1
        for req in sorted(requires[lesson_id]):
            visit(req, [*trail, lesson_id])
        state[lesson_id] = 2
        done.append(lesson_id)

    for lesson_id in sorted(requires):
        visit(lesson_id, [])
    return done


def load_course(root: Path) -> Course:
    parsed, problems = lint_course(root)
    if problems:
        raise LessonInvalid(str(root), [str(p) for p in problems])
    lessons = {p.lesson.id: p.lesson for p in parsed if p.lesson is not None}
    order = _order({k: v.requires for k, v in lessons.items()})
    return Course(root, {lesson_id: lessons[lesson_id] for lesson_id in order})


def load_lesson(directory: Path) -> Lesson:
    parsed = read_lesson(directory)
    if parsed.lesson is None:
        raise LessonInvalid(str(directory), [str(p) for p in parsed.problems])
    return parsed.lesson
