"""The names ``sandbox.images.build`` exports (the engine and the CLI use these)."""

from __future__ import annotations

import sandbox.images.build as build_pkg


def test_exported_names() -> None:
    assert sorted(build_pkg.__all__) == ["BuildCache", "BuildEvent", "Dockerfile", "Emit", "IgnoreRules",
                                         "Instruction", "Stage", "build", "parse", "parse_line"]
    for name in build_pkg.__all__:
        assert getattr(build_pkg, name) is not None
