"""The course: every lesson in lessons/, rendered in every course language.

Lessons are read with ``sandbox.lessons``' own loader, so the site shows exactly what the
TUI runs: the same steps, texts, hints and reference solutions. A lesson that does not
load is reported as a problem (the build fails under ``--strict``) rather than skipped
silently. A lesson written in fewer languages (a Killercoda import is English only) still
gets a page per course language, showing its own text and saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox.lessons import LANGS, Lesson, lint_course, load_course

from .markdown import code_block, demote_headings, drop_first_heading, indent

LANG_NAMES = {"en": "English", "zh": "中文"}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "requires": "Do first",
        "root": "Some commands of this lesson need root.",
        "other": "This lesson in",
        "step": "Step",
        "try": "Try",
        "hints": "Hints",
        "solution": "Reference solution",
        "check": "What is checked",
        "picture": "Picture",
        "setup": "Before the first step the lesson runs",
        "finish": "Done",
        "only": "This lesson is written in {langs} only.",
        "run_it": "Run it in the terminal: `sandbox learn {id}` (or `sandbox lessons start {id}`).",
    },
    "zh": {
        "requires": "先学",
        "root": "本课的部分命令需要 root 权限。",
        "other": "本课的其他语言：",
        "step": "第",
        "try": "试一试",
        "hints": "提示",
        "solution": "参考答案",
        "check": "检查的内容",
        "picture": "图示",
        "setup": "第一步之前，课程会先运行",
        "finish": "完成",
        "only": "本课只有以下语言的版本：{langs}。",
        "run_it": "在终端里学习本课：`sandbox learn {id}`（或 `sandbox lessons start {id}`）。",
    },
}


@dataclass(frozen=True)
class Page:
    uri: str
    """Where the page lives in the site's docs tree, like ``course/en/hello-container.md``."""
    title: str
    content: str


@dataclass
class Course:
    pages: list[Page] = field(default_factory=list)
    nav: list[Any] = field(default_factory=list)
    """mkdocs nav entries for the course section."""
    problems: list[str] = field(default_factory=list)
    lessons: list[str] = field(default_factory=list)
    """Lesson ids, in teaching order."""


def page_uri(lang: str, lesson_id: str) -> str:
    return f"course/{lang}/{lesson_id}.md"


def _lessons(root: Path) -> tuple[list[Lesson], list[str]]:
    """Lessons in teaching order, and every lint problem (``file:line: field: problem``)."""
    parsed, problems = lint_course(root)
    if not problems:
        return list(load_course(root)), []
    # One broken lesson must not hide the others: render the good ones, report the rest.
    good = sorted((p.lesson for p in parsed if p.lesson is not None), key=lambda lesson: lesson.id)
    return good, [str(p) for p in problems]


def build_course(root: Path) -> Course:
    lessons, problems = _lessons(root)
    course = Course(problems=problems, lessons=[lesson.id for lesson in lessons])
    titles = {lesson.id: lesson.title for lesson in lessons}
    for lang in LANGS:
        entries = []
        for lesson in lessons:
            uri = page_uri(lang, lesson.id)
            course.pages.append(Page(uri, lesson.title.pick(lang), render_lesson(lesson, lang, titles)))
            entries.append({lesson.title.pick(lang): uri})
        course.nav.append({LANG_NAMES.get(lang, lang): entries})
    course.pages.append(Page("course/index.md", "The course", render_index(lessons)))
    course.nav.insert(0, "course/index.md")
    return course


def render_index(lessons: list[Lesson]) -> str:
    lines = [
        "# The course",
        "",
        "Every lesson, in teaching order (a lesson comes after those it requires). Each page",
        "is generated from the lesson's folder in `lessons/`, so it shows what the TUI runs.",
        "每一课都有中文版本。",
        "",
        "| # | " + " | ".join(LANG_NAMES.get(lang, lang) for lang in LANGS) + " | id |",
        "|---|" + "---|" * len(LANGS) + "---|",
    ]
    for n, lesson in enumerate(lessons, 1):
        cells = [f"[{lesson.title.pick(lang)}]({lang}/{lesson.id}.md)" for lang in LANGS]
        lines.append(f"| {n} | " + " | ".join(cells) + f" | `{lesson.id}` |")
    if not lessons:
        lines.append("| | " + " | ".join("" for _ in LANGS) + " | (no lessons yet) |")
    lines += [
        "",
        "In a terminal: `sandbox` opens the lesson list; `sandbox lessons list` prints it.",
        "",
    ]
    return "\n".join(lines)


def _raw_steps(lesson: Lesson) -> list[dict[str, Any]]:
    """The steps as written, for showing a check exactly as its author wrote it."""
    data = yaml.safe_load((lesson.directory / "lesson.yaml").read_text(encoding="utf-8"))
    steps = data.get("steps") if isinstance(data, dict) else None
    return [s if isinstance(s, dict) else {} for s in steps] if isinstance(steps, list) else []


def _admonition(kind: str, title: str, body: str) -> str:
    return f'??? {kind} "{title}"\n\n{indent(body)}\n'


def render_lesson(lesson: Lesson, lang: str, titles: dict[str, Any]) -> str:
    label = LABELS.get(lang, LABELS["en"])
    out = [f"# {lesson.title.pick(lang)}", "", f"*{lesson.summary.pick(lang)}*", ""]
    others = [f"[{LANG_NAMES.get(o, o)}](../{o}/{lesson.id}.md)" for o in LANGS if o != lang]
    meta = [f"{label['other']} " + " · ".join(others)]
    if lesson.requires:
        links = [f"[{titles[r].pick(lang) if r in titles else r}]({r}.md)" for r in lesson.requires]
        meta.append(f"{label['requires']}: " + ", ".join(links))
    if lesson.needs.root:
        meta.append(label["root"])
    if lang not in lesson.languages:
        meta.append(label["only"].format(langs=", ".join(LANG_NAMES.get(x, x) for x in lesson.languages)))
    out += [" \n".join(meta), "", label["run_it"].format(id=lesson.id), ""]
    if lesson.setup:
        out += [f"{label['setup']}:", "", code_block("\n".join(c.run for c in lesson.setup), "sh"), ""]
    if lesson.intro is not None:
        out += [demote_headings(drop_first_heading(lesson.read(lesson.intro, lang)), 1), ""]
    raw = _raw_steps(lesson)
    for i, step in enumerate(lesson.steps):
        out += _render_step(lesson, i, lang, raw[i] if i < len(raw) else {})
    if lesson.finish is not None:
        out += [f"## {label['finish']}", "", demote_headings(drop_first_heading(lesson.read(lesson.finish, lang)), 2), ""]
    return "\n".join(out)


def _render_step(lesson: Lesson, index: int, lang: str, raw: dict[str, Any]) -> list[str]:
    label = LABELS.get(lang, LABELS["en"])
    step = lesson.steps[index]
    number = f"{label['step']} {index + 1}" if lang != "zh" else f"第 {index + 1} 步"
    out = [f"## {number}: {lesson.step_title(index, lang)}", ""]
    out += [demote_headings(drop_first_heading(lesson.read(step.text, lang)), 2), ""]
    if step.try_:
        out += [f"**{label['try']}:**", "", code_block(step.try_, "sh"), ""]
    if step.show:
        out += [f"*{label['picture']}: `{step.show}`*", ""]
    hints = []
    if step.hints is not None:
        hints.append(step.hints.nudge.pick(lang))
        command = step.hints.command or step.try_
        if command:
            hints.append(f"`{command}`")
    if hints:
        out.append(_admonition("tip", label["hints"], "\n".join(f"{n}. {h}" for n, h in enumerate(hints, 1))))
    solution = []
    if step.hints is not None and step.hints.solution is not None:
        solution.append(step.hints.solution.pick(lang))
    if step.solve:
        solution.append(code_block("\n".join(c.run for c in step.solve), "sh"))
    if solution:
        out.append(_admonition("success", label["solution"], "\n\n".join(solution)))
    if raw.get("check") is not None:
        text = yaml.safe_dump(raw["check"], allow_unicode=True, sort_keys=False, default_flow_style=False)
        out.append(_admonition("info", label["check"], code_block(text, "yaml")))
    return out
