"""Splitting a typed line: spans for the lexer, argv for running, the word at the cursor."""

import pytest

from sandbox.errors import ReplUsageError
from sandbox.repl.words import argv, current_word, split_words


def test_words_keep_their_spans_and_lose_their_quotes() -> None:
    line = 'docker run --name "my web"  busybox'
    words = split_words(line)
    assert [w.text for w in words] == ["docker", "run", "--name", "my web", "busybox"]
    assert [line[w.start:w.end] for w in words] == ["docker", "run", "--name", '"my web"', "busybox"]
    assert [w.quoted for w in words] == [False, False, False, True, False]


def test_escapes_and_single_quotes() -> None:
    assert argv(r"echo a\ b 'c \d' " + '"e\\"f"') == ["echo", "a b", "c \\d", 'e"f']


def test_an_open_quote_is_part_of_the_last_word_while_typing() -> None:
    words = split_words('docker run "hello wor')
    assert words[-1].text == "hello wor"
    assert words[-1].open_quote


def test_a_finished_line_with_an_open_quote_is_a_usage_error() -> None:
    with pytest.raises(ReplUsageError, match="quote is not closed"):
        argv('docker run "oops')


@pytest.mark.parametrize("before, expected", [
    ("", ([], "")),
    ("docker", ([], "docker")),
    ("docker ", (["docker"], "")),
    ("docker run -", (["docker", "run"], "-")),
])
def test_current_word(before: str, expected: tuple[list[str], str]) -> None:
    assert current_word(before) == expected
