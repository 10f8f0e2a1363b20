"""progress.json: where it lives, atomic writes, corrupt files kept and reported, export/import."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from sandbox.errors import ProgressCorrupt
from sandbox.lessons.progress import Progress, ProgressStore, StepRecord, default_path, write_atomic


def test_default_path_follows_xdg_then_home() -> None:
    assert default_path({"XDG_DATA_HOME": "/x/data", "HOME": "/home/a"}) == Path(
        "/x/data/sandbox/progress.json"
    )
    assert default_path({"HOME": "/home/a"}) == Path("/home/a/.local/share/sandbox/progress.json")
    assert default_path({"XDG_DATA_HOME": "", "HOME": "/home/a"}) == Path(
        "/home/a/.local/share/sandbox/progress.json"
    )


def test_nothing_saved_yet_is_empty_progress(store: ProgressStore) -> None:
    assert store.load().lessons == {}
    assert not store.path.exists()


def test_save_and_load_round_trip(store: ProgressStore) -> None:
    progress = Progress()
    rec = progress.lesson("hello")
    rec.started_at, rec.current = 10.0, "02-detach"
    rec.steps["01-run"] = StepRecord(done_at=11.0, hints=2, solved=True)
    rec.snapshot = {"containers": ["abc"]}
    store.save(progress)
    loaded = store.load()
    assert loaded == progress
    assert json.loads(store.path.read_text())["version"] == 1


def test_writes_are_atomic_and_leave_no_temporary_files(store: ProgressStore) -> None:
    store.save(Progress())
    store.update(lambda p: p.lesson("a").step("s").__setattr__("hints", 1))
    leftovers = [p.name for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert store.load().lessons["a"].steps["s"].hints == 1


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    write_atomic(path, "old\n")

    with pytest.raises(TypeError):
        write_atomic(path, 42)  # type: ignore[arg-type]  # fails while writing the temporary file
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "not JSON at line 1"),
        ('{"lessons": []}', "expected an object with a 'lessons' object"),
        ('{"version": 99, "lessons": {}}', "written by a newer sandbox"),
        ('{"lessons": {"a": {"steps": {"s": {"done_at": 1, "colour": "red"}}}}}', "lessons.a"),
    ],
)
def test_a_corrupt_file_is_backed_up_and_reported(store: ProgressStore, content: str, reason: str) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(content)
    with pytest.raises(ProgressCorrupt) as err:
        store.load()
    assert reason in err.value.reason
    assert err.value.backup is not None and Path(err.value.backup).read_text() == content
    assert "a copy is kept at" in err.value.message


def test_recovering_from_corruption_loses_nothing(store: ProgressStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text("{garbage")
    store.update(lambda p: p.lesson("new").__setattr__("started_at", 1.0))
    assert len(store.warnings) == 1
    backup = Path(store.warnings[0].backup or "")
    assert backup.read_text() == "{garbage"  # the old bytes survive
    assert store.load().lessons["new"].started_at == 1.0  # and progress goes on


def test_two_corruptions_get_two_backups(store: ProgressStore) -> None:
    store.path.parent.mkdir(parents=True)
    backups = set()
    for text in ("{one", "{two"):
        store.path.write_text(text)
        with pytest.raises(ProgressCorrupt) as err:
            store.load()
        backups.add(err.value.backup)
    assert len(backups) == 2


def test_concurrent_updates_lose_no_step(store: ProgressStore) -> None:
    def mark(i: int) -> None:
        for j in range(10):
            store.update(lambda p, step=f"s{i}-{j}": p.lesson("l").step(step).__setattr__("done_at", 1.0))

    threads = [threading.Thread(target=mark, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.load().lessons["l"].steps) == 40


def test_export_and_import_merge(tmp_path: Path) -> None:
    home = ProgressStore(tmp_path / "home.json")
    laptop = ProgressStore(tmp_path / "laptop.json")
    home.update(
        lambda p: (
            p.lesson("a").step("1").__setattr__("done_at", 5.0),
            p.lesson("a").__setattr__("snapshot", {"containers": ["home-only"]}),
        )
    )
    laptop.update(
        lambda p: (
            p.lesson("a").step("1").__setattr__("done_at", 3.0),
            p.lesson("a").step("2").__setattr__("done_at", 4.0),
            p.lesson("b").__setattr__("completed_at", 9.0),
        )
    )
    exported = tmp_path / "export.json"
    laptop.export(exported)
    changed = home.merge_from(exported)
    merged = home.load()
    assert sorted(changed) == ["a", "b"]
    assert merged.lessons["a"].steps["1"].done_at == 3.0  # the earliest
    assert merged.lessons["a"].steps["2"].done_at == 4.0
    assert merged.lessons["b"].completed_at == 9.0
    assert merged.lessons["a"].snapshot == {"containers": ["home-only"]}  # machine-local, kept
    assert home.merge_from(exported) == []  # importing twice changes nothing


def test_importing_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.json")
    store.update(lambda p: p.lesson("a").__setattr__("started_at", 1.0))
    before = store.path.read_text()
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    with pytest.raises(ProgressCorrupt):
        store.merge_from(bad)
    assert store.path.read_text() == before
