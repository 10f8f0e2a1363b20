"""Parse ``WWW-Authenticate`` challenges (RFC 7235) as registries send them.

    Bearer realm="https://<token server>/token",service="<registry>",scope="repository:library/busybox:pull"
    Basic realm="Registry Realm"

Several challenges may share one header, separated by commas, which also separate the
parameters of one challenge; a new challenge starts where a token is followed by a space
instead of ``=``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PARAM = re.compile(rf'\s*({_TOKEN})\s*=\s*(?:"((?:[^"\\]|\\.)*)"|({_TOKEN}))\s*')
_SCHEME = re.compile(rf"\s*({_TOKEN})(?:\s+|$)")


@dataclass(frozen=True)
class Challenge:
    scheme: str
    """Lower case: ``bearer``, ``basic``."""
    params: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.params.get(name.lower())


def parse_challenges(header: str) -> list[Challenge]:
    """Every challenge in one (possibly joined) header value; unparseable text is skipped."""
    out: list[Challenge] = []
    pos = 0
    text = header or ""
    while pos < len(text):
        while pos < len(text) and text[pos] in ", \t":
            pos += 1
        m = _SCHEME.match(text, pos)
        if m is None:
            break
        scheme = m.group(1).lower()
        pos = m.end()
        params: dict[str, str] = {}
        while pos < len(text):
            p = _PARAM.match(text, pos)
            if p is None:
                break
            value = p.group(2) if p.group(2) is not None else p.group(3)
            params[p.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            pos = p.end()
            if pos < len(text) and text[pos] == ",":
                pos += 1
        out.append(Challenge(scheme, params))
    return out
