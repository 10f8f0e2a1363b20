"""The same command lines through the real docker CLI and through our grammar, against the
same real engine: the outputs must match once ids, times and widths that depend on them are
normalised. The engine is the ``daemon`` fixture's parameter (dockerd today)."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from sandbox.client import EngineClient
from sandbox.commands.docker import main
from tests.client.daemons import Daemon, wait_for

pytestmark = pytest.mark.root

Outcome = tuple[int, str, str]
Project = Callable[[Outcome], object]


# -- normalisation ---------------------------------------------------------------------------

_DURATION = re.compile(r"(Less than a second|About a minute|About an hour|\d+ (second|minute|hour|day|week|month|year)s?)")
_HEX64 = re.compile(r"\b(sha256:)?[0-9a-f]{64}\b")
_HEX12 = re.compile(r"\b[0-9a-f]{12}\b")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z| [+-]\d{4} \w+)?")


def norm(text: str, names: dict[str, str] | None = None) -> str:
    for name, token in (names or {}).items():
        text = text.replace(name, token)
    text = _HEX64.sub("<id>", text)
    text = _HEX12.sub("<short>", text)
    return _TIMESTAMP.sub("<time>", text)


def table(text: str, names: dict[str, str] | None = None) -> list[list[str]]:
    """A table's cells: durations differ by a second between two runs, and so do the
    column widths after them; the cells themselves must match."""
    text = _DURATION.sub("<dur>", norm(text, names))
    return [re.split(r" {2,}", line.strip()) for line in text.splitlines()]


def full(outcome: Outcome) -> object:
    return outcome[0], norm(outcome[1]), norm(outcome[2])


def tabled(outcome: Outcome) -> object:
    return outcome[0], table(outcome[1]), norm(outcome[2])


def top_rows(outcome: Outcome) -> object:
    """``docker top``: ps's C is the process's CPU share over its life so far, so two runs a
    moment apart may differ by one (a CI run saw 3 and 2); every other cell must match."""
    rows = table(outcome[1])
    if rows and rows[0][:4] == ["UID", "PID", "PPID", "C"]:
        for row in rows[1:]:
            if len(row) > 3:
                row[3] = "<c>"
    return outcome[0], rows, norm(outcome[2])


def server_section(outcome: Outcome) -> object:
    out = outcome[1]
    section = out[out.index("Server:"):] if "Server:" in out else out
    lines = []
    for line in section.splitlines():
        # Go ranges over the runtimes map in random order.
        if line.startswith(" Runtimes:"):
            line = " Runtimes: " + " ".join(sorted(line.split()[1:]))
        lines.append(line)
    return outcome[0], lines


def code_and_lines(outcome: Outcome) -> object:
    return outcome[0], sorted(norm(outcome[1]).splitlines()), norm(outcome[2])


# -- the table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    project: Project = full
    stdin: str = ""
    prepare: tuple[tuple[str, ...], ...] = field(default=())
    """For commands that change a container: docker CLI lines run first for each side,
    with ``{c}`` standing for that side's own container name."""
    serial: bool = False
    """Run the two sides one after the other (the engine allows one prune at a time)."""

    @property
    def id(self) -> str:
        return " ".join(self.argv)[:60]


C = Case
WEB, DONE = "{web}", "{done}"

CASES = [
    C(("version",), server_section),
    C(("info",), server_section),
    C(("ps",), tabled),
    C(("ps", "-a"), tabled),
    C(("ps", "-a", "-q", "--no-trunc"), code_and_lines),
    C(("ps", "-a", "--format", "{{.Names}}|{{.Image}}|{{.Command}}|{{.State}}|{{.Ports}}|{{.Networks}}"), code_and_lines),
    C(("ps", "-a", "--filter", "status=exited", "--format", "table {{.Names}}\t{{.Status}}"), tabled),
    C(("ps", "--format", "{{json .}}"), lambda o: (o[0], _DURATION.sub("<dur>", norm(o[1])))),
    C(("ps", "-s", "--format", "{{.Names}} {{.Size}}"), code_and_lines),
    C(("container", "ls", "-a", "-n", "1", "--format", "{{.Names}}"), full),
    C(("images",), tabled),
    C(("images", "-q"), full),
    C(("image", "ls", "--format", "{{.Repository}}:{{.Tag}} {{.Size}} {{.Containers}}"), full),
    C(("images", "--format", "{{json .}}"), lambda o: (o[0], _DURATION.sub("<dur>", norm(o[1])))),
    C(("history", "busybox"), tabled),
    C(("history", "--no-trunc", "-H=false", "busybox"), full),
    C(("inspect", WEB), full),
    C(("inspect", "busybox"), full),
    C(("inspect", "-f", "{{.State.Running}} {{.Name}} {{json .Config.Cmd}} {{.Config.Entrypoint}} {{.State}} "
                       "{{.HostConfig.RestartPolicy}} {{index .Config.Labels \"role\"}} {{len .Mounts}}", WEB), full),
    C(("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", WEB), full),
    C(("container", "inspect", "-f", "{{.State.ExitCode}} {{.State.Status}}", DONE), full),
    C(("image", "inspect", "-f", "{{.Os}}/{{.Architecture}} {{.Size}}", "busybox"), full),
    C(("inspect", "nope-such-thing"), full),
    C(("inspect", "--type", "image", WEB), full),
    C(("top", WEB), top_rows),
    C(("diff", WEB), code_and_lines),
    C(("port", WEB), full),
    C(("logs", DONE), full),
    C(("logs", "--tail", "1", DONE), full),
    C(("logs", "-t", DONE), full),
    C(("stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.ID}}", WEB), full),
    C(("wait", DONE), full),
    C(("run", "--rm", "busybox", "echo", "hi"), full),
    C(("run", "--rm", "--network", "none", "busybox", "sh", "-c", "exit 3"), full),
    C(("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 1"), full),
    C(("run", "--rm", "-e", "A=1", "-w", "/tmp", "-u", "65534", "--hostname", "hh", "busybox", "sh", "-c",
       "echo $A $(pwd) $(id -u) $(hostname)"), full),
    C(("run", "--rm", "--entrypoint", "echo", "busybox", "from", "entrypoint"), full),
    C(("run", "--rm", "-m", "64m", "--pids-limit", "50", "busybox", "sh", "-c",
       "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max"), full),
    C(("run", "--rm", "-i", "busybox", "cat"), full, stdin="piped in\n"),
    C(("run", "-d", "--rm", "busybox", "true"), full),
    C(("run", "--rm", "busybox", "nosuchcommand"), full),
    C(("run", "--rm", "--pull", "never", "nosuchimage:1", "true"), full),
    C(("run", "--rm", "--restart", "always", "busybox", "true"), full),
    C(("run", "--rm", "-m", "1x", "busybox", "true"), full),
    C(("exec", WEB, "sh", "-c", "echo out; echo err >&2; exit 4"), full),
    C(("exec", "-i", WEB, "cat"), full, stdin="to exec\n"),
    C(("exec", "-e", "X=y", "-w", "/data", WEB, "sh", "-c", "echo $X; pwd"), full),
    C(("exec", DONE, "true"), full),
    C(("rm", "nope-such-thing"), full),
    C(("ps", "--no-such-flag"), full),
    C(("rm",), full),
    C(("stop", "-t", "0", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("kill", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("kill", "-s", "TERM", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("restart", "-t", "0", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("pause", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("unpause", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),
                                         ("pause", "{c}"))),
    C(("rm", "-f", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("rename", "{c}", "{c}-renamed"), full, prepare=(("create", "--name", "{c}", "busybox"),)),
    C(("update", "-m", "64m", "--memory-swap", "128m", "--cpus", "0.5", "{c}"), full,
      prepare=(("run", "-d", "--name", "{c}", "busybox", "sleep", "600"),)),
    C(("start", "-a", "{c}"), full, prepare=(("create", "--name", "{c}", "busybox", "echo", "created"),)),
    C(("attach", "{c}"), full, stdin="hi\n",
      prepare=(("create", "-i", "--name", "{c}", "busybox", "sh", "-c", "read x; echo got-$x; exit 4"),
               ("start", "{c}"))),
    C(("create", "--name", "{c}", "busybox"), full),
    C(("wait", "{c}"), full, prepare=(("run", "-d", "--name", "{c}", "busybox", "sh", "-c", "exit 6"),)),
    C(("logs", "{c}"), full, prepare=(("run", "--name", "{c}", "busybox", "sh", "-c", "echo a; echo b >&2"),)),
    C(("diff", "{c}"), code_and_lines,
      prepare=(("run", "--name", "{c}", "busybox", "sh", "-c", "mkdir /new; echo x > /new/f; rm /etc/group"),)),
    C(("tag", "busybox", "{c}:v1"), full),
    C(("rmi", "{c}:v1"), full, prepare=(("tag", "busybox", "{c}:v1"),)),
    C(("cp", "{c}:/etc/passwd", "-"), lambda o: (o[0], "root:x:0:0" in o[1], o[2]),
      prepare=(("create", "--name", "{c}", "busybox"),)),
    C(("export", "{c}"), lambda o: (o[0], "bin/busybox" in o[1]), prepare=(("create", "--name", "{c}", "busybox"),)),
    C(("container", "prune", "-f", "--filter", "label={c}"), full,
      prepare=(("create", "--label", "{c}", "--name", "{c}", "busybox"),), serial=True),
]


# -- running both sides ----------------------------------------------------------------------

@dataclass
class World:
    daemon: Daemon
    names: dict[str, str]
    since: int
    until: int


@pytest.fixture(scope="module")
def world(daemon: Daemon) -> World:
    prefix = "cmp" + uuid.uuid4().hex[:8]
    web, done = f"{prefix}-web", f"{prefix}-done"
    since = int(time.time())
    daemon.cli("run", "-d", "--name", web, "--label", "role=front", "-e", "GREETING=hi", "busybox", "sh", "-c",
               "mkdir /data; echo x > /data/f; rm /etc/group; echo started; echo oops >&2; sleep 3600",
               check=True)
    daemon.cli("run", "--name", done, "busybox", "sh", "-c", "echo one; echo two; exit 3")
    wait_for(lambda: daemon.cli("exec", web, "test", "-f", "/data/f").returncode == 0, "the web container to settle")
    world = World(daemon, {"{web}": web, "{done}": done}, since, int(time.time()) + 1)
    yield world
    leftovers = daemon.cli("ps", "-aq", "--filter", f"name={prefix}").stdout.split()
    if leftovers:
        daemon.cli("rm", "-f", *leftovers)
    tags = [t for t in daemon.cli("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
            if t.startswith(prefix)]
    if tags:
        daemon.cli("rmi", *tags)


def ours(daemon: Daemon, argv: list[str], stdin: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with EngineClient(str(daemon.socket)) as client:
        code = main(argv, client=client, stdout=out, stderr=err, stdin=io.StringIO(stdin), env=daemon.cli_env)
    return code, out.getvalue(), err.getvalue()


def theirs(daemon: Daemon, argv: list[str], stdin: str) -> Outcome:
    result = daemon.cli(*argv, stdin=stdin)
    return result.returncode, result.stdout, result.stderr


def _fill(argv: tuple[str, ...], names: dict[str, str]) -> list[str]:
    out = []
    for arg in argv:
        for key, value in names.items():
            arg = arg.replace(key, value)
        out.append(arg)
    return out


def _side(daemon: Daemon, case: Case, world: World, side: str) -> Outcome:
    runner = theirs if side == "theirs" else ours
    own = f"{side}{uuid.uuid4().hex[:8]}"
    names = {**world.names, "{c}": own}
    try:
        for line in case.prepare:
            daemon.cli(*_fill(line, names), check=line[0] != "run" or "-d" in line)
        outcome = runner(daemon, _fill(case.argv, names), case.stdin)
    finally:
        if "{c}" in " ".join(case.argv) or case.prepare:
            daemon.cli("rm", "-f", own, f"{own}-renamed")
    # The side's own container name is the one thing allowed to differ.
    return tuple(part.replace(own, "<c>") if isinstance(part, str) else part for part in outcome)  # type: ignore[return-value]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_output_as_the_docker_cli(world: World, case: Case) -> None:
    # Both sides at once: they touch only shared read-only state or their own container.
    with ThreadPoolExecutor(max_workers=1 if case.serial else 2) as pool:
        expected_f = pool.submit(_side, world.daemon, case, world, "theirs")
        actual_f = pool.submit(_side, world.daemon, case, world, "ours")
        expected, actual = case.project(expected_f.result()), case.project(actual_f.result())
    assert actual == expected


def test_events_in_a_window(daemon: Daemon) -> None:
    # Its own container and window: dockerd keeps only its last 256 events.
    name = "ev" + uuid.uuid4().hex[:8]
    since = int(time.time())
    daemon.cli("run", "--name", name, "busybox", "true", check=True)
    daemon.cli("rm", name, check=True)
    until = int(time.time()) + 1
    argv = ["events", "--since", str(since), "--until", str(until), "--filter", f"container={name}"]
    theirs_out = theirs(daemon, argv, "")
    assert theirs_out[1].count("container create") == 1
    assert ours(daemon, argv, "") == theirs_out
    formatted = argv + ["--format", "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"]
    assert ours(daemon, formatted, "") == theirs(daemon, formatted, "")
