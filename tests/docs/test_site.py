"""The docs site builds with ``mkdocs build --strict``, and holds every lesson in every
language and every command of the CLI.

The expected lessons and commands are read from the program here, independently of the
site's generator (``docs/_gen/sitegen``), so a generator that drops something fails.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install '.[test]')")
pytest.importorskip("material", reason="mkdocs-material is not installed (pip install '.[test]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    # Not --quiet: it drops warnings before --strict counts them, and the build would pass.
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
         "-d", str(out)],
        check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    return out


def _text(page: Path) -> str:
    assert page.is_file(), f"missing page {page}"
    return page.read_text(encoding="utf-8")


def test_every_lesson_in_every_language(site: Path) -> None:
    from sandbox.lessons import LANGS, load_course

    course = list(load_course(REPO / "lessons"))
    assert course, "lessons/ holds no lesson"
    index = _text(site / "course" / "index.html")
    for lesson in course:
        for lang in LANGS:
            html = _text(site / "course" / lang / lesson.id / "index.html")
            assert lesson.title.pick(lang) in html, f"{lesson.id} ({lang}): title missing"
            for i in range(len(lesson.steps)):
                assert lesson.step_title(i, lang) in html, f"{lesson.id} ({lang}): step {i + 1} missing"
            assert f"{lang}/{lesson.id}/" in index, f"the course index does not link {lesson.id} ({lang})"


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def _expected_commands() -> list[str]:
    from sandbox.cli import USAGE
    from sandbox.commands.docker import COMMANDS, GROUPS
    from sandbox.images.cli import build_parser as image_parser
    from sandbox.lessons.cli import _parser as lessons_parser
    from sandbox.runtime.cli import build_parser as runtime_parser

    section = USAGE.split("commands:", 1)[1].split("\n\n", 1)[0]
    top = [w for line in section.splitlines() if line.strip()
           for w in re.findall(r"\b[a-z][a-z-]+\b", line.split("  ", 2)[1])]
    names = [f"sandbox {w}" for w in top]
    names += [f"sandbox runtime {c}" for c in _subcommands(runtime_parser())]
    names += [f"sandbox image {c}" for c in _subcommands(image_parser())]
    names += [f"sandbox lessons {c}" for c in _subcommands(lessons_parser(os.environ))]
    names += [f"sandbox docker {c}" for c in COMMANDS]
    names += [f"sandbox docker {g} {c}" for g, members in GROUPS.items() for c in members]
    return names


def test_every_cli_command_in_the_reference(site: Path) -> None:
    pages = _text(site / "reference" / "cli" / "index.html") + _text(site / "reference" / "docker-cli" / "index.html")
    expected = _expected_commands()
    assert "sandbox runtime run" in expected and "sandbox docker container ls" in expected
    missing = [name for name in expected if name not in pages]
    assert not missing, f"not in the CLI reference: {missing}"


def test_docker_api_table_lists_served_routes(site: Path) -> None:
    html = _text(site / "reference" / "docker-api" / "index.html")
    assert "/containers/create" in html
    assert "/sandbox/trace" in html
