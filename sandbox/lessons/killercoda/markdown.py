"""Killercoda's Markdown actions, turned into ours.

- ``\u0060cmd\u0060{{exec}}`` (also ``{{exec interrupt}}``, ``{{execute}}``) and fenced blocks
  followed by ``{{exec}}`` run on click: they become the step's ``try`` and solution, and
  stay in the text as plain code.
- ``{{copy}}`` only copies: the marker goes, the code stays.
- ``<details><summary>…</summary>…</details>`` blocks are hints: they leave the text and
  become hint tiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ACTION = re.compile(
    r"```[^\n`]*\n(?P<block>(?:(?!```).)*?)\n?```\{\{\s*(?P<bkind>exec(?:ute)?(?:\s+interrupt)?|copy)\s*\}\}"
    r"|`(?P<span>[^`\n]+)`\{\{\s*(?P<skind>exec(?:ute)?(?:\s+interrupt)?|copy)\s*\}\}",
    re.DOTALL,
)
_DETAILS = re.compile(r"<details>\s*(?:<summary>(.*?)</summary>)?(.*?)</details>", re.DOTALL | re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{\{\s*TRAFFIC_[A-Z0-9_]+\s*\}\}")


@dataclass
class Converted:
    text: str
    commands: list[str] = field(default_factory=list)
    """The ``{{exec}}`` commands in reading order (a multi-line block is one per line)."""
    hints: list[tuple[str, str]] = field(default_factory=list)
    """(summary, body) of each <details> block."""
    hint_commands: list[str] = field(default_factory=list)
    """``{{exec}}`` commands inside hints: candidates for the hint's command tier."""
    warnings: list[str] = field(default_factory=list)


def convert(markdown: str) -> Converted:
    out = Converted(markdown)

    def action(m: re.Match[str]) -> str:
        if m.group("block") is not None:
            code, kind = m.group("block"), m.group("bkind")
            if not kind.startswith("copy"):
                out.commands.extend(
                    ln.strip() for ln in code.splitlines() if ln.strip() and not ln.strip().startswith("#")
                )
            return f"```\n{code}\n```"
        code, kind = m.group("span"), m.group("skind")
        if not kind.startswith("copy"):
            out.commands.append(code.strip())
        return f"`{code}`"

    # Hints first, so a command inside a hint is not also taken as the step's solution.
    def details(m: re.Match[str]) -> str:
        summary = re.sub(r"<[^>]+>", "", m.group(1) or "").strip()

        def plain(x: re.Match[str]) -> str:
            if x.group("span") is not None:
                if not x.group("skind").startswith("copy"):
                    out.hint_commands.append(x.group("span").strip())
                return f"`{x.group('span')}`"
            if not x.group("bkind").startswith("copy"):
                out.hint_commands.extend(ln.strip() for ln in x.group("block").splitlines() if ln.strip())
            return f"```\n{x.group('block')}\n```"

        body = _ACTION.sub(plain, m.group(2) or "").strip()
        out.hints.append((summary, body))
        return ""

    text = _DETAILS.sub(details, markdown)
    # One pass over both forms keeps the commands in reading order.
    text = _ACTION.sub(action, text)
    if _PLACEHOLDER.search(text):
        out.warnings.append(
            "the text uses Killercoda traffic placeholders ({{TRAFFIC_…}}); replace them with loopback URLs"
        )
    out.text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return out
