"""Checks: typed descriptions of real state, each evaluated to Pass or Fail(message).

In ``lesson.yaml`` a check is a mapping with one key, its type::

    check: {container: {name: web, running: true, memory_limit: 64m}}
    check:
      all_of:
        - {container: {name: web, exists: false}}
        - {event: {action: destroy, name: web}}

``REGISTRY`` maps each type to its dataclass; ``CHECK`` is the schema converter that
builds one (and the combinators ``all_of``/``any_of``) from YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..schema import Converter, Ctx, Invalid, build, describe, unknown_field
from ..text import Text
from ..yamlmarks import PathKey
from .base import Check, CheckContext
from .cgroup import CgroupCheck
from .command import CommandCheck
from .container import ContainerCheck
from .event import EventCheck
from .file import FileCheck
from .http import HttpCheck
from .image import ImageCheck
from .logs import LogsCheck
from .messages import join, say
from .namespaces import NamespacesCheck
from .network import NetworkCheck
from .result import Fail, Outcome, Pass
from .volume import VolumeCheck

REGISTRY: dict[str, type] = {
    "container": ContainerCheck,
    "logs": LogsCheck,
    "image": ImageCheck,
    "volume": VolumeCheck,
    "network": NetworkCheck,
    "file": FileCheck,
    "command": CommandCheck,
    "http": HttpCheck,
    "namespaces": NamespacesCheck,
    "cgroup": CgroupCheck,
    "event": EventCheck,
}
COMBINATORS = ("all_of", "any_of")


@dataclass(frozen=True)
class AllOf:
    checks: list[Any]

    def evaluate(self, ctx: CheckContext) -> Outcome:
        """Every part is evaluated, so the learner sees everything still missing at once."""
        texts: list[Text] = []
        for outcome in (c.evaluate(ctx) for c in self.checks):
            # Two parts about one missing container would say the same thing twice.
            if isinstance(outcome, Fail) and outcome.text not in texts:
                texts.append(outcome.text)
        return Fail(join(texts)) if texts else Pass()


@dataclass(frozen=True)
class AnyOf:
    checks: list[Any]

    def evaluate(self, ctx: CheckContext) -> Outcome:
        failures: list[Fail] = []
        for check in self.checks:
            outcome = check.evaluate(ctx)
            if isinstance(outcome, Pass):
                return outcome
            failures.append(outcome)
        return Fail(say("none_of", items=join([f.text for f in failures], " | ")))


def _check(value: Any, path: PathKey, ctx: Ctx) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        got = f"{len(value)} keys" if isinstance(value, dict) else describe(value)
        raise Invalid(
            f"a check is a mapping with exactly one key, its type (like container: {{…}}); got {got}"
        )
    ((kind, body),) = value.items()
    if kind in COMBINATORS:
        if not isinstance(body, list) or not body:
            ctx.add((*path, kind), f"{kind} takes a non-empty list of checks, got {describe(body)}")
            return None
        before = len(ctx.issues)
        parts = [convert_check(item, (*path, kind, i), ctx) for i, item in enumerate(body)]
        if len(ctx.issues) > before:
            return None
        return AllOf(parts) if kind == "all_of" else AnyOf(parts)
    if kind not in REGISTRY:
        problem = unknown_field(kind, [*REGISTRY, *COMBINATORS]).replace(
            "unknown field", "unknown check type"
        )
        ctx.add((*path, kind), problem, at_key=True)
        return None
    return build(REGISTRY[kind], body, (*path, kind), ctx)


def convert_check(value: Any, path: PathKey, ctx: Ctx) -> Any:
    try:
        return _check(value, path, ctx)
    except Invalid as err:
        ctx.add(path, err.problem)
        return None


CHECK = Converter("a check like {container: {name: web}}", ("mapping",), _check)

__all__ = ["CHECK", "REGISTRY", "AllOf", "AnyOf", "Check", "CheckContext", "Fail", "Outcome", "Pass"]
