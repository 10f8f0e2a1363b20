"""Running the learner's (and the lesson's) command lines: the ``run_command`` seam.

A lesson session never executes anything itself; it calls ``run_command(line) ->
(exit code, output)``. Tests inject a fake. ``CommandRunner`` is the real one:

- a plain ``docker …`` line goes to the docker grammar (``sandbox.commands.docker.main``),
  in-process when the composition root hands it over (``docker_main``, called with
  ``cwd=`` the lesson's folder, so relative paths mean that folder without touching the
  process's working directory, which every thread shares), otherwise through
  ``python -m sandbox docker``; or to an external docker CLI (``docker_cli``) — handy to
  run the course against a real dockerd;
- anything else — and docker lines with pipes or redirections — runs in ``/bin/sh`` in
  the lesson's folder, with ``DOCKER_HOST`` set so ``docker`` there reaches the same engine.
  If no ``docker`` is on PATH, a tiny shim that runs our grammar stands in for it.

``sandbox.lessons`` may not import ``sandbox.commands`` (they are siblings in the layer
contract), which is why the grammar arrives as a parameter.
"""

from __future__ import annotations

import io
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Self, TextIO

from . import shellwords

RunCommand = Callable[[str], tuple[int, str]]
DockerMain = Callable[..., int]
"""``main(argv, client=None, stdout=…, stderr=…, cwd=…) -> int`` of the docker grammar."""

TIMEOUT = 300.0
"""A lesson command that runs longer than this is stuck (a foreground server, a prompt)."""

@dataclass
class CommandRunner:
    cwd: Path | None = None
    docker_main: DockerMain | None = None
    docker_cli: str | None = None
    """Path of an external docker CLI to use instead of our grammar."""
    docker_host: str | None = None
    """``unix:///…`` of the engine; passed to the grammar's environment and to shells."""
    env: Mapping[str, str] | None = None
    client: Any = None
    """The EngineClient handed to the in-process grammar (else it makes its own)."""
    timeout: float = TIMEOUT
    _shared: dict[str, Path] = field(default_factory=dict, init=False, repr=False)
    """What copies made by ``at`` share: the shim directory (made once, removed by ``close``)."""

    def __call__(self, line: str) -> tuple[int, str]:
        if shellwords.is_docker_line(line) and not shellwords.needs_shell(line):
            argv = shellwords.split(line)[1:]
            if self.docker_cli is None and self.docker_main is not None:
                return self._in_process(argv)
            return self._process(self._docker_argv(argv), shell=False)
        return self._process(["/bin/sh", "-c", line], shell=True)

    # -- ways to run ----------------------------------------------------------------------

    def at(self, directory: Path) -> CommandRunner:
        """The same runner for another lesson's folder (one runner serves a whole course)."""
        clone = replace(self, cwd=directory)
        clone._shared = self._shared
        return clone

    def _in_process(self, argv: list[str]) -> tuple[int, str]:
        assert self.docker_main is not None
        # One buffer for both streams, in the order written, like a terminal shows them;
        # a TextIOWrapper so code that writes bytes to .buffer (logs, cp) works too.
        raw = io.BytesIO()
        out: TextIO = io.TextIOWrapper(raw, encoding="utf-8", errors="replace", write_through=True)
        kwargs: dict[str, Any] = {"stdout": out, "stderr": out}
        if self.client is not None:
            kwargs["client"] = self.client
        if self.cwd is not None:
            # The lesson's folder for `build .`, `cp ./x c:/`, `save -o f`, as for shell lines.
            kwargs["cwd"] = self.cwd
        try:
            code = self.docker_main(argv, **kwargs)
        except SystemExit as exit_:  # a grammar that exits instead of returning
            code = exit_.code if isinstance(exit_.code, int) else 1
        out.flush()
        return int(code or 0), raw.getvalue().decode("utf-8", "replace")

    def _docker_argv(self, argv: list[str]) -> list[str]:
        if self.docker_cli is not None:
            return [self.docker_cli, *argv]
        return [sys.executable, "-m", "sandbox", "docker", *argv]

    def _process(self, argv: list[str], *, shell: bool) -> tuple[int, str]:
        try:
            done = subprocess.run(
                argv,
                cwd=self.cwd,
                env=self._environment(shell),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=self.timeout,
            )
        except subprocess.TimeoutExpired as err:
            output = (err.output or b"").decode("utf-8", "replace")
            return 124, output + f"\n(stopped after {self.timeout:.0f} s: the command did not finish)\n"
        except OSError as err:
            return 127, f"{argv[0]}: {err.strerror}\n"
        return done.returncode, done.stdout.decode("utf-8", "replace")

    def _environment(self, shell: bool) -> dict[str, str]:
        env = dict(os.environ if self.env is None else self.env)
        if self.docker_host:
            env["DOCKER_HOST"] = self.docker_host
        # Only a shell looks `docker` up on PATH; it must find the CLI the lesson runs with.
        if shell and (self.docker_cli is not None or shutil.which("docker", path=env.get("PATH")) is None):
            env["PATH"] = f"{self._shim()}{os.pathsep}{env.get('PATH', os.defpath)}"
        return env

    @property
    def shim_dir(self) -> Path | None:
        """The folder of the ``docker`` shim, once a shell line needed one."""
        return self._shared.get("shim")

    def _shim(self) -> Path:
        """A ``docker`` for shell lines: the configured CLI, or our grammar."""
        shim_dir = self._shared.get("shim")
        if shim_dir is None:
            shim_dir = self._shared["shim"] = Path(tempfile.mkdtemp(prefix="sandbox-lesson-shim-"))
            target = (
                shlex.quote(self.docker_cli)
                if self.docker_cli
                else f"{shlex.quote(sys.executable)} -m sandbox docker"
            )
            shim = shim_dir / "docker"
            shim.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
            shim.chmod(0o755)
        return shim_dir

    def close(self) -> None:
        shim_dir = self._shared.pop("shim", None)
        if shim_dir is not None:
            shutil.rmtree(shim_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
