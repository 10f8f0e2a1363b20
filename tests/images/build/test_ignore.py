""".dockerignore rules and Go's filepath.Match, as Docker applies them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import BuildContextError
from sandbox.images.build.ignore import IgnoreRules, go_match

RULES = IgnoreRules.parse("""
# comments and blank lines are skipped

*.log
!keep.log
**/tmp
secret/
/rooted
docs/**/*.md
./build
""")


@pytest.mark.parametrize(("path", "excluded"), [
    ("a.log", True),
    ("keep.log", False),          # "!" re-includes what an earlier line excluded
    ("sub/a.log", False),         # "*" does not cross "/": *.log is the root only
    ("tmp", True),
    ("a/b/tmp", True),            # "**/" is any number of directories, none included
    ("a/b/tmp/file", True),       # a directory pattern covers what is inside
    ("secret", True),
    ("secret/key", True),
    ("rooted", True),             # a leading "/" is the context root
    ("docs/x.md", True),
    ("docs/a/b/x.md", True),
    ("docs/x.txt", False),
    ("build/out", True),          # patterns are cleaned like paths
    ("src/main.py", False),
])
def test_rules(path: str, excluded: bool) -> None:
    assert RULES.excluded(path) is excluded


def test_last_matching_line_wins() -> None:
    rules = IgnoreRules.parse("!a.txt\n*.txt\n")
    assert rules.excluded("a.txt")
    rules = IgnoreRules.parse("*.txt\n!a.txt\n")
    assert not rules.excluded("a.txt")


@pytest.mark.parametrize(("pattern", "name", "matches"), [
    ("*.txt", "a.txt", True),
    ("*.txt", "d/a.txt", False),
    ("?.txt", "a.txt", True),
    ("?.txt", "ab.txt", False),
    ("[a-c]x", "bx", True),
    ("[^a]x", "bx", True),
    ("[^a]x", "ax", False),
    ("a\\*", "a*", True),
    ("a\\*", "ab", False),
    ("d/*", "d/x", True),
    ("[", "[", False),            # a broken class matches nothing instead of failing
])
def test_go_match(pattern: str, name: str, matches: bool) -> None:
    assert go_match(pattern, name) is matches


def test_bad_lines_are_refused() -> None:
    with pytest.raises(BuildContextError, match="illegal exclusion pattern"):
        IgnoreRules.parse("!\n")
    with pytest.raises(BuildContextError, match="syntax error in .dockerignore"):
        IgnoreRules.parse("a[b\n")


def test_load_from_context(tmp_path: Path) -> None:
    assert IgnoreRules.load(tmp_path).rules == ()
    (tmp_path / ".dockerignore").write_text("*.tmp\n")
    assert IgnoreRules.load(tmp_path).excluded("x.tmp")


def test_an_excluded_directory_is_entered_only_for_its_own_exceptions() -> None:
    rules = IgnoreRules.parse("secret/\n!keep.log\n!docs/keep.md\ndocs\n")
    assert not rules.reincludes_below("secret")
    assert rules.reincludes_below("docs")
