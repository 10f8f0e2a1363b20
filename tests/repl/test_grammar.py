"""The docker tree comes from the grammar that runs the commands; ``locate`` reads a line
against it; ``is_interactive`` decides who gets the terminal."""

import pytest

from sandbox.commands.docker import COMMANDS, GROUPS
from sandbox.repl.grammar import docker_tree, is_interactive, locate, subcommand_names


def test_the_tree_has_every_registered_command_and_group() -> None:
    tree = docker_tree()
    assert set(COMMANDS) | set(GROUPS) == set(tree.subcommands)
    assert set(GROUPS["image"]) == set(tree.subcommands["image"].subcommands)


def test_flags_come_from_the_commands_parsers_with_value_kinds() -> None:
    run = docker_tree().subcommands["run"]
    network = run.flag("--network")
    assert network is not None and network.takes_value and network.kind == "network"
    detach = run.flag("-d")
    assert detach is not None and not detach.takes_value
    assert not run.interspersed
    assert run.args[0] == "image"


def test_subcommand_names_match_the_registry() -> None:
    names = subcommand_names()
    assert "ps" in names and names["container"] == frozenset(GROUPS["container"])


@pytest.mark.parametrize("words, path, pending, positionals, stopped", [
    (["run", "--network"], ("run",), "--network", 0, False),
    (["run", "-it"], ("run",), None, 0, False),
    (["run", "-itp"], ("run",), "--publish", 0, False),
    (["run", "-p8080:80"], ("run",), None, 0, False),
    (["run", "--name=web", "busybox"], ("run",), None, 1, True),
    (["container", "rm", "-f", "web"], ("container", "rm"), None, 1, False),
    (["rm", "--", "-odd-name"], ("rm",), None, 1, True),
    (["-H", "unix:///x", "ps"], ("ps",), None, 0, False),
])
def test_locate(words: list[str], path: tuple[str, ...], pending: str | None, positionals: int,
                stopped: bool) -> None:
    pos = locate(words)
    assert pos.path == path
    assert (pos.pending.long if pos.pending else None) == pending
    assert pos.positionals == positionals
    assert pos.stopped == stopped


@pytest.mark.parametrize("argv, expected", [
    (["run", "-it", "busybox", "sh"], True),
    (["docker", "run", "-i", "busybox", "cat"], True),
    (["run", "busybox", "echo", "-it"], False),
    (["run", "-dit", "busybox"], False),
    (["exec", "-it", "web", "sh"], True),
    (["attach", "web"], True),
    (["ps", "-a"], False),
    (["run", "--bogus-flag", "busybox"], False),
    (["nonsense"], False),
])
def test_is_interactive(argv: list[str], expected: bool) -> None:
    assert is_interactive(argv) is expected
