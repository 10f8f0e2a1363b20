"""The pictures' pure data: engine JSON in, view models out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox.tui.backend.types import TraceRecord
from sandbox.tui.pictures.models import cgroups as cg
from sandbox.tui.pictures.models.layers import LayerRow, UpperChange, build_stack, locate
from sandbox.tui.pictures.models.namespaces import build_view as ns_view
from sandbox.tui.pictures.models.network import build_view as net_view
from sandbox.tui.pictures.models.trace import describe, summarize


def load(fixtures: Path, name: str) -> dict:
    return json.loads((fixtures / name).read_text())


# -- layers -----------------------------------------------------------------------------------


def test_layers_pair_history_with_layers_skipping_config_only_steps(fixtures_dir: Path) -> None:
    stack = build_stack("hello:1", load(fixtures_dir, "images/hello_1.json"))
    assert [row.index for row in stack.layers] == [0, 1, 2, 3]
    assert [row.instruction for row in stack.layers] == [
        "ADD file:busybox in /", "ADD file:etc in /", "RUN mkdir /app && echo hello > /app/greeting",
        "COPY file:3b2c in /app/"]
    assert [row.size for row in stack.layers] == [2160164, 3100, 12, 1201000]
    assert stack.config_only == ('CMD ["sh"]', 'CMD ["/app/hello"]')
    assert stack.upper is None and stack.origin is None


def test_layers_never_guess_when_history_does_not_explain_them() -> None:
    image = {"inspect": {"RootFS": {"Layers": ["sha256:a", "sha256:b"]}},
             "history": [{"CreatedBy": "/bin/sh -c make", "Size": 5}]}
    stack = build_stack("x", image)
    assert stack.layers[0].instruction == "RUN make"
    assert stack.layers[1].instruction == "(no history for this layer)" and stack.layers[1].size is None


def test_upper_layer_changes_and_the_chosen_path(fixtures_dir: Path) -> None:
    doc = load(fixtures_dir, "containers/edit.json")
    stack = build_stack("busybox:latest", load(fixtures_dir, "images/busybox_latest.json"),
                        load(fixtures_dir, "layers/busybox_latest.json"), "edit", doc["changes"], "/etc/passwd")
    kinds = {c.path: c.kind for c in stack.upper or ()}
    assert kinds["/bin/vi"] == "deleted" and kinds["/tmp/note"] == "added" and kinds["/etc/passwd"] == "changed"
    assert stack.origin is not None
    assert (stack.origin.state, stack.origin.layer, stack.origin.shadowed) == ("copy-up", 1, (0,))


def _rows(*files: tuple[str, ...] | None) -> list[LayerRow]:
    return [LayerRow(i, f"sha256:{i}", 1, "x", f) for i, f in enumerate(files)]


@pytest.mark.parametrize("path, upper, state, layer", [
    ("/bin/sh", [], "image", 0),
    ("/etc/passwd", [], "image", 1),
    ("etc/passwd/", [], "image", 1),
    ("/bin/vi", [UpperChange("/bin/vi", "deleted")], "whiteout", 0),
    ("/tmp/new", [UpperChange("/tmp/new", "added")], "added", None),
    ("/bin/gone", [], "deleted-in-image", 1),
    ("/opt/x", [], "deleted-in-image", 1),
    ("/nowhere", [], "missing", None),
])
def test_locate(path: str, upper: list[UpperChange], state: str, layer: int | None) -> None:
    rows = _rows(("bin/sh", "bin/vi", "bin/gone", "etc/passwd", "opt/x"),
                 ("etc/passwd", "bin/.wh.gone", "opt/.wh..wh..opq"))
    origin = locate(path, rows, upper)
    assert (origin.state, origin.layer) == (state, layer)


def test_locate_without_file_lists_says_unknown() -> None:
    assert locate("/bin/sh", _rows(None, None), []).state == "unknown"


# -- namespaces ---------------------------------------------------------------------------------


def test_namespaces_compare_inodes_and_build_the_tree(fixtures_dir: Path) -> None:
    view = ns_view("web", load(fixtures_dir, "namespaces/web.json"))
    rows = {r.type: r for r in view.rows}
    assert [r.type for r in view.rows][:3] == ["pid", "mnt", "net"]
    assert rows["pid"].shared is False and rows["user"].shared is True
    assert [(p.pid, p.container_pid, p.depth) for p in view.processes] == [(4242, 1, 0), (4311, 7, 1), (4312, 8, 2)]


def test_namespaces_accept_readlink_strings_and_missing_sides() -> None:
    view = ns_view("c", {"host": {"pid": "pid:[4026531836]"}, "container": {"pid": 4026531836, "net": 5},
                         "processes": {"7": {"ppid": 1, "container_pid": 1, "cmd": "sh"}}})
    rows = {r.type: r for r in view.rows}
    assert rows["pid"].shared is True and rows["net"].shared is None
    assert view.processes[0].pid == 7


# -- cgroups ------------------------------------------------------------------------------------


@pytest.mark.parametrize("stats, files, cpus", [
    ({}, {"cpu.max": "50000 100000"}, 0.5),
    ({}, {"cpu.max": "max 100000"}, None),
    ({}, {"cpu.cfs_quota_us": "150000", "cpu.cfs_period_us": "100000"}, 1.5),
    ({}, {"cpu.cfs_quota_us": "-1"}, None),
    ({"cpu_quota": 25000, "cpu_period": 50000}, {}, 0.5),
    ({"cpu_quota": 0.25}, {}, 0.25),
    ({"cpu_quota": None}, {}, None),
    ({"cpu_quota": "junk"}, {}, None),
])
def test_cpu_limit(stats: dict, files: dict, cpus: float | None) -> None:
    assert cg.cpu_limit(stats, files) == cpus


def test_cgroup_rates_and_new_oom_kills(fixtures_dir: Path) -> None:
    samples = load(fixtures_dir, "cgroup/hog.json")["samples"]
    first = cg.parse_sample(samples[0], at=10.0)
    second = cg.parse_sample(samples[1], at=11.0)
    assert first.memory_limit == 33554432 and first.cpu_limit is None and first.mode == "hybrid"
    view = cg.derive("hog", second, first)
    assert view.cpu_rate == pytest.approx(0.998)
    assert view.memory_fraction == pytest.approx(1327104 / 33554432)
    assert view.cpu_fraction is None and view.pids_fraction is None
    oom = cg.parse_sample({"stats": dict(samples[1]["stats"], oom_kills=2)}, at=12.0)
    assert cg.derive("hog", oom, second).oom_new == 2
    assert cg.derive("hog", first, None).cpu_rate is None


# -- network ------------------------------------------------------------------------------------


def test_network_topology(fixtures_dir: Path) -> None:
    view = net_view(load(fixtures_dir, "topology/app.json"))
    assert (view.name, view.bridge, view.bridge_address, view.bridge_state) == (
        "app", view.bridge, "172.31.0.1/16", "up")
    assert view.bridge.startswith("br-")
    [veth] = view.endpoints
    assert (veth.container, veth.ifname, veth.ip, veth.prefixlen) == ("api", "eth0", "172.31.0.2", 16)
    [port] = view.ports
    assert (port.host_port, port.container_port, port.container, port.proto) == (8080, 80, "api", "tcp")


def test_network_topology_in_the_managers_record_shape() -> None:
    view = net_view({"name": "n", "bridge": "br0", "endpoints": {"c1": {"container_id": "c1", "ip": "10.0.0.2",
                                                                         "ifname": "eth1", "veth_host": "v1"}}})
    assert view.name == "n" and view.bridge == "br0"
    assert view.endpoints[0].ifname == "eth1" and view.endpoints[0].prefixlen is None
    assert net_view({}).endpoints == ()


# -- trace --------------------------------------------------------------------------------------


def test_trace_lines_put_records_in_words(fixtures_dir: Path) -> None:
    records = [TraceRecord.from_json(r) for r in load(fixtures_dir, "trace/run-hog.json")]
    lines = [describe(r) for r in records]
    by_op = {line.op: line for line in lines}
    assert by_op["unshare"].category == "namespace" and "CLONE_NEWPID" in by_op["unshare"].text
    assert by_op["pivot_root"].category == "mount"
    writes = [line.text for line in lines if line.op == "cgroup.write"]
    assert any(w.startswith("memory.limit_in_bytes = 33554432") for w in writes)
    assert by_op["capbset.drop"].text.startswith("drop 5 caps from the bounding set, keep 14 caps")
    assert by_op["exec"].text == "exec sh -c while true; do done"
    assert by_op["start"].text.startswith("start ") and len(by_op["start"].text.split()[1]) == 12
    assert dict(summarize(lines))["mount"] == 8


def test_trace_errors_and_unknown_ops() -> None:
    line = describe(TraceRecord("mount", {"target": "/x"}, 1, 0.0, "EPERM"))
    assert line.error == "EPERM" and line.category == "mount"
    other = describe(TraceRecord("frobnicate", {"a": 1}))
    assert (other.category, other.text) == ("other", "frobnicate a=1")
