"""The namespaces picture: for each namespace type the host's inode and the container's
(equal means shared, different means the container has its own), then the container's
process tree with each process's pid on the host and inside the container."""

from __future__ import annotations

from textual.content import Content

from ..format import pad, truncate
from .base import Picture, lines
from .models.namespaces import NamespaceView


class NamespacesPicture(Picture):
    kind = "namespaces"

    def draw(self, view: NamespaceView, width: int) -> Content:
        out = [Content.assemble(("namespaces of ", "$text-muted"), (view.container, "bold"))]
        out.append(Content.styled(f"{pad('type', 7)}{pad('host', 11)}{pad('container', 11)}", "$text-muted underline"))
        for row in view.rows:
            host = str(row.host) if row.host is not None else "-"
            inside = str(row.container) if row.container is not None else "-"
            if row.shared is None:
                mark = ("?", "$text-muted")
            elif row.shared:
                mark = ("=", "$warning bold")
            else:
                mark = ("≠", "$success bold")
            out.append(Content.assemble((pad(row.type, 7), "bold"), pad(host, 11),
                                        (pad(inside, 11), "" if row.shared else "$success"), mark))
        out.append(Content.assemble(("≠", "$success bold"), (" its own  ", "$text-muted"), ("=", "$warning bold"),
                                    (" shared with the host", "$text-muted")))
        out.append(Content(""))
        out.append(Content.styled(f"{pad('host pid', 9)}{pad('in ctr', 7)}process", "$text-muted underline"))
        if not view.processes:
            out.append(Content.styled("(no processes: the container is not running)", "$text-muted"))
        for p in view.processes:
            branch = ("  " * (p.depth - 1) + "└ ") if p.depth else ""
            out.append(Content.assemble(pad(str(p.pid), 9), (pad(str(p.container_pid), 7), "$success bold"),
                                        (branch, "$text-muted"), truncate(p.cmd, width - 16 - len(branch))))
        return lines(out)
