"""The format's building blocks: YAML with lines, the dataclass builder, sizes and modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

import pytest

from sandbox.lessons import yamlmarks
from sandbox.lessons.checks.units import SIZE, format_size, parse_mode, parse_size
from sandbox.lessons.model import DocRef
from sandbox.lessons.schema import Ctx, Invalid, build, render_path


def test_yaml_values_keep_their_lines() -> None:
    data, marks = yamlmarks.load("a: 1\nb:\n  - x\n  - {c: true}\n")
    assert data == {"a": 1, "b": ["x", {"c": True}]}
    assert marks.line(("b", 1, "c")) == 4 and marks.line(("a",), key=True) == 1
    assert marks.line(("b", 1, "missing", "deeper")) == 4  # falls back to the nearest ancestor


def test_yaml_duplicates_and_syntax_errors() -> None:
    _, marks = yamlmarks.load("a: 1\nb: 2\na: 3\n")
    assert marks.duplicates == [(("a",), 3, 1)]
    with pytest.raises(yamlmarks.YamlSyntax) as err:
        yamlmarks.load("a: [1, 2\nb: 3\n")
    assert err.value.line == 2
    with pytest.raises(yamlmarks.YamlSyntax):
        yamlmarks.load("a: 1\n---\nb: 2\n")  # two documents
    assert yamlmarks.load("") == (None, yamlmarks.Marks())


@dataclass
class Inner:
    n: int


@dataclass
class Sample:
    name: str
    size: Annotated[int, SIZE] | None = None
    mode: Literal["a", "b"] = "a"
    either: str | list[str] | None = None
    inner: Inner | None = None
    items: list[int] = field(default_factory=list)
    keyword: bool = field(default=False, metadata={"key": "with"})
    ratio: float = 1.0


def issues(value: object) -> list[str]:
    ctx = Ctx()
    build(Sample, value, (), ctx)
    return [f"{render_path(i.path)}: {i.problem}" for i in ctx.issues]


def test_build_converts_every_kind() -> None:
    ctx = Ctx()
    built = build(
        Sample,
        {
            "name": "x",
            "size": "1k",
            "mode": "b",
            "either": ["p", "q"],
            "inner": {"n": 2},
            "items": [1, 2],
            "with": True,
            "ratio": 2,
        },
        (),
        ctx,
    )
    assert ctx.issues == []
    assert built == Sample("x", 1024, "b", ["p", "q"], Inner(2), [1, 2], True, 2.0)


def test_build_reports_each_problem_with_its_path() -> None:
    found = issues(
        {
            "nmae": "x",
            "size": "huge",
            "mode": "c",
            "either": 3,
            "inner": {"n": "two"},
            "items": [1, "x"],
            "ratio": True,
        }
    )
    assert "nmae: unknown field (did you mean 'name'?)" in found
    assert "name: required field is missing" in found
    assert any(f.startswith("size: expected a size like 64m") for f in found)
    assert "mode: must be one of a, b; got the text 'c'" in found
    assert "either: expected a text or a list, got the number 3" in found
    assert "inner.n: expected a whole number, got the text 'two'" in found
    assert "items[1]: expected a whole number, got the text 'x'" in found
    assert "ratio: expected a number, got true (true/false)" in found
    assert issues(["not", "a", "mapping"]) == ["(document): expected a mapping of fields, got a list"]


@pytest.mark.parametrize(
    "text, expected",
    [
        (0, 0),
        (512, 512),
        ("64m", 64 << 20),
        ("64MiB", 64 << 20),
        ("1g", 1 << 30),
        ("1.5k", 1536),
        ("100b", 100),
        ("2 GB", 2 << 30),
    ],
)
def test_sizes(text: object, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("bad", ["", "lots", "-1m", "64x", True, -5, 1.5, "1m2"])
def test_bad_sizes(bad: object) -> None:
    with pytest.raises(Invalid):
        parse_size(bad)


def test_format_size() -> None:
    assert (
        format_size(64 << 20) == "64MiB"
        and format_size(None) == "unlimited"
        and format_size(1000) == "1000 bytes"
    )


@pytest.mark.parametrize("text, expected", [("0644", 0o644), ("755", 0o755), ("4755", 0o4755)])
def test_modes(text: str, expected: int) -> None:
    assert parse_mode(text) == expected


@pytest.mark.parametrize("bad", [420, "0999", "rwx", "", "12", True])
def test_bad_modes(bad: object) -> None:
    with pytest.raises(Invalid):
        parse_mode(bad)


def test_doc_refs_name_one_file_per_language() -> None:
    ref = DocRef("steps/01-run.md")
    assert ref.for_lang("zh") == "steps/01-run.zh.md" and ref.stem == "01-run"
