"""The Textual app: ``sandbox`` (the lesson list) and ``sandbox learn [LESSON] [--lang]``.

``main(argv, start_engine=…)`` is the entry point the composition root calls. It picks the
backend — the engine through ``sandbox.client``, or recorded fixtures when
``SANDBOX_TUI_FAKE`` names a directory — makes sure an engine answers (starting it when we
are root, through the function the caller passed in; otherwise saying what to do), and
runs the app. ``make_app`` builds the app alone, for tests.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from textual import work
from textual.app import App
from textual.reactive import reactive

from sandbox.errors import SandboxError

from .backend.protocol import Backend, EventStream
from .history import CommandHistory
from .i18n import other_lang, t
from .keys import bindings
from .messages import EngineBack, EngineEvent, EngineLost, LessonChosen

RECONNECT_DELAY = 2.0
"""Seconds between attempts to reopen the event stream after the engine went away."""


class SandboxApp(App[int]):
    CSS_PATH = "styles.tcss"
    TITLE = "sandbox"
    BINDINGS = bindings("global")
    ENABLE_COMMAND_PALETTE = False

    lang: reactive[str] = reactive("en")

    def __init__(self, backend: Backend, *, lang: str = "en", lesson: str | None = None,
                 history: CommandHistory | None = None, meter_interval: float | None = 1.0,
                 watch_events: bool = True, theme: str | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.set_reactive(SandboxApp.lang, lang)
        self.start_lesson = lesson
        self.history = history or CommandHistory()
        self.meter_interval = meter_interval
        self.watch_events = watch_events
        self._stop = threading.Event()
        self._stream: EventStream | None = None
        self._lock = threading.Lock()
        self.events_seen = 0
        if theme:
            self.theme = theme

    # -- screens ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        from .screens.lessons import LessonListScreen

        self.push_screen(LessonListScreen(self.backend, self.lang))
        if self.start_lesson:
            self.open_lesson(self.start_lesson)
        if self.watch_events:
            self._watch_events()

    def on_resize(self) -> None:
        width, height = self.size
        for screen in self.screen_stack:
            screen.set_class(width >= 120, "-wide")
            screen.set_class(height >= 40, "-tall")

    def open_lesson(self, lesson_id: str) -> None:
        from .screens.lesson import LessonScreen

        screen = LessonScreen(self.backend, lesson_id, lang=self.lang, history=self.history,
                              meter_interval=self.meter_interval)
        width, height = self.size
        screen.set_class(width >= 120, "-wide")
        screen.set_class(height >= 40, "-tall")
        self.push_screen(screen)

    def on_lesson_chosen(self, message: LessonChosen) -> None:
        self.open_lesson(message.lesson_id)

    # -- keys -------------------------------------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))

    def action_toggle_lang(self) -> None:
        self.lang = other_lang(self.lang)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme != "textual-light" else "textual-dark"

    def watch_lang(self, lang: str) -> None:
        for screen in self.screen_stack:
            if hasattr(screen, "lang"):
                screen.lang = lang  # type: ignore[attr-defined]

    # -- engine events ----------------------------------------------------------------------

    @work(thread=True, group="events", exit_on_error=False)
    def _watch_events(self) -> None:
        """Follow ``/events`` for the app's life; reconnect after a loss. Stopped by
        ``on_unmount`` closing the stream (which wakes the blocked read)."""
        lost = False
        while not self._stop.is_set():
            try:
                stream = self.backend.events()
                with self._lock:
                    self._stream = stream
                if self._stop.is_set():
                    stream.close()
                    return
                if lost:
                    self.post_message(EngineBack())
                    lost = False
                for event in stream:
                    self.post_message(EngineEvent(event))
            except SandboxError as err:
                if not lost:
                    self.post_message(EngineLost(err.render()))
                lost = True
            finally:
                with self._lock:
                    if self._stream is not None:
                        self._stream.close()
                    self._stream = None
            self._stop.wait(RECONNECT_DELAY)

    def on_engine_event(self, message: EngineEvent) -> None:
        self.events_seen += 1
        handler = getattr(self.screen, "handle_engine_event", None)
        if handler is not None:
            handler(message.event)

    def on_engine_lost(self, message: EngineLost) -> None:
        self.notify(t("engine.lost", self.lang, message=message.message), severity="error", timeout=8)

    def on_engine_back(self, _: EngineBack) -> None:
        self.notify(t("engine.back", self.lang))

    def on_unmount(self) -> None:
        self.stop_watching()

    def stop_watching(self) -> None:
        self._stop.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()


def make_app(backend: Backend, **options: object) -> SandboxApp:
    """The app around ``backend`` (tests pass the fake backend)."""
    return SandboxApp(backend, **options)  # type: ignore[arg-type]


# -- the command line --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None, *, start_engine: Callable[[], None] | None = None,
         env: dict[str, str] | None = None) -> int:
    """``sandbox`` / ``sandbox learn [LESSON] [--lang en|zh]``. ``start_engine`` starts the
    engine in the background (``sandbox up``); the composition root passes it in so this
    package never imports the engine."""
    from .launch import LaunchError, connect, parse_args

    environ = dict(os.environ if env is None else env)
    try:
        options = parse_args(list(sys.argv[1:] if argv is None else argv))
    except LaunchError as err:
        print(f"sandbox: {err.render()}", file=sys.stderr)
        return 2
    if options.help:
        print(options.usage, end="")
        return 0
    try:
        backend = connect(environ, start_engine=start_engine, is_root=os.geteuid() == 0, say=_say)
    except SandboxError as err:
        print(f"sandbox: {err.render()}", file=sys.stderr)
        return 1
    state = Path(environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "sandbox" / "tui_history"
    app = SandboxApp(backend, lang=options.lang, lesson=options.lesson, history=CommandHistory.load(state),
                     theme=environ.get("SANDBOX_THEME") and f"textual-{environ['SANDBOX_THEME']}")
    try:
        app.run()
    finally:
        app.stop_watching()
        backend.close()
    return app.return_code or 0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
