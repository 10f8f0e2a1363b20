"""Building checks the way lesson.yaml does, and running fake docker commands."""

from __future__ import annotations

from typing import Any

from sandbox.lessons.checks import CHECK
from sandbox.lessons.schema import Ctx
from sandbox.lessons.testing import FakeState


def check(spec: dict[str, Any]) -> Any:
    """A check from its YAML form; fails the test on any schema problem."""
    ctx = Ctx()
    built = CHECK(spec, ("check",), ctx)
    assert not ctx.issues, ctx.issues
    assert built is not None
    return built


def problems(spec: dict[str, Any]) -> list[str]:
    ctx = Ctx()
    CHECK(spec, ("check",), ctx)
    return [f"{'.'.join(map(str, i.path))}: {i.problem}" for i in ctx.issues]


def docker(state: FakeState, *lines: str) -> None:
    """Run fake docker lines, each of which must succeed."""
    for line in lines:
        code, output = state.docker(line)
        assert code == 0, f"{line}: {output}"
