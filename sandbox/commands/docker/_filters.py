"""``--filter key=value`` flags into the engine's filter map."""

from __future__ import annotations

from sandbox.errors import UsageError


def parse_filters(command: str, values: list[str] | None) -> dict[str, dict[str, bool]]:
    filters: dict[str, dict[str, bool]] = {}
    for value in values or []:
        key, sep, val = value.partition("=")
        if not sep:
            raise UsageError(command, f"invalid argument \"{value}\" for \"-f, --filter\" flag: "
                                      "bad format of filter (expected name=value)")
        filters.setdefault(key.strip().lower(), {})[val] = True
    return filters
