"""Parsing docker command lines the way the CLI does, for the fake docker: flags with and
without values, bundled short flags (``-dit``), sizes, and ``{{.Path}}`` templates."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


class DockerError(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


class Exit(DockerError):
    """A command that printed ``output`` and ended with ``code`` (docker run's exit code)."""

    def __init__(self, code: int, output: str) -> None:
        super().__init__(output, code)
        self.output = output


@dataclass
class Parsed:
    flags: dict[str, list[str]] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)

    def one(self, *names: str, default: str | None = None) -> str | None:
        for n in names:
            if n in self.flags:
                return self.flags[n][-1]
        return default

    def all(self, *names: str) -> list[str]:
        return [v for n in names for v in self.flags.get(n, [])]

    def has(self, *names: str) -> bool:
        return any(n in self.flags for n in names)


# Flags that take a value, per command; the rest are booleans.
VALUED = {
    "--name",
    "-m",
    "--memory",
    "--cpus",
    "--cpu-quota",
    "--pids-limit",
    "-e",
    "--env",
    "-v",
    "--volume",
    "-p",
    "--publish",
    "--network",
    "--net",
    "--restart",
    "-l",
    "--label",
    "--pid",
    "-w",
    "--workdir",
    "-h",
    "--hostname",
    "-t",
    "--time",
    "-s",
    "--signal",
    "-f",
    "--filter",
    "--format",
    "--driver",
    "-d",
    "--subnet",
    "--tail",
    "--entrypoint",
    "-u",
    "--user",
}
_BOOL_SHORT = set("dirqaPftv")


def parse(argv: list[str], valued: set[str], stop_at_positional: bool = False) -> Parsed:
    out = Parsed()
    i = 0
    while i < len(argv):
        arg = argv[i]
        if stop_at_positional and not arg.startswith("-"):
            out.args = argv[i:]
            return out
        if arg == "--":
            out.args.extend(argv[i + 1 :])
            return out
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in valued and not eq:
                i += 1
                if i >= len(argv):
                    raise DockerError(f"flag needs an argument: {name}", 125)
                value = argv[i]
            out.flags.setdefault(name, []).append(value if (eq or name in valued) else "true")
        elif arg.startswith("-") and len(arg) > 1:
            # -dit, -m64m, -p 80:80
            name = arg[:2]
            if name in valued:
                value = arg[2:]
                if not value:
                    i += 1
                    if i >= len(argv):
                        raise DockerError(f"flag needs an argument: {name}", 125)
                    value = argv[i]
                out.flags.setdefault(name, []).append(value)
            else:
                for ch in arg[1:]:
                    if ch not in _BOOL_SHORT:
                        raise DockerError(f"unknown shorthand flag: '{ch}' in {arg}", 125)
                    out.flags.setdefault("-" + ch, []).append("true")
        else:
            out.args.append(arg)
        i += 1
    return out


_SIZE = re.compile(r"^(\d+)([bkmg]?)$", re.IGNORECASE)


def size(text: str) -> int:
    m = _SIZE.match(text.strip())
    if not m:
        raise DockerError(f"invalid size: '{text}'", 125)
    return int(m.group(1)) * {"": 1, "b": 1, "k": 1024, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def template(fmt: str, doc: dict[str, Any]) -> str:
    """``{{.State.Status}}`` and ``{{json .Mounts}}`` only: enough for verify scripts."""

    def field_value(match: re.Match[str]) -> str:
        value: Any = doc
        for part in match.group(2).split("."):
            if part:
                value = value.get(part) if isinstance(value, dict) else None
        if match.group(1):
            return json.dumps(value, separators=(",", ":"))
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return "<no value>" if value is None else str(value)

    return re.sub(r"\{\{\s*(json\s+)?((?:\.[A-Za-z0-9_]+)+|\.)\s*\}\}", field_value, fmt)
