"""``network``: a network exists (or not), its driver, subnet, and connected containers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..yamlmarks import PathKey
from .base import CheckContext
from .messages import say, word
from .result import Fail, Outcome, Pass


@dataclass(frozen=True)
class NetworkCheck:
    name: str
    exists: bool = True
    driver: str | None = None
    subnet: str | None = None
    internal: bool | None = None
    containers: list[str] = field(default_factory=list)
    """Containers (by name) that must be connected."""

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not self.exists and (self.driver or self.subnet or self.internal is not None or self.containers):
            yield ("exists",), "exists: false cannot be combined with other network fields"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        doc = ctx.state.network(self.name)
        if doc is None:
            return Pass() if not self.exists else Fail(say("network_missing", name=self.name))
        if not self.exists:
            return Fail(say("network_still_there", name=self.name))
        if self.driver is not None and doc.get("Driver") != self.driver:
            return self._field("driver", doc.get("Driver"), self.driver)
        subnets = [
            str(c.get("Subnet")) for c in (doc.get("IPAM") or {}).get("Config") or [] if c.get("Subnet")
        ]
        if self.subnet is not None and self.subnet not in subnets:
            return self._field("subnet", ", ".join(subnets) or word("none"), self.subnet)
        if self.internal is not None and bool(doc.get("Internal")) != self.internal:
            return self._field("internal", bool(doc.get("Internal")), self.internal)
        members, names = _members(doc)
        for container in self.containers:
            if container not in members:
                return Fail(
                    say(
                        "network_member",
                        name=self.name,
                        container=container,
                        seen=", ".join(sorted(names)) or word("none"),
                    )
                )
        return Pass()

    def _field(self, what: str, seen: object, want: object) -> Fail:
        return Fail(say("network_field", name=self.name, what=word(what), seen=seen, want=want))


def _members(doc: dict[str, Any]) -> tuple[set[str], list[str]]:
    """Connected containers as (every way to name them, their names to show): the network
    document lists them by id, with each endpoint's name."""
    keys: set[str] = set()
    names: list[str] = []
    for cid, endpoint in (doc.get("Containers") or {}).items():
        keys.update((cid, cid[:12]))
        name = str(endpoint.get("Name") or "").lstrip("/") if isinstance(endpoint, dict) else ""
        if name:
            keys.add(name)
        names.append(name or cid[:12])
    return keys, names
