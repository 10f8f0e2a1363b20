from __future__ import annotations

import pytest

from sandbox.tui.commandline import Subject, guess_picture, is_interactive, parse_line, subject_of, tokenize

HOG_ID = "a" * 64


def test_tokenize_handles_quotes_escapes_and_unfinished_lines() -> None:
    assert tokenize("docker run busybox sh -c 'echo hi; exit 3'").words == (
        "docker", "run", "busybox", "sh", "-c", "echo hi; exit 3")
    assert tokenize('echo "a \\"b\\"" c\\ d').words == ("echo", 'a "b"', "c d")
    open_quote = tokenize("docker run 'unfinished")
    assert open_quote.open_quote and not open_quote.trailing_space
    assert tokenize("docker ").trailing_space
    assert tokenize("").words == () and tokenize("").trailing_space


@pytest.mark.parametrize("line, path, flags, args", [
    ("docker run -it busybox sh", ("run",), {"--interactive", "--tty"}, ["busybox", "sh"]),
    ("docker run -dp 8080:80 --name=web busybox httpd -f", ("run",), {"--detach", "--publish", "--name"},
     ["busybox", "httpd", "-f"]),
    ("docker run -m32m busybox", ("run",), {"--memory"}, ["busybox"]),
    ("docker network create --subnet 10.9.0.0/24 app", ("network", "create"), {"--subnet"}, ["app"]),
    ("docker container ls -a", ("container", "ls"), {"--all"}, []),
])
def test_parse_reads_flags_and_arguments(line: str, path: tuple[str, ...], flags: set[str], args: list[str]) -> None:
    parsed = parse_line(line)
    assert parsed.path == path
    assert set(parsed.flags) == flags
    assert parsed.args == args


def test_parse_leaves_the_programs_own_flags_alone() -> None:
    parsed = parse_line("docker exec web sh -c 'ls -l /'")
    assert parsed.args == ["web", "sh", "-c", "ls -l /"]
    assert "-c" not in parsed.flags and not parsed.unknown_flags


def test_parse_collects_unknown_flags_instead_of_failing() -> None:
    parsed = parse_line("docker ps --bogus -Z")
    assert parsed.unknown_flags == ["--bogus", "-Z"]
    assert parse_line("not-docker at all").path == ()


@pytest.mark.parametrize("line, interactive", [
    ("docker run -it busybox sh", True),
    ("docker run -i busybox cat", True),
    ("docker run -dit busybox sh", False),
    ("docker exec -it web sh", True),
    ("docker exec web ps", False),
    ("docker attach web", True),
    ("docker logs -f web", True),
    ("docker logs web", False),
    ("docker events", True),
    ("docker events --until 0s", False),
    ("docker stats --no-stream", False),
    ("docker start -ai web", True),
    ("docker ps", False),
])
def test_is_interactive(line: str, interactive: bool) -> None:
    assert is_interactive(parse_line(line)) is interactive


def test_subject_of_names_what_the_command_touched() -> None:
    assert subject_of(parse_line("docker run -d --name hog -m 32m busybox sh")) == Subject("hog", "busybox")
    assert subject_of(parse_line("docker run -d busybox true"), HOG_ID + "\n") == Subject(HOG_ID, "busybox")
    assert subject_of(parse_line("docker run -d busybox true"), "not an id\n") == Subject(None, "busybox")
    assert subject_of(parse_line("docker run --network app busybox")).network == "app"
    assert subject_of(parse_line("docker run --network host busybox")).network is None
    assert subject_of(parse_line("docker exec web ps")) == Subject(container="web")
    assert subject_of(parse_line("docker history hello:1")) == Subject(image="hello:1")
    assert subject_of(parse_line("docker network connect app web")) == Subject("web", None, "app")
    assert subject_of(parse_line("docker cp web:/etc/passwd .")) == Subject(container="web")
    assert subject_of(parse_line("docker ps")) == Subject()


@pytest.mark.parametrize("line, picture", [
    ("docker run -d -m 32m busybox", "cgroups"),
    ("docker run -d -p 80:80 busybox", "network"),
    ("docker run -d busybox", "namespaces"),
    ("docker update --cpus 1 web", "cgroups"),
    ("docker network create app", "network"),
    ("docker history busybox", "layers"),
    ("docker diff web", "layers"),
    ("docker ps", None),
])
def test_guess_picture(line: str, picture: str | None) -> None:
    assert guess_picture(parse_line(line)) == picture
