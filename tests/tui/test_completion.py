from __future__ import annotations

from sandbox.tui.backend.types import Names
from sandbox.tui.completion import complete

NAMES = Names(containers=("web", "hog"), images=("busybox:latest", "debian:bookworm"), volumes=("data",),
              networks=("bridge", "app"))


def test_the_first_word_is_docker() -> None:
    assert complete("", NAMES).candidates == ("docker",)
    assert complete("do", NAMES).apply("do") == "docker "
    assert complete("kubectl g", NAMES).candidates == ()


def test_subcommands_and_groups() -> None:
    assert complete("docker r", NAMES).candidates == ("rename", "restart", "rm", "rmi", "run")
    assert complete("docker network c", NAMES).candidates == ("connect", "create")
    assert complete("docker image h", NAMES).apply("docker image h") == "docker image history "


def test_flags_long_and_short() -> None:
    result = complete("docker run --me", NAMES)
    assert result.candidates == ("--memory", "--memory-reservation", "--memory-swap")
    assert result.apply("docker run --me") == "docker run --memory"
    assert "--detach" in complete("docker run -", NAMES).candidates
    assert complete("docker ps -q", NAMES).candidates == ("-q",)


def test_live_names_by_position_and_by_flag() -> None:
    assert complete("docker exec w", NAMES).apply("docker exec w") == "docker exec web "
    assert complete("docker run -d b", NAMES).candidates == ("busybox:latest",)
    assert complete("docker run --network ", NAMES).candidates == ("bridge", "app")
    assert complete("docker network connect app ", NAMES).candidates == ("web", "hog")
    assert complete("docker volume rm ", NAMES).candidates == ("data",)


def test_names_already_given_are_not_offered_again() -> None:
    assert complete("docker stop web ", NAMES).candidates == ("hog",)


def test_copy_paths_end_in_a_colon_and_keep_the_word_open() -> None:
    result = complete("docker cp w", NAMES)
    assert result.candidates == ("web:",)
    assert result.apply("docker cp w") == "docker cp web:"


def test_nothing_to_offer() -> None:
    assert complete("docker run -m ", NAMES).candidates == ()  # a size is free text
    assert complete("docker run busybox ", NAMES).candidates == ()  # the program's argv
    assert complete("docker run 'open quote", NAMES).candidates == ()
    assert complete("docker exec x", NAMES).suggestion("docker exec x") is None


def test_suggestion_is_the_completed_line() -> None:
    assert complete("docker ex", NAMES).suggestion("docker ex") is None or \
        complete("docker ex", NAMES).suggestion("docker ex").startswith("docker ex")
    assert complete("docker exec h", NAMES).suggestion("docker exec h") == "docker exec hog "
