"""A Killercoda scenario becomes a lesson folder.

- each step's ``verify.sh`` is copied beside the step and becomes a ``command`` check with
  ``script:`` (it passes when the script exits 0, as on Killercoda);
- the ``{{exec}}`` commands become the step's ``try`` (the first) and its reference
  solution (all of them, in order);
- ``<details>`` blocks become hint tiers: the first is the nudge, its first code is the
  command tier, the last (when there are several) the solution;
- background and foreground scripts become setup commands (the intro's for the lesson,
  a step's for that step); assets are copied and installed by a setup command.

Scenarios are written in one language, so the lesson declares ``languages: [en]``.
"""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.errors import ScenarioInvalid

from .markdown import convert
from .scenario import Page, Scenario, read_scenario


@dataclass
class ImportReport:
    directory: Path
    lesson_id: str
    warnings: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-") or "lesson"


def import_scenario(
    source: Path, out_dir: Path, *, lesson_id: str | None = None, force: bool = False
) -> ImportReport:
    scenario = read_scenario(source)
    lesson_id = lesson_id or slug(source.resolve().name)
    target = out_dir / lesson_id
    if target.exists():
        if not force:
            raise ScenarioInvalid(str(source), f"{target} already exists (use --force to replace it)")
        if not (target / "lesson.yaml").is_file():
            raise ScenarioInvalid(
                str(source), f"{target} exists and is not a lesson folder; not replacing it"
            )
        shutil.rmtree(target)
    (target / "steps").mkdir(parents=True)
    report = ImportReport(target, lesson_id)
    doc = _lesson_doc(scenario, lesson_id, target, report)
    _write_yaml(target / "lesson.yaml", doc)
    return report


def _lesson_doc(scenario: Scenario, lesson_id: str, target: Path, report: ImportReport) -> dict[str, Any]:
    if scenario.backend.startswith("kubernetes"):
        report.warnings.append(
            f"backend {scenario.backend}: the scenario expects a Kubernetes cluster, "
            "which lessons cannot provide yet"
        )
    doc: dict[str, Any] = {
        "id": lesson_id,
        "languages": ["en"],
        "title": {"en": scenario.title},
        "summary": {"en": _one_line(scenario.description) or scenario.title},
    }
    setup: list[str] = []
    if scenario.intro is not None:
        (target / "intro.en.md").write_text(convert(scenario.intro.text).text, encoding="utf-8")
        doc["intro"] = "intro.md"
        setup += _scripts(scenario.intro, target, "intro")
    setup += _assets(scenario, target, report)
    if setup:
        doc["setup"] = setup
    doc["steps"] = [_step(i, page, target, report) for i, page in enumerate(scenario.steps)]
    if scenario.finish is not None:
        (target / "finish.en.md").write_text(convert(scenario.finish.text).text, encoding="utf-8")
        doc["finish"] = "finish.md"
    return doc


def _step(i: int, page: Page, target: Path, report: ImportReport) -> dict[str, Any]:
    stem = f"{i + 1:02d}-{slug(page.title)}"
    converted = convert(page.text)
    report.warnings.extend(f"step {i + 1}: {w}" for w in converted.warnings)
    text = (
        converted.text if converted.text.lstrip().startswith("#") else f"# {page.title}\n\n{converted.text}"
    )
    (target / "steps" / f"{stem}.en.md").write_text(text, encoding="utf-8")
    step: dict[str, Any] = {"text": f"steps/{stem}.md"}
    if converted.commands:
        step["try"] = converted.commands[0]
    setup = _scripts(page, target, f"steps/{i + 1:02d}")
    if setup:
        step["setup"] = setup
    if page.verify is not None:
        script = f"steps/{i + 1:02d}-verify.sh"
        shutil.copyfile(page.verify, target / script)
        (target / script).chmod(0o755)
        step["check"] = {"command": {"script": script}}
        if not converted.commands:
            report.warnings.append(
                f"step {i + 1} has a verify script but no {{{{exec}}}} command to use as "
                "its reference solution: add `solve:` to lesson.yaml by hand"
            )
    if converted.commands:
        step["solve"] = list(converted.commands)
    hints = _hints(converted.hints, converted.hint_commands)
    if hints:
        step["hints"] = hints
    return step


def _hints(details: list[tuple[str, str]], commands: list[str]) -> dict[str, Any] | None:
    """First <details> -> nudge; a command a hint offers to run -> the command tier (else
    the step's `try` stands in); the last of several -> the solution."""
    if not details:
        return None
    hints: dict[str, Any] = {"nudge": {"en": details[0][1] or details[0][0]}}
    if commands:
        hints["command"] = commands[0]
    if len(details) > 1:
        hints["solution"] = {"en": details[-1][1] or details[-1][0]}
    return hints


def _scripts(page: Page, target: Path, prefix: str) -> list[str]:
    """Background and foreground scripts, copied and run (by /bin/sh, in the lesson folder)."""
    lines = []
    for kind, path in (("background", page.background), ("foreground", page.foreground)):
        if path is None:
            continue
        name = f"{prefix}-{kind}.sh"
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / name)
        lines.append(f"sh {name}")
    return lines


def _assets(scenario: Scenario, target: Path, report: ImportReport) -> list[str]:
    lines = []
    for asset in scenario.assets:
        rel = asset.file.relative_to(scenario.root)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset.file, target / rel)
        dest = f"{asset.target.rstrip('/')}/{asset.file.name}"
        line = f"mkdir -p {shlex.quote(asset.target)} && cp {shlex.quote(str(rel))} {shlex.quote(dest)}"
        if asset.chmod:
            line += f" && chmod {shlex.quote(asset.chmod)} {shlex.quote(dest)}"
        lines.append(line)
        report.warnings.append(f"asset {rel} is installed on the host at {dest} by the lesson's setup")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _write_yaml(path: Path, doc: dict[str, Any]) -> None:
    import yaml

    header = "# Imported from a Killercoda scenario by `sandbox lessons import-killercoda`.\n"
    path.write_text(
        header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
