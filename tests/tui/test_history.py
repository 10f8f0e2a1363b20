from __future__ import annotations

from pathlib import Path

from sandbox.tui.history import CommandHistory


def test_up_and_down_walk_the_history_and_keep_the_draft() -> None:
    h = CommandHistory()
    for line in ("docker ps", "docker images", "docker ps"):
        h.add(line)
    assert h.entries == ["docker ps", "docker images", "docker ps"]
    assert h.previous("docker r") == "docker ps"
    assert h.previous("") == "docker images"
    assert h.previous("") == "docker ps"
    assert h.previous("") is None  # the oldest: stays there
    assert h.next() == "docker images"
    assert h.next() == "docker ps"
    assert h.next() == "docker r"  # the draft comes back
    assert h.next() is None


def test_repeats_and_blank_lines_are_not_recorded() -> None:
    h = CommandHistory()
    h.add("docker ps")
    h.add("docker ps")
    h.add("   ")
    assert h.entries == ["docker ps"]
    assert CommandHistory().previous("x") is None


def test_history_is_kept_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history"
    h = CommandHistory.load(path)
    h.add("docker run -d busybox")
    h.add("docker ps")
    assert CommandHistory.load(path).entries == ["docker run -d busybox", "docker ps"]


def test_an_unreadable_history_file_means_an_empty_history(tmp_path: Path) -> None:
    path = tmp_path / "history"
    path.write_bytes(b"\xff\xfe not utf-8")
    assert CommandHistory.load(path).entries == []
    blocked = tmp_path / "file"
    blocked.write_text("")
    h = CommandHistory.load(blocked / "history")  # its parent is a file: cannot be written
    h.add("docker ps")
    assert h.entries == ["docker ps"] and h.path is None
