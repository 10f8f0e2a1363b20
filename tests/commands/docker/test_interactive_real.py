"""``-it`` under a real pty and Ctrl-C forwarding, for our CLI and the real one side by side."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.client.daemons import DOCKER_CLI, Daemon

pytestmark = pytest.mark.root

OURS = [sys.executable, "-c",
        "import sys, termios\n"
        "from sandbox.commands.docker import main\n"
        "before = termios.tcgetattr(0)\n"
        "code = main(sys.argv[1:])\n"
        "print('TERMINAL-RESTORED' if termios.tcgetattr(0) == before else 'TERMINAL-CHANGED')\n"
        "sys.exit(code)\n"]


def in_pty(argv: list[str], env: dict[str, str], typed: bytes, prompt: bytes = b"# ",
           timeout: float = 60) -> tuple[bytes, int]:
    """Run ``argv`` on a new pty; type ``typed`` once ``prompt`` shows; all output and the code."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(argv[0], argv, env)
    output = b""
    typed_yet = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if fd in ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
            if not typed_yet and prompt in output:
                os.write(fd, typed)
                typed_yet = True
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return output, os.waitstatus_to_exitcode(status)


@pytest.mark.parametrize("side", ["ours", "docker"])
def test_run_it_with_a_real_pty(daemon: Daemon, side: str) -> None:
    cmd = (OURS if side == "ours" else [DOCKER_CLI]) + ["run", "-it", "--rm", "busybox", "sh"]
    output, code = in_pty(cmd, daemon.cli_env, b"tty -s && echo on-a-tty-$((1+2)); exit 7\r")
    assert b"on-a-tty-3" in output
    assert code == 7
    if side == "ours":
        assert b"TERMINAL-RESTORED" in output


@pytest.mark.parametrize("side", ["ours", "docker"])
def test_exec_it_with_a_real_pty(daemon: Daemon, side: str) -> None:
    name = "it" + uuid.uuid4().hex[:8]
    daemon.cli("run", "-d", "--name", name, "busybox", "sleep", "600", check=True)
    try:
        cmd = (OURS if side == "ours" else [DOCKER_CLI]) + ["exec", "-it", name, "sh"]
        output, code = in_pty(cmd, daemon.cli_env, b"echo exec-$((2+3)); exit 5\r")
    finally:
        daemon.cli("rm", "-f", name)
    assert b"exec-5" in output
    assert code == 5


def test_console_size_reaches_the_engine(daemon: Daemon) -> None:
    name = "cs" + uuid.uuid4().hex[:8]
    pid, fd = pty.fork()
    if pid == 0:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 111, 0, 0))
        os.execvpe(OURS[0], OURS + ["run", "-t", "--name", name, "busybox", "true"], daemon.cli_env)
    try:
        while True:
            try:
                if not os.read(fd, 4096):
                    break
            except OSError:
                break
        os.waitpid(pid, 0)
        size = daemon.cli("inspect", "-f", "{{json .HostConfig.ConsoleSize}}", name).stdout.strip()
    finally:
        os.close(fd)
        daemon.cli("rm", "-f", name)
    assert size == "[33,111]"


@pytest.mark.parametrize("side", ["ours", "docker"])
def test_ctrl_c_is_forwarded_to_the_container(daemon: Daemon, side: str) -> None:
    script = 'trap "echo trapped; exit 9" INT; echo ready; while true; do sleep 0.1; done'
    base = [sys.executable, "-m", "sandbox.commands.docker"] if side == "ours" else [DOCKER_CLI]
    proc = subprocess.Popen(base + ["run", "--rm", "busybox", "sh", "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=daemon.cli_env)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert b"trapped" in out, err
    assert proc.returncode == 9
