"""The run_command seam: docker lines to the grammar (in-process or a CLI), others to /bin/sh."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path
from typing import Any, TextIO

from sandbox.lessons.commands import CommandRunner


class Grammar:
    """Stands in for sandbox.commands.docker.main and records how it was called."""

    def __init__(self, code: int = 0) -> None:
        self.code = code
        self.calls: list[tuple[list[str], dict[str, Any]]] = []

    def __call__(self, argv: list[str], stdout: TextIO, stderr: TextIO, **kw: Any) -> int:
        self.calls.append((argv, kw))
        stdout.write("out line\n")
        stderr.write("err line\n")
        stdout.buffer.write(b"raw bytes\n")  # type: ignore[attr-defined]
        return self.code


def test_docker_lines_run_in_process_with_both_streams(tmp_path: Path) -> None:
    grammar = Grammar(code=3)
    runner = CommandRunner(cwd=tmp_path, docker_main=grammar, client="the-client")
    code, output = runner("docker run --name x busybox sh -c 'exit 3'")
    assert code == 3
    assert output == "out line\nerr line\nraw bytes\n"
    assert grammar.calls == [
        (["run", "--name", "x", "busybox", "sh", "-c", "exit 3"], {"client": "the-client", "cwd": tmp_path})
    ]


def test_a_grammar_that_exits_still_returns_its_code(tmp_path: Path) -> None:
    def exits(argv: list[str], **kw: Any) -> int:
        raise SystemExit(125)

    assert CommandRunner(docker_main=exits)("docker run")[0] == 125


def test_shell_lines_run_in_the_lesson_folder_with_docker_host(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"]}
    with CommandRunner(cwd=tmp_path, docker_host="unix:///tmp/engine.sock", env=env) as run:
        code, output = run('pwd; echo "$DOCKER_HOST"; echo oops >&2; exit 4')
    assert code == 4
    assert output.splitlines() == [str(tmp_path), "unix:///tmp/engine.sock", "oops"]


def test_docker_lines_that_need_a_shell_go_to_sh_with_a_docker_on_path(tmp_path: Path) -> None:
    fake_cli = tmp_path / "fake-docker"
    fake_cli.write_text('#!/bin/sh\necho "fake docker got: $*"\n')
    fake_cli.chmod(fake_cli.stat().st_mode | stat.S_IXUSR)
    with CommandRunner(cwd=tmp_path, docker_cli=str(fake_cli), env={"PATH": "/usr/bin:/bin"}) as runner:
        assert runner("docker ps -a") == (0, "fake docker got: ps -a\n")  # the external CLI, directly
        code, output = runner("docker ps | tr a-z A-Z")  # through sh, `docker` is the shim
        assert (code, output) == (0, "FAKE DOCKER GOT: PS\n")
        shim_dir = runner.shim_dir
        assert shim_dir is not None and (shim_dir / "docker").exists()
    assert not shim_dir.exists()  # closed: the shim is gone


def test_without_a_grammar_docker_lines_go_through_python_m_sandbox(tmp_path: Path) -> None:
    runner = CommandRunner(cwd=tmp_path)
    assert runner._docker_argv(["ps"]) == [sys.executable, "-m", "sandbox", "docker", "ps"]


def test_a_command_that_does_not_finish_is_stopped(tmp_path: Path) -> None:
    with CommandRunner(cwd=tmp_path, timeout=0.2) as run:
        code, output = run("sleep 5")
    assert code == 124 and "did not finish" in output


def test_a_missing_program(tmp_path: Path) -> None:
    with CommandRunner(cwd=tmp_path, docker_cli=str(tmp_path / "nope")) as run:
        code, output = run("docker ps")
        assert run.shim_dir is None  # no shell was involved: no shim made
    assert code == 127 and "nope" in output


def test_a_shell_without_docker_on_path_gets_our_grammar(tmp_path: Path) -> None:
    tools = tmp_path / "bin"  # a PATH with cat and no docker
    tools.mkdir()
    (tools / "cat").symlink_to(shutil.which("cat") or "/bin/cat")
    with CommandRunner(cwd=tmp_path, env={"PATH": str(tools)}) as run:
        code, output = run('command -v docker && cat "$(command -v docker)"')
        shim = run.shim_dir
    assert code == 0 and f"{sys.executable} -m sandbox docker" in output
    assert shim is not None and not shim.exists()


def test_in_process_docker_lines_get_the_lesson_folder_as_cwd_and_leave_the_process_alone(tmp_path: Path) -> None:
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    seen: list[tuple[Path | None, str]] = []

    def grammar(argv: list[str], cwd: Path | None = None, **kw: Any) -> int:
        # What `docker build image` opens: the grammar resolves it against cwd itself.
        seen.append((cwd, os.getcwd()))
        return 0

    before = os.getcwd()
    runner = CommandRunner(cwd=lesson, docker_main=grammar)
    assert runner("docker build -t demo:1 image") == (0, "")
    other = tmp_path / "other"
    runner.at(other)("docker build -t demo:1 image")
    assert seen == [(lesson, before), (other, before)]  # never a chdir, not even for the call


def test_without_a_folder_the_grammar_keeps_its_own_default_cwd() -> None:
    calls: list[dict[str, Any]] = []

    def grammar(argv: list[str], **kw: Any) -> int:
        calls.append(kw)
        return 0

    CommandRunner(docker_main=grammar)("docker ps")
    assert len(calls) == 1 and "cwd" not in calls[0]


def test_lines_of_two_lessons_run_at_once_each_see_their_own_folder(tmp_path: Path) -> None:
    import threading

    first, second = tmp_path / "one", tmp_path / "two"
    barrier = threading.Barrier(2, timeout=10)
    seen: dict[str, Path] = {}

    def grammar(argv: list[str], cwd: Path | None = None, **kw: Any) -> int:
        barrier.wait()  # both calls are inside the grammar at the same moment
        assert cwd is not None
        seen[argv[-1]] = cwd
        return 0

    runner = CommandRunner(docker_main=grammar)
    threads = [threading.Thread(target=runner.at(folder), args=(f"docker build {folder.name}",))
               for folder in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"one": first, "two": second}


def test_copies_for_other_folders_share_one_shim(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    with CommandRunner(cwd=tmp_path, env={"PATH": str(tools)}) as run:
        copy = run.at(tools)
        code, _ = copy("command -v docker")
        assert code == 0 and copy.shim_dir is not None and run.shim_dir == copy.shim_dir
        assert copy("pwd") == (0, f"{tools}\n")
    assert copy.shim_dir is None and run.shim_dir is None  # closing one closes the shared shim
