"""A deleted container's state directory leaves at once and is deleted in the background."""

import os
import time
from pathlib import Path

from sandbox.runtime.state import TRASH, StateDir, empty_trash


def _filled(root: Path, cid: str) -> StateDir:
    sd = StateDir(root, cid)
    sd.make()
    (sd.path / "rootfs").mkdir()
    sd.state_file.write_text("{}")
    sd.exit_file.write_text("{}")
    return sd


def test_discard_frees_the_id_at_once_and_the_trash_empties(tmp_path) -> None:
    sd = _filled(tmp_path, "c1")
    sd.discard()
    assert not sd.path.exists()
    again = _filled(tmp_path, "c1")  # the id can be used again straight away
    assert again.exists()
    deadline = time.monotonic() + 10
    while os.listdir(tmp_path / TRASH):
        assert time.monotonic() < deadline, os.listdir(tmp_path / TRASH)
        time.sleep(0.01)


def test_empty_trash_deletes_what_a_crash_left(tmp_path) -> None:
    sd = _filled(tmp_path, "c2")
    (tmp_path / TRASH).mkdir()
    os.rename(sd.path, tmp_path / TRASH / "c2.dead")
    empty_trash(tmp_path)
    assert os.listdir(tmp_path / TRASH) == []
    empty_trash(tmp_path / "nothing-here")  # no trash: nothing to do


def test_discard_of_a_missing_directory_is_fine(tmp_path) -> None:
    StateDir(tmp_path, "c3").discard()
    assert not (tmp_path / "c3").exists()
