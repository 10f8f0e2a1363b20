"""Small apps that show one picture built from the recorded fixtures (snapshot tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll

from sandbox.tui.backend.types import TraceRecord
from sandbox.tui.pictures.base import Picture
from sandbox.tui.pictures.cgroups import CgroupsPicture
from sandbox.tui.pictures.layers import LayersPicture
from sandbox.tui.pictures.load import trace_lines
from sandbox.tui.pictures.models import cgroups as cg
from sandbox.tui.pictures.models.layers import build_stack
from sandbox.tui.pictures.models.namespaces import build_view as ns_view
from sandbox.tui.pictures.models.network import build_view as net_view
from sandbox.tui.pictures.namespaces import NamespacesPicture
from sandbox.tui.pictures.network import NetworkPicture
from sandbox.tui.pictures.trace import TracePicture

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class PictureApp(App[None]):
    CSS = "VerticalScroll { height: 1fr; }"

    def __init__(self, picture: Picture, view: Any, theme: str = "textual-dark") -> None:
        super().__init__()
        self.picture = picture
        self.view = view
        self.theme = theme

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.picture

    def on_mount(self) -> None:
        self.picture.show_view(self.view)


def layers_image(theme: str = "textual-dark") -> PictureApp:
    return PictureApp(LayersPicture(), build_stack("hello:1", load("images/hello_1.json")), theme)


def layers_container() -> PictureApp:
    stack = build_stack("hello:1", load("images/hello_1.json"), load("layers/hello_1.json"),
                        "edit", load("containers/edit.json")["changes"], "/etc/passwd")
    return PictureApp(LayersPicture(), stack)


def namespaces(theme: str = "textual-dark") -> PictureApp:
    return PictureApp(NamespacesPicture(), ns_view("web", load("namespaces/web.json")), theme)


def cgroups(oom: bool = False, theme: str = "textual-dark") -> PictureApp:
    """hog's meters between two recorded samples; with ``oom``, oomer's: a container whose
    `tail /dev/zero` the kernel killed at its 16 MiB limit while its shell lived on."""
    if oom:
        before, after = load("cgroup/oomer.json")["samples"]
        view = cg.derive("oomer", cg.parse_sample(after, at=101.0), cg.parse_sample(before, at=100.0))
        return PictureApp(CgroupsPicture(), view, theme)
    samples = load("cgroup/hog.json")["samples"]
    view = cg.derive("hog", cg.parse_sample(samples[1], at=101.0), cg.parse_sample(samples[0], at=100.0))
    return PictureApp(CgroupsPicture(), view, theme)


def cgroups_ended() -> PictureApp:
    """oomed: its main process was OOM-killed within a second, before the meter's first
    sample, so the container (and its cgroup) is gone: the limits come from its inspect."""
    view = cg.ended_view("oomed", load("containers/oomed.json")["inspect"], None, at=101.0)
    return PictureApp(CgroupsPicture(), view)


def network() -> PictureApp:
    return PictureApp(NetworkPicture(), net_view(load("topology/app.json")))


def trace() -> PictureApp:
    records = tuple(TraceRecord.from_json(r) for r in load("trace/run-hog.json"))
    return PictureApp(TracePicture(), trace_lines(records))
