import pytest

from sandbox.commands.docker._refs import parse_normalized, split_repo_tag
from sandbox.commands.docker._relay import DEFAULT_DETACH_KEYS, EscapeWatcher, parse_detach_keys


def test_detach_sequence_is_found_and_swallowed() -> None:
    watcher = EscapeWatcher(b"\x10\x11")
    assert watcher.feed(b"ls\r") == (b"ls\r", False)
    assert watcher.feed(b"\x10") == (b"", False)           # held back: could be the start
    assert watcher.feed(b"\x11") == (b"", True)


def test_partial_match_is_released_when_it_turns_out_not_to_be() -> None:
    watcher = EscapeWatcher(b"\x10\x11")
    assert watcher.feed(b"\x10x") == (b"\x10x", False)


@pytest.mark.parametrize("spec, expected", [
    ("ctrl-p,ctrl-q", b"\x10\x11"), ("ctrl-a", b"\x01"), ("a,ctrl-[", b"a\x1b"), ("", DEFAULT_DETACH_KEYS),
    ("ctrl-1", DEFAULT_DETACH_KEYS), ("nonsense", DEFAULT_DETACH_KEYS),
])
def test_detach_key_specs(spec: str, expected: bytes) -> None:
    assert parse_detach_keys(spec) == expected


@pytest.mark.parametrize("text, familiar, full, tag", [
    ("busybox", "busybox", "docker.io/library/busybox", None),
    ("docker.io/library/busybox:1.35", "busybox:1.35", "docker.io/library/busybox", "1.35"),
    ("my/img:2", "my/img:2", "docker.io/my/img", "2"),
    ("localhost:5000/app", "localhost:5000/app", "localhost:5000/app", None),
    ("registry.example.org/team/app:v1", "registry.example.org/team/app:v1", "registry.example.org/team/app", "v1"),
])
def test_references(text: str, familiar: str, full: str, tag: str | None) -> None:
    ref = parse_normalized(text)
    assert ref is not None
    assert (ref.familiar(), ref.full_name, ref.tag) == (familiar, full, tag)


@pytest.mark.parametrize("text", ["Busybox", "a" * 64, "bad name", "x:", "team/App"])
def test_references_that_do_not_parse(text: str) -> None:
    assert parse_normalized(text) is None


def test_split_repo_tag_ignores_ports() -> None:
    assert split_repo_tag("localhost:5000/app") == ("localhost:5000/app", None)
    assert split_repo_tag("localhost:5000/app:1") == ("localhost:5000/app", "1")
