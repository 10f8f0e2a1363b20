"""What a container's command does in the fake world — just enough busybox to run lessons.

A command either keeps running (``sleep 3600``, ``httpd -f``, a ``while true`` loop) or runs
to its end at once: ``echo`` prints, ``exit N`` ends with N, ``echo x > /f`` writes a file,
``cat /f`` prints one. Nothing else is simulated.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from .world import FakeContainer

LONG_RUNNING = ("httpd", "top", "nc", "tail")


@dataclass
class RunResult:
    finished: bool
    """False: the program keeps running."""
    code: int = 0
    output: str = ""
    oom: bool = False
    writes: dict[str, str] = field(default_factory=dict)


def run(argv: list[str], container: FakeContainer) -> RunResult:
    if not argv:
        return RunResult(True)
    name = argv[0].rsplit("/", 1)[-1]
    if name in ("sh", "bash", "ash") and len(argv) >= 3 and argv[1] == "-c":
        return _script(argv[2], container)
    if name in ("sh", "bash", "ash") and len(argv) == 1:
        return RunResult(True)  # no terminal and no stdin: the shell reads EOF and ends
    return _simple(argv, container)


def _simple(argv: list[str], container: FakeContainer) -> RunResult:
    name = argv[0].rsplit("/", 1)[-1]
    if name == "sleep":
        seconds = argv[1] if len(argv) > 1 else "0"
        long = seconds == "infinity" or (seconds.isdigit() and int(seconds) >= 5)
        return RunResult(not long)
    if name in LONG_RUNNING:
        if name == "tail" and "/dev/zero" in argv and container.memory:
            return RunResult(True, 137, oom=True)  # reads /dev/zero into memory until killed
        return RunResult(name == "tail" and "-f" not in argv)
    if name == "echo":
        return RunResult(True, 0, " ".join(argv[1:]) + "\n")
    if name == "true":
        return RunResult(True, 0)
    if name == "false":
        return RunResult(True, 1)
    if name == "exit":
        return RunResult(True, int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 0)
    if name == "cat" and len(argv) > 1:
        entry = container.files.get(argv[1])
        if entry is None:
            return RunResult(True, 1, f"cat: can't open '{argv[1]}': No such file or directory\n")
        return RunResult(True, 0, str(entry[2]))
    if name in ("touch", "mkdir"):
        for path in argv[1:]:
            if not path.startswith("-"):
                container.files[path] = [
                    "dir" if name == "mkdir" else "file",
                    0o755 if name == "mkdir" else 0o644,
                    "",
                ]
        return RunResult(True, 0)
    if name == "hostname":
        return RunResult(True, 0, container.id[:12] + "\n")
    return RunResult(True, 127, f"sh: {name}: not found\n")


def _tokens(part: str) -> list[str]:
    lexer = shlex.shlex(part, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _script(script: str, container: FakeContainer) -> RunResult:
    if re.search(r"\bwhile\s+(true|:)", script):
        return RunResult(False)
    output = ""
    for part in re.split(r"\s*(?:;|&&|\n)\s*", script.strip()):
        if not part:
            continue
        try:
            argv = _tokens(part)
        except ValueError:
            return RunResult(True, 2, f"sh: syntax error: {part}\n")
        target, mode = None, ">"
        for op in (">>", ">"):
            if op in argv and argv.index(op) + 1 < len(argv):
                i = argv.index(op)
                target, mode, argv = argv[i + 1], op, argv[:i]
                break
        result = _simple(argv, container)
        if not result.finished:
            return result
        if target is not None:
            old = container.files.get(target, ["file", 0o644, ""])[2] if mode == ">>" else ""
            container.files[target] = ["file", 0o644, old + result.output]
        else:
            output += result.output
        if result.code != 0 or (argv and argv[0] == "exit"):
            return RunResult(True, result.code, output, result.oom)
    return RunResult(True, 0, output)
