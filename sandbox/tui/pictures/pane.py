"""The picture pane: a row of picture names, and the picture for the current target.

Attributes down: the lesson screen sets ``show`` (the step's ``show:``), ``subject`` (what
the last command touched), ``trace`` (its runtime records), ``kind`` (what the learner
picked) and ``lang``. The pane fetches in a thread worker, never on the event loop, and
refreshes on engine events that concern its target — an OOM kill appears on the next
frame, not on the next tick of a slow timer. The cgroup meters also poll while shown.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static

from sandbox.errors import EngineError, SandboxError

from ..backend.protocol import Backend
from ..backend.types import JSON, PICTURES, ShowSpec, TraceRecord
from ..commandline import Subject
from ..i18n import t
from .base import Picture
from .cgroups import CgroupsPicture
from .layers import LayersPicture
from .load import NeedsSubject, load_cgroup, load_layers, load_namespaces, load_network, trace_lines
from .models.cgroups import CgroupSample
from .namespaces import NamespacesPicture
from .network import NetworkPicture
from .target import Target, choose
from .trace import TracePicture

TAB_LABELS = {"layers": "layers", "namespaces": "ns", "cgroups": "cgroups", "network": "net", "trace": "trace"}

_RELEVANT_ACTIONS = {"create", "start", "die", "kill", "oom", "pause", "unpause", "update", "destroy", "restart",
                     "stop", "exec_start", "exec_die", "connect", "disconnect", "rename"}


def event_concerns(event: JSON, target: Target | None) -> bool:
    """Whether an engine event may change the picture of ``target``."""
    if target is None or target.kind == "trace":
        return False
    kind = event.get("Type") or ""
    action = str(event.get("Action") or event.get("status") or "").split(":")[0]
    actor = event.get("Actor") or {}
    ident = str(actor.get("ID") or event.get("id") or "")
    name = str((actor.get("Attributes") or {}).get("name") or "")
    if kind == "network":
        return target.kind == "network"
    if kind != "container" or action not in _RELEVANT_ACTIONS:
        return kind == "image" and target.kind == "layers"
    if target.container is None:
        return True
    ref = target.container.lstrip("/")
    return ref in (name, ident) or (len(ref) >= 4 and ident.startswith(ref))


class PicturePane(Vertical):
    DEFAULT_CSS = """
    PicturePane { width: 1fr; height: 1fr; }
    PicturePane > #picture-tabs { height: 1; background: $boost; }
    PicturePane ContentSwitcher { height: 1fr; }
    PicturePane VerticalScroll { height: 1fr; }
    """

    class Loaded(Message):
        """A picture's data arrived (or its notice); posted by the worker."""

        def __init__(self, kind: str, target: Target | None, view: Any = None, notice: str = "",
                     notice_kind: str = "info", sample: CgroupSample | None = None) -> None:
            super().__init__()
            self.kind = kind
            self.target = target
            self.view = view
            self.notice = notice
            self.notice_kind = notice_kind
            self.sample = sample

    kind: reactive[str | None] = reactive(None)
    show: reactive[ShowSpec | None] = reactive(None)
    subject: reactive[Subject] = reactive(Subject)
    trace: reactive[tuple[TraceRecord, ...]] = reactive(tuple)
    lang: reactive[str] = reactive("en")
    path: reactive[str | None] = reactive(None)
    pending: reactive[str | None] = reactive(None)
    """A container the running command is about to make (``run --name X``): the picture
    follows it from the start, and its absence until then is not an error."""

    def __init__(self, backend: Backend, *, meter_interval: float | None = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.meter_interval = meter_interval
        self._samples: dict[str, CgroupSample] = {}
        self.loads = 0
        """How many fetches finished (tests wait on it)."""

    def compose(self) -> ComposeResult:
        yield Static(id="picture-tabs")
        with ContentSwitcher(initial="pic-layers"):
            for picture in (LayersPicture(), NamespacesPicture(), CgroupsPicture(), NetworkPicture(), TracePicture()):
                with VerticalScroll(id=f"pic-{picture.kind}"):
                    yield picture

    def on_mount(self) -> None:
        if self.meter_interval:
            self.set_interval(self.meter_interval, self._tick)
        self._draw_tabs()
        self.refresh_picture()

    # -- what to show ------------------------------------------------------------------------

    @property
    def target(self) -> Target | None:
        target = choose(self.kind, self.show, self.subject)
        if target is not None and self.path and target.kind == "layers":
            target = Target(target.kind, target.container, target.image, target.network, self.path)
        return target

    def picture(self, kind: str) -> Picture:
        return self.query_one(f"#pic-{kind} > Picture", Picture)

    def _watch_any(self) -> None:
        if self.is_mounted:
            self._draw_tabs()
            self.refresh_picture()

    watch_kind = watch_show = watch_subject = watch_trace = watch_path = _watch_any

    def follow(self, container: str) -> None:
        """Show ``container`` now, before the command that makes it has finished: its
        meters move while it runs, and its events (an OOM kill) redraw at once."""
        self.pending = container
        self.subject = Subject(container=container)

    def watch_lang(self, lang: str) -> None:
        for kind in PICTURES:
            if self.is_mounted:
                self.picture(kind).lang = lang
        self._watch_any()

    def _draw_tabs(self) -> None:
        target = self.target
        current = target.kind if target else None
        parts: list[Content | tuple[str, str] | str] = [(" ", "")]
        for kind in PICTURES:
            style = "reverse bold $accent" if kind == current else "$text-muted"
            parts += [(f"{TAB_LABELS[kind]}", style), " "]
        parts.append(("F6", "$text-muted italic"))
        self.query_one("#picture-tabs", Static).update(Content.assemble(*parts))

    # -- fetching ----------------------------------------------------------------------------

    def refresh_picture(self) -> None:
        """Redraw the current picture from fresh data (in a worker)."""
        target = self.target
        switcher = self.query_one(ContentSwitcher)
        if target is None:
            switcher.current = "pic-trace" if self.trace else "pic-layers"
            self.picture("layers").show_notice(t("picture.none", self.lang))
            return
        if target.kind not in PICTURES:
            switcher.current = "pic-layers"
            self.picture("layers").show_notice(t("picture.unknown", self.lang, name=target.kind), "error")
            return
        switcher.current = f"pic-{target.kind}"
        if target.kind == "trace":
            lines = trace_lines(self.trace)
            if lines:
                self.picture("trace").show_view(lines)
            else:
                self.picture("trace").show_notice(t("picture.no_trace", self.lang))
            return
        if self.picture(target.kind).view is None:
            self.picture(target.kind).show_notice(t("picture.loading", self.lang), "loading")
        self._fetch(target)

    def _tick(self) -> None:
        target = self.target
        if target is not None and target.kind == "cgroups" and target.container and self.display:
            self._fetch(target)

    def on_engine_event(self, event: JSON) -> None:
        """Called by the screen for every engine event."""
        if event_concerns(event, self.target):
            self.refresh_picture()

    @work(thread=True, exclusive=True, group="picture-fetch", exit_on_error=False)
    def _fetch(self, target: Target) -> None:
        loaded = self._load(target)
        self.post_message(loaded)

    def _load(self, target: Target) -> PicturePane.Loaded:
        try:
            if target.kind == "layers":
                return self.Loaded(target.kind, target, load_layers(self.backend, target))
            if target.kind == "namespaces":
                return self.Loaded(target.kind, target, load_namespaces(self.backend, target))
            if target.kind == "network":
                return self.Loaded(target.kind, target, load_network(self.backend, target))
            previous = self._samples.get(target.container or "")
            view = load_cgroup(self.backend, target, previous)
            return self.Loaded(target.kind, target, view, sample=view.sample)
        except NeedsSubject as need:
            what = need.what
            text = t(what, self.lang, **need.params) if what.startswith("picture.") else \
                t("picture.need_container", self.lang, what=t(what, self.lang))
            return self.Loaded(target.kind, target, notice=text)
        except EngineError as err:
            if err.status == 404 and target.container is not None and target.container == self.pending:
                return self.Loaded(target.kind, target, notice=t("picture.waiting", self.lang, name=target.container))
            return self.Loaded(target.kind, target, notice=err.render(), notice_kind="error")
        except SandboxError as err:
            return self.Loaded(target.kind, target, notice=err.render(), notice_kind="error")

    def on_picture_pane_loaded(self, message: PicturePane.Loaded) -> None:
        message.stop()
        self.loads += 1
        if message.target != self.target:
            return  # the learner moved on while this was in flight
        if message.sample is not None and message.target is not None and message.target.container:
            self._samples[message.target.container] = message.sample
        picture = self.picture(message.kind)
        if message.view is not None:
            picture.show_view(message.view)
        else:
            picture.show_notice(message.notice, message.notice_kind)
