"""The lesson screen: step list and text on the left, the picture pane on the right, then
check feedback, the command output and the command box.

It composes the widgets and routes: a ``CommandInput.Run`` becomes a worker that runs the
line; its ``CommandDone`` feeds the output, the picture pane (subject, trace) and a check;
a passing ``CheckDone`` moves the step on. Every backend call happens in a worker.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from sandbox.errors import NotInteractive, SandboxError

from ..backend.protocol import Backend, LessonSession
from ..backend.types import JSON, CheckResult
from ..commandline import Subject, guess_picture, is_interactive, parse_line, subject_of
from ..history import CommandHistory
from ..i18n import t
from ..keys import bindings
from ..lesson_state import LessonState
from ..pictures.pane import PicturePane
from ..pictures.target import next_kind
from ..widgets.command_input import CommandInput
from ..widgets.command_output import CommandOutput
from ..widgets.completion_bar import CompletionBar
from ..widgets.feedback import Feedback
from ..widgets.step_list import StepList
from .dialogs import ConfirmScreen, PathPrompt
from .lesson_messages import CheckDone, CommandDone, NamesLoaded, OutputChunk, ResetDone, SessionOpened

NAMES_DEBOUNCE = 0.2
"""Events come in bursts (create, start, attach …): refresh names once per burst."""


class LessonScreen(Screen[None]):
    BINDINGS = bindings("lesson") + [
        Binding("pageup", "scroll_text(-1)", show=False),
        Binding("pagedown", "scroll_text(1)", show=False),
    ]

    lang: reactive[str] = reactive("en")

    def __init__(self, backend: Backend, lesson_id: str, *, lang: str = "en", history: CommandHistory | None = None,
                 meter_interval: float | None = 1.0) -> None:
        super().__init__()
        self.backend = backend
        self.lesson_id = lesson_id
        self.set_reactive(LessonScreen.lang, lang)
        self.history = history or CommandHistory()
        self.meter_interval = meter_interval
        self.session: LessonSession | None = None
        self.state: LessonState | None = None
        self.running: str | None = None
        """The line being run, while one runs."""
        self._names_timer = None

    def compose(self) -> ComposeResult:
        yield Static(t("lesson.loading", self.lang), id="lesson-title")
        with Horizontal(id="lesson-body"):
            with Vertical(id="lesson-left"):
                yield StepList()
                with VerticalScroll(id="step-scroll"):
                    yield Markdown(id="step-text")
            yield PicturePane(self.backend, meter_interval=self.meter_interval, id="pictures")
        yield Feedback()
        yield CommandOutput(id="output")
        yield CommandInput(self.history, placeholder=t("input.placeholder", self.lang), id="command")
        yield CompletionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(CommandInput).focus()
        self.query_one(PicturePane).lang = self.lang
        self.open_session()
        self.load_names()

    # -- workers: each calls the backend once and reports back -----------------------------

    @work(thread=True, exit_on_error=False)
    def open_session(self) -> None:
        try:
            session = self.backend.open_session(self.lesson_id)
            self.post_message(SessionOpened(session, session.done()))
        except SandboxError as err:
            self.post_message(SessionOpened(None, error=err.render()))

    @work(thread=True, exclusive=True, group="names", exit_on_error=False)
    def load_names(self) -> None:
        try:
            self.post_message(NamesLoaded(self.backend.names()))
        except SandboxError:
            pass  # completion of live names is a convenience; the command box works without it

    @work(thread=True, group="command", exit_on_error=False)
    def run_line(self, line: str) -> None:
        try:
            result = self.backend.run_command(line, on_output=lambda text: self.post_message(OutputChunk(text)))
            self.post_message(CommandDone(line, result))
        except SandboxError as err:
            self.post_message(CommandDone(line, None, err.render()))

    @work(thread=True, exclusive=True, group="check", exit_on_error=False)
    def run_check(self, step: int, quiet: bool) -> None:
        if self.session is None:
            return
        try:
            result = self.session.check(step)
        except SandboxError as err:
            result = CheckResult.failed(err.render())
        self.post_message(CheckDone(step, result, quiet))

    @work(thread=True, exclusive=True, group="reset", exit_on_error=False)
    def run_reset(self) -> None:
        if self.session is None:
            return
        try:
            self.session.reset()
            self.post_message(ResetDone())
        except SandboxError as err:
            self.post_message(ResetDone(err.render()))

    # -- routing ----------------------------------------------------------------------------

    def on_session_opened(self, message: SessionOpened) -> None:
        if message.session is None:
            self.query_one(Feedback).say(message.error, "fail")
            return
        self.session = message.session
        self.state = LessonState.start(message.session.doc, message.done)
        self._sync(step_changed=True)

    def on_command_input_run(self, message: CommandInput.Run) -> None:
        line = message.line
        output = self.query_one(CommandOutput)
        words = line.split()
        if not words or words[0] != "docker":
            output.begin(line)
            output.note(t("output.docker_only", self.lang), "yellow")
            return
        if self.running is not None:
            output.note(t("output.running", self.lang, line=self.running), "yellow")
            return
        parsed = parse_line(line)
        if is_interactive(parsed):
            self._run_interactive(line)
            return
        self.running = line
        output.begin(line)
        self.query_one(Feedback).say(t("output.running", self.lang, line=line), "info")
        early = subject_of(parsed)
        if parsed.verb in ("run", "create") and early.container:
            self.query_one(PicturePane).follow(early.container)
        self.run_line(line)

    def _run_interactive(self, line: str) -> None:
        """Hand the terminal to the command (``run -it``, ``exec -it``, ``logs -f`` …) and
        come back when it ends. Runs on the event loop on purpose: the app is suspended."""
        output = self.query_one(CommandOutput)
        output.begin(line)
        try:
            with self.app.suspend():
                print(t("output.interactive", self.lang, line=line), flush=True)
                try:
                    code = self.backend.run_interactive(line)
                except KeyboardInterrupt:
                    # Ctrl-C belongs to the command while it has the terminal; it ends
                    # the command, never the TUI.
                    code = 130
        except SuspendNotSupported:
            output.note(NotInteractive(line).render(), "red")
            return
        except SandboxError as err:
            output.note(err.render(), "red")
            return
        output.note(t("output.back", self.lang, line=line, code=code))
        self._after_command(line, "", ())

    def on_output_chunk(self, message: OutputChunk) -> None:
        self.query_one(CommandOutput).chunk(message.text)

    def on_command_done(self, message: CommandDone) -> None:
        self.running = None
        output = self.query_one(CommandOutput)
        output.flush_partial()
        if message.result is None:
            self.query_one(PicturePane).pending = None
            output.note(message.error, "red")
            self.query_one(Feedback).say(message.error, "fail")
            return
        style = "green" if message.result.exit_code == 0 else "red"
        output.note(t("output.exit", self.lang, code=message.result.exit_code), style)
        self._after_command(message.line, message.result.output, message.result.trace)

    def _after_command(self, line: str, output: str, trace: tuple) -> None:
        parsed = parse_line(line)
        pane = self.query_one(PicturePane)
        pane.pending = None
        subject = subject_of(parsed, output)
        if subject != Subject():
            pane.subject = subject
        pane.trace = tuple(trace)
        step_show = self._step().show if self._step() else None
        if step_show is None:
            guessed = guess_picture(parsed)
            if guessed:
                pane.kind = guessed
        pane.refresh_picture()
        self.load_names()
        if self.state is not None:
            self.run_check(self.state.current, False)

    def on_check_done(self, message: CheckDone) -> None:
        state = self.state
        if state is None:
            return
        feedback = self.query_one(Feedback)
        if message.result.passed:
            already = message.step in state.done
            moved = state.pass_step(message.step)
            if not (message.quiet and already):
                text = t("step.passed", self.lang, n=message.step + 1)
                if state.complete:
                    text += "  " + t("lesson.complete", self.lang)
                feedback.say(text, "pass")
            self._sync(step_changed=moved)
        elif not message.quiet and message.step == state.current:
            feedback.say(t("step.failed", self.lang, message=message.result.message(self.lang)), "fail")

    def on_names_loaded(self, message: NamesLoaded) -> None:
        self.query_one(CommandInput).names = message.names

    def on_command_input_candidates(self, message: CommandInput.Candidates) -> None:
        self.query_one(CompletionBar).candidates = message.candidates

    def on_reset_done(self, message: ResetDone) -> None:
        feedback = self.query_one(Feedback)
        if message.error:
            feedback.say(message.error, "fail")
            return
        if self.state is not None:
            self.state.reset()
        pane = self.query_one(PicturePane)
        pane.subject, pane.trace, pane.kind, pane.path = Subject(), (), None, None
        self._sync(step_changed=True)
        feedback.say(t("reset.done", self.lang), "info")
        self.load_names()

    def handle_engine_event(self, event: JSON) -> None:
        """Called by the app for each engine event while this screen is active."""
        self.query_one(PicturePane).on_engine_event(event)
        if self._names_timer is not None:
            self._names_timer.stop()
        self._names_timer = self.set_timer(NAMES_DEBOUNCE, self.load_names)
        if self.state is not None and self.running is None and event.get("Type") in ("container", "network",
                                                                                        "image", "volume"):
            # Re-check quietly: state can change outside the command box (another shell).
            self.run_check(self.state.current, True)

    # -- keys -------------------------------------------------------------------------------

    def action_hint(self) -> None:
        if self.state is None:
            return
        tier = self.state.next_hint()
        feedback = self.query_one(Feedback)
        if tier is None:
            feedback.say(t("hint.none", self.lang), "info")
            return
        shown, total = tier
        text = self.state.doc.steps[self.state.current].hints[shown - 1].get(self.lang)
        line = t("hint.tier", self.lang, tier=shown, total=total, text=text)
        if shown == total:
            line += " " + t("hint.last", self.lang)
        feedback.say(line, "hint")

    def action_check(self) -> None:
        if self.state is not None:
            self.query_one(Feedback).say(t("step.checking", self.lang), "info")
            self.run_check(self.state.current, False)

    def action_reset(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.run_reset()

        self.app.push_screen(ConfirmScreen(t("reset.confirm", self.lang), self.lang), answered)

    def action_next_picture(self) -> None:
        pane = self.query_one(PicturePane)
        target = pane.target
        pane.kind = next_kind(target.kind if target else None)

    def action_choose_path(self) -> None:
        pane = self.query_one(PicturePane)

        def chosen(path: str | None) -> None:
            if path:
                pane.path = path
                pane.kind = "layers"

        self.app.push_screen(PathPrompt(self.lang, pane.path or ""), chosen)

    def action_prev_step(self) -> None:
        self._move(-1)

    def action_next_step(self) -> None:
        self._move(1)

    def _move(self, delta: int) -> None:
        if self.state is not None:
            self.state.go(delta)
            self._sync(step_changed=True)

    def action_scroll_text(self, direction: int) -> None:
        scroll = self.query_one("#step-scroll", VerticalScroll)
        if direction < 0:
            scroll.scroll_page_up()
        else:
            scroll.scroll_page_down()

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- pushing state down -----------------------------------------------------------------

    def _step(self):  # type: ignore[no-untyped-def]
        if self.state is None or not self.state.total:
            return None
        return self.state.doc.steps[self.state.current]

    def watch_lang(self) -> None:
        if self.is_mounted:
            self.query_one(PicturePane).lang = self.lang
            self.query_one(CommandInput).placeholder = t("input.placeholder", self.lang)
            self._sync(step_changed=False, text_changed=True)

    def _sync(self, step_changed: bool, text_changed: bool = False) -> None:
        state = self.state
        if state is None:
            return
        steps = self.query_one(StepList)
        steps.steps, steps.done, steps.current, steps.lang = state.doc.steps, frozenset(state.done), state.current, self.lang
        title = f" {state.doc.title.get(self.lang)}  ·  {t('lesson.step', self.lang, n=state.current + 1, total=state.total)}" \
                f"  ·  {self.lang.upper()}"
        self.query_one("#lesson-title", Static).update(title)
        step = self._step()
        if step is None:
            return
        if step_changed or text_changed:
            self.query_one("#step-text", Markdown).update(step.text.get(self.lang))
        if step_changed:
            pane = self.query_one(PicturePane)
            pane.kind = None
            pane.path = step.show.path if step.show else None
            pane.show = step.show
            self.query_one("#step-scroll", VerticalScroll).scroll_home(animate=False)
