"""COPY sources in a context directory: scope, globs, symlinks, and the content hash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.errors import BuildContextError
from sandbox.images.build.context import open_context
from sandbox.images.build.ignore import IgnoreRules
from sandbox.images.build.sources import content_hash, find_sources
from sandbox.images.build.trees import DirTree, resolve, split

from .conftest import tar_of, write_tree


@pytest.fixture
def tree(tmp_path: Path) -> DirTree:
    root = write_tree(tmp_path / "ctx", {"a.txt": "A", "b.txt": "B", "dir/c.txt": "C", "dir/sub/d.txt": "D"})
    os.symlink("/dir", root / "abs-link")        # absolute: the context root, not the host's
    os.symlink("../../..", root / "dir" / "up")  # climbs no higher than the context root
    return DirTree(root)


def test_split_never_climbs_above_the_root() -> None:
    assert split("/a/./b//c") == ("a", "b", "c")
    assert split("../../etc/passwd") == ("etc", "passwd")


def test_symlinks_resolve_inside_the_context(tree: DirTree) -> None:
    assert resolve(tree, ("abs-link", "c.txt")) == ("dir", "c.txt")
    assert resolve(tree, ("dir", "up", "a.txt")) == ("a.txt",)
    assert resolve(tree, ("abs-link",), follow_last=False) == ("abs-link",)


def test_globs_match_per_directory_level(tree: DirTree) -> None:
    found = find_sources(tree, ["*.txt", "dir/*/d.txt"], "COPY", from_context=True)
    assert [s.parts for s in found] == [("a.txt",), ("b.txt",), ("dir", "sub", "d.txt")]


@pytest.mark.parametrize("source", ["../secret", "..", "a/../../x", "./../x"])
def test_paths_outside_the_context_are_forbidden(tree: DirTree, source: str) -> None:
    with pytest.raises(BuildContextError, match="forbidden path outside the build context"):
        find_sources(tree, [source], "COPY", from_context=True)


def test_a_symlinked_source_is_followed_but_named_as_written(tree: DirTree) -> None:
    (src,) = find_sources(tree, ["abs-link"], "COPY", from_context=True)
    assert (src.parts, src.name, src.is_dir) == (("dir",), "abs-link", True)


def test_content_hash_covers_contents_and_modes_not_mtimes(tree: DirTree) -> None:
    def digest() -> str:
        return content_hash(find_sources(tree, ["dir"], "COPY", from_context=True))

    first = digest()
    assert first.startswith("dir:")
    os.utime(tree.root / "dir" / "c.txt", (1, 1))
    assert digest() == first
    (tree.root / "dir" / "sub" / "d.txt").write_text("changed")
    second = digest()
    assert second != first
    os.chmod(tree.root / "dir" / "c.txt", 0o600)
    assert digest() != second
    both = find_sources(tree, ["a.txt", "b.txt"], "COPY", from_context=True)
    assert content_hash(both).startswith("multi:")


def test_ignored_files_are_not_sources(tree: DirTree) -> None:
    ignoring = DirTree(tree.root, IgnoreRules.parse("dir/sub\n"))
    assert ignoring.listdir(("dir",)) == ["c.txt", "up"]
    with pytest.raises(BuildContextError, match="excluded by .dockerignore"):
        find_sources(ignoring, ["dir/sub/d.txt"], "COPY", from_context=True)


def test_tar_context_is_unpacked_and_removed(tmp_path: Path) -> None:
    src = write_tree(tmp_path / "src", {"Dockerfile": "FROM x\n", "f": "F"})
    scratch = tmp_path / "scratch"
    with open_context(tar_of(src), scratch) as ctx:
        assert ctx.read_dockerfile("Dockerfile") == "FROM x\n"
        assert (ctx.root / "f").read_text() == "F"
    assert list(scratch.iterdir()) == []


def test_a_dockerfile_symlink_cannot_leave_the_context(tmp_path: Path) -> None:
    (tmp_path / "outside").write_text("FROM secret\n")
    root = write_tree(tmp_path / "ctx", {})
    os.symlink(str(tmp_path / "outside"), root / "Dockerfile")
    with open_context(root, tmp_path / "scratch") as ctx, \
            pytest.raises(BuildContextError, match="Cannot locate specified Dockerfile"):
        ctx.read_dockerfile("Dockerfile")


def test_garbage_context_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BuildContextError, match="build context"), \
            open_context(b"this is not a tar archive at all" * 40, tmp_path / "scratch"):
        pass


class _Body:
    """An HTTP request body: ``read`` in small chunks, nothing else."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, n: int = -1) -> bytes:
        n = min(n if n >= 0 else len(self.data), 1000)
        chunk, self.data = self.data[:n], self.data[n:]
        return chunk


def test_context_from_a_read_only_stream(tmp_path: Path) -> None:
    import gzip

    src = write_tree(tmp_path / "src", {"Dockerfile": "FROM x\n", "big": "y" * 50_000})
    for body in (tar_of(src), gzip.compress(tar_of(src))):
        with open_context(_Body(body), tmp_path / "scratch") as ctx:  # type: ignore[arg-type]
            assert (ctx.root / "big").stat().st_size == 50_000
