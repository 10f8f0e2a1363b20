"""specgen's network and pid namespace modes and extra mounts (volumes, tmpfs)."""

from __future__ import annotations

from pathlib import Path

from sandbox.engine.specgen import RunOptions, build


def _net(spec_opts: RunOptions, root: Path) -> list[tuple[str, str | None]]:
    spec = build({}, spec_opts, root)
    return [(n.type, n.path) for n in spec.linux.namespaces if n.type == "network"]


def test_network_namespace_modes(tmp_path: Path) -> None:
    assert _net(RunOptions(args=["true"]), tmp_path) == [("network", None)]
    assert _net(RunOptions(args=["true"], host_network=True), tmp_path) == []
    assert _net(RunOptions(args=["true"], netns="/proc/42/ns/net"), tmp_path) == [("network", "/proc/42/ns/net")]


def test_pid_namespace_modes(tmp_path: Path) -> None:
    def pid(opts: RunOptions) -> list[tuple[str, str | None]]:
        return [(n.type, n.path) for n in build({}, opts, tmp_path).linux.namespaces if n.type == "pid"]

    assert pid(RunOptions(args=["true"])) == [("pid", None)]
    assert pid(RunOptions(args=["true"], host_pid=True)) == []
    assert pid(RunOptions(args=["true"], pidns="/proc/42/ns/pid")) == [("pid", "/proc/42/ns/pid")]
    # Only the pid namespace is shared: the others stay the container's own.
    others = {n.type for n in build({}, RunOptions(args=["true"], host_pid=True), tmp_path).linux.namespaces}
    assert others == {"network", "ipc", "uts", "mount", "cgroup"}


def test_extra_mounts_come_after_the_etc_files(tmp_path: Path) -> None:
    tmpfs = {"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]}
    volume = {"destination": "/data", "type": "bind", "source": str(tmp_path), "options": ["rbind", "ro"]}
    spec = build({}, RunOptions(args=["true"], extra_mounts=[volume, tmpfs]), tmp_path)
    tail = [(m.destination, m.type) for m in spec.mounts][-2:]
    assert tail == [("/data", "bind"), ("/scratch", "tmpfs")]
