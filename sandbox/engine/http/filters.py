"""The ``filters`` query parameter, as dockerd reads it.

Clients send URL-encoded JSON in one of two forms: the map form the CLI and SDK use now,
``{"status":{"running":true},"name":{"web":true}}``, and the old list form,
``{"status":["running"]}``. Both become ``{key: [values]}``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sandbox.errors import InvalidParameter


class Filters:
    def __init__(self, values: dict[str, list[str]] | None = None) -> None:
        self._values = {k: list(v) for k, v in (values or {}).items()}

    @classmethod
    def parse(cls, text: str | None) -> Filters:
        if text is None or not text.strip():
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            raise InvalidParameter(f"invalid filters {text!r}: not JSON", "filters",
                                   'send {"key":{"value":true}} URL-encoded') from None
        if not isinstance(data, dict):
            raise InvalidParameter(f"invalid filters {text!r}: not a JSON object", "filters")
        out: dict[str, list[str]] = {}
        for key, value in data.items():
            if isinstance(value, dict):
                out[key] = [str(v) for v, on in value.items() if on]
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                out[key] = list(value)
            else:
                raise InvalidParameter(f"invalid filter {key!r}: values must be a map or a list of strings",
                                       "filters")
        return cls(out)

    def __bool__(self) -> bool:
        return bool(self._values)

    def keys(self) -> list[str]:
        return list(self._values)

    def values(self, key: str) -> list[str]:
        return list(self._values.get(key, []))

    def has(self, key: str) -> bool:
        return bool(self._values.get(key))

    def validate(self, allowed: Iterable[str]) -> None:
        """dockerd's check: 400 ``invalid filter 'x'`` for a key the endpoint does not know."""
        allowed = set(allowed)
        for key in self._values:
            if key not in allowed:
                raise InvalidParameter(f"invalid filter '{key}'", "filters",
                                       f"this endpoint filters on: {', '.join(sorted(allowed))}")

    def exact_match(self, key: str, value: str) -> bool:
        """True if ``key`` is not filtered on, or ``value`` is one of its values."""
        wanted = self._values.get(key)
        return not wanted or value in wanted

    def fuzzy_match(self, key: str, value: str) -> bool:
        """Like ``exact_match`` but a value may also be a prefix (container id prefixes)."""
        wanted = self._values.get(key)
        return not wanted or any(value == w or (w and value.startswith(w)) for w in wanted)

    def bool_value(self, key: str) -> bool | None:
        """A filter that takes ``true``/``false`` (``dangling``); None when absent."""
        values = self._values.get(key)
        if not values:
            return None
        lowered = {v.lower() for v in values}
        if lowered - {"true", "false", "1", "0"}:
            raise InvalidParameter(f"invalid filter '{key}={values[0]}': use true or false", "filters")
        if len(lowered) > 1 and {"true", "1"} & lowered and {"false", "0"} & lowered:
            raise InvalidParameter(f"invalid filter '{key}': both true and false given", "filters")
        return bool({"true", "1"} & lowered)

    def match_labels(self, labels: dict[str, str] | None, key: str = "label") -> bool:
        """Every ``label`` value, ``k`` or ``k=v``, must hold for ``labels``."""
        labels = labels or {}
        for cond in self._values.get(key, []):
            name, eq, value = cond.partition("=")
            if name not in labels or (eq and labels[name] != value):
                return False
        return True

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._values.items()}

    def __repr__(self) -> str:
        return f"Filters({self._values!r})"
