"""``volume …`` and ``network …`` through the real docker CLI and through our grammar,
against the same real engine (the ``daemon`` fixture: dockerd today, our engine with
SANDBOX_TEST_DAEMONS=dockerd,sandbox). Each side works on objects of its own name."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from tests.client.daemons import Daemon

from .test_same_as_docker import Outcome, Project, full, norm, ours, tabled, theirs

pytestmark = pytest.mark.root


def lines(outcome: Outcome) -> object:
    return outcome[0], sorted(norm(outcome[1]).splitlines()), norm(outcome[2])


@dataclass(frozen=True)
class Case:
    argv: tuple[str, ...]
    project: Project = full
    prepare: tuple[tuple[str, ...], ...] = field(default=())
    """docker CLI lines run first for each side; ``{c}`` is that side's own name."""
    stdin: str = ""
    serial: bool = False
    """Prunes run one side after the other: dockerd allows one prune of a kind at a time."""

    @property
    def id(self) -> str:
        return " ".join(self.argv)[:60]


C = Case
# One label each: Go ranges over a map of labels in random order.
VOL = ("volume", "create", "--label", "{c}=v", "{c}")
NET = ("network", "create", "--label", "{c}=v", "{c}")
BOX = ("create", "--name", "{c}", "busybox")

CASES = [
    C(("volume", "create", "{c}")),
    C(("volume", "create", "--label", "a=b", "-o", "type=tmpfs", "-o", "device=tmpfs", "{c}")),
    C(("volume", "create", "bad/name")),
    C(("volume", "create", "-d", "nosuchdriver", "{c}")),
    C(("volume", "ls", "--filter", "name={c}"), tabled, (VOL,)),
    C(("volume", "ls", "-q", "--filter", "label={c}"), full, (VOL,)),
    C(("volume", "list", "--filter", "name={c}", "--format", "{{json .}}"), full, (VOL,)),
    C(("volume", "ls", "--filter", "name={c}", "--format",
       "table {{.Name}}\t{{.Driver}}\t{{.Scope}}\t{{.Labels}}\t{{.Links}}\t{{.Size}}\t{{.Mountpoint}}"),
      tabled, (VOL,)),
    C(("volume", "ls", "--filter", "name={c}", "--format", "{{.Name}} {{.Label \"{c}\"}} {{.Status}} {{.Group}}"),
      full, (VOL,)),
    C(("volume", "ls", "--filter", "dangling=true", "--filter", "name={c}", "-q"), full, (VOL,)),
    C(("volume", "ls", "--filter", "bogus=1")),
    C(("volume", "ls", "extra")),
    C(("volume", "inspect", "{c}"), full, (VOL,)),
    C(("volume", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{json .Options}}", "{c}"), full, (VOL,)),
    C(("volume", "inspect", "{c}", "nope-such-volume"), full, (VOL,)),
    C(("volume", "inspect",)),
    C(("volume", "rm", "{c}"), full, (VOL,)),
    C(("volume", "rm", "nope-such-volume")),
    C(("volume", "rm", "-f", "nope-such-volume")),
    C(("volume", "rm", "{c}"), full, (VOL, ("create", "--name", "{c}", "-v", "{c}:/data", "busybox"))),
    C(("volume", "prune", "-f", "--filter", "label={c}"), full, (VOL,), serial=True),
    C(("volume", "prune", "-a", "-f", "--filter", "label={c}"), full, (VOL,), serial=True),
    C(("volume", "prune", "--filter", "label={c}"), full, (VOL,), stdin="n\n", serial=True),
    C(("network", "create", "{c}")),
    C(("network", "create", "--subnet", "10.99.0.0/33", "{c}")),
    C(("network", "create", "--gateway", "10.98.0.1", "{c}")),
    C(("network", "create", "{c}"), full, (NET,)),
    C(("network", "ls", "--filter", "name={c}"), tabled, (NET,)),
    C(("network", "ls", "-q", "--filter", "label={c}"), full, (NET,)),
    C(("network", "ls", "--no-trunc", "--filter", "label={c}"), tabled, (NET,)),
    C(("network", "list", "--filter", "label={c}", "--format", "{{json .}}"), full, (NET,)),
    C(("network", "ls", "--filter", "label={c}", "--format",
       "{{.Name}} {{.Driver}} {{.Scope}} {{.IPv6}} {{.Internal}} {{.Labels}} {{.Label \"{c}\"}} {{.CreatedAt}}"),
      full, (NET,)),
    C(("network", "ls", "--filter", "name=none", "--filter", "name=host", "--format", "{{.Name}} {{.Driver}}"),
      lines),
    C(("network", "inspect", "-f", "{{.Name}} {{.Driver}} {{.Internal}} {{.Labels}} {{len .Containers}}", "{c}"),
      full, (NET,)),
    C(("network", "inspect", "nope-such-network")),
    C(("network", "rm", "{c}"), full, (NET,)),
    C(("network", "rm", "nope-such-network")),
    C(("network", "rm", "-f", "nope-such-network")),
    C(("network", "rm", "host")),
    C(("network", "connect", "{c}", "{c}"), full, (NET, BOX)),
    C(("network", "connect", "nope-such-network", "{c}"), full, (BOX,)),
    C(("network", "connect", "{c}"), full),
    C(("network", "disconnect", "{c}", "{c}"), full, (NET, BOX, ("network", "connect", "{c}", "{c}"))),
    C(("network", "prune", "-f", "--filter", "label={c}"), full, (NET,), serial=True),
    C(("network", "prune", "--filter", "label={c}"), full, (NET,), stdin="n\n", serial=True),
]


def _fill(argv: tuple[str, ...], own: str) -> list[str]:
    return [arg.replace("{c}", own) for arg in argv]


def _clean(daemon: Daemon, own: str) -> None:
    daemon.cli("rm", "-f", own)
    daemon.cli("network", "rm", "-f", own)
    daemon.cli("volume", "rm", "-f", own)


def _side(daemon: Daemon, case: Case, side: str) -> Outcome:
    runner = theirs if side == "theirs" else ours
    own = f"{side}{uuid.uuid4().hex[:8]}"
    try:
        for line in case.prepare:
            daemon.cli(*_fill(line, own), check=True)
        outcome = runner(daemon, _fill(case.argv, own), case.stdin)
    finally:
        _clean(daemon, own)
    return tuple(part.replace(own, "<c>") if isinstance(part, str) else part for part in outcome)  # type: ignore[return-value]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_same_output_as_the_docker_cli(daemon: Daemon, case: Case) -> None:
    with ThreadPoolExecutor(max_workers=1 if case.serial else 2) as pool:
        expected_f = pool.submit(_side, daemon, case, "theirs")
        actual_f = pool.submit(_side, daemon, case, "ours")
        expected, actual = case.project(expected_f.result()), case.project(actual_f.result())
    assert actual == expected
