"""Reading the fake backend's fixture directory: JSON files named after what they answer.

    engine.json              the engine's status
    lessons.json             {"lessons": [...], "progress": {lesson: [step, ...]}}
    commands.json            {"commands": [{"line" | "pattern", "output", "exit_code",
                               "facts", "trace", "events"}]}
    names.json               {"containers", "images", "volumes", "networks"}
    images/REF.json          {"inspect": ..., "history": ...}   (REF: ":" and "/" as "_")
    layers/REF.json          [{"digest", "files": [...]}, ...]  bottom first
    containers/NAME.json     {"inspect": ..., "changes": [...]}
    namespaces/NAME.json     GET /sandbox/containers/{id}/namespaces
    cgroup/NAME.json         GET /sandbox/containers/{id}/cgroup, or {"samples": [...]}
    topology/NETWORK.json    GET /sandbox/networks/{id}/topology
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import FixtureError, NoRecording


def file_key(reference: str) -> str:
    """How a name or reference becomes a file name: ``busybox:latest`` -> ``busybox_latest``."""
    return reference.strip().lstrip("/").replace("/", "_").replace(":", "_")


@dataclass(frozen=True)
class FixtureDir:
    root: Path

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def load(self, name: str) -> Any:
        path = self.root / name
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NoRecording(name) from None
        except OSError as err:
            raise FixtureError(str(path), err.strerror or str(err)) from err
        try:
            return json.loads(text)
        except ValueError as err:
            raise FixtureError(str(path), f"not JSON: {err}") from err

    def load_optional(self, name: str, default: Any) -> Any:
        return self.load(name) if self.exists(name) else default

    def check(self) -> None:
        """Fail early, with the path, when the directory cannot be a fixture set."""
        if not self.root.is_dir():
            raise FixtureError(str(self.root), "not a directory")
        if not self.exists("lessons.json"):
            raise FixtureError(str(self.root / "lessons.json"), "missing")
