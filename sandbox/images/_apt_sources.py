"""The host's Debian package sources, as mmdebstrap mirror lines.

Read from /etc/apt/sources.list and /etc/apt/sources.list.d/*.list (one-line format) and
*.sources (deb822), so nothing names a mirror in our code: the machine's own configuration
(a local mirror, a proxy, a snapshot) is what the image is built from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AptSource:
    uri: str
    suite: str
    components: tuple[str, ...]
    options: tuple[str, ...] = ()

    def line(self) -> str:
        opts = f" [{' '.join(self.options)}]" if self.options else ""
        return f"deb{opts} {self.uri} {self.suite} {' '.join(self.components)}"


def _one_line(text: str) -> list[AptSource]:
    out = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        rest = line[4:].strip()
        options: tuple[str, ...] = ()
        if rest.startswith("["):
            opts, _, rest = rest[1:].partition("]")
            options = tuple(opts.split())
        words = rest.split()
        if len(words) >= 3:
            out.append(AptSource(words[0], words[1], tuple(words[2:]), options))
    return out


def _deb822(text: str) -> list[AptSource]:
    out = []
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for raw in stanza.splitlines():
            if raw.startswith("#"):
                continue
            if raw[:1] in (" ", "\t") and key:
                fields[key] += " " + raw.strip()
                continue
            key, sep, value = raw.partition(":")
            if not sep:
                key = None
                continue
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        options = []
        if fields.get("signed-by", "").startswith("/"):
            options.append(f"signed-by={fields['signed-by'].split()[0]}")
        for uri in fields.get("uris", "").split():
            for suite in fields.get("suites", "").split():
                out.append(AptSource(uri, suite, tuple(fields.get("components", "").split()), tuple(options)))
    return out


def read_sources(etc_apt: Path = Path("/etc/apt")) -> list[AptSource]:
    out: list[AptSource] = []
    main = etc_apt / "sources.list"
    if main.is_file():
        out += _one_line(main.read_text())
    parts = etc_apt / "sources.list.d"
    if parts.is_dir():
        for path in sorted(parts.iterdir()):
            if path.suffix == ".list":
                out += _one_line(path.read_text())
            elif path.suffix == ".sources":
                out += _deb822(path.read_text())
    return out


def mirror_lines(suite: str, etc_apt: Path = Path("/etc/apt")) -> list[str]:
    """Lines for ``suite`` and its companions (``bookworm-updates``, ``bookworm-security``)."""
    lines = []
    for src in read_sources(etc_apt):
        if src.suite == suite or src.suite.startswith(suite + "-"):
            line = src.line()
            if line not in lines:
                lines.append(line)
    return lines
