"""The trace picture: what the runtime did for the last command — namespace flags,
mounts, cgroup writes, privilege drops, exec — one record a line, coloured by kind."""

from __future__ import annotations

from textual.content import Content

from ..format import pad, truncate
from .base import Picture, lines
from .models.trace import TraceLine, summarize

STYLES = {"namespace": "$secondary", "mount": "$primary", "cgroup": "$warning", "security": "$success",
          "process": "$accent", "storage": "$text-muted", "other": "$foreground"}
TAGS = {"namespace": "ns", "mount": "mount", "cgroup": "cgroup", "security": "priv", "process": "proc",
        "storage": "store", "other": "other"}


class TracePicture(Picture):
    kind = "trace"

    def draw(self, view: list[TraceLine], width: int) -> Content:
        summary = " · ".join(f"{TAGS[c]} {n}" for c, n in summarize(view))
        out = [Content.assemble((f"{len(view)} records", "bold"), ("  " + summary, "$text-muted"))]
        for line in view:
            style = "$error" if line.error else STYLES.get(line.category, "")
            text = line.text + (f"  !! {line.error}" if line.error else "")
            out.append(Content.assemble((pad(TAGS[line.category], 7), f"{style} bold"),
                                        (truncate(text, width - 7), style if line.error else "")))
        return lines(out)
