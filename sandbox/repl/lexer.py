"""Colouring the line as it is typed: the shell's command, docker's subcommands, flags,
quoted strings, and a first word the shell does not know.

The lexer works from the words alone (no tree walk for anything but docker's
subcommands, which come from a set), because it runs on every keystroke in the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.lexers import Lexer

from .words import Word, split_words

SHOW_TOPICS = ("layers", "ns", "cgroups", "net")


class CommandLexer(Lexer):
    def __init__(self, commands: Collection[str],
                 docker_subcommands: Callable[[], Mapping[str, Collection[str]]]) -> None:
        self.commands = commands
        self.docker_subcommands = docker_subcommands
        """docker's subcommands, each with its own (``image`` -> ``ls``, ``rm`` …)."""

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        lines = document.lines

        def get_line(lineno: int) -> StyleAndTextTuples:
            return self.fragments(lines[lineno]) if lineno < len(lines) else []

        return get_line

    def fragments(self, line: str) -> StyleAndTextTuples:
        words = split_words(line)
        styles = self._styles(words)
        out: StyleAndTextTuples = []
        at = 0
        for word, style in zip(words, styles):
            if word.start > at:
                out.append(("", line[at:word.start]))
            out.append((style, line[word.start:word.end]))
            at = word.end
        if at < len(line):
            out.append(("", line[at:]))
        return out

    def _styles(self, words: list[Word]) -> list[str]:
        if not words:
            return []
        first = words[0].text
        styles = ["class:command" if first in self.commands else "class:unknown"]
        docker_words = words[1:]
        if first == "explain" and docker_words and docker_words[0].text == "docker":
            styles.append("class:command")
            docker_words = docker_words[1:]
        if first in ("docker", "explain"):
            styles += self._docker(docker_words)
        else:
            for i, word in enumerate(words[1:]):
                if word.quoted:
                    styles.append("class:string")
                elif word.text.startswith("-"):
                    styles.append("class:flag")
                elif i == 0 and (first in ("show", "lessons", "help")):
                    styles.append("class:subcommand")
                else:
                    styles.append("class:argument")
        return styles

    def _docker(self, words: list[Word]) -> list[str]:
        level: Mapping[str, Collection[str]] | Collection[str] = self.docker_subcommands()
        styles = []
        for i, word in enumerate(words):
            if word.quoted:
                styles.append("class:string")
            elif word.text.startswith("-") and word.text != "-":
                styles.append("class:flag")
            elif len(styles) == i and word.text in level:
                # Only leading words can be subcommands: `docker rm ps` removes a container named ps.
                styles.append("class:subcommand")
                level = level[word.text] if isinstance(level, Mapping) else ()
            else:
                styles.append("class:argument")
                level = ()
        return styles
