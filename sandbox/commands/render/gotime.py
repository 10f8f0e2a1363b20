"""Times as docker prints and parses them: Go's ``Time.String()``, RFC 3339 with
nanoseconds, and the ``--since``/``--until`` forms (timestamps, dates, ``10m`` ago)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

from sandbox.errors import UsageError

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$")


def go_time_string(epoch_seconds: float) -> str:
    """``time.Unix(s, 0).String()`` in the local zone: ``2026-11-25 17:24:20 +0000 UTC``."""
    local = datetime.fromtimestamp(int(epoch_seconds)).astimezone()
    return local.strftime("%Y-%m-%d %H:%M:%S %z ") + (local.tzname() or "")


def parse_rfc3339_nano(text: str) -> int | None:
    """Nanoseconds since the epoch for ``2026-11-25T17:24:20.445666362Z``; None if unparsable."""
    m = _RFC3339.match(text.strip())
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac = (m.group(7) or "").ljust(9, "0")
    tz = m.group(8) or "Z"
    if tz == "Z":
        offset = timedelta(0)
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        base = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        return None
    # Whole seconds through integers: a float would lose the nanoseconds.
    epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
    delta = base - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + int(frac)


def rfc3339_nano_fixed(nanos: int) -> str:
    """docker events' time column: ``2006-01-02T15:04:05.000000000Z07:00``, local zone."""
    seconds, frac = divmod(nanos, 1_000_000_000)
    local = datetime.fromtimestamp(seconds).astimezone()
    offset = local.strftime("%z")
    zone = "Z" if offset in ("+0000", "-0000") else f"{offset[:3]}:{offset[3:]}"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}" + zone


_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_go_duration(text: str) -> float | None:
    """Go's time.ParseDuration (``1h30m``, ``10s``, ``-5m``) in seconds; None if not one."""
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    if body == "0":
        return 0.0
    pos, total = 0, 0.0
    for m in _DURATION.finditer(body):
        if m.start() != pos:
            return None
        total += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
        pos = m.end()
    if pos != len(body) or pos == 0:
        return None
    return sign * total


def get_timestamp(value: str, now: float | None = None) -> str:
    """What the docker CLI sends for ``--since``/``--until``: ``seconds.nanoseconds``.

    Accepts a duration back from now (``10m``), an RFC 3339 date or date-time, or a unix
    timestamp (passed through as given)."""
    if re.fullmatch(r"\d+(\.\d{1,9})?", value):
        return value
    now = time.time() if now is None else now
    duration = parse_go_duration(value)
    if duration is not None:
        t = now - duration
        return f"{int(t)}.{int(round((t - int(t)) * 1e9)):09d}"
    text = value
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        text += "T00:00:00"
    if not re.search(r"(Z|[+-]\d{2}:?\d{2})$", text):
        # No zone given: docker reads it in the local zone.
        local = datetime.now().astimezone().strftime("%z")
        text += f"{local[:3]}:{local[3:]}"
    nanos = parse_rfc3339_nano(text)
    if nanos is None:
        raise UsageError("", f"invalid value for time {value!r}: use a timestamp, a date or a duration like 10m")
    return f"{nanos // 1_000_000_000}.{nanos % 1_000_000_000:09d}"
