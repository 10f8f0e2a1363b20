"""The ``docker`` command tree the shell completes and highlights, read from the grammar
that runs the commands (``sandbox.commands.docker``'s registry and flag parsers).

Reading it from there keeps completion honest: the shell offers exactly the subcommands
and flags that ``docker …`` here accepts, and a new command shows up by itself. Building
the tree imports every command module, so it happens once, on first use, in the
completer's thread — never before the first prompt.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from sandbox.errors import SandboxError

from .kinds import ARGS, FLAG_VALUES, parse_args_spec


@dataclass(frozen=True)
class FlagSpec:
    names: tuple[str, ...]
    takes_value: bool
    help: str = ""
    kind: str | None = None
    """What the value names (see kinds.py); None for free text or a switch."""

    @property
    def long(self) -> str:
        return next((n for n in self.names if n.startswith("--")), self.names[0])


@dataclass(frozen=True, eq=False)
class CommandSpec:
    name: str
    summary: str = ""
    flags: tuple[FlagSpec, ...] = ()
    args: tuple[str, ...] = ()
    repeat: bool = False
    interspersed: bool = True
    """False for run/create/exec: flags stop at the first positional (the image, the
    container), and what follows belongs to the command inside."""
    subcommands: Mapping[str, CommandSpec] = field(default_factory=dict)

    def flag(self, name: str) -> FlagSpec | None:
        for spec in self.flags:
            if name in spec.names:
                return spec
        return None

    def arg_kind(self, position: int) -> str | None:
        if position < len(self.args):
            return self.args[position]
        return self.args[-1] if self.repeat and self.args else None


_GLOBAL_FLAGS = (
    FlagSpec(("-H", "--host"), True, "Daemon socket to connect to"),
    FlagSpec(("-v", "--version"), False, "Print version information and quit"),
    FlagSpec(("-h", "--help"), False, "Print usage"),
)


def _flags_of(parser: argparse.ArgumentParser) -> tuple[FlagSpec, ...]:
    flags = []
    for action in parser._actions:
        if not action.option_strings:
            continue
        names = tuple(action.option_strings)
        takes_value = action.nargs != 0
        kind = next((FLAG_VALUES[n] for n in names if n in FLAG_VALUES), None) if takes_value else None
        help_text = "Print usage" if action.dest == "_help" else (action.help or "")
        flags.append(FlagSpec(names, takes_value, help_text, kind))
    return tuple(flags)


def _leaf(name: str, entry: object) -> CommandSpec:
    parser = entry.parser()  # type: ignore[attr-defined]
    args, repeat = parse_args_spec(ARGS.get(entry.function, ""))  # type: ignore[attr-defined]
    return CommandSpec(name, entry.summary, _flags_of(parser), args, repeat,  # type: ignore[attr-defined]
                       getattr(parser, "interspersed", True))


@cache
def docker_tree() -> CommandSpec:
    """The whole tree, built once."""
    from sandbox.commands.docker import COMMANDS, GROUP_SUMMARIES, GROUPS

    top: dict[str, CommandSpec] = {name: _leaf(name, entry) for name, entry in COMMANDS.items()}
    for group, entries in GROUPS.items():
        subs = {name: _leaf(name, entry) for name, entry in entries.items()}
        top[group] = CommandSpec(group, GROUP_SUMMARIES.get(group, ""), (_GLOBAL_FLAGS[2],), subcommands=subs)
    return CommandSpec("docker", "A self-sufficient runtime for containers", _GLOBAL_FLAGS, subcommands=top)


@cache
def subcommand_names() -> dict[str, frozenset[str]]:
    """docker's subcommands and, for groups, theirs: from the registry alone, which is
    cheap to import (the lexer needs it on the first keystroke)."""
    from sandbox.commands.docker import COMMANDS, GROUPS

    names: dict[str, frozenset[str]] = {name: frozenset() for name in COMMANDS}
    names.update({group: frozenset(entries) for group, entries in GROUPS.items()})
    return names


# -- reading a line against the tree ---------------------------------------------------------


@dataclass
class Position:
    """Where a (possibly unfinished) docker line stands, for completion and highlighting."""

    command: CommandSpec
    path: tuple[str, ...] = ()
    positionals: int = 0
    """How many positional arguments the leaf has so far."""
    pending: FlagSpec | None = None
    """The last word was a flag that still waits for its value."""
    stopped: bool = False
    """Past the point where docker reads flags (``--``, or the image of ``run``)."""


def locate(words: Sequence[str], root: CommandSpec | None = None) -> Position:
    """Walk ``words`` (after ``docker``) down the tree and through the leaf's flags."""
    node = root or docker_tree()
    pos = Position(node)
    i = 0
    # docker's own flags come before the subcommand (`docker -H unix:///x ps`).
    while i < len(words) and words[i].startswith("-") and node.subcommands:
        spec = node.flag(words[i].split("=", 1)[0])
        i += 2 if spec is not None and spec.takes_value and "=" not in words[i] else 1
    if i > len(words):
        pos.pending = node.flag(words[-1])
        return pos
    while i < len(words) and words[i] in node.subcommands:
        node = node.subcommands[words[i]]
        pos.path += (words[i],)
        i += 1
    pos.command = node
    for word in words[i:]:
        _step(pos, word)
    return pos


def _step(pos: Position, word: str) -> None:
    node = pos.command
    if pos.pending is not None:
        pos.pending = None
        return
    if word == "--" and not pos.stopped:
        pos.stopped = True
        return
    if pos.stopped or word == "-" or not word.startswith("-"):
        pos.positionals += 1
        if not node.interspersed:
            pos.stopped = True
        return
    if word.startswith("--"):
        spec = node.flag(word.split("=", 1)[0])
        if spec is not None and spec.takes_value and "=" not in word:
            pos.pending = spec
        return
    # A cluster of short flags: the first one that takes a value eats the rest of the word
    # (`-p8080:80`) or, at the end of the word, the next word (`-it -p 80`).
    letters = word[1:]
    for j, letter in enumerate(letters):
        spec = node.flag("-" + letter)
        if spec is None:
            return
        if spec.takes_value:
            if j == len(letters) - 1:
                pos.pending = spec
            return


def is_interactive(argv: Sequence[str]) -> bool:
    """Does this docker command want the terminal (``run -it``, ``exec -i``, ``attach``,
    ``start -ai``)? Read with the command's own parser; a line that does not parse is not
    interactive (the command will say what is wrong)."""
    from sandbox.commands.docker import lookup
    from sandbox.commands.docker._args import HelpShown

    words = list(argv)
    if words and words[0] == "docker":
        words = words[1:]
    found = lookup(words)
    if found is None:
        return False
    _, entry, rest = found
    if entry.function == "attach":
        return "--help" not in rest
    try:
        ns = entry.parser().parse(rest, io.StringIO())
    except (SandboxError, HelpShown):
        return False
    if getattr(ns, "detach", False):
        return False
    return bool(getattr(ns, "interactive", False) or getattr(ns, "tty", False))
