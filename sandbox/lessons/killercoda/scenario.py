"""Reading a Killercoda scenario folder: ``index.json`` and the files it names.

my-scenario/
  index.json            title, description, details.{intro, steps[], finish, assets}, backend
  intro.md | intro/text.md (+ background.sh, foreground.sh)
  step1.md | step1/text.md, verify.sh, background.sh, foreground.sh
  finish.md
  assets/…
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from sandbox.errors import ScenarioInvalid


@dataclass(frozen=True)
class Page:
    """The intro, a step, or the finish: its Markdown and the scripts beside it."""

    title: str
    text: str
    verify: Path | None = None
    background: Path | None = None
    foreground: Path | None = None


@dataclass(frozen=True)
class Asset:
    file: Path
    target: str
    chmod: str | None = None


@dataclass(frozen=True)
class Scenario:
    root: Path
    title: str
    description: str
    intro: Page | None
    steps: list[Page]
    finish: Page | None
    assets: list[Asset] = field(default_factory=list)
    backend: str = ""


def read_scenario(root: Path) -> Scenario:
    index_path = root / "index.json"
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ScenarioInvalid(str(root), "no index.json") from err
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ScenarioInvalid(str(root), f"index.json: {err}") from err
    if not isinstance(index, dict) or not isinstance(index.get("details"), dict):
        raise ScenarioInvalid(str(root), "index.json has no 'details' object")
    details: dict[str, Any] = index["details"]
    steps_raw = details.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise ScenarioInvalid(str(root), "index.json details.steps is empty")
    steps = [_page(root, s, f"details.steps[{i}]", f"Step {i + 1}") for i, s in enumerate(steps_raw)]
    intro = _page(root, details["intro"], "details.intro", "Introduction") if details.get("intro") else None
    finish = _page(root, details["finish"], "details.finish", "Finish") if details.get("finish") else None
    assets = []
    for i, a in enumerate(((details.get("assets") or {}).get("host01")) or []):
        if (
            not isinstance(a, dict)
            or not isinstance(a.get("file"), str)
            or not isinstance(a.get("target"), str)
        ):
            raise ScenarioInvalid(str(root), f"details.assets.host01[{i}] needs file and target")
        assets.append(
            Asset(
                _inside(root, "assets/" + a["file"], f"details.assets.host01[{i}]"),
                a["target"],
                str(a["chmod"]) if a.get("chmod") is not None else None,
            )
        )
    backend = str((index.get("backend") or {}).get("imageid", ""))
    return Scenario(
        root,
        str(index.get("title") or root.name),
        str(index.get("description") or ""),
        intro,
        steps,
        finish,
        assets,
        backend,
    )


def _page(root: Path, raw: Any, where: str, default_title: str) -> Page:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise ScenarioInvalid(str(root), f"{where} needs a 'text' file")
    text_path = _inside(root, raw["text"], f"{where}.text")
    scripts = {}
    for key in ("verify", "background", "foreground"):
        if raw.get(key) is not None:
            if not isinstance(raw[key], str):
                raise ScenarioInvalid(str(root), f"{where}.{key} must be a file name")
            scripts[key] = _inside(root, raw[key], f"{where}.{key}")
    return Page(str(raw.get("title") or default_title), text_path.read_text(encoding="utf-8"), **scripts)


def _inside(root: Path, name: str, where: str) -> Path:
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts:
        raise ScenarioInvalid(str(root), f"{where}: {name} points outside the scenario")
    path = root / rel
    if not path.is_file():
        raise ScenarioInvalid(str(root), f"{where}: {name} does not exist")
    return path
