"""Splitting command lines: when a line is a plain argv and when it needs a shell.

``docker run -d busybox`` is a plain argv we can hand to the docker grammar in-process;
``docker ps | grep web`` or ``cd x && docker build .`` needs /bin/sh. Deciding by the
shell's own tokens (outside quotes) keeps ``sh -c 'a | b'`` a plain argv.
"""

from __future__ import annotations

import shlex

_OPERATORS = frozenset({"|", "||", "&", "&&", ";", ";;", "<", ">", ">>", "<<", "(", ")", ">&", "<&", "|&"})
_EXPANSIONS = ("$", "`", "*", "?", "~")


def needs_shell(line: str) -> bool:
    """True if ``line`` uses pipes, redirections, lists, globs or expansions."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return True
    if any(tok in _OPERATORS or set(tok) <= set("|&;<>()") for tok in tokens):
        return True
    # Expansions only matter outside single quotes; a cheap, safe test is whether they
    # survive in the unquoted-looking parts: re-split without posix quoting removal.
    raw = shlex.shlex(line, posix=False)
    raw.whitespace_split = True
    try:
        for tok in raw:
            if tok.startswith("'"):
                continue
            if any(ch in tok for ch in _EXPANSIONS):
                return True
    except ValueError:
        return True
    return False


def split(line: str) -> list[str]:
    """The argv of a plain line (shlex rules). Raises ValueError for unbalanced quotes."""
    return shlex.split(line)


def container_argv(command: str | list[str]) -> list[str]:
    """The argv to exec in a container: a list as is, a plain line split, else ``sh -c``."""
    if isinstance(command, list):
        return command
    if needs_shell(command):
        return ["sh", "-c", command]
    return split(command)


def is_docker_line(line: str) -> bool:
    stripped = line.lstrip()
    return stripped == "docker" or stripped.startswith("docker ")
