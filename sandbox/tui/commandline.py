"""Reading a typed ``docker …`` line: tokens, which subcommand, its flags and arguments.

Pure functions used by three things: the completer (what is being typed), the command
runner (is this interactive?), and the picture pane (what did the last command touch?).
They follow the grammar in ``completion/grammar.py`` and never raise on odd input: a line
that does not parse still yields what could be read from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .grammar import Command, docker


@dataclass(frozen=True)
class Tokens:
    words: tuple[str, ...]
    trailing_space: bool
    """True when the cursor is past the last word (a new word is starting)."""
    open_quote: bool = False


def tokenize(line: str) -> Tokens:
    """Shell-like words (quotes and backslashes) that tolerate an unfinished line."""
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quote: str | None = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"' and i + 1 < len(line):
                i += 1
                current.append(line[i])
            else:
                current.append(ch)
        elif ch in "'\"":
            quote = ch
            in_word = True
        elif ch == "\\" and i + 1 < len(line):
            i += 1
            current.append(line[i])
            in_word = True
        elif ch.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(ch)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    trailing = bool(line) and line[-1].isspace() and quote is None
    return Tokens(tuple(words), trailing or not line, quote is not None)


@dataclass
class Parsed:
    """A docker line read against the grammar."""

    path: tuple[str, ...] = ()
    """Subcommand path: ``("run",)``, ``("network", "create")``."""
    command: Command | None = None
    flags: dict[str, list[str]] = field(default_factory=dict)
    """Long flag name -> values (``[""]`` for a switch)."""
    args: list[str] = field(default_factory=list)
    unknown_flags: list[str] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return any(n in self.flags for n in names)

    def value(self, name: str) -> str | None:
        values = self.flags.get(name)
        return values[-1] if values else None

    @property
    def verb(self) -> str:
        """The last element of the path with the ``container``/``image`` group folded away:
        ``container run`` and ``run`` are both ``run``; ``image ls`` is ``images``."""
        if not self.path:
            return ""
        if len(self.path) >= 2 and self.path[0] in ("container", "image"):
            verb = self.path[1]
            if self.path[0] == "image":
                return {"ls": "images", "rm": "rmi", "inspect": "image-inspect"}.get(verb, verb)
            return {"ls": "ps"}.get(verb, verb)
        return " ".join(self.path[:2]) if self.path[0] in ("network", "volume", "system") else self.path[0]


def parse(words: tuple[str, ...] | list[str]) -> Parsed:
    """Read ``words`` (without or with a leading ``docker``) against the grammar."""
    words = list(words)
    if words and words[0] == "docker":
        words = words[1:]
    node = docker()
    out = Parsed(command=None)
    i = 0
    # Walk subcommands while the next word names one (flags before it are the top level's).
    while i < len(words) and words[i] in node.subcommands and not out.args:
        node = node.subcommands[words[i]]
        out.path += (words[i],)
        i += 1
    out.command = node if out.path else None
    while i < len(words):
        word = words[i]
        if out.args and _stops_at_first_arg(out):
            out.args.extend(words[i:])
            break
        if word == "--":
            out.args.extend(words[i + 1:])
            break
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word.partition("=")
            flag = node.flag(name)
            if flag is None:
                out.unknown_flags.append(name)
            elif flag.value is None:
                out.flags.setdefault(flag.long, []).append("")
            elif eq:
                out.flags.setdefault(flag.long, []).append(value)
            elif i + 1 < len(words):
                out.flags.setdefault(flag.long, []).append(words[i + 1])
                i += 1
            else:
                out.flags.setdefault(flag.long, [])
        elif word.startswith("-") and len(word) > 1:
            i = _short_cluster(node, words, i, out)
        else:
            out.args.append(word)
        i += 1
    return out


def _stops_at_first_arg(p: Parsed) -> bool:
    # After the image of `run` / the container of `exec`, everything is the program's argv.
    return p.verb in ("run", "create", "exec") and len(p.args) >= 1 and p.command is not None \
        and len(p.command.args) >= 2 and p.command.args[-1] == "COMMAND"


def _short_cluster(node: Command, words: list[str], i: int, out: Parsed) -> int:
    """``-it``, ``-dp 80:80``, ``-m32m``: switches until one takes a value (the rest of the
    word, else the next word)."""
    word = words[i]
    for j in range(1, len(word)):
        flag = node.flag("-" + word[j])
        if flag is None:
            out.unknown_flags.append("-" + word[j])
            return i
        if flag.value is None:
            out.flags.setdefault(flag.long, []).append("")
            continue
        rest = word[j + 1:]
        if rest:
            out.flags.setdefault(flag.long, []).append(rest)
        elif i + 1 < len(words):
            out.flags.setdefault(flag.long, []).append(words[i + 1])
            return i + 1
        else:
            out.flags.setdefault(flag.long, [])
        return i
    return i


def parse_line(line: str) -> Parsed:
    return parse(tokenize(line).words)


# -- what the TUI does with a parsed line ---------------------------------------------------


def is_interactive(p: Parsed) -> bool:
    """Commands that need the terminal: they read stdin, draw with a tty, or follow forever.
    The TUI suspends itself and hands them the terminal (and Ctrl-C)."""
    verb = p.verb
    if verb in ("run", "exec"):
        return p.has("--interactive", "--tty") and not p.has("--detach")
    if verb == "attach":
        return True
    if verb == "start":
        return p.has("--attach", "--interactive")
    if verb == "logs":
        return p.has("--follow")
    if verb == "events":
        return not p.has("--until")
    if verb == "stats":
        return not p.has("--no-stream")
    return False


@dataclass(frozen=True)
class Subject:
    """What a command was about, as far as the line and its output tell."""

    container: str | None = None
    image: str | None = None
    network: str | None = None


_ID = re.compile(r"^[0-9a-f]{64}$")

_ON_CONTAINER = {"exec", "start", "stop", "restart", "kill", "pause", "unpause", "attach", "logs", "top",
                 "stats", "update", "port", "wait", "diff", "export", "inspect", "commit", "rename"}
_ON_IMAGE = {"history", "pull", "push", "tag", "save", "image-inspect", "rmi", "images"}


def subject_of(p: Parsed, output: str = "") -> Subject:
    """The container / image / network the command acted on. For ``run -d`` without
    ``--name`` the engine's answer (the new id on the first line) names the container."""
    verb, args = p.verb, p.args
    if verb in ("run", "create"):
        container = p.value("--name")
        if container is None:
            first = output.strip().splitlines()[0].strip() if output.strip() else ""
            container = first if _ID.match(first) else None
        network = p.value("--network")
        if network in ("host", "none") or (network or "").startswith("container:"):
            network = None
        return Subject(container=container, image=args[0] if args else None, network=network)
    if verb in _ON_CONTAINER:
        return Subject(container=args[0] if args else None)
    if verb == "cp":
        for arg in args:
            if ":" in arg and not arg.startswith(("/", ".")):
                return Subject(container=arg.split(":", 1)[0])
        return Subject()
    if verb in _ON_IMAGE:
        if verb == "images":
            return Subject(image=args[0] if args else None)
        return Subject(image=args[0] if args else None)
    if verb == "build":
        return Subject(image=p.value("--tag"))
    if verb.startswith("network "):
        if verb in ("network connect", "network disconnect"):
            return Subject(network=args[0] if args else None, container=args[1] if len(args) > 1 else None)
        if verb in ("network create", "network inspect"):
            return Subject(network=args[0] if args else None)
    return Subject()


def guess_picture(p: Parsed) -> str | None:
    """The picture a command is most about, for steps that do not say (``show:``)."""
    verb = p.verb
    if verb in ("run", "create"):
        if p.has("--memory", "--cpus", "--cpu-quota", "--pids-limit", "--cpu-shares"):
            return "cgroups"
        if p.has("--publish", "--network", "--publish-all"):
            return "network"
        return "namespaces"
    if verb in ("update", "stats"):
        return "cgroups"
    if verb.startswith("network ") or verb == "port":
        return "network"
    if verb in ("history", "pull", "build", "commit", "diff", "images", "image-inspect", "tag", "cp"):
        return "layers"
    if verb in ("exec", "top"):
        return "namespaces"
    return None
