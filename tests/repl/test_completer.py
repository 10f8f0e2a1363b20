"""Completion, tested the prompt_toolkit way: a Document and a CompleteEvent."""

from __future__ import annotations

import pytest
from prompt_toolkit.completion import CompleteEvent, Completer, ThreadedCompleter
from prompt_toolkit.document import Document

from sandbox.repl.completer import build_completer
from sandbox.repl.names import NameCache

LIVE = {"container": ["web", "web-1", "db"], "image": ["busybox:latest", "web:1"],
        "volume": ["data"], "network": ["app"]}
COMMANDS = {"docker": "run docker", "lessons": "lessons", "explain": "trace it", "show": "pictures",
            "reset": "undo", "help": "help", "exit": "leave"}


@pytest.fixture
def fetched() -> list[str]:
    return []


@pytest.fixture
def completer(fetched: list[str], tmp_path) -> Completer:
    (tmp_path / "first-container").mkdir()
    (tmp_path / "first-container" / "lesson.yaml").write_text("id: first-container\n")
    (tmp_path / "not-a-lesson").mkdir()

    def fetch(kind: str) -> list[str]:
        fetched.append(kind)
        return LIVE[kind]

    return build_completer(NameCache(fetch), COMMANDS, lambda: tmp_path)


def complete(completer: Completer, text: str) -> list[str]:
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent(completion_requested=True))]


def test_the_whole_completer_is_threaded(completer: Completer) -> None:
    assert isinstance(completer, ThreadedCompleter)


def test_first_word_offers_the_shells_commands_with_what_they_do(completer: Completer) -> None:
    found = list(completer.get_completions(Document("e"), CompleteEvent()))
    assert [c.text for c in found] == ["explain", "exit"]
    assert found[0].display_meta_text == "trace it"


def test_docker_subcommands_by_prefix(completer: Completer) -> None:
    assert complete(completer, "docker r") == ["rename", "restart", "rm", "rmi", "run"]
    assert "container" in complete(completer, "docker ")
    assert complete(completer, "docker container l") == ["list", "logs", "ls"]


def test_flags_by_prefix_from_the_commands_parser(completer: Completer) -> None:
    assert complete(completer, "docker run --ne") == ["--network", "--net", "--network-alias"]
    assert complete(completer, "docker ps --fo") == ["--format"]
    assert complete(completer, "docker ps --nope") == []


def test_a_lone_dash_lists_long_forms_once(completer: Completer) -> None:
    found = complete(completer, "docker ps -")
    assert "--all" in found and "-a" not in found


def test_flag_values_complete_from_live_names_and_fixed_choices(completer: Completer) -> None:
    assert complete(completer, "docker run --network ") == ["app", "bridge", "host", "none"]
    assert complete(completer, "docker run --network=a") == ["--network=app"]
    assert complete(completer, "docker kill -s SIGK") == ["SIGKILL"]
    assert complete(completer, "docker run --restart u") == ["unless-stopped"]


def test_positionals_complete_from_live_names(completer: Completer) -> None:
    assert complete(completer, "docker stop ") == ["db", "web", "web-1"]
    assert complete(completer, "docker run -it ") == ["busybox:latest", "web:1"]
    assert complete(completer, "docker container rm -f ") == ["db", "web", "web-1"]
    assert complete(completer, "docker cp w") == ["web:", "web-1:"]


def test_names_match_fuzzily(completer: Completer) -> None:
    assert complete(completer, "docker rm w1") == ["web-1"]
    assert complete(completer, "docker rm zz") == []


def test_nothing_is_offered_for_the_command_inside_a_container(completer: Completer) -> None:
    assert complete(completer, "docker run busybox:latest ") == []
    assert complete(completer, "docker run busybox:latest ls -") == []
    assert complete(completer, "docker exec web ") == []


def test_nothing_inside_an_open_quote(completer: Completer) -> None:
    assert complete(completer, 'docker ps --format "{{.') == []


def test_explain_takes_a_docker_line_with_or_without_docker(completer: Completer) -> None:
    assert complete(completer, "explain do") == ["docker"]
    assert complete(completer, "explain docker ru") == ["run"]
    assert complete(completer, "explain ru") == ["run"]


def test_show_topics_and_their_names(completer: Completer) -> None:
    assert complete(completer, "show ") == ["layers", "ns", "cgroups", "net"]
    assert complete(completer, "show ns d") == ["db"]
    assert complete(completer, "show net ") == ["app", "bridge", "host", "none"]
    assert set(complete(completer, "show layers ")) == {"busybox:latest", "web:1", "db", "web", "web-1"}


def test_lessons_subcommands_and_ids(completer: Completer) -> None:
    assert complete(completer, "lessons st") == ["start"]
    assert complete(completer, "lessons start ") == ["first-container"]


def test_names_are_fetched_once_per_kind_while_fresh(completer: Completer, fetched: list[str]) -> None:
    complete(completer, "docker stop ")
    complete(completer, "docker rm ")
    assert fetched == ["container"]
