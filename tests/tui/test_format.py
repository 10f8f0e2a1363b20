from __future__ import annotations

import pytest

from sandbox.tui.format import (
    bar,
    binary_size,
    duration_ns,
    human_size,
    instruction,
    is_metadata_only,
    pad,
    short_id,
    truncate,
)


@pytest.mark.parametrize("n, text", [(None, "-"), (0, "0B"), (512, "512B"), (3100, "3.1kB"), (2160164, "2.16MB"),
                                     (78_600_000, "78.6MB"), (5 * 10**12, "5TB")])
def test_human_size_matches_docker(n: int | None, text: str) -> None:
    assert human_size(n) == text


@pytest.mark.parametrize("n, text", [(None, "∞"), (1000, "1000B"), (33554432, "32MiB"), (1536 * 2**20, "1.5GiB"),
                                     (1323008, "1.3MiB")])
def test_binary_size(n: int | None, text: str) -> None:
    assert binary_size(n) == text


def test_short_id() -> None:
    assert short_id("sha256:" + "ab" * 32) == "ab" * 6
    assert short_id("0123456789abcdef") == "0123456789ab"
    assert short_id(None) == "-" and short_id("") == "-"


@pytest.mark.parametrize("created_by, text, metadata", [
    ('/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]', True),
    ("/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /", False),
    ("/bin/sh -c apk add curl", "RUN apk add curl", False),
    ("RUN /bin/sh -c make # buildkit", "RUN make # buildkit", False),
    ("ENV A=b", "ENV A=b", True),
    ("", "(no instruction)", False),
    (None, "(no instruction)", False),
])
def test_instruction(created_by: str | None, text: str, metadata: bool) -> None:
    assert instruction(created_by) == text
    assert is_metadata_only(created_by) is metadata


def test_truncate_and_pad_count_terminal_cells() -> None:
    assert truncate("hello", 10) == "hello"
    assert truncate("hello world", 6) == "hello…"
    assert truncate("你好世界", 5) == "你好…"  # each character is two cells wide
    assert truncate("x", 0) == ""
    assert pad("ab", 4) == "ab  " and pad("abcdef", 4) == "abc…"


def test_bar_fills_its_width_and_shows_any_use() -> None:
    assert bar(0.5, 10) == ("█" * 5, "░" * 5)
    assert bar(0.001, 10) == ("█", "░" * 9)
    assert bar(2.0, 4) == ("████", "")
    assert bar(None, 3) == ("", "░░░")
    assert bar(-1, 2) == ("", "░░")


def test_duration_ns() -> None:
    assert duration_ns(None) == "-"
    assert duration_ns(850_000_000) == "850ms"
    assert duration_ns(12_300_000_000) == "12.3s"
    assert duration_ns(245 * 10**9) == "4m05s"
