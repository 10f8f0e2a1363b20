"""The Docker API compatibility table: the engine's real routes against Docker's list.

The routes come from the engine as the daemon composes it (``sandbox.engine.daemon.compose``
over an empty state root in a scratch directory, so nothing real is touched and nothing is
started): when someone adds a route, the table says so at the next build. Docker's side is
the hand-kept list in ``docker_endpoints``.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .docker_endpoints import GROUPS, Endpoint
from .markdown import cell

SANDBOX_PREFIX = "/sandbox/"
"""The engine's own endpoints, for the pictures; not part of Docker's API."""


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str


@dataclass
class Table:
    routes: list[Route]
    extra: list[Route] = field(default_factory=list)
    """Routes that are neither Docker's (per the list) nor under /sandbox/: the list is stale."""


def shape(path: str) -> str:
    """A path with every parameter made anonymous, so ``/images/{name:path}/json`` and
    Docker's ``/images/{name}/json`` compare equal."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def engine_routes() -> list[Route]:
    """Every route the daemon serves, from the daemon's own composition."""
    from sandbox.config import Settings
    from sandbox.engine.daemon import compose

    with tempfile.TemporaryDirectory(prefix="sandbox-docs-") as scratch:
        base = Path(scratch)
        settings = Settings(root=base / "root", run_dir=base / "run",
                            cgroup_parent=f"sandbox-docs-{uuid.uuid4().hex[:8]}")
        engine = compose(settings, "copy")
        try:
            return [Route(r.method, r.pattern) for r in engine.app.router.routes]
        finally:
            engine.close()


def served(routes: list[Route]) -> set[tuple[str, str]]:
    return {(r.method, shape(r.pattern)) for r in routes}


def build_table(routes: list[Route]) -> Table:
    known = {(e.method, shape(e.path)) for g in GROUPS for e in g.endpoints}
    extra = [r for r in routes
             if not r.pattern.startswith(SANDBOX_PREFIX) and (r.method, shape(r.pattern)) not in known]
    return Table(routes, extra)


def _row(e: Endpoint, have: set[tuple[str, str]]) -> str:
    ok = (e.method, shape(e.path)) in have
    return f"| `{e.method}` | `{e.path}` | {'✅ yes' if ok else '— not yet'} | {cell(e.note)} |"


def render(table: Table) -> str:
    have = served(table.routes)
    docker = [(g, e) for g in GROUPS for e in g.endpoints]
    done = sum(1 for _, e in docker if (e.method, shape(e.path)) in have)
    planned = [(g, e) for g, e in docker if g.planned]
    planned_done = sum(1 for _, e in planned if (e.method, shape(e.path)) in have)
    out = [
        "# Docker Engine API compatibility",
        "",
        "The engine speaks a subset of the Docker Engine API (v1.50, the real docker CLI 28's",
        "version) on its unix socket, so the real `docker` CLI and the docker SDK for Python",
        "work against it. This page is generated at build time: the **served** column comes",
        "from the engine's router, the notes say where the engine behaves differently.",
        "",
        (f"**{planned_done} of {len(planned)}** endpoints outside Swarm, plugins and BuildKit are served"
         f" ({done} of {len(docker)} in all)."),
        "",
        "Every endpoint also answers under a version prefix (`/v1.41/containers/json`), as",
        "dockerd's do; errors are `{\"message\": …}` with dockerd's status codes.",
        "",
    ]
    for group in GROUPS:
        out += [f"## {group.name}", ""]
        if group.why:
            out += [f"*Not planned: {group.why}*", ""]
        out += ["| method | path | served | what differs |", "|---|---|---|---|"]
        out += [_row(e, have) for e in group.endpoints]
        out.append("")
    own = [r for r in table.routes if r.pattern.startswith(SANDBOX_PREFIX)]
    out += [
        "## The sandbox's own endpoints",
        "",
        "What the pictures of the TUI and the REPL read; a real dockerd does not have them.",
        "",
        "| method | path |",
        "|---|---|",
    ]
    out += [f"| `{r.method}` | `{r.pattern}` |" for r in own]
    if table.extra:
        out += ["", "## Served but not in Docker's list", "", "| method | path |", "|---|---|"]
        out += [f"| `{r.method}` | `{r.pattern}` |" for r in table.extra]
    out.append("")
    return "\n".join(out)
