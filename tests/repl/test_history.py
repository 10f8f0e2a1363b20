"""History lives under the XDG state directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prompt_toolkit.history import FileHistory, InMemoryHistory

from sandbox.repl.history import history_path, open_history


def test_xdg_state_home_is_respected(tmp_path: Path) -> None:
    assert history_path({"XDG_STATE_HOME": str(tmp_path), "HOME": "/nowhere"}) == \
        tmp_path / "sandbox" / "shell_history"


def test_default_is_under_home(tmp_path: Path) -> None:
    assert history_path({"HOME": str(tmp_path)}) == tmp_path / ".local" / "state" / "sandbox" / "shell_history"


def test_a_relative_xdg_state_home_is_ignored(tmp_path: Path) -> None:
    assert history_path({"XDG_STATE_HOME": "relative/dir", "HOME": str(tmp_path)}).is_relative_to(tmp_path)


def test_the_file_is_made_and_kept(tmp_path: Path) -> None:
    history, problem = open_history({"XDG_STATE_HOME": str(tmp_path)})
    assert problem is None and isinstance(history, FileHistory)
    history.store_string("docker ps")
    assert "docker ps" in (tmp_path / "sandbox" / "shell_history").read_text()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only modes")
def test_an_unwritable_home_falls_back_to_memory(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        history, problem = open_history({"XDG_STATE_HOME": str(tmp_path / "state")})
    finally:
        tmp_path.chmod(0o700)
    assert isinstance(history, InMemoryHistory) and "history is not kept" in problem


def test_a_path_blocked_by_a_file_falls_back_to_memory(tmp_path: Path) -> None:
    (tmp_path / "state").write_text("a file where a directory should be")
    history, problem = open_history({"XDG_STATE_HOME": str(tmp_path / "state")})
    assert isinstance(history, InMemoryHistory)
    assert problem is not None and "history is not kept" in problem
