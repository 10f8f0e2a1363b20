"""Variables, quotes and escapes in Dockerfile arguments, as Docker's shell lexer reads them."""

from __future__ import annotations

import pytest

from sandbox.errors import DockerfileParseError
from sandbox.images.build.lex import Lexer

ENV = {"A": "x", "EMPTY": "", "P": "/opt/app", "SP": "a b"}


@pytest.mark.parametrize(("text", "expected"), [
    ("$A", "x"),
    ("${A}y", "xy"),
    ("$A/y", "x/y"),
    ("$UNSET", ""),
    ("${UNSET:-default}", "default"),
    ("${EMPTY:-default}", "default"),
    ("${EMPTY-default}", ""),
    ("${A:-default}", "x"),
    ("${A:+set}", "set"),
    ("${UNSET:+set}", ""),
    ("${UNSET:-$P/bin}", "/opt/app/bin"),
    ('"$A and $P"', "x and /opt/app"),
    ("'$A'", "$A"),
    ("\\$A", "$A"),
    ("a\\ b", "a b"),
    ('"say \\"hi\\""', 'say "hi"'),
    ("$", "$"),
    ("cost: 5$", "cost: 5$"),
])
def test_word(text: str, expected: str) -> None:
    assert Lexer().word(text, ENV) == expected


def test_words_split_at_unquoted_blanks_only() -> None:
    assert Lexer().words('a "b c" $SP d\\ e', ENV) == ["a", "b c", "a b", "d e"]


def test_words_without_env_expands_nothing() -> None:
    assert Lexer().words("$A 'b c'", None) == ["$A", "b c"]


def test_backtick_escape() -> None:
    assert Lexer("`").word("C:`$A", ENV) == "C:$A"
    assert Lexer("`").word("a\\b", ENV) == "a\\b"


def test_raw_words_keep_quotes_for_key_value_pairs() -> None:
    assert Lexer().raw_words('A="x y" B=c\\ d') == ['A="x y"', "B=c\\ d"]


@pytest.mark.parametrize("text", ['"open', "'open", "${A", "${:-x}", "${A%x}"])
def test_malformed_text_names_the_line(text: str) -> None:
    with pytest.raises(DockerfileParseError) as err:
        Lexer(line=7).words(text, ENV)
    assert "line 7" in str(err.value)


def test_required_variable() -> None:
    with pytest.raises(DockerfileParseError, match="NEED: must be set"):
        Lexer().word("${NEED:?must be set}", ENV)
    assert Lexer().word("${A:?must be set}", ENV) == "x"
