"""``docker ps --filter`` and ``docker container prune --filter``, as dockerd reads them.

Filters arrive as ``{key: [values]}`` (or the API's ``{key: {value: true}}`` map form, or
an object with ``to_dict()``). Values of one key are alternatives (OR); different keys must
all hold (AND). ``name`` and ``id`` are regular expressions searched in the name (with its
``/``) and the id, as dockerd does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.engine.containers.record import STATUSES, Record
from sandbox.errors import InvalidParameter

LIST_KEYS = ("id", "name", "label", "status", "exited", "ancestor", "before", "since", "network", "volume",
             "expose", "publish", "health", "isolation", "is-task")
PRUNE_KEYS = ("until", "label", "label!")


def normalize(filters: Any) -> dict[str, list[str]]:
    if filters is None:
        return {}
    if hasattr(filters, "to_dict"):
        filters = filters.to_dict()
    if not isinstance(filters, Mapping):
        raise InvalidParameter("invalid filters: not an object", "filters")
    out: dict[str, list[str]] = {}
    for key, value in filters.items():
        if isinstance(value, Mapping):
            out[str(key)] = [str(v) for v, on in value.items() if on]
        elif isinstance(value, (list, tuple)):
            out[str(key)] = [str(v) for v in value]
        elif isinstance(value, str):
            out[str(key)] = [value]
        else:
            raise InvalidParameter(f"invalid filter {key!r}", "filters")
    return out


def check_keys(filters: dict[str, list[str]], allowed: tuple[str, ...]) -> None:
    for key in filters:
        if key not in allowed:
            raise InvalidParameter(f"invalid filter '{key}'", "filters")


def labels_match(wanted: list[str], labels: dict[str, str]) -> bool:
    for cond in wanted:
        key, eq, value = cond.partition("=")
        if key not in labels or (eq and labels[key] != value):
            return False
    return True


def _regex_any(patterns: list[str], text: str) -> bool:
    for p in patterns:
        try:
            if re.search(p, text):
                return True
        except re.error:
            if p in text:
                return True
    return False


@dataclass
class ListFilter:
    """A compiled ps filter; ``before``/``since`` name containers (resolved by the caller)."""

    raw: dict[str, list[str]]
    exited: list[int] = field(default_factory=list)
    before_created: float | None = None
    since_created: float | None = None
    ancestors: set[str] = field(default_factory=set)
    ancestor_names: set[str] = field(default_factory=set)

    @classmethod
    def compile(cls, filters: Any, resolve_created: Callable[[str], float],
                resolve_image: Callable[[str], str | None]) -> ListFilter:
        raw = normalize(filters)
        check_keys(raw, LIST_KEYS)
        f = cls(raw)
        for value in raw.get("status", []):
            if value not in STATUSES:
                raise InvalidParameter(f"invalid filter 'status={value}'", "filters",
                                       f"status is one of: {', '.join(STATUSES)}")
        for value in raw.get("exited", []):
            try:
                f.exited.append(int(value))
            except ValueError:
                raise InvalidParameter(f"invalid filter 'exited={value}'", "filters",
                                       "give an exit code") from None
        if raw.get("before"):
            f.before_created = min(resolve_created(v) for v in raw["before"])
        if raw.get("since"):
            f.since_created = max(resolve_created(v) for v in raw["since"])
        for value in raw.get("ancestor", []):
            image_id = resolve_image(value)
            if image_id:
                f.ancestors.add(image_id)
            f.ancestor_names.add(value)
        return f

    @property
    def shows_stopped(self) -> bool:
        """A status or exited filter lists stopped containers without ``all``."""
        return bool(self.raw.get("status") or self.exited)

    def match(self, rec: Record) -> bool:
        raw, s = self.raw, rec.state
        if raw.get("id") and not _regex_any(raw["id"], rec.id):
            return False
        if raw.get("name") and not _regex_any(raw["name"], rec.name):
            return False
        if raw.get("label") and not labels_match(raw["label"], rec.config.get("Labels") or {}):
            return False
        if raw.get("status") and s.status_word() not in raw["status"]:
            return False
        if self.exited and (s.running or not s.started_at or s.exit_code not in self.exited):
            return False
        if self.before_created is not None and rec.created >= self.before_created:
            return False
        if self.since_created is not None and rec.created <= self.since_created:
            return False
        if raw.get("ancestor"):
            if rec.image_id not in self.ancestors and rec.config.get("Image") not in self.ancestor_names:
                return False
        if raw.get("network") and (rec.host_config.get("NetworkMode") or "bridge") not in raw["network"]:
            return False
        for unsupported in ("volume", "expose", "publish", "health"):
            if raw.get(unsupported):
                return False  # no volumes, ports or health checks yet: nothing matches
        return True
