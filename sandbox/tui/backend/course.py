"""Lessons from ``sandbox.lessons``, turned into what the TUI shows.

``CourseLessons`` loads the course (the ``lessons/`` folder), reads progress from the
learner's progress file, and opens ``sandbox.lessons.runner.LessonSession``s; each is
wrapped so the screen sees the ``LessonSession`` protocol: the lesson's text in every
language, the hint tiers, and checks whose failures say what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.errors import LessonsUnavailable, SandboxError

from .course_cache import CourseCache
from .types import LANGS, CheckResult, LessonDoc, LessonSummary, Localized, ShowSpec, StepDoc

if TYPE_CHECKING:
    from sandbox.lessons.model import Lesson
    from sandbox.lessons.runner import LessonSession as RealSession


def course_root(env: Mapping[str, str]) -> Path:
    """``SANDBOX_LESSONS``, else the ``lessons/`` folder beside the package (a checkout or
    an editable install)."""
    if env.get("SANDBOX_LESSONS"):
        return Path(env["SANDBOX_LESSONS"])
    import sandbox

    return Path(sandbox.__file__).resolve().parent.parent / "lessons"


def _localized(text: Any) -> Localized:
    if text is None:
        return Localized()
    if isinstance(text, Mapping):
        return Localized(dict(text))
    return Localized.of(str(text))


def lesson_doc(lesson: Lesson, tiers: Callable[[Any], list[Any]]) -> LessonDoc:
    langs = [lang for lang in LANGS if lang in lesson.languages] or ["en"]
    steps = []
    for i, step in enumerate(lesson.steps):
        steps.append(StepDoc(
            text=Localized({lang: lesson.read(step.text, lang) for lang in langs}),
            try_command=step.try_,
            hints=tuple(_localized(h.text) for h in tiers(step)),
            show=ShowSpec.parse(step.show),
            title=Localized({lang: lesson.step_title(i, lang) for lang in langs})))
    return LessonDoc(lesson.id, _localized(lesson.title), tuple(steps), _localized(lesson.summary),
                     bool(lesson.needs.root))


class CourseSession:
    """The TUI's view of one real lesson session."""

    def __init__(self, session: RealSession) -> None:
        self._session = session
        self.doc = lesson_doc(session.lesson, session.tiers)

    def done(self) -> frozenset[int]:
        return frozenset(i for i, step in enumerate(self._session.lesson.steps) if self._session.done(step))

    def check(self, step: int) -> CheckResult:
        session = self._session
        if session.index == step:
            outcome = session.check().outcome
        else:
            # A step other than the lesson's current one (the learner paged back): evaluate
            # it without recording anything.
            target = session.lesson.steps[step]
            if target.check is None:
                return CheckResult(True)
            outcome = target.check.evaluate(session.context())
        return CheckResult(bool(outcome.passed), _localized(outcome.text))

    def reset(self) -> None:
        self._session.reset_lesson()
        self._session.start()

    def close(self) -> None:
        self._session.close()


@dataclass(frozen=True)
class Outline:
    """What the lesson list shows of one lesson, in plain data (kept between runs)."""

    id: str
    title: Any
    summary: Any
    requires: tuple[str, ...]
    steps: tuple[str, ...]
    """Step ids, in order: progress is recorded by them."""


def outline(course: Any) -> tuple[Outline, ...]:
    return tuple(Outline(lesson.id, _plain(lesson.title), _plain(lesson.summary), tuple(lesson.requires),
                         tuple(step.id for step in lesson.steps)) for lesson in course.lessons.values())


def _plain(text: Any) -> Any:
    return dict(text) if isinstance(text, Mapping) else text


LESSONS_CODE = Path(__file__).resolve().parents[2] / "lessons"
"""The lesson engine's source (sandbox/lessons): its changes invalidate the cached course."""


class CourseLessons:
    def __init__(self, root: Path, progress_path: Path, make_session: Callable[[Lesson, Any], RealSession],
                 cache: Path | None = None) -> None:
        self.root = root
        self.progress_path = progress_path
        self._make_session = make_session
        self._cache = CourseCache(cache, (root, LESSONS_CODE))
        """Where the parsed course is kept between runs (``course_cache.py``); None: parse."""
        self._course: Any = None
        self._outline: tuple[Outline, ...] | None = None

    def _check_root(self) -> None:
        if not self.root.is_dir():
            raise LessonsUnavailable(f"no lessons folder at {self.root}", "set SANDBOX_LESSONS to the course folder")

    def _parse(self) -> Any:
        try:
            from sandbox.lessons.loader import load_course
        except ImportError as err:
            raise LessonsUnavailable(f"the lesson engine cannot be loaded ({err})") from err
        return load_course(self.root)

    def _load(self) -> Any:
        if self._course is None:
            self._check_root()
            self._course = self._cache.get("full", self._parse)
        return self._course

    def outline(self) -> tuple[Outline, ...]:
        """The list's data without the whole course when it was kept (the first paint
        waits for it)."""
        if self._outline is None:
            self._check_root()
            self._outline = self._cache.get("outline", lambda: outline(self._load()))
        return self._outline

    def _store(self) -> Any:
        from sandbox.lessons.progress import ProgressStore

        return ProgressStore(self.progress_path)

    def list_lessons(self) -> list[LessonSummary]:
        lessons = self.outline()
        progress = self._store().load_or_recover()
        out = []
        for lesson in lessons:
            record = progress.lesson(lesson.id)
            done = sum(1 for s in lesson.steps if s in record.steps and record.steps[s].done_at is not None)
            out.append(LessonSummary(lesson.id, _localized(lesson.title), len(lesson.steps), done,
                                     _localized(lesson.summary), lesson.requires))
        return out

    def open_session(self, lesson_id: str) -> CourseSession:
        course = self._load()
        lesson = course.lessons.get(lesson_id)
        if lesson is None:
            raise LessonsUnavailable(f"no lesson {lesson_id!r}", f"known lessons: {', '.join(course.lessons)}")
        session = self._make_session(lesson, self._store())
        try:
            session.start()
        except SandboxError:
            session.close()
            raise
        return CourseSession(session)
