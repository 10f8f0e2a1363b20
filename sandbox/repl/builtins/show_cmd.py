"""``show layers|ns|cgroups|net [NAME]``: a picture of the engine's real state.

Without a name, ``layers``, ``ns`` and ``cgroups`` draw the container the last command
worked on (or the newest container), and ``net`` the default network. The data is read
in a worker, so Ctrl-C works on a slow engine too; drawing happens here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from prompt_toolkit.formatted_text import StyleAndTextTuples

from sandbox.errors import NothingToShow, ReplUsageError

from ..context import ShellContext
from ..registry import Builtin, Result
from ..show import cgroups, fetch, layers, namespaces, network

TOPICS = {"layers": "layers", "ns": "ns", "namespaces": "ns", "cgroups": "cgroups", "cgroup": "cgroups",
          "net": "net", "network": "net"}
USAGE = "show layers|ns|cgroups|net [NAME]"
DEFAULT_NETWORK = "bridge"


def _target(ctx: ShellContext, topic: str, name: str | None) -> str:
    if name:
        return name
    if topic == "net":
        return DEFAULT_NETWORK
    if ctx.last_container:
        return ctx.last_container
    latest = fetch.latest_container(ctx.client)
    if latest is None:
        what = "an image or a container" if topic == "layers" else "a container"
        raise NothingToShow(topic, f"name {what}", "there are no containers yet: try `docker run -d --name web "
                            "busybox sleep 600`, then `show " + topic + " web`")
    return latest


def _draw(ctx: ShellContext, topic: str, name: str) -> Callable[[], StyleAndTextTuples]:
    """Fetch now (in the worker), and return how to draw it (in the main thread)."""
    client: Any = ctx.client
    width = ctx.console.width
    if topic == "layers":
        data = fetch.layers(client, name)
        return lambda: layers.render(data.image, data.history, name=data.name, container=data.container,
                                     changes=data.changes, width=width)
    if topic == "ns":
        ns = fetch.namespaces(client, name)
        return lambda: namespaces.render(ns, name=name, width=width)
    if topic == "cgroups":
        cg = fetch.cgroup(client, name)
        return lambda: cgroups.render(cg, name=name, width=width)
    topo = fetch.topology(client, name)
    return lambda: network.render(topo, width=width)


def run(ctx: ShellContext, args: list[str]) -> Result:
    if not args or args[0] not in TOPICS or len(args) > 2:
        problem = "what should it show?" if not args else f"cannot show {' '.join(args)}"
        raise ReplUsageError("show", problem, f"usage: {USAGE}")
    topic = TOPICS[args[0]]
    drawn: list[Callable[[], StyleAndTextTuples]] = []

    def work(out: TextIO, err: TextIO) -> int:
        drawn.append(_draw(ctx, topic, _target(ctx, topic, args[1] if len(args) > 1 else None)))
        return 0

    code = ctx.settle(ctx.run_in_worker(work), f"show {topic}")
    if drawn:
        ctx.console.picture(drawn[0]())
    return code


BUILTIN = Builtin("show", "draw layers, namespaces, cgroups or a network from the engine's state", USAGE, run)
