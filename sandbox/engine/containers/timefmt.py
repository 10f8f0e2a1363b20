"""Times the way the Docker API writes them.

Records keep seconds since the epoch (floats, 0 for "never"); the API shows RFC 3339 with
nanoseconds (``2024-05-01T10:00:00.123456789Z``) and Go's zero time for "never", and
``docker ps`` shows durations in go-units' words ("Up 3 seconds", "About a minute").
"""

from __future__ import annotations

import calendar
import re
import time

from sandbox.humanize import human_duration  # noqa: F401 - re-exported

ZERO_TIME = "0001-01-01T00:00:00Z"
"""Go's zero ``time.Time``: what dockerd shows for a StartedAt or FinishedAt that never was."""

_RFC3339 = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$")


def rfc3339nano(t: float, zero_is_never: bool = True) -> str:
    """Seconds since the epoch -> RFC 3339 with nanoseconds, UTC; 0 -> Go's zero time
    (unless ``zero_is_never`` is False: a file's mtime of 0 is 1970, not "never")."""
    if not t and zero_is_never:
        return ZERO_TIME
    # Whole seconds apart from the fraction: t * 1e9 would lose nanoseconds to float rounding.
    secs = int(t // 1)
    frac = min(int(round((t - secs) * 1e9)), 999_999_999)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{frac:09d}Z"


def rfc3339(t: float) -> str:
    """Whole seconds, as in archive stat headers."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def parse_rfc3339(text: str) -> float | None:
    """RFC 3339 (any fraction, Z or an offset) -> seconds since the epoch; None if it is not one."""
    m = _RFC3339.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    t = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(s), 0, 0, 0))
    if frac:
        t += int(frac.ljust(9, "0")) / 1e9
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        t -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return t


def parse_timestamp(value: str | float | int | None, now: float) -> float | None:
    """A ``since``/``until`` argument: unix seconds (``1700000000.5``), RFC 3339, or a Go
    duration relative to now (``10m``, ``1h30m``). None/"" means unset."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parsed = parse_rfc3339(text)
    if parsed is not None:
        return parsed
    seconds = parse_go_duration(text)
    if seconds is not None:
        return now - seconds
    from sandbox.errors import InvalidParameter

    raise InvalidParameter(f"invalid time value {value!r}", None,
                           "give unix seconds, an RFC 3339 time, or a duration like 10m")


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float | None:
    """``1h30m``, ``10s``, ``250ms`` -> seconds; None if it is not a Go duration."""
    if not text:
        return None
    pos, total = 0, 0.0
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNIT[m.group(2)]
        pos = m.end()
    return total if pos == len(text) else None
