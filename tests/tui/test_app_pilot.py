"""The TUI's behaviour, driven by Pilot against the fake backend."""

from __future__ import annotations

import pytest
from textual.widgets import Markdown, OptionList

from sandbox.tui.backend.fake import FakeBackend
from sandbox.tui.pictures.cgroups import CgroupsPicture
from sandbox.tui.pictures.pane import PicturePane
from sandbox.tui.screens.help import HelpScreen
from sandbox.tui.screens.lesson import LessonScreen
from sandbox.tui.screens.lessons import LessonListScreen
from sandbox.tui.widgets.command_input import CommandInput
from sandbox.tui.widgets.command_output import CommandOutput
from sandbox.tui.widgets.completion_bar import CompletionBar
from sandbox.tui.widgets.feedback import Feedback
from sandbox.tui.widgets.step_list import StepList

from .helpers import run_async, until

FIRST = "docker run -d --name web busybox httpd -f"


async def _submit(pilot, screen: LessonScreen, line: str) -> None:  # type: ignore[no-untyped-def]
    """Enter ``line`` in the command box; typing key by key is tested once, in the
    first-step test, and is slow under Pilot."""
    screen.query_one(CommandInput).value = line
    await pilot.press("enter")


async def _open_first_lesson(pilot) -> LessonScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    assert await until(pilot, lambda: isinstance(app.screen, LessonListScreen)
                       and app.screen.query_one(OptionList).option_count == 4)
    await pilot.press("enter")
    assert await until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.state is not None)
    return app.screen


@run_async
async def test_the_list_shows_lessons_with_progress(app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        assert await until(pilot, lambda: app.screen.query_one(OptionList).option_count == 4)
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(4)]
        assert "Your first container" in prompts[0] and prompts[0].rstrip().endswith("0/3")
        assert prompts[2].startswith("◐") and prompts[2].rstrip().endswith("1/2")


@run_async
async def test_typing_the_first_steps_command_turns_it_done(app_for, fake: FakeBackend) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        steps = screen.query_one(StepList)
        assert steps.mark(0) == "▸"
        await pilot.press(*FIRST, "enter")
        assert await until(pilot, lambda: steps.mark(0) == "✓")
        assert steps.mark(1) == "▸" and screen.state.current == 1
        assert fake.ran == [FIRST]
        output = screen.query_one(CommandOutput).plain
        assert output[0] == f"$ {FIRST}" and output[-1] == "exit code 0"
        assert "Step 1 done" in screen.query_one(Feedback).text
        # The picture follows the step (namespaces) and the command's container.
        pane = screen.query_one(PicturePane)
        assert pane.target is not None and (pane.target.kind, pane.target.container) == ("namespaces", "web")


@run_async
async def test_a_failing_check_says_what_is_wrong(app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        await _submit(pilot, screen, "docker ps")
        feedback = screen.query_one(Feedback)
        assert await until(pilot, lambda: feedback.kind == "fail")
        assert "no running container named web" in feedback.text
        assert screen.query_one(StepList).mark(0) == "▸"


@run_async
async def test_the_hint_key_reveals_tiers_in_order(app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        feedback = screen.query_one(Feedback)
        await pilot.press("f2")
        assert feedback.kind == "hint" and feedback.text.startswith("Hint 1/3: Use `docker run`")
        await pilot.press("f2")
        assert feedback.text.startswith("Hint 2/3: docker run -d --name web busybox …")
        await pilot.press("f2", "f2")
        assert feedback.text.startswith("Hint 3/3: docker run -d --name web busybox httpd -f")
        assert "last hint" in feedback.text


@run_async
async def test_reset_asks_then_starts_the_lesson_over(app_for, fake: FakeBackend) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        await _submit(pilot, screen, FIRST)
        steps = screen.query_one(StepList)
        assert await until(pilot, lambda: steps.mark(0) == "✓")
        await pilot.press("f4")
        assert await until(pilot, lambda: app.screen is not screen)
        await pilot.press("n")
        assert await until(pilot, lambda: app.screen is screen)
        assert steps.mark(0) == "✓"
        await pilot.press("f4")
        assert await until(pilot, lambda: app.screen is not screen)
        await pilot.press("y")
        assert await until(pilot, lambda: steps.mark(0) == "▸")
        assert "container:web:running" not in fake.world.facts
        assert screen.query_one(Feedback).text == "Lesson reset."


@run_async
async def test_the_language_switch_changes_lesson_text_and_labels(app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        markdown = screen.query_one("#step-text", Markdown)
        assert await until(pilot, lambda: "Run a web server" in markdown.source)
        await pilot.press("f3")
        assert app.lang == "zh"
        assert await until(pilot, lambda: "运行一个 Web 服务器" in markdown.source)
        assert "第 1/3 步" in str(screen.query_one("#lesson-title").render())
        await pilot.press("f2")
        assert screen.query_one(Feedback).text.startswith("提示 1/3")
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, LessonListScreen))
        options = app.screen.query_one(OptionList)
        assert await until(pilot, lambda: "第一个容器" in str(options.get_option_at_index(0).prompt))


@run_async
async def test_help_lists_every_key(app_for) -> None:  # type: ignore[no-untyped-def]
    from sandbox.tui.keys import KEYS

    app = app_for()
    async with app.run_test(size=(80, 40)) as pilot:
        await _open_first_lesson(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for spec in KEYS:
            assert (spec.shown or spec.keys) in text
        await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen)


@run_async
async def test_tab_completes_and_up_recalls(app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        box = screen.query_one(CommandInput)
        assert await until(pilot, lambda: "web" in box.names.containers)
        await pilot.press(*"docker ex", "tab")
        assert box.value == "docker ex"
        assert screen.query_one(CompletionBar).candidates == ("exec", "export")
        await pilot.press("e", "c", "tab", "w", "tab")
        assert box.value == "docker exec web "
        await pilot.press("p", "s", "enter")
        assert await until(pilot, lambda: box.value == "" and screen.running is None)
        await pilot.press("up")
        assert box.value == "docker exec web ps"


@run_async
async def test_only_docker_commands_run(app_for, fake: FakeBackend) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        await _submit(pilot, screen, "rm -rf /")
        assert await until(pilot, lambda: "Only `docker …` commands run here." in screen.query_one(CommandOutput).plain)
        assert fake.ran == []


@run_async
async def test_interactive_commands_need_a_terminal_to_hand_over(app_for, fake: FakeBackend) -> None:  # type: ignore[no-untyped-def]
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        await _submit(pilot, screen, "docker run -it busybox sh")
        output = screen.query_one(CommandOutput)
        # The test driver cannot give the terminal away: the TUI says so and keeps going.
        assert await until(pilot, lambda: any("needs the terminal" in line for line in output.plain))
        assert fake.ran == []


@run_async
async def test_interactive_commands_suspend_the_app(app_for, fake: FakeBackend, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from contextlib import contextmanager

    suspended: list[bool] = []

    @contextmanager
    def suspend():  # type: ignore[no-untyped-def]
        suspended.append(True)
        yield

    app = app_for()
    monkeypatch.setattr(app, "suspend", suspend)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_first_lesson(pilot)
        await _submit(pilot, screen, "docker run -it busybox sh")
        output = screen.query_one(CommandOutput)
        assert await until(pilot, lambda: any("exit code 0" in line for line in output.plain))
        assert suspended == [True] and fake.ran == ["docker run -it busybox sh"]


@run_async
async def test_an_oom_kill_shows_on_the_event_not_on_a_timer(app_for, fake: FakeBackend) -> None:  # type: ignore[no-untyped-def]
    app = app_for(lesson="cgroups-memory")  # meter_interval=None: no polling at all
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.state is not None)
        picture = app.screen.query_one(CgroupsPicture)
        assert await until(pilot, lambda: picture.view is not None)
        assert picture.view.sample.oom_kills == 0
        sample = fake.cgroup("hog")
        sample["stats"]["oom_kills"] = 1
        fake.overrides["cgroup/hog.json"] = sample
        hog = fake._load("names.json")["containers_ids"]["hog"]
        # No timer runs in this app (meter_interval=None), so only the event can refresh it;
        # how fast (the one-second bound) is measured by bench/tui_start.py, not asserted here.
        fake.push_event({"Type": "container", "Action": "oom", "Actor": {"ID": hog, "Attributes": {"name": "hog"}}})
        assert await until(pilot, lambda: picture.view is not None and picture.view.sample.oom_kills == 1)
        assert "OOM kills: 1" in str(picture.render())


@run_async
async def test_events_about_other_containers_leave_the_picture_alone(app_for, fake: FakeBackend) -> None:  # type: ignore[no-untyped-def]
    app = app_for(lesson="cgroups-memory")
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, LessonScreen))
        pane = app.screen.query_one(PicturePane)
        assert await until(pilot, lambda: pane.loads >= 1)
        loads = pane.loads
        events = app.events_seen
        fake.push_event({"Type": "container", "Action": "start", "Actor": {"ID": "f" * 64, "Attributes": {"name": "other"}}})
        assert await until(pilot, lambda: app.events_seen == events + 1)
        await pilot.pause(0.05)
        assert pane.loads == loads


@run_async
async def test_picture_key_cycles_and_path_prompt_sets_the_layers_path(app_for) -> None:  # type: ignore[no-untyped-def]
    app = app_for(lesson="images-layers")
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: isinstance(app.screen, LessonScreen) and app.screen.state is not None)
        pane = app.screen.query_one(PicturePane)
        assert pane.target.kind == "layers" and pane.target.path == "/etc/passwd"
        await pilot.press("f6")
        assert pane.target.kind == "namespaces"
        await pilot.press("f9")
        assert await until(pilot, lambda: app.screen is not pane.screen)
        prompt_input = app.screen.query_one("Input")
        # The captured container `edit` deleted /bin/ls (a whiteout in its upper layer).
        prompt_input.value = "/bin/ls"
        await pilot.press("enter")
        assert await until(pilot, lambda: app.screen is pane.screen)
        assert (pane.target.kind, pane.target.path) == ("layers", "/bin/ls")
        layers = pane.picture("layers")
        assert await until(pilot, lambda: layers.view is not None and layers.view.origin is not None
                           and layers.view.origin.path == "/bin/ls")
        assert layers.view.origin.state == "whiteout"
