"""Completion for the shell line, composed from small completers.

    ThreadedCompleter(                       completion never runs in the UI's thread
      ShellCompleter(                        a NestedCompleter: the shell's own commands
        docker  -> DockerCompleter           subcommands and flags from the grammar;
                     leaves: FuzzyCompleter(LiveNames(kind))   names through the client
        explain -> DockerCompleter(optional "docker")
        show    -> layers|ns|cgroups|net -> FuzzyCompleter(LiveNames(kind))
        lessons -> lessons' subcommands -> lesson ids
        help    -> the shell's commands))

Subcommands and flags match by prefix, as in any shell; names match fuzzily (``w1``
finds ``web-1``), which is where typing less helps most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from prompt_toolkit.completion import (
    CompleteEvent,
    Completer,
    Completion,
    FuzzyCompleter,
    NestedCompleter,
    ThreadedCompleter,
    WordCompleter,
)
from prompt_toolkit.document import Document

from .grammar import CommandSpec, docker_tree, locate
from .kinds import CHOICES, EXTRA_NAMES, LIVE_KINDS
from .names import NameCache
from .words import current_word, split_words

Names = Callable[[str], tuple[str, ...]]


class LiveNames(Completer):
    """Every name of some kinds (``object`` = all kinds); the word under the cursor is the
    filter, applied by the FuzzyCompleter around it."""

    def __init__(self, names: Names, *kinds: str) -> None:
        self.names = names
        self.kinds = LIVE_KINDS if "object" in kinds else kinds

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        word = document.get_word_before_cursor(WORD=True)
        seen: set[str] = set()
        for kind in self.kinds:
            for name in (*self.names(kind), *EXTRA_NAMES.get(kind, ())):
                if name not in seen:
                    seen.add(name)
                    yield Completion(name, -len(word), display_meta=kind)


def fuzzy_names(names: Names, *kinds: str) -> Completer:
    return FuzzyCompleter(LiveNames(names, *kinds), WORD=True)


def _prefixed(word: str, candidates: Iterable[tuple[str, str]]) -> Iterable[Completion]:
    for text, meta in candidates:
        if text.startswith(word):
            yield Completion(text, -len(word), display_meta=meta)


class DockerCompleter(Completer):
    """Completes the words after ``docker``: where the line stands decides what comes."""

    def __init__(self, names: Names, tree: Callable[[], CommandSpec] = docker_tree,
                 optional_prefix: bool = False) -> None:
        self.names = names
        self.tree = tree
        self.optional_prefix = optional_prefix
        """For ``explain``: the line may or may not start with ``docker``."""

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        split = split_words(document.text_before_cursor)
        if split and split[-1].open_quote:
            return  # inside a quoted string: free text
        words, word = current_word(document.text_before_cursor)
        root = self.tree()
        if self.optional_prefix:
            if words and words[0] == "docker":
                words = words[1:]
            elif not words and "docker".startswith(word) and word:
                yield Completion("docker", -len(word), display_meta="the docker command")
        pos = locate(words, root)
        if pos.pending is not None:
            yield from self._value(pos.pending.kind, document)
            return
        if word.startswith("--") and "=" in word and not pos.stopped:
            yield from self._inline_value(pos.command, word)
            return
        if word.startswith("-") and not pos.stopped:
            yield from _prefixed(word, self._flag_words(pos.command, word))
            return
        if pos.command.subcommands and not pos.positionals:
            yield from _prefixed(word, ((name, spec.summary) for name, spec in sorted(pos.command.subcommands.items())))
            return
        if pos.stopped and pos.positionals > _fixed_args(pos.command):
            return  # the command inside the container: its words are its own
        yield from self._value(pos.command.arg_kind(pos.positionals), document)

    @staticmethod
    def _flag_words(command: CommandSpec, word: str) -> Iterable[tuple[str, str]]:
        for spec in command.flags:
            for name in spec.names:
                # `-` alone offers the long forms only: a menu of both would list each flag twice.
                if word == "-" and not name.startswith("--") and any(n.startswith("--") for n in spec.names):
                    continue
                yield name, spec.help

    def _inline_value(self, command: CommandSpec, word: str) -> Iterable[Completion]:
        name, _, partial = word.partition("=")
        spec = command.flag(name)
        if spec is None or spec.kind is None:
            return
        for completion in self._value(spec.kind, Document(partial)):
            yield Completion(f"{name}={completion.text}", -len(word), display_meta=completion.display_meta)

    def _value(self, kind: str | None, document: Document) -> Iterable[Completion]:
        if kind is None:
            return
        word = document.get_word_before_cursor(WORD=True)
        if kind in CHOICES:
            yield from _prefixed(word, ((c, kind) for c in CHOICES[kind]))
        elif kind == "container-path":
            # `docker cp web:/etc/hosts .`: a container name and a colon, then its path.
            if ":" not in word:
                for name in self.names("container"):
                    if name.startswith(word):
                        yield Completion(f"{name}:", -len(word), display_meta="container")
        elif kind in LIVE_KINDS or kind == "object":
            yield from fuzzy_names(self.names, kind).get_completions(Document(word), CompleteEvent())


def _fixed_args(command: CommandSpec) -> int:
    """How many positionals of a run-like command are docker's (the image for run, the
    container for exec) before the inner command begins."""
    return sum(1 for kind in command.args if not kind.isupper())


class ShellCompleter(NestedCompleter):
    """NestedCompleter that also shows what each of the shell's commands does."""

    def __init__(self, options: Mapping[str, Completer | None], meta: Mapping[str, str]) -> None:
        super().__init__(dict(options), ignore_case=False)
        self.meta = dict(meta)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        if " " in document.text_before_cursor.lstrip():
            yield from super().get_completions(document, complete_event)
            return
        words = WordCompleter(list(self.options), meta_dict=self.meta)
        yield from words.get_completions(document, complete_event)


LESSON_COMMANDS = ("list", "show", "start", "check", "hint", "solve", "reset", "progress")


class LessonIds(Completer):
    """Lesson ids: the folders of the lessons directory that hold a ``lesson.yaml``."""

    def __init__(self, lessons_dir: Callable[[], Path | None]) -> None:
        self.lessons_dir = lessons_dir

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        root = self.lessons_dir()
        if root is None or not root.is_dir():
            return
        word = document.get_word_before_cursor(WORD=True)
        try:
            ids = sorted(p.name for p in root.iterdir() if (p / "lesson.yaml").is_file())
        except OSError:
            return  # an unreadable directory has nothing to offer
        yield from _prefixed(word, ((i, "lesson") for i in ids))


def build_completer(cache: NameCache, commands: Mapping[str, str],
                    lessons_dir: Callable[[], Path | None] = lambda: None,
                    tree: Callable[[], CommandSpec] = docker_tree) -> Completer:
    """The shell's whole completer; ``commands`` maps the shell's commands to summaries."""
    names = cache.get
    lesson = LessonIds(lessons_dir)
    options: dict[str, Completer | None] = {name: None for name in commands}
    options.update({
        "docker": DockerCompleter(names, tree),
        "explain": DockerCompleter(names, tree, optional_prefix=True),
        "show": NestedCompleter({
            "layers": fuzzy_names(names, "image", "container"),
            "ns": fuzzy_names(names, "container"),
            "cgroups": fuzzy_names(names, "container"),
            "net": fuzzy_names(names, "network"),
        }),
        "lessons": NestedCompleter({sub: lesson if sub not in ("list", "progress") else None
                                    for sub in LESSON_COMMANDS}),
        "help": WordCompleter(sorted(commands)),
    })
    options = {name: completer for name, completer in options.items() if name in commands}
    return ThreadedCompleter(ShellCompleter(options, commands))
