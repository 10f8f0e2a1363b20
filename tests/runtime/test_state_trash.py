"""A deleted container's state directory leaves at once and is deleted in the background."""

import os
from pathlib import Path

from sandbox.runtime.state import TRASH, StateDir, empty_trash, settle_trash
from tests.helpers import wait_until


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
    # The deleted directory goes, and the trash itself once nothing else is in it.
    assert wait_until(lambda: not (tmp_path / TRASH).exists())
    assert os.listdir(tmp_path) == ["c1"]


def test_empty_trash_deletes_what_a_crash_left(tmp_path) -> None:
    sd = _filled(tmp_path, "c2")
    (tmp_path / TRASH).mkdir()
    os.rename(sd.path, tmp_path / TRASH / "c2.dead")
    empty_trash(tmp_path)
    assert not (tmp_path / TRASH).exists()
    empty_trash(tmp_path / "nothing-here")  # no trash: nothing to do


def test_discard_of_a_missing_directory_is_fine(tmp_path) -> None:
    StateDir(tmp_path, "c3").discard()
    assert not (tmp_path / "c3").exists()


def test_settle_trash_waits_for_the_background_deletions(tmp_path) -> None:
    for i in range(5):
        _filled(tmp_path, f"s{i}").discard()
    settle_trash()
    assert os.listdir(tmp_path) == []
