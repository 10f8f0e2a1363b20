"""Relative local paths, side by side with the real docker CLI against the same real engine:
the CLI runs in a folder of its own (its process's working directory), our grammar gets
a folder of its own through ``main(cwd=…)``; what the engine stores must be the same once
each folder is named ``<dir>``, and so must the errors."""

from __future__ import annotations

import io
import json
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.client import EngineClient
from sandbox.commands.docker import main
from tests.client.daemons import DOCKER_CLI, Daemon

pytestmark = pytest.mark.root

Outcome = tuple[int, str, str]


def theirs(daemon: Daemon, folder: Path, argv: list[str]) -> Outcome:
    done = subprocess.run([DOCKER_CLI, *argv], cwd=folder, capture_output=True, encoding="utf-8",
                          env=daemon.cli_env, timeout=120, check=False)
    return done.returncode, done.stdout, done.stderr


def ours(daemon: Daemon, folder: Path, argv: list[str]) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    with EngineClient(str(daemon.socket)) as client:
        code = main(argv, client=client, stdout=out, stderr=err, stdin=io.StringIO(""), env=daemon.cli_env,
                    cwd=folder)
    return code, out.getvalue(), err.getvalue()


SIDES = {"theirs": theirs, "ours": ours}


@pytest.fixture
def folders(tmp_path: Path, daemon: Daemon) -> Iterator[dict[str, Path]]:
    """One folder per side with the same files; the containers named after it go in teardown."""
    made: dict[str, Path] = {}
    prefix = "cwd" + uuid.uuid4().hex[:8]
    for side in SIDES:
        folder = tmp_path / f"{prefix}-{side}"
        (folder / "data").mkdir(parents=True)
        (folder / "m").mkdir()
        (folder / "app.env").write_text("MODE=dev\n  # a comment\n\nPATH\nUNSET_IN_ENV\nTRAIL=a b \n")
        (folder / "app.labels").write_text("team=a\nbare\ntier=web\n")
        (folder / "bad.env").write_text("A B=1\n")
        made[side] = folder
    yield made
    leftovers = daemon.cli("ps", "-aq", "--filter", f"name={prefix}").stdout.split()
    if leftovers:
        daemon.cli("rm", "-f", *leftovers)


def _both(daemon: Daemon, folders: dict[str, Path], argv: list[str]) -> dict[str, Outcome]:
    results: dict[str, Outcome] = {}
    for side, run in SIDES.items():
        line = [word.replace("{name}", folders[side].name) for word in argv]
        code, out, err = run(daemon, folders[side], line)
        results[side] = (code, out.replace(str(folders[side]), "<dir>").replace(folders[side].name, "<name>"),
                         err.replace(str(folders[side]), "<dir>").replace(folders[side].name, "<name>"))
    return results


def _stored(daemon: Daemon, name: str, folder: Path) -> dict[str, object]:
    [doc] = json.loads(daemon.cli("inspect", name, check=True).stdout)
    text = json.dumps({
        "Env": doc["Config"]["Env"], "Labels": doc["Config"]["Labels"],
        "Binds": sorted(doc["HostConfig"]["Binds"]),  # the CLI ranges over a Go map to make them
        # A named volume's source is the engine's own folder; the bind sources are the point.
        "Mounts": sorted((m["Type"], m["Source"] if m["Type"] == "bind" else m["Name"], m["Destination"])
                         for m in doc["Mounts"]),
        "ContainerIDFile": doc["HostConfig"]["ContainerIDFile"],
    })
    return {"doc": json.loads(text.replace(str(folder), "<dir>").replace(folder.name, "<name>")), "id": doc["Id"]}


def test_create_with_relative_files_and_binds_stores_the_same(daemon: Daemon, folders: dict[str, Path]) -> None:
    argv = ["create", "--name", "{name}", "--env-file", "app.env", "-e", "X=1", "--label-file", "app.labels",
            "-l", "tier=db", "-v", "./data:/data:ro", "-v", "named-{name}:/named", "--mount",
            "type=bind,src=./m,dst=/m", "--cidfile", "cid", "busybox"]
    results = _both(daemon, folders, argv)
    assert results["theirs"][0] == 0, results["theirs"]
    assert results["ours"][0] == 0, results["ours"]
    stored = {side: _stored(daemon, folders[side].name, folders[side]) for side in SIDES}
    assert stored["ours"]["doc"] == stored["theirs"]["doc"]
    for side in SIDES:
        assert (folders[side] / "cid").read_text() == stored[side]["id"]
    # A second create with the same --cidfile fails the same way, and leaves the file alone.
    again = _both(daemon, folders, ["create", "--cidfile", "cid", "busybox"])
    assert again["ours"] == again["theirs"]
    assert again["ours"][0] != 0
    for side in SIDES:
        assert (folders[side] / "cid").read_text() == stored[side]["id"]
    for side in SIDES:
        daemon.cli("rm", "-f", "-v", folders[side].name)
        daemon.cli("volume", "rm", f"named-{folders[side].name}")


@pytest.mark.parametrize("argv", [
    ["run", "--rm", "--env-file", "bad.env", "busybox", "true"],
    ["create", "--label-file", "missing.labels", "busybox"],
    ["run", "--rm", "--cidfile", "no/such/cid", "busybox", "true"],
    ["load", "-i", "missing.tar"],
    ["build", "no-such-context"],
], ids=["bad-env-file", "missing-label-file", "cidfile-folder-missing", "load-missing", "build-missing"])
def test_local_path_errors_read_the_same(daemon: Daemon, folders: dict[str, Path], argv: list[str]) -> None:
    results = _both(daemon, folders, argv)
    code, out, err = results["theirs"]
    # With DOCKER_BUILDKIT=0 the CLI first warns that the legacy builder is deprecated.
    theirs_err = err[err.index("\n\n") + 2:] if err.startswith("DEPRECATED:") else err
    assert results["ours"] == (code, out, theirs_err)
    assert code != 0
