"""Signal names as the Docker API takes them: ``KILL``, ``SIGKILL``, ``9``."""

from __future__ import annotations

import signal

from sandbox.errors import InvalidParameter


def parse_signal(value: str | int | None, default: str = "KILL") -> int:
    if value is None or value == "":
        value = default
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip().upper()
        if text.isdigit():
            number = int(text)
        else:
            name = text if text.startswith("SIG") else "SIG" + text
            member = getattr(signal.Signals, name, None) if name.isidentifier() else None
            if member is None:
                raise InvalidParameter(f"Invalid signal: {value}", "signal",
                                       "use a name like TERM or a number")
            number = int(member)
    if not 0 < number < signal.NSIG:
        raise InvalidParameter(f"Invalid signal: {value}", "signal", "use a name like TERM or a number")
    return number
