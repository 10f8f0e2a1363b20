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
    image = load(fixtures_dir, "images/hello_1.json")  # captured: tests/tui/fixtures/capture.py
    stack = build_stack("hello:1", image)
    assert [row.index for row in stack.layers] == [0, 1, 2]
    assert [row.digest for row in stack.layers] == image["inspect"]["RootFS"]["Layers"]
    assert stack.layers[0].instruction.startswith("sandbox bootstrap: BusyBox")
    assert stack.layers[1].instruction.startswith("RUN mkdir /app && echo hello > /app/greeting && rm /bin/vi")
    assert stack.layers[2].instruction.startswith("COPY file:") and stack.layers[2].instruction.endswith(" in /app/")
    made = [h["Size"] for h in reversed(image["history"]) if "#(nop) ENV" not in h["CreatedBy"]
            and "#(nop) CMD" not in h["CreatedBy"]]
    assert [row.size for row in stack.layers] == made and all(made)
    assert stack.config_only == ("ENV GREETING=hello", 'CMD ["/app/hello"]')
    assert stack.upper is None and stack.origin is None


def test_layers_never_guess_when_history_does_not_explain_them() -> None:
    image = {"inspect": {"RootFS": {"Layers": ["sha256:a", "sha256:b"]}},
             "history": [{"CreatedBy": "/bin/sh -c make", "Size": 5}]}
    stack = build_stack("x", image)
    assert stack.layers[0].instruction == "RUN make"
    assert stack.layers[1].instruction == "(no history for this layer)" and stack.layers[1].size is None


def test_upper_layer_changes_and_the_chosen_path(fixtures_dir: Path) -> None:
    doc = load(fixtures_dir, "containers/edit.json")
    image, files = load(fixtures_dir, "images/hello_1.json"), load(fixtures_dir, "layers/hello_1.json")
    stack = build_stack("hello:1", image, files, "edit", doc["changes"], "/etc/passwd")
    kinds = {c.path: c.kind for c in stack.upper or ()}
    assert kinds["/bin/ls"] == "deleted" and kinds["/tmp/note"] == "added" and kinds["/etc/passwd"] == "changed"
    # The RUN layer appended to /etc/passwd (hiding busybox's copy); the container wrote to
    # it again: a copy-up from layer 1.
    assert stack.origin is not None
    assert (stack.origin.state, stack.origin.layer, stack.origin.shadowed) == ("copy-up", 1, (0,))
    vi = build_stack("hello:1", image, files, "edit", doc["changes"], "/bin/vi").origin
    assert vi is not None and (vi.state, vi.layer) == ("deleted-in-image", 1)
    hello = build_stack("hello:1", image, files, "edit", doc["changes"], "/app/hello").origin
    assert hello is not None and (hello.state, hello.layer) == ("image", 2)


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
    doc = load(fixtures_dir, "namespaces/web.json")
    view = ns_view("web", doc)
    rows = {r.type: r for r in view.rows}
    assert [r.type for r in view.rows][:3] == ["pid", "mnt", "net"]
    # The engine makes no user namespace: the only one the container shares with the host.
    assert rows["pid"].shared is False and rows["user"].shared is True
    assert [t for t, r in rows.items() if r.shared] == doc["shared"] == ["user"]
    [httpd] = view.processes
    assert (httpd.pid, httpd.container_pid, httpd.depth, httpd.cmd) == (doc["processes"][0]["pid"], 1, 0, "httpd -f")


def test_namespaces_build_a_tree_from_parent_pids() -> None:
    doc = {"processes": [{"pid": 4242, "ppid": 4200, "container_pid": 1, "cmd": "sh"},
                         {"pid": 4311, "ppid": 4242, "container_pid": 7, "cmd": "sleep 1"},
                         {"pid": 4312, "ppid": 4311, "container_pid": 8, "cmd": "cat"}]}
    view = ns_view("web", doc)
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
    assert first.memory_limit == 33554432 and first.cpu_limit is None and first.mode in ("hybrid", "v1", "v2")
    view = cg.derive("hog", second, first)
    # A busy loop, sampled a second apart: about one CPU (less when the machine was busy).
    used = (samples[1]["stats"]["cpu_usage_ns"] - samples[0]["stats"]["cpu_usage_ns"]) / 1e9
    assert view.cpu_rate == pytest.approx(used) and 0 < used <= 1.05
    assert view.memory_fraction == pytest.approx(samples[1]["stats"]["memory_usage"] / 33554432)
    assert view.cpu_fraction is None and view.pids_fraction is None
    oom = cg.parse_sample({"stats": dict(samples[1]["stats"], oom_kills=2)}, at=12.0)
    assert cg.derive("hog", oom, second).oom_new == 2
    assert cg.derive("hog", first, None).cpu_rate is None


# -- network ------------------------------------------------------------------------------------


def test_network_topology(fixtures_dir: Path) -> None:
    doc = load(fixtures_dir, "topology/app.json")
    view = net_view(doc)
    gateway, prefix = doc["network"]["gateway"], int(doc["network"]["subnet"].split("/")[1])
    assert (view.name, view.bridge_address, view.bridge_state) == ("app", f"{gateway}/{prefix}", "up")
    assert view.bridge == "br-" + doc["network"]["id"][:12]
    [veth] = view.endpoints
    assert (veth.container, veth.ifname, veth.prefixlen) == ("api", "eth0", prefix)
    assert veth.ip == doc["endpoints"][0]["ipv4"].split("/")[0] and veth.host_ifname.startswith("veth")
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
    unshares = [line.text for line in lines if line.op == "unshare"]
    assert by_op["unshare"].category == "namespace" and any("CLONE_NEWPID" in u for u in unshares)
    assert by_op["pivot_root"].category == "mount"
    writes = [line.text for line in lines if line.op == "cgroup.write"]
    assert any(w.startswith("memory.limit_in_bytes = 33554432") for w in writes)
    # Docker's default set: 14 capabilities kept, the rest of the kernel's dropped.
    drop = next(r for r in records if r.op == "capbset.drop")
    assert by_op["capbset.drop"].text.startswith(
        f"drop {len(drop.args['caps'])} caps from the bounding set, keep 14 caps")
    assert by_op["exec"].text == "exec sh -c while true; do :; done"
    assert by_op["start"].text.startswith("start ") and len(by_op["start"].text.split()[1]) == 12
    assert dict(summarize(lines))["mount"] == sum(1 for line in lines if line.category == "mount") > 8


def test_trace_errors_and_unknown_ops() -> None:
    line = describe(TraceRecord("mount", {"target": "/x"}, 1, 0.0, "EPERM"))
    assert line.error == "EPERM" and line.category == "mount"
    other = describe(TraceRecord("frobnicate", {"a": 1}))
    assert (other.category, other.text) == ("other", "frobnicate a=1")


def test_a_container_that_ended_keeps_its_last_reading_and_says_how(fixtures_dir: Path) -> None:
    inspect = load(fixtures_dir, "containers/oomed.json")["inspect"]  # `tail /dev/zero` under -m 16m
    view = cg.ended_view("oomed", inspect, None, at=5.0)
    assert view.ended == cg.Ended(137, True) and view.oom_new == 1 and view.sample.oom_kills == 1
    assert view.sample.memory_limit == 16 * 1024 * 1024 and view.sample.memory_usage is None
    last = cg.parse_sample(load(fixtures_dir, "cgroup/hog.json")["samples"][0], at=1.0)
    stopped = cg.ended_view("hog", {"State": {"ExitCode": 0, "OOMKilled": False}}, last, at=5.0)
    assert stopped.ended == cg.Ended(0, False) and stopped.sample == last and stopped.oom_new == 0
