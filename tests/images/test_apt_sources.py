from __future__ import annotations

from pathlib import Path

from sandbox.images._apt_sources import mirror_lines, read_sources

KEY = "/usr/share/keyrings/debian-archive-keyring.gpg"


def write(root: Path) -> Path:
    apt = root / "apt"
    (apt / "sources.list.d").mkdir(parents=True)
    (apt / "sources.list").write_text(
        "# comment\n"
        "deb http://mirror.test/debian bookworm main contrib\n"
        "deb-src http://mirror.test/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.test/debian bookworm-updates main # trailing\n"
    )
    (apt / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\n"
        "URIs: http://mirror.test/debian-security\n"
        "Suites: bookworm-security\n"
        "Components: main\n"
        f"Signed-By: {KEY}\n"
        "\n"
        "Types: deb\n"
        "URIs: http://other.test/repo\n"
        "Suites: cloud-bookworm\n"
        "Components: main\n"
        "\n"
        "Types: deb\n"
        "Enabled: no\n"
        "URIs: http://off.test/debian\n"
        "Suites: bookworm\n"
        "Components: main\n"
    )
    (apt / "sources.list.d" / "old.list.disabled").write_text(
        "deb http://disabled.test/debian bookworm main\n"
    )
    return apt


def test_read_both_formats(tmp_path: Path) -> None:
    sources = read_sources(write(tmp_path))
    assert [(s.uri, s.suite) for s in sources] == [
        ("http://mirror.test/debian", "bookworm"),
        ("http://mirror.test/debian", "bookworm-updates"),
        ("http://mirror.test/debian-security", "bookworm-security"),
        ("http://other.test/repo", "cloud-bookworm"),
    ]


def test_mirror_lines_pick_the_suite_and_its_companions(tmp_path: Path) -> None:
    lines = mirror_lines("bookworm", write(tmp_path))
    assert lines == [
        "deb http://mirror.test/debian bookworm main contrib",
        "deb [arch=amd64 signed-by=/k.gpg] http://mirror.test/debian bookworm-updates main",
        f"deb [signed-by={KEY}] http://mirror.test/debian-security bookworm-security main",
    ]
    assert mirror_lines("trixie", write(tmp_path / "x")) == []
