"""The CLI reference, generated from the commands' own ``--help`` so it cannot drift.

- ``sandbox`` and its command groups: the top-level commands are read from
  ``sandbox --help``; every one is asked for ``--help`` through the console script's entry
  point (``sandbox.cli.main``) in a separate interpreter, and an argparse group's
  subcommands are found in its help and asked the same way.
- ``sandbox docker``: the command table (``sandbox.commands.docker.COMMANDS`` and
  ``GROUPS``), each rendered by calling the docker grammar's ``main([..., "--help"])``
  in-process (it writes to the stream it is given and needs no engine).

A command whose help cannot be produced is a problem (the build fails under ``--strict``).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .markdown import code_block

HELP_TIMEOUT = 60.0
"""Seconds the help driver may take for a whole batch (it needs a few)."""


@dataclass(frozen=True)
class Help:
    words: tuple[str, ...]
    """The command line without ``--help``: ``("sandbox", "runtime", "run")``."""
    text: str
    summary: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return " ".join(self.words)


@dataclass
class Reference:
    sandbox: list[Help] = field(default_factory=list)
    docker: list[Help] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def commands(self) -> list[str]:
        """Every command line the reference documents, aliases included."""
        names = [h.name for h in self.sandbox]
        for h in self.docker:
            names += [h.name, *h.aliases]
        return names


# -- sandbox … --help, in a fresh interpreter --------------------------------------------

_TOP_LINE = re.compile(r"^  (\S.*?)\s{2,}(\S.*)$")


def top_commands(usage: str) -> list[tuple[str, str]]:
    """(name, summary) for each command listed under ``commands:`` in ``sandbox --help``.
    ``up / down`` names two commands; ``learn [LESSON]`` and ``lessons ...`` one."""
    found: list[tuple[str, str]] = []
    inside = False
    for line in usage.splitlines():
        if line.strip() == "commands:":
            inside = True
            continue
        if inside and not line.strip():
            break
        m = _TOP_LINE.match(line) if inside else None
        if m:
            for part in m.group(1).split("/"):
                word = part.split()[0] if part.split() else ""
                if re.fullmatch(r"[a-z][a-z0-9-]*", word):
                    found.append((word, m.group(2).strip()))
    return found


_SUB_LINE = re.compile(r"^    ([a-z][a-z0-9-]*)(?:\s{2,}(\S.*))?$")


def argparse_subcommands(help_text: str) -> list[tuple[str, str]]:
    """(name, summary) for each subcommand argparse lists under ``positional arguments``
    (``metavar="COMMAND"`` puts them one per line, indented four spaces; a long name puts
    its summary on the next line)."""
    found: list[tuple[str, str]] = []
    section = ""
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith(" "):
            section = line.strip()
            continue
        if section != "positional arguments:":
            continue
        m = _SUB_LINE.match(line)
        if m:
            summary = m.group(2) or (lines[i + 1].strip() if i + 1 < len(lines) else "")
            found.append((m.group(1), summary))
    return found


def _environment(scratch: Path) -> dict[str, str]:
    env = dict(os.environ)
    # A fixed width makes argparse wrap the same way on every machine; the state paths point
    # at an empty scratch directory so that asking for help can touch nothing real.
    env.update(COLUMNS="100", LANG="C.UTF-8", SANDBOX_ROOT=str(scratch / "root"),
               SANDBOX_RUN=str(scratch / "run"))
    for name in ("SANDBOX_LANG", "SANDBOX_LESSONS", "DOCKER_HOST"):
        env.pop(name, None)
    return env


# One interpreter answers every ``--help``: ``sandbox.cli.main`` is the console script's
# entry point, so the text is exactly what a user sees, and forty interpreters (each
# importing the TUI or argparse again) would cost most of the build.
_DRIVER = """
import contextlib, io, json, sys, traceback
from sandbox.cli import main
answers = []
for argv in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--help"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception:
        code, err = 1, io.StringIO(traceback.format_exc())
    answers.append([code, out.getvalue(), err.getvalue()])
json.dump(answers, sys.__stdout__)
"""


def _ask(batch: list[tuple[str, ...]], cwd: Path, env: dict[str, str]) -> list[tuple[str, str | None]]:
    """(help text, problem or None) for ``sandbox WORDS --help``, for each WORDS."""
    argvs = [list(words[1:]) for words in batch]
    try:
        done = subprocess.run([sys.executable, "-c", _DRIVER], check=False, cwd=cwd, env=env, input=json.dumps(argvs),
                              capture_output=True, text=True, timeout=HELP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return [("", f"`sandbox … --help` did not finish within {HELP_TIMEOUT:.0f} s")] * len(batch)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return [("", f"the help driver failed: {last}")] * len(batch)
    answers: list[tuple[str, str | None]] = []
    for words, (code, out, err) in zip(batch, json.loads(done.stdout)):
        if code != 0 or not out.strip():
            last = (err.strip().splitlines() or ["no output"])[-1]
            answers.append((out, f"`{' '.join(words)} --help` exited {code}: {last}"))
        else:
            answers.append((out, None))
    return answers


def sandbox_help(repo: Path) -> tuple[list[Help], list[str]]:
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sandbox-docs-") as scratch:
        env = _environment(Path(scratch))
        ((top_text, problem),) = _ask([("sandbox",)], repo, env)
        if problem:
            return [], [problem]
        tops = [(("sandbox", name), summary) for name, summary in top_commands(top_text)]
        first = _ask([words for words, _ in tops], repo, env)
        subs: list[tuple[tuple[str, ...], str]] = []
        for (words, _), (text, _problem) in zip(tops, first):
            subs += [((*words, name), summary) for name, summary in argparse_subcommands(text)]
        second = _ask([words for words, _ in subs], repo, env) if subs else []
    helps = [Help(("sandbox",), top_text, "A terminal classroom for Docker and Kubernetes")]
    by_parent: dict[tuple[str, ...], list[Help]] = {}
    for (words, summary), (text, problem) in zip(subs, second):
        if problem:
            problems.append(problem)
        by_parent.setdefault(words[:-1], []).append(Help(words, text, summary))
    for (words, summary), (text, problem) in zip(tops, first):
        if problem:
            problems.append(problem)
        helps.append(Help(words, text, summary))
        helps += by_parent.get(words, [])
    return helps, problems


# -- sandbox docker …, from the command table ----------------------------------------------


def _docker_help(words: list[str]) -> tuple[str, str | None]:
    from sandbox.commands.docker import main

    out, err = io.StringIO(), io.StringIO()
    try:
        code = main([*words, "--help"], stdout=out, stderr=err, env={"DOCKER_HOST": "unix:///nonexistent"})
    except (ImportError, AttributeError) as e:
        # The table names a module or parser function that is not there: a broken entry,
        # reported (and failing a strict build) rather than crashing the whole site.
        return "", f"`sandbox docker {' '.join(words)} --help`: the command table's entry is broken: {e}"
    if code != 0 or not out.getvalue().strip():
        return out.getvalue(), f"`sandbox docker {' '.join(words)} --help` exited {code}: {err.getvalue().strip()}"
    return out.getvalue(), None


def docker_help() -> tuple[list[Help], list[str]]:
    from sandbox.commands.docker import COMMANDS, GROUPS

    helps: list[Help] = []
    problems: list[str] = []

    def add(words: list[str], summary: str, aliases: Iterable[str] = ()) -> None:
        text, problem = _docker_help(words)
        if problem:
            problems.append(problem)
        helps.append(Help(("sandbox", "docker", *words), text, summary, tuple(aliases)))

    text, problem = _docker_help([])
    helps.append(Help(("sandbox", "docker"), text, "docker's grammar on the engine's API"))
    problems += [problem] if problem else []
    for name, entry in sorted(COMMANDS.items()):
        add([name], entry.summary)
    for group, members in GROUPS.items():
        add([group], f"docker {group} COMMAND")
        # Aliases (``container ls|list|ps``) share one entry: one section, every name listed.
        seen: dict[int, list[str]] = {}
        for sub, entry in members.items():
            seen.setdefault(id(entry), []).append(sub)
        for names in seen.values():
            entry = members[names[0]]
            add([group, names[0]], entry.summary,
                (f"sandbox docker {group} {alias}" for alias in names[1:]))
    return helps, problems


def build_reference(repo: Path) -> Reference:
    sandbox, problems = sandbox_help(repo)
    docker, docker_problems = docker_help()
    return Reference(sandbox, docker, problems + docker_problems)


# -- pages ----------------------------------------------------------------------------


def _anchor(words: tuple[str, ...]) -> str:
    return "-".join(words)


def _section(h: Help, level: int) -> list[str]:
    out = [f"{'#' * level} {h.name} {{#{_anchor(h.words)}}}", ""]
    if h.summary:
        out += [h.summary[:1].upper() + h.summary[1:], ""]
    if h.aliases:
        out += ["Also: " + ", ".join(f"`{a}`" for a in h.aliases), ""]
    out += [code_block(h.text.strip("\n") or "(no help text)", "text"), ""]
    return out


def render_sandbox(ref: Reference) -> str:
    out = [
        "# The sandbox command",
        "",
        "Generated at build time from each command's `--help`, so it matches the installed",
        "program. `sandbox docker …` has [its own page](docker-cli.md).",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for h in ref.sandbox[1:]:
        if len(h.words) == 2:
            out.append(f"| [`{h.name}`](#{_anchor(h.words)}) | {h.summary} |")
    out += ["", *_section(ref.sandbox[0], 2)] if ref.sandbox else [""]
    for h in ref.sandbox[1:]:
        out += _section(h, 2 if len(h.words) == 2 else 3)
    return "\n".join(out)


def render_docker(ref: Reference) -> str:
    out = [
        "# sandbox docker",
        "",
        "Our own `docker` command: docker's grammar, flags and output formats, talking to the",
        "engine through `sandbox.client`. The TUI and the REPL run the same grammar. The real",
        "docker CLI works too (`eval \"$(sandbox env)\"`); see the",
        "[Docker API compatibility](docker-api.md) for what the engine answers.",
        "",
        "Generated at build time from the command table and each command's `--help`.",
        "",
        "| command | what it does |",
        "|---|---|",
    ]
    for h in ref.docker[1:]:
        names = ", ".join([f"`{h.name}`", *(f"`{a}`" for a in h.aliases)])
        out.append(f"| [{names}](#{_anchor(h.words)}) | {h.summary} |")
    if ref.docker:
        out += ["", *_section(ref.docker[0], 2)]
    for h in ref.docker[1:]:
        out += _section(h, 2 if len(h.words) == 3 else 3)
    return "\n".join(out)
