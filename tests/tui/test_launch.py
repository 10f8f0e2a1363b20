from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.errors import BadArguments, EngineUnavailable
from sandbox.tui.backend.client import ClientBackend
from sandbox.tui.backend.fake import FakeBackend
from sandbox.tui.backend.types import EngineStatus
from sandbox.tui.launch import connect, default_lang, parse_args


@pytest.mark.parametrize("argv, lesson, lang", [
    ([], None, "en"),
    (["learn"], None, "en"),
    (["learn", "cgroups-memory"], "cgroups-memory", "en"),
    (["learn", "cgroups-memory", "--lang", "zh"], "cgroups-memory", "zh"),
    (["--lang=zh"], None, "zh"),
    (["images-layers"], "images-layers", "en"),
])
def test_parse_args(argv: list[str], lesson: str | None, lang: str) -> None:
    options = parse_args(argv)
    assert (options.lesson, options.lang, options.help) == (lesson, lang, False)


@pytest.mark.parametrize("argv, problem", [
    (["--lang", "fr"], "--lang takes one of en, zh"),
    (["--lang"], "not ''"),
    (["--verbose"], "unknown option --verbose"),
    (["learn", "a", "b"], "one lesson at a time"),
])
def test_parse_args_refuses_bad_input(argv: list[str], problem: str) -> None:
    with pytest.raises(BadArguments, match=problem) as caught:
        parse_args(argv)
    assert "sandbox learn" in (caught.value.hint or "")


def test_help_and_language_from_the_environment() -> None:
    assert parse_args(["learn", "-h"]).help
    assert default_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_lang({"LANG": "zh_CN.UTF-8", "SANDBOX_LANG": "en"}) == "en"
    assert default_lang({}) == "en"
    assert parse_args([], {"SANDBOX_LANG": "zh"}).lang == "zh"


def test_the_fake_backend_is_chosen_by_environment(fixtures_dir: Path) -> None:
    backend = connect({"SANDBOX_TUI_FAKE": str(fixtures_dir)}, start_engine=None, is_root=False, say=print)
    assert isinstance(backend, FakeBackend)


def test_no_engine_and_not_root_says_what_to_do(tmp_path: Path) -> None:
    env = {"DOCKER_HOST": f"unix://{tmp_path}/engine.sock"}
    with pytest.raises(EngineUnavailable) as caught:
        connect(env, start_engine=lambda: pytest.fail("must not start"), is_root=False, say=print)
    assert "engine.sock" in caught.value.message and "sudo sandbox up" in (caught.value.hint or "")


def test_no_engine_as_root_starts_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started: list[bool] = []
    said: list[str] = []

    def status(self: ClientBackend) -> EngineStatus:
        return EngineStatus(bool(started), "unix:///test.sock", message="no socket there")

    monkeypatch.setattr(ClientBackend, "engine_status", status)
    backend = connect({"DOCKER_HOST": f"unix://{tmp_path}/e.sock"}, start_engine=lambda: started.append(True),
                      is_root=True, say=said.append)
    backend.close()
    assert started == [True] and "starting it" in said[0]


def test_an_engine_that_never_comes_up_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ClientBackend, "engine_status",
                        lambda self: EngineStatus(False, "unix:///test.sock", message="refused"))
    with pytest.raises(EngineUnavailable, match="still not answering"):
        connect({"DOCKER_HOST": f"unix://{tmp_path}/e.sock"}, start_engine=lambda: None, is_root=True,
                say=lambda _: None, timeout=0)
