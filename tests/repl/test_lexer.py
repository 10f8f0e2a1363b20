"""Highlighting: the shell's command, docker's subcommands, flags, strings, unknown words."""

from __future__ import annotations

from prompt_toolkit.document import Document

from sandbox.repl.grammar import subcommand_names
from sandbox.repl.lexer import CommandLexer

LEXER = CommandLexer({"docker", "show", "explain", "help"}, subcommand_names)


def styles(line: str) -> list[tuple[str, str]]:
    return [(style, text) for style, text in LEXER.fragments(line) if text.strip()]


def test_the_fragments_rebuild_the_line() -> None:
    line = '  docker  run -it   --name "my web" busybox  '
    assert "".join(text for _, text in LEXER.fragments(line)) == line


def test_docker_line() -> None:
    assert styles('docker run -it --name "my web" busybox sh') == [
        ("class:command", "docker"), ("class:subcommand", "run"), ("class:flag", "-it"), ("class:flag", "--name"),
        ("class:string", '"my web"'), ("class:argument", "busybox"), ("class:argument", "sh")]


def test_group_subcommands_and_a_container_named_like_a_command() -> None:
    assert styles("docker container ls")[1:] == [("class:subcommand", "container"), ("class:subcommand", "ls")]
    assert styles("docker rm ps")[1:] == [("class:subcommand", "rm"), ("class:argument", "ps")]
    assert styles("docker run ls")[2] == ("class:argument", "ls")


def test_unknown_first_word() -> None:
    assert styles("dokcer ps")[0] == ("class:unknown", "dokcer")


def test_explain_and_show() -> None:
    assert styles("explain docker stop web")[:3] == [("class:command", "explain"), ("class:command", "docker"),
                                                      ("class:subcommand", "stop")]
    assert styles("show ns web") == [("class:command", "show"), ("class:subcommand", "ns"), ("class:argument", "web")]


def test_an_unfinished_string_is_coloured_as_a_string() -> None:
    assert styles('docker run "unterminated')[-1] == ("class:string", '"unterminated')


def test_lex_document_serves_each_line() -> None:
    get_line = LEXER.lex_document(Document("docker ps"))
    assert get_line(0)[0] == ("class:command", "docker")
    assert get_line(5) == []
