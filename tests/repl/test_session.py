"""Whole sessions: lines typed into a pipe, the transcript read back.

The engine is the client's mock transport with a little state (conftest.FakeEngine);
the docker commands are the real grammar, in-process."""

from __future__ import annotations

import _thread
import threading
from pathlib import Path
from typing import Any

from sandbox.client import MockResponse
from tests.repl.conftest import CID, FakeEngine, load, run_shell


def test_run_ps_an_error_and_exit(engine: FakeEngine, tmp_path: Path) -> None:
    result = run_shell(engine, "docker run -d --name api web:1\ndocker ps\ndocker rm nope\nexit\ndocker ps -a\n",
                       tmp_path)
    lines = result.transcript.splitlines()
    assert lines[0] == f"{2 - 1:064x}"  # the new container's id, as `docker run -d` prints it
    assert lines[1].split()[:2] == ["CONTAINER", "ID"]
    assert lines[2].split()[-1] == "api"
    assert lines[3] == "Error response from daemon: No such container: nope"
    assert len(lines) == 4  # `exit` ended the session before the last line
    assert result.code == 0


def test_a_bad_line_keeps_the_prompt(engine: FakeEngine, tmp_path: Path) -> None:
    result = run_shell(engine, 'bogus\nps\ndocker run "unclosed\ndocker frobnicate\nshow\ndocker ps\n', tmp_path)
    text = result.transcript
    assert "error: unknown command: bogus" in text
    assert "hint: docker commands start with `docker`: docker ps …" in text
    assert "a quote is not closed" in text
    assert "docker: unknown command: docker frobnicate" in text
    assert "error: show: what should it show?" in text
    assert text.rstrip().splitlines()[-1].split()[0] == "CONTAINER"  # the last command still ran


def test_ctrl_d_ends_the_session(engine: FakeEngine, tmp_path: Path) -> None:
    assert run_shell(engine, "", tmp_path).code == 0


def test_an_interactive_command_without_a_terminal_says_so(engine: FakeEngine, tmp_path: Path) -> None:
    result = run_shell(engine, "docker run -it web:1 sh\ndocker ps\n", tmp_path)
    assert "the input device is not a TTY" in result.transcript
    assert "CONTAINER ID" in result.transcript


def test_show_draws_the_last_container_without_a_name(engine: FakeEngine, tmp_path: Path) -> None:
    engine.add_container("web")
    engine.router.add("POST", "/containers/web/stop", MockResponse(204))
    result = run_shell(engine, "docker stop web\nshow layers\nshow ns web\nshow net app\nshow cgroups ghost\n",
                       tmp_path)
    text = result.transcript
    assert "image web:1  08d88554d738" in text
    assert "container web: its own read-write layer (upperdir)" in text
    assert "namespaces of web" in text
    assert "network app  bridge  172.31.0.0/16" in text
    assert "error: show cgroups: this engine does not serve that picture" in text


def test_explain_prints_the_commands_output_then_its_trace(engine: FakeEngine, tmp_path: Path) -> None:
    engine.add_container("web")
    engine.router.add("GET", "/sandbox/trace", MockResponse.ndjson(load("trace-run.json")))
    result = run_shell(engine, "explain docker rm -f web\nexplain\n", tmp_path)
    text = result.transcript
    assert text.startswith("web\nwhat the engine did for: docker rm -f web")
    assert "unshare(CLONE_NEWPID)" in text and "write memory.limit_in_bytes = 67108864" in text
    assert engine.deleted == [CID]
    assert "error: explain: which command?" in text


def test_explain_on_an_engine_without_trace(engine: FakeEngine, tmp_path: Path) -> None:
    engine.add_container("web")
    result = run_shell(engine, "explain docker rm -f web\n", tmp_path)
    assert "explain: cannot read the trace stream" in result.transcript
    assert engine.deleted == []  # the command did not run without its trace


def test_reset_removes_only_what_the_session_made(engine: FakeEngine, tmp_path: Path) -> None:
    engine.add_container("web")
    result = run_shell(engine, "docker run -d --name api web:1\nreset --dry-run\nreset\nreset\n", tmp_path)
    text = result.transcript
    assert "would remove container api" in text
    assert "removed container api" in text
    assert "nothing to reset" in text
    assert [c["Names"][0] for c in engine.containers.values()] == ["/web"]


def test_lessons_go_to_the_lessons_cli(engine: FakeEngine, tmp_path: Path) -> None:
    calls: list[tuple[list[str], Any]] = []

    def lessons(argv: list[str], **kw: Any) -> int:
        calls.append((argv, kw["docker_main"]))
        kw["stdout"].write("first-container  ✓\n")
        return 0

    result = run_shell(engine, "lessons\nlessons show first-container\n", tmp_path, run_lessons=lessons)
    assert [argv for argv, _ in calls] == [["list"], ["show", "first-container"]]
    assert callable(calls[0][1])
    assert result.transcript.count("first-container  ✓") == 2


def test_help_lists_commands_and_explains_one(engine: FakeEngine, tmp_path: Path) -> None:
    text = run_shell(engine, "help\nhelp show\nhelp nope\n", tmp_path).transcript
    for name in ("docker", "lessons", "explain", "show", "reset", "help", "exit"):
        assert f"\n  {name} " in text
    assert "usage: show layers|ns|cgroups|net [NAME]" in text
    assert "error: help: no such command: nope" in text


def test_ctrl_c_cancels_the_running_command_not_the_shell(engine: FakeEngine, tmp_path: Path) -> None:
    started, released = threading.Event(), threading.Event()
    ran: list[list[str]] = []

    def docker(argv: list[str], **kw: Any) -> int:
        ran.append(argv)
        if argv[0] == "logs":
            started.set()
            released.wait(10)  # a follow that never ends by itself
            kw["stdout"].write("printed after the cancel\n")
            return 0
        kw["stdout"].write("ps ran\n")
        return 0

    def press_ctrl_c() -> None:
        started.wait(10)
        _thread.interrupt_main()

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    result = run_shell(engine, "docker logs -f web\ndocker ps\n", tmp_path, run_docker=docker, grace=0.0)
    released.set()
    assert ran == [["logs", "-f", "web"], ["ps"]]
    assert "cancelled" in result.transcript
    assert "ps ran" in result.transcript
    assert "printed after the cancel" not in result.transcript


def test_an_internal_error_is_reported_and_the_shell_goes_on(engine: FakeEngine, tmp_path: Path) -> None:
    def broken(argv: list[str], **kw: Any) -> int:
        if argv[0] == "ps":
            raise ZeroDivisionError("division by zero")
        return 0

    text = run_shell(engine, "docker ps\nhelp\n", tmp_path, run_docker=broken).transcript
    assert "internal error: docker ps: ZeroDivisionError: division by zero" in text
    assert "sandbox shell  commands:" in text
