"""``--env-file`` and ``--label-file``: a ``KEY=VALUE`` a line, as the docker CLI reads them.

Leading white space is dropped, trailing kept (it belongs to the value); blank lines and
``#`` comments are skipped. A bare ``KEY`` takes its value from the environment in an env
file and is left out when unset; a label file has no lookup, so a bare key is left out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sandbox.errors import UsageError


def read_kv_file(command: str, path: Path, shown: str,
                 lookup: Callable[[str], str | None] | None = None) -> list[str]:
    """The file's entries; ``shown`` is the path as the user gave it, for messages."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise UsageError(command, f"open {shown}: {(err.strerror or str(err)).lower()}") from None
    entries: list[str] = []
    for number, raw in enumerate(text.splitlines()):
        # A UTF-8 byte order mark (an editor's) is not part of the first name.
        line = (raw.removeprefix("\ufeff") if number == 0 else raw).lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, _ = line.partition("=")
        if not key:
            raise UsageError(command, f"invalid env file ({shown}): no variable name on line '{line}'")
        if any(ch.isspace() for ch in key):
            # docker says "env file" for a label file too: one parser serves both.
            raise UsageError(command, f"invalid env file ({shown}): variable '{key}' contains whitespaces")
        if sep:
            entries.append(line)
        elif lookup is not None and (value := lookup(key)) is not None:
            entries.append(f"{key}={value}")
    return entries
