from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sandbox.errors import FixtureError, LessonsUnavailable, NoRecording
from sandbox.tui.backend.fake import FakeBackend, from_env


def test_commands_answer_from_recordings_and_set_facts(fake: FakeBackend) -> None:
    chunks: list[str] = []
    result = fake.run_command("docker   run -d --name web busybox httpd -f", on_output=chunks.append)
    assert result.exit_code == 0 and len(result.output.strip()) == 64
    assert chunks == [result.output]
    assert "container:web:running" in fake.world.facts
    assert result.trace and result.trace[-1].op == "start"


def test_an_unrecorded_command_says_so(fake: FakeBackend) -> None:
    result = fake.run_command("docker frobnicate")
    assert result.exit_code == 1 and "no recording" in result.output
    assert fake.run_command("docker rm nosuch1").output.startswith("Error response from daemon")


def test_lesson_checks_follow_facts_and_reset_removes_only_the_lessons(fake: FakeBackend) -> None:
    session = fake.open_session("containers-lifecycle")
    assert len(session.doc.steps) == 3 and session.doc.steps[0].show is not None
    failed = session.check(0)
    assert not failed.passed and "web" in failed.message()
    fake.world.facts.add("unrelated")
    fake.run_command("docker run -d --name web busybox httpd -f")
    assert session.check(0).passed and session.done() == {0}
    summary = {s.id: s for s in fake.list_lessons()}["containers-lifecycle"]
    assert summary.done == 1 and summary.steps == 3
    session.reset()
    assert session.done() == frozenset() and "unrelated" in fake.world.facts
    assert "container:web:running" not in fake.world.facts
    assert not session.check(7).passed


def test_unknown_lesson(fake: FakeBackend) -> None:
    with pytest.raises(LessonsUnavailable, match="no lesson 'nope'"):
        fake.open_session("nope")


def test_picture_data_resolves_names_ids_and_default_tags(fake: FakeBackend) -> None:
    web_id = fake.names() and fake._load("names.json")["containers_ids"]["web"]
    assert fake.namespaces(web_id[:12])["host"]["pid"] == 4026531836
    assert fake.container("/web")["Name"] == "/web"
    assert fake.image("busybox")["inspect"]["RepoTags"] == ["busybox:latest"]
    assert [layer["index"] for layer in fake.layer_files("hello:1") or []] == [0, 1, 2]
    assert fake.layer_files("debian:bookworm") is None  # not recorded: the picture says "unknown"
    assert fake.topology("app")["network"]["name"] == "app"
    with pytest.raises(NoRecording):
        fake.namespaces("nosuch")


def test_cgroup_samples_play_back_and_stay_on_the_last(fake: FakeBackend) -> None:
    usages = [fake.cgroup("hog")["stats"]["cpu_usage_ns"] for _ in range(4)]
    assert usages[0] < usages[1] < usages[2] == usages[3]


def test_events_reach_open_streams_and_close_wakes_the_reader(fake: FakeBackend) -> None:
    stream = fake.events()
    got: list[dict] = []
    reader = threading.Thread(target=lambda: got.extend(stream))
    reader.start()
    fake.push_event({"Type": "container", "Action": "oom"})
    stream.close()
    reader.join(timeout=5)
    assert not reader.is_alive() and got == [{"Type": "container", "Action": "oom"}]


def test_bad_fixture_directories_fail_with_the_path(tmp_path: Path) -> None:
    with pytest.raises(FixtureError, match="not a directory"):
        FakeBackend(tmp_path / "missing")
    with pytest.raises(FixtureError, match="lessons.json"):
        FakeBackend(tmp_path)
    (tmp_path / "lessons.json").write_text("{not json")
    with pytest.raises(FixtureError, match="not JSON"):
        FakeBackend(tmp_path)
    with pytest.raises(FixtureError):
        from_env("")


def test_the_cgroup_picture_of_a_stopped_container_reads_its_inspect(fake: FakeBackend) -> None:
    from sandbox.errors import EngineError
    from sandbox.tui.pictures.load import load_cgroup
    from sandbox.tui.pictures.target import Target

    class Stopped(FakeBackend):
        def cgroup(self, reference: str) -> dict:
            raise EngineError(409, f"container {reference} is not running")

    stopped = Stopped(fake.fixtures.root)
    view = load_cgroup(stopped, Target("cgroups", container="oomed"), None)
    assert view.ended is not None and view.ended.oom_killed and view.ended.exit_code == 137

    class Gone(Stopped):
        def cgroup(self, reference: str) -> dict:
            raise EngineError(404, f"No such container: {reference}")

    with pytest.raises(EngineError):
        load_cgroup(Gone(fake.fixtures.root), Target("cgroups", container="oomed"), None)


def test_a_container_the_running_command_makes_is_awaited_not_an_error(fake: FakeBackend) -> None:
    from sandbox.errors import EngineError
    from sandbox.tui.pictures.pane import PicturePane
    from sandbox.tui.pictures.target import Target

    class NotYet(FakeBackend):
        def cgroup(self, reference: str) -> dict:
            raise EngineError(404, f"No such container: {reference}")

        def container(self, reference: str) -> dict:
            return {"State": {"Status": "created", "Running": False}}

    pane = PicturePane(NotYet(fake.fixtures.root), meter_interval=None)
    target = Target("cgroups", container="hog")
    assert pane._load(target).notice_kind == "error"  # nobody is making it: a real 404
    pane.pending = "hog"
    loaded = pane._load(target)
    assert loaded.notice == "Waiting for hog to be created…" and loaded.notice_kind == "info"

    class Created(NotYet):
        def cgroup(self, reference: str) -> dict:
            raise EngineError(409, f"container {reference} is not running")

    loaded = PicturePane(Created(fake.fixtures.root), meter_interval=None)._load(target)
    assert loaded.view is None and loaded.notice.startswith("hog is created but not started")
