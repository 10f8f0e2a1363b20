"""Templates that must not parse, and the structure of those that do."""

import pytest

from sandbox.commands.gotemplate import Template, TemplateSyntaxError
from sandbox.commands.gotemplate.lexer import Kind, lex


def test_lexer_trims_around_dashes() -> None:
    tokens = lex("a  {{- .X -}}  b")
    assert [t.kind for t in tokens] == [Kind.TEXT, Kind.LEFT, Kind.FIELD, Kind.RIGHT, Kind.TEXT]
    assert tokens[0].value == "a" and tokens[-1].value == "b"


def test_negative_number_is_not_a_trim_marker() -> None:
    assert Template.parse("{{-3}}").execute(None) == "-3"


def test_string_escapes_follow_go() -> None:
    assert Template.parse(r'{{"a\tb\u00e9\x41\101"}}').execute(None) == "a\tbéAA"
    assert Template.parse("{{`raw\\n`}}").execute(None) == "raw\\n"


@pytest.mark.parametrize("source, problem", [
    ("{{.A", "unclosed action"),
    ("{{if .A}}x", "without {{end}}"),
    ("{{end}}", "unexpected {{end}}"),
    ("{{else}}", "unexpected {{else}}"),
    ('{{"abc}}', "unterminated quoted string"),
    ("{{$x}}", "undefined variable"),
    ("{{json.}}", "unexpected <.> in operand"),
    ("{{(.A}}", "unclosed left paren"),
    ("{{.A)}}", "unexpected right paren"),
    ("{{break}}", "outside {{range}}"),
    ("{{template \"x\"}}", "not supported"),
    ("{{/* open", "unclosed comment"),
    ("{{ | .A}}", "missing command"),
    ("{{ 1x }}", "bad number syntax"),
    ("{{ ~ }}", "unexpected '~'"),
])
def test_syntax_errors(source: str, problem: str) -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template.parse(source)
    assert problem in str(info.value)
    assert info.value.hint


def test_error_names_the_line() -> None:
    with pytest.raises(TemplateSyntaxError) as info:
        Template.parse("ok\nok\n{{.A")
    assert info.value.line == 3


def test_variables_are_scoped_to_their_block() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template.parse("{{if true}}{{$x := 1}}{{end}}{{$x}}")
    assert Template.parse("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}").execute(None) == "2"
