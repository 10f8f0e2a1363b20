"""The ``show`` pictures, drawn from JSON recorded from a real runtime, dockerd and the
engine's network topology builder (see data/README.md)."""

from __future__ import annotations

import copy

from sandbox.repl.show import cgroups, layers, namespaces, network
from sandbox.repl.show.draw import meter, plain
from tests.repl.conftest import load


def lines(fragments) -> list[str]:
    return plain(fragments).splitlines()


def styled(fragments, text: str) -> set[str]:
    return {style for style, t, *_ in fragments if text in t}


# -- layers -------------------------------------------------------------------------------------


def test_layers_stack_newest_on_top_with_the_instruction_that_made_each() -> None:
    out = lines(layers.render(load("image-web.json"), load("history-web.json"), name="web:1"))
    assert out[0].startswith("image web:1  08d88554d738  1.984MB  3 layers")
    stack = [line for line in out if line.startswith("│")]
    assert [line.split()[1] for line in stack] == ["3", "2", "1"]
    assert "COPY file:" in stack[0] and "eeaf99a6f8d9" in stack[0]
    assert "RUN mkdir -p /srv/www" in stack[1]
    assert "Imported from -" in stack[2] and "1.984MB" in stack[2]
    assert any(line.startswith("  config only (no layer): ENV GREETING=hello, WORKDIR /srv/www") for line in out)


def test_a_container_adds_its_upper_layer_with_copy_ups_and_whiteouts() -> None:
    fragments = layers.render(load("image-web.json"), load("history-web.json"), name="web:1",
                              container=load("container-web.json"), changes=load("changes-web.json"))
    out = lines(fragments)
    assert "container web: its own read-write layer (upperdir)" in out[2]
    changes = [line for line in out[3:6]]
    assert "C /etc/motd" in changes[0] and "copied up" in changes[0]
    assert "A /tmp/cache/x" in changes[1]
    assert "D /bin/vi" in changes[2] and "whiteout" in changes[2]
    assert not any("/tmp/cache " in line or line.endswith("/tmp") for line in out)  # parents are implied
    assert styled(fragments, "D /bin/vi") == {"class:bad"}
    assert styled(fragments, "C /etc/motd") == {"class:warn"}


def test_one_layer_image_from_our_own_store() -> None:
    out = lines(layers.render(load("image-busybox.json"), load("history-busybox.json")))
    assert out[0].startswith("image busybox:latest  d8d14241ec28  2.14MB  1 layer")
    assert "sandbox bootstrap: BusyBox" in out[2]


def test_history_that_does_not_line_up_shows_the_layers_without_guessing() -> None:
    history = load("history-web.json")[:2]
    out = lines(layers.render(load("image-web.json"), history, name="web:1"))
    assert sum(1 for line in out if line.startswith("│") and "  ?" in line) == 3


def test_instruction_names() -> None:
    assert layers.instruction("/bin/sh -c #(nop) WORKDIR /srv") == "WORKDIR /srv"
    assert layers.instruction("/bin/sh -c apk add curl") == "RUN apk add curl"
    assert layers.instruction("", "Imported from -") == "Imported from -"


# -- namespaces ---------------------------------------------------------------------------------


def test_namespaces_table_says_own_or_shared() -> None:
    fragments = namespaces.render(load("namespaces-web.json"), name="web")
    out = lines(fragments)
    row = {line.split()[0]: line.split() for line in out[2:9]}
    assert row["pid"][1:4] == ["4026531836", "4026532177", "own"]
    assert row["cgroup"][3] == "shared" and row["user"][3] == "shared"
    assert [line.split()[0] for line in out[2:9]] == ["pid", "mnt", "net", "uts", "ipc", "cgroup", "user"]


def test_process_tree_from_both_sides() -> None:
    out = lines(namespaces.render(load("namespaces-web.json"), name="web"))
    procs = [line for line in out if "│" in line][1:]
    assert procs[0].split()[:5] == ["5312", "5311", "│", "1", "0"]
    assert procs[1].split()[3:] == ["2", "1", "└─", "sleep", "1000"]
    assert procs[2].split()[3:] == ["3", "1", "└─", "sleep", "999"]


def test_no_processes() -> None:
    data = dict(load("namespaces-web.json"), processes=[])
    assert "the container is not running" in plain(namespaces.render(data))


# -- cgroups ------------------------------------------------------------------------------------


def test_cgroup_meters_and_files() -> None:
    out = lines(cgroups.render(load("cgroup-web.json"), name="web"))
    assert out[0].startswith("cgroups of web  hybrid")
    memory = next(line for line in out if line.startswith("  memory ["))
    assert memory.endswith("424KiB of 64MiB 1%")
    assert any("peak 1MiB" in line and "OOM kills 0" in line for line in out)
    assert any(line.startswith("  cpu") and "13.3ms used" in line and "no quota" in line for line in out)
    assert next(line for line in out if line.startswith("  pids")).endswith("3 of 32")
    assert "  memory  /sys/fs/cgroup/memory/sandbox/replcap" in out
    assert any(line.startswith("  memory.limit_in_bytes") and line.endswith("67108864") for line in out)


def test_an_oom_kill_is_red_and_explained() -> None:
    data = copy.deepcopy(load("cgroup-web.json"))
    data["stats"]["oom_kills"] = 2
    data["stats"]["memory_usage"] = data["stats"]["memory_limit"]
    fragments = cgroups.render(data, name="hog")
    assert styled(fragments, "OOM kills 2") == {"class:bad"}
    assert "the kernel killed a process" in plain(fragments)
    assert "class:meter.full" in {style for style, *_ in fragments}


def test_v2_quota_and_no_memory_limit() -> None:
    data = {"mode": "v2", "files": {"cpu.max": "50000 100000"},
            "stats": {"memory_usage": 1 << 20, "memory_limit": None, "cpu_usage_ns": 2_500_000_000,
                      "pids_current": 1, "pids_limit": None}, "frozen": True}
    out = plain(cgroups.render(data))
    assert "limited to 0.5 CPU (period 100ms)" in out and "2.50s used" in out
    assert "1MiB of no limit" in out and "frozen" in out


def test_meter_fills_in_proportion_and_draws_no_limit_empty() -> None:
    assert plain(meter(5, 10, 10)) == "[█████·····]"
    assert "no limit" in plain(meter(5, None, 10))
    assert "no limit" in plain(meter(5, 9223372036854771712, 10))


# -- network ------------------------------------------------------------------------------------


def test_network_bridge_veths_and_ports() -> None:
    fragments = network.render(load("topology-app.json"))
    out = lines(fragments)
    assert out[0] == "network app  bridge  172.31.0.0/16  gateway 172.31.0.1  names resolve"
    assert out[1].split() == ["bridge", "br-4f1c0a9e7d2b", "172.31.0.1/16", "up"]
    assert out[2].split()[:7] == ["├──", "vsb1303eceb", "(up)", "═══", "eth0", "in", "web"]
    assert "172.31.0.2/16" in out[2]
    assert out[3].split()[:3] == ["└──", "vsb9b1e6f0c", "(down)"]
    assert styled(fragments, "(down)") == {"class:bad"}
    assert "  127.0.0.1:8080 → web 172.31.0.2:80/tcp   1 open, 4 accepted" in out


def test_an_empty_network() -> None:
    out = plain(network.render({"network": {"name": "none"}, "bridge": None, "endpoints": [], "ports": []}))
    assert "no bridge" in out and "no containers attached" in out and "none (docker run -p" in out
