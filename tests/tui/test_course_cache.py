"""The parsed course kept between runs: used while nothing changed, made again when a file
did or the kept one cannot be read."""

from __future__ import annotations

import os
from pathlib import Path

from sandbox.tui.backend.course import LESSONS_CODE, CourseLessons
from sandbox.tui.backend.course_cache import CourseCache, cache_dir, fingerprint


class Maker:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return {"made": self.calls}


def _course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "one").mkdir(parents=True)
    (root / "one" / "lesson.yaml").write_text("id: one\n")
    return root


def test_kept_while_nothing_changes_and_made_again_after_an_edit(tmp_path: Path) -> None:
    root, where, make = _course(tmp_path), tmp_path / "cache", Maker()
    assert CourseCache(where, (root,)).get("outline", make) == {"made": 1}
    assert CourseCache(where, (root,)).get("outline", make) == {"made": 1} and make.calls == 1
    lesson = root / "one" / "lesson.yaml"
    lesson.write_text("id: one\ntitle: changed\n")
    os.utime(lesson, ns=(1, 1))  # a different mtime even on a coarse clock
    assert CourseCache(where, (root,)).get("outline", make) == {"made": 2}
    # The outdated file was replaced, not kept beside the new one.
    assert len(list(where.glob("course-outline-*.pickle"))) == 1


def test_an_unreadable_file_is_made_again(tmp_path: Path) -> None:
    root, where, make = _course(tmp_path), tmp_path / "cache", Maker()
    cache = CourseCache(where, (root,))
    cache.get("full", make)
    [kept] = where.glob("course-full-*.pickle")
    kept.write_bytes(b"\x80\x05not a pickle")
    assert CourseCache(where, (root,)).get("full", make) == {"made": 2}


def test_no_cache_dir_or_an_unwritable_one_only_costs_time(tmp_path: Path) -> None:
    root, make = _course(tmp_path), Maker()
    assert CourseCache(None, (root,)).get("full", make) == {"made": 1}
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert CourseCache(blocker / "cache", (root,)).get("full", make) == {"made": 2}
    assert CourseCache(blocker / "cache", (root,)).get("full", make) == {"made": 3}


def test_the_fingerprint_covers_new_and_removed_files(tmp_path: Path) -> None:
    root = _course(tmp_path)
    before = fingerprint(root)
    (root / "one" / "extra.md").write_text("x")
    added = fingerprint(root)
    (root / "one" / "extra.md").unlink()
    assert len({before, added}) == 2 and fingerprint(root) == before


def test_cache_dir_follows_xdg_then_home() -> None:
    assert cache_dir({"XDG_CACHE_HOME": "/c", "HOME": "/h"}) == Path("/c/sandbox")
    assert cache_dir({"HOME": "/h"}) == Path("/h/.cache/sandbox")
    assert cache_dir({}) is None


def test_the_real_course_lists_the_same_from_the_cache(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2] / "lessons"

    def lessons() -> CourseLessons:
        return CourseLessons(root, tmp_path / "progress.json", lambda lesson, store: None, tmp_path / "cache")

    fresh = lessons().list_lessons()
    kept = lessons()
    again = kept.list_lessons()
    assert again == fresh and len(again) > 10
    assert kept._course is None  # the list came from the outline: the whole course was not read
    assert LESSONS_CODE.name == "lessons" and (LESSONS_CODE / "loader.py").is_file()
