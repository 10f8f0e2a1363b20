"""Read a Dockerfile into stages of instructions.

``dockerfile-parse`` does the line work: comments, continuation lines and the ``# escape=``
directive. It accepts any word as an instruction and silently drops a line with a single
word, so this module adds what Docker checks: known instructions only, each with its
arguments, flags (``--from=``, ``--chown=``) that the instruction takes, FROM first.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field

from sandbox.errors import DockerfileParseError

INSTRUCTIONS = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
                "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")
FLAGS: dict[str, tuple[str, ...]] = {
    "ADD": ("chown", "chmod"),
    "COPY": ("from", "chown", "chmod"),
    "FROM": ("platform",),
    "HEALTHCHECK": ("interval", "timeout", "start-period", "start-interval", "retries"),
}
"""The flags each instruction takes; any other ``--flag`` is an error, as in Docker."""

_ESCAPE_DIRECTIVE = re.compile(r"^\s*#\s*escape\s*=\s*(\\|`)\s*$", re.IGNORECASE)
_FLAG = re.compile(r"^--([A-Za-z][A-Za-z0-9-]*)(?:=(.*))?$")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    """Upper case: ``RUN``."""
    args: str
    """The text after the keyword and its flags, continuation lines joined."""
    line: int
    """1-based line where the instruction starts."""
    original: str
    """As written (keyword in its own case), for ``Step 2/6 : …``."""
    flags: dict[str, str] = field(default_factory=dict)
    """``--from=builder`` -> {"from": "builder"}: raw, variables not yet expanded."""

    @property
    def json_args(self) -> list[str] | None:
        """The exec (JSON array of strings) form, or None for the shell form. Like Docker,
        text that is not a valid JSON string array is taken as the shell form."""
        text = self.args.strip()
        if not text.startswith("["):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None


@dataclass
class Stage:
    index: int
    base: str
    """The FROM argument as written (expanded with the meta ARGs when the stage runs)."""
    name: str | None
    """``AS name``, lower-cased as Docker does."""
    from_: Instruction
    instructions: list[Instruction] = field(default_factory=list)


@dataclass
class Dockerfile:
    meta_args: list[Instruction]
    """ARG instructions before the first FROM: they may be used in FROM lines only."""
    stages: list[Stage]
    escape: str = "\\"

    def stage_index(self, name: str) -> int | None:
        for stage in self.stages:
            if stage.name == name.lower():
                return stage.index
        return None


def _escape_char(text: str) -> str:
    for line in text.splitlines():
        m = _ESCAPE_DIRECTIVE.match(line)
        if m:
            return m.group(1)
        if not re.match(r"^\s*#\s*\w+\s*=", line):
            break  # directives only come first
    return "\\"


def _split_flags(keyword: str, args: str, line: int) -> tuple[dict[str, str], str]:
    flags: dict[str, str] = {}
    rest = args.lstrip()
    while rest.startswith("--"):
        word, _, after = rest.partition(" ")
        m = _FLAG.match(word)
        if m is None:
            raise DockerfileParseError(line, f"invalid flag {word!r}")
        name, value = m.group(1).lower(), m.group(2)
        if name not in FLAGS.get(keyword, ()):
            raise DockerfileParseError(line, f"Unknown flag: {name}")
        if value is None:
            raise DockerfileParseError(line, f"missing a value on flag: {name}")
        if name in flags:
            raise DockerfileParseError(line, f"Duplicate flag specified: {name}")
        flags[name] = value
        rest = after.lstrip()
    return flags, rest


def _covered_lines(structure: list[dict]) -> set[int]:
    covered: set[int] = set()
    for item in structure:
        covered.update(range(item["startline"], item["endline"] + 1))
    return covered


def _stray_line(text: str, structure: list[dict]) -> None:
    """A non-blank line no instruction covers is one word alone (``RUN``, ``FORM``), which
    the parser drops without a word: name it as Docker would."""
    covered = _covered_lines(structure)
    for number, line in enumerate(text.splitlines()):
        word = line.strip()
        if number in covered or not word or word.startswith("#"):
            continue
        keyword = word.split()[0].upper()
        if keyword in INSTRUCTIONS:
            raise DockerfileParseError(number + 1, f"{keyword} requires at least one argument")
        raise DockerfileParseError(number + 1, f"unknown instruction: {word.split()[0]}")


def _instruction(item: dict, escape: str) -> Instruction:
    from sandbox.images.build.lex import Lexer

    keyword = item["instruction"]
    line = item["startline"] + 1
    first = item["content"].lstrip().split(None, 1)[0]
    if keyword not in INSTRUCTIONS:
        raise DockerfileParseError(line, f"unknown instruction: {first}")
    value = item["value"] or ""
    flags, rest = _split_flags(keyword, value, line)
    if not rest.strip():
        raise DockerfileParseError(line, f"{keyword} requires at least one argument")
    if escape != "\\" and keyword not in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
        Lexer(escape, line).raw_words(rest)  # unbalanced quotes are a parse error
    original = f"{first} {' '.join(value.split())}" if keyword not in ("RUN", "CMD", "ENTRYPOINT") \
        else f"{first} {value.strip()}"
    return Instruction(keyword=keyword, args=rest.strip(), line=line, original=original, flags=flags)


def _stage_header(instr: Instruction, index: int) -> Stage:
    words = instr.args.split()
    if len(words) == 3 and words[1].lower() == "as":
        name = words[2].lower()
        if not re.match(r"^[a-z][a-z0-9._-]*$", name):
            raise DockerfileParseError(instr.line, f"invalid name for build stage: {words[2]!r}, "
                                                   "name can't start with a number or contain symbols")
        return Stage(index=index, base=words[0], name=name, from_=instr)
    if len(words) != 1:
        raise DockerfileParseError(instr.line, "FROM requires either one or three arguments")
    return Stage(index=index, base=words[0], name=None, from_=instr)


def parse(text: str, filename: str = "Dockerfile") -> Dockerfile:
    """Parse Dockerfile text; raises DockerfileParseError naming the line."""
    from dockerfile_parse import DockerfileParser

    if not text.strip():
        raise DockerfileParseError(0, f"the Dockerfile ({filename}) cannot be empty")
    escape = _escape_char(text)
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    structure = [s for s in parser.structure if s["instruction"] != "COMMENT"]
    _stray_line(text, parser.structure)
    meta: list[Instruction] = []
    stages: list[Stage] = []
    for item in structure:
        instr = _instruction(item, escape)
        if instr.keyword == "FROM":
            stage = _stage_header(instr, len(stages))
            if stage.name and any(s.name == stage.name for s in stages):
                raise DockerfileParseError(instr.line, f"duplicate name {stage.name!r}")
            stages.append(stage)
        elif not stages:
            if instr.keyword != "ARG":
                raise DockerfileParseError(instr.line, "no build stage in current context",
                                           "a Dockerfile starts with FROM (only ARG may come before it)")
            meta.append(instr)
        else:
            stages[-1].instructions.append(instr)
    if not stages:
        raise DockerfileParseError(0, "no build stage in current context",
                                   "a Dockerfile starts with FROM (only ARG may come before it)")
    return Dockerfile(meta_args=meta, stages=stages, escape=escape)


def parse_line(text: str) -> Instruction:
    """One instruction on its own (``docker commit --change 'CMD ["x"]'``)."""
    df = parse("FROM scratch\n" + text.replace("\n", " ") + "\n", "change")
    found = [i for stage in df.stages[1:] for i in (stage.from_, *stage.instructions)]
    found = [*df.stages[0].instructions, *found]
    if len(found) != 1:
        raise DockerfileParseError(0, f"{text!r} is not one instruction")
    return found[0]
