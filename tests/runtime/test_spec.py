"""config.json: what parses, what it becomes, and a clear field name for what does not."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.errors import SpecError
from sandbox.runtime.resources import Resources
from sandbox.runtime.seccomp import default_profile
from sandbox.runtime.spec import (
    Capabilities,
    Linux,
    Mount,
    Namespace,
    Process,
    Root,
    Spec,
    load_bundle,
    parse_spec,
    runc_default_spec,
)

BUNDLE = Path("/bundles/web")


def _doc() -> dict[str, Any]:
    doc = runc_default_spec(["httpd", "-f"])
    doc["linux"]["resources"].update({"memory": {"limit": 64 << 20, "swap": 128 << 20},
                                      "cpu": {"quota": 20000, "period": 100000, "shares": 512},
                                      "pids": {"limit": 20}})
    return doc


# -- what parses ------------------------------------------------------------------------------

def test_runc_default_spec_parses() -> None:
    spec = parse_spec(runc_default_spec(), BUNDLE)
    assert spec.oci_version == "1.0.2-dev"
    assert spec.process.args == ["sh"]
    assert spec.process.no_new_privileges is True
    assert spec.process.capabilities is not None
    assert spec.process.capabilities.bounding == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    assert spec.process.capabilities.inheritable == []
    assert [(r.type, r.soft, r.hard) for r in spec.process.rlimits] == [("RLIMIT_NOFILE", 1024, 1024)]
    assert spec.root == Root(path=BUNDLE / "rootfs", readonly=True)
    assert spec.hostname == "runc"
    assert spec.namespace_types() == {"pid", "network", "ipc", "uts", "mount"}
    assert spec.mounts[1] == Mount("/dev", "tmpfs", "tmpfs",
                                   ["nosuid", "strictatime", "mode=755", "size=65536k"])
    assert "/proc/kcore" in spec.linux.masked_paths and "/proc/sys" in spec.linux.readonly_paths
    assert spec.linux.resources.is_empty()


@pytest.mark.skipif(shutil.which("runc") is None, reason="runc is not installed")
def test_runc_default_spec_is_what_runc_spec_writes(tmp_path: Path) -> None:
    subprocess.run(["runc", "spec"], cwd=tmp_path, check=True)
    written = json.loads((tmp_path / "config.json").read_text())
    ours = runc_default_spec(terminal=True)
    # Compared section by section, so a newer runc that adds a namespace fails only there.
    for key in ("process", "root", "hostname", "mounts"):
        assert written[key] == ours[key], key
    assert written["linux"]["namespaces"] == ours["linux"]["namespaces"]
    assert written["linux"]["maskedPaths"] == ours["linux"]["maskedPaths"]
    assert written["linux"]["readonlyPaths"] == ours["linux"]["readonlyPaths"]
    parse_spec(written, tmp_path)


def test_runc_default_spec_takes_args_and_terminal() -> None:
    doc = runc_default_spec(["echo", "hi"], terminal=True)
    assert doc["process"]["args"] == ["echo", "hi"] and doc["process"]["terminal"] is True
    assert runc_default_spec()["process"]["terminal"] is False


def test_resources_map_to_the_resources_dataclass() -> None:
    spec = parse_spec(_doc(), BUNDLE)
    assert spec.linux.resources == Resources(memory_limit=64 << 20, memory_swap=128 << 20, cpu_quota=20000,
                                             cpu_period=100000, cpu_shares=512, pids_limit=20)


def test_unlimited_values_map_to_none() -> None:
    doc = _doc()
    doc["linux"]["resources"] = {"memory": {"limit": 0, "swap": -1}, "cpu": {"quota": -1, "shares": 0}}
    r = parse_spec(doc, BUNDLE).linux.resources
    assert (r.memory_limit, r.memory_swap, r.cpu_quota, r.cpu_shares) == (None, -1, None, None)


def test_relative_root_resolves_against_the_bundle_and_absolute_stays() -> None:
    doc = _doc()
    doc["root"]["path"] = "../images/busybox"
    assert parse_spec(doc, BUNDLE).root.path == Path("/bundles/images/busybox")
    doc["root"]["path"] = "/srv/rootfs"
    assert parse_spec(doc, BUNDLE).root.path == Path("/srv/rootfs")


def test_unknown_keys_are_ignored() -> None:
    doc = _doc()
    doc["vm"] = {"hypervisor": {}}
    doc["process"]["apparmorProfile"] = "docker-default"
    doc["linux"]["intelRdt"] = {"closID": "x"}
    assert parse_spec(doc, BUNDLE).process.args == ["httpd", "-f"]


def test_optional_sections_get_defaults() -> None:
    doc = {"ociVersion": "1.0.2", "process": {"args": ["true"]}, "root": {"path": "rootfs"},
           "linux": {"namespaces": [{"type": "mount"}]}}
    spec = parse_spec(doc, BUNDLE)
    assert spec.process.cwd == "/" and spec.process.env == [] and spec.process.capabilities is None
    assert spec.process.user.uid == 0 and spec.hostname is None and spec.mounts == []


def test_user_console_size_namespace_paths_sysctl_seccomp() -> None:
    doc = _doc()
    doc["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5, 20], "umask": 0o22}
    doc["process"]["consoleSize"] = {"height": 40, "width": 120}
    doc["linux"]["namespaces"].append({"type": "cgroup"})
    doc["linux"]["namespaces"][1] = {"type": "network", "path": "/proc/1234/ns/net"}
    doc["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1000000"}
    doc["linux"]["seccomp"] = default_profile()
    doc["linux"]["cgroupsPath"] = "sandbox/web"
    doc["annotations"] = {"org.example": "yes"}
    spec = parse_spec(doc, BUNDLE)
    user = spec.process.user
    assert (user.uid, user.additional_gids, user.umask) == (1000, [5, 20], 0o22)
    assert spec.process.console_size == (40, 120)
    assert Namespace("network", "/proc/1234/ns/net") in spec.linux.namespaces
    assert spec.linux.sysctl["kernel.shmmax"] == "1000000"
    assert spec.linux.seccomp == default_profile()
    assert spec.linux.cgroups_path == "sandbox/web"
    assert spec.annotations == {"org.example": "yes"}


def test_to_oci_round_trips() -> None:
    doc = _doc()
    doc["process"]["user"] = {"uid": 1000, "gid": 1000, "additionalGids": [5]}
    doc["linux"]["sysctl"] = {"net.ipv4.ip_forward": "1"}
    doc["linux"]["seccomp"] = default_profile()
    spec = parse_spec(doc, BUNDLE)
    again = parse_spec(json.loads(json.dumps(spec.to_oci())), Path("/elsewhere"))
    assert again == spec


def test_capability_numbers_of_a_spec_built_in_python() -> None:
    from sandbox.errors import CapabilityUnknown

    assert Capabilities.same(["CAP_CHOWN", "CAP_KILL"]).numbers("bounding") == {0, 5}
    with pytest.raises(CapabilityUnknown):
        Capabilities.same(["CAP_TELEPORT"]).numbers("effective")


def test_a_spec_built_in_python_writes_valid_json() -> None:
    spec = Spec(oci_version="1.0.2",
                process=Process(args=["sh"], capabilities=Capabilities.same(["CAP_KILL"])),
                root=Root(Path("/rootfs")), hostname="box",
                linux=Linux(namespaces=[Namespace("mount"), Namespace("uts")],
                            resources=Resources(memory_limit=1 << 25)))
    assert parse_spec(spec.to_oci(), BUNDLE) == spec


# -- what does not ----------------------------------------------------------------------------

def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def apply(doc: dict[str, Any]) -> dict[str, Any]:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return doc
    return apply


_DELETE = object()
_RES = ["linux", "resources"]
_NS = ["linux", "namespaces"]

BAD: list[tuple[str, Callable[[dict[str, Any]], Any], str, str]] = [
    ("document not an object", lambda d: [d], "(document)", "expected an object"),
    ("no ociVersion", _set(["ociVersion"], _DELETE), "ociVersion", "required"),
    ("no process", _set(["process"], _DELETE), "process", "required"),
    ("args wrong type", _set(["process", "args"], 5), "process.args", "expected a list of strings, got int"),
    ("args item wrong type", _set(["process", "args"], ["sh", None]), "process.args[1]", "got null"),
    ("args empty", _set(["process", "args"], []), "process.args", "empty"),
    ("cwd relative", _set(["process", "cwd"], "srv"), "process.cwd", "not an absolute path"),
    ("env without =", _set(["process", "env"], ["PATH=/bin", "DEBUG"]), "process.env[1]", "NAME=value"),
    ("terminal not bool", _set(["process", "terminal"], "yes"), "process.terminal", "true or false"),
    ("uid negative", _set(["process", "user", "uid"], -1), "process.user.uid", "out of range"),
    ("uid a bool", _set(["process", "user", "uid"], True), "process.user.uid",
     "expected an integer, got bool"),
    ("unknown capability", _set(["process", "capabilities", "effective"], ["CAP_KILL", "CAP_FLY"]),
     "process.capabilities.effective[1]", "unknown capability"),
    ("unknown rlimit", _set(["process", "rlimits"], [{"type": "RLIMIT_FUN", "hard": 1, "soft": 1}]),
     "process.rlimits[0].type", "unknown resource"),
    ("soft above hard", _set(["process", "rlimits"], [{"type": "RLIMIT_NOFILE", "hard": 1, "soft": 2}]),
     "process.rlimits[0].soft", "above the hard limit"),
    ("rlimit twice", _set(["process", "rlimits"], [{"type": "RLIMIT_NOFILE", "hard": 9, "soft": 9}] * 2),
     "process.rlimits[1].type", "twice"),
    ("umask too big", _set(["process", "user", "umask"], 0o1000), "process.user.umask", "out of range"),
    ("additional gid a string", _set(["process", "user", "additionalGids"], ["5"]),
     "process.user.additionalGids[0]", "expected an integer, got string"),
    ("console size not an object", _set(["process", "consoleSize"], [24, 80]), "process.consoleSize",
     "expected an object"),
    ("no root", _set(["root"], _DELETE), "root", "required"),
    ("mount without destination", _set(["mounts", 0], {"type": "proc"}), "mounts[0].destination", "required"),
    ("namespaces not a list", _set(_NS, {"type": "pid"}), "linux.namespaces", "expected a list of objects"),
    ("quota negative", _set(_RES + ["cpu", "quota"], -5), "linux.resources.cpu.quota", "negative"),
    ("gid mappings", _set(["linux", "gidMappings"], [{"containerID": 0, "hostID": 1000, "size": 1}]),
     "linux.gidMappings", "not supported"),
    ("root path not a string", _set(["root", "path"], 7), "root.path", "expected a string, got int"),
    ("mount destination relative", _set(["mounts", 2, "destination"], "dev/pts"), "mounts[2].destination",
     "not an absolute path"),
    ("mount options not a list", _set(["mounts", 0, "options"], "ro"), "mounts[0].options",
     "expected a list of strings, got string"),
    ("unknown namespace", _set(_NS + [2], {"type": "plan9"}), "linux.namespaces[2].type",
     "unknown namespace"),
    ("user namespace", _set(_NS + [0], {"type": "user"}), "linux.namespaces[0].type", "not supported"),
    ("time namespace", _set(_NS + [3], {"type": "time"}), "linux.namespaces[3].type", "not supported"),
    ("namespace twice", _set(_NS + [0], {"type": "uts"}), "linux.namespaces[3].type", "twice"),
    ("namespace path relative", _set(_NS + [1], {"type": "network", "path": "ns/net"}),
     "linux.namespaces[1].path", "not an absolute path"),
    ("joining a mount namespace", _set(_NS + [4], {"type": "mount", "path": "/proc/1/ns/mnt"}),
     "linux.namespaces[4].path", "not supported"),
    ("no mount namespace", _set(_NS, [{"type": "pid"}]), "linux.namespaces", "mount namespace is required"),
    ("hostname without uts", _set(_NS + [3], {"type": "cgroup"}), "hostname", "uts namespace"),
    ("hostname too long", _set(["hostname"], "h" * 65), "hostname", "longer than 64"),
    ("negative memory limit", _set(_RES + ["memory", "limit"], -5), "linux.resources.memory.limit",
     "negative"),
    ("memory limit a float", _set(_RES + ["memory", "limit"], 1.5), "linux.resources.memory.limit",
     "expected an integer, got float"),
    ("memory limit a string", _set(_RES + ["memory", "limit"], "64m"), "linux.resources.memory.limit",
     "expected an integer, got string"),
    ("swap below limit", _set(_RES + ["memory", "swap"], 1 << 20), "linux.resources.memory.swap", "below"),
    ("swap -2", _set(_RES + ["memory", "swap"], -2), "linux.resources.memory.swap", "negative"),
    ("quota too small", _set(_RES + ["cpu", "quota"], 10), "linux.resources.cpu.quota", "minimum"),
    ("period too long", _set(_RES + ["cpu", "period"], 5_000_000), "linux.resources.cpu.period", "outside"),
    ("shares out of range", _set(_RES + ["cpu", "shares"], 1), "linux.resources.cpu.shares", "outside"),
    ("pids without limit", _set(_RES + ["pids"], {}), "linux.resources.pids.limit", "required"),
    ("resources not an object", _set(_RES, []), "linux.resources", "expected an object, got list"),
    ("masked path relative", _set(["linux", "maskedPaths"], ["proc/kcore"]), "linux.maskedPaths[0]",
     "not an absolute path"),
    ("host sysctl", _set(["linux", "sysctl"], {"vm.swappiness": "0"}), "linux.sysctl.vm.swappiness",
     "not namespaced"),
    ("net sysctl without netns", lambda d: _set(["linux", "sysctl"], {"net.ipv4.ip_forward": "1"})(
        _set(_NS + [1], {"type": "cgroup"})(d)), "linux.sysctl.net.ipv4.ip_forward", "network namespace"),
    ("sysctl value not a string", _set(["linux", "sysctl"], {"net.core.somaxconn": 1024}),
     "linux.sysctl.net.core.somaxconn", "expected a string, got int"),
    ("uid mappings", _set(["linux", "uidMappings"], [{"containerID": 0, "hostID": 1000, "size": 1}]),
     "linux.uidMappings", "not supported"),
    ("bad seccomp action", _set(["linux", "seccomp"], {"defaultAction": "SCMP_ACT_BLOCK"}),
     "linux.seccomp.defaultAction", "unknown action"),
    ("annotation not a string", _set(["annotations"], {"a": 1}), "annotations.a", "expected a string"),
]


@pytest.mark.parametrize(("mutate", "field", "problem"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_names_the_field(mutate: Callable[[dict[str, Any]], Any], field: str, problem: str) -> None:
    with pytest.raises(SpecError) as e:
        parse_spec(mutate(copy.deepcopy(_doc())), BUNDLE)
    assert e.value.field == field
    assert problem in e.value.problem
    # The one line a learner sees names the field.
    assert str(e.value).startswith(f"config.json: {field}: ")


def test_unsupported_namespaces_come_with_a_hint() -> None:
    with pytest.raises(SpecError) as e:
        parse_spec(_set(_NS + [0], {"type": "user"})(_doc()), BUNDLE)
    assert e.value.hint


# -- bundles on disk --------------------------------------------------------------------------

def _bundle(tmp_path: Path, text: str | None, rootfs: bool = True) -> Path:
    if text is not None:
        (tmp_path / "config.json").write_text(text)
    if rootfs:
        (tmp_path / "rootfs").mkdir()
    return tmp_path


def test_load_bundle_reads_config_json(tmp_path: Path) -> None:
    spec = load_bundle(_bundle(tmp_path, json.dumps(_doc())))
    assert spec.root.path == tmp_path / "rootfs"
    assert spec.process.args == ["httpd", "-f"]


def test_load_bundle_malformed_json_says_where(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        load_bundle(_bundle(tmp_path, '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}'))
    assert e.value.field == "config.json"
    assert e.value.problem.startswith("not valid JSON: line 3 column 15: ")


def test_load_bundle_missing_config(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        load_bundle(_bundle(tmp_path, None))
    assert e.value.field == "config.json" and "does not exist" in e.value.problem
    assert e.value.hint


def test_load_bundle_missing_rootfs(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as e:
        load_bundle(_bundle(tmp_path, json.dumps(_doc()), rootfs=False))
    assert e.value.field == "root.path"
    assert "does not exist" in e.value.problem and str(tmp_path / "rootfs") in e.value.problem


def test_load_bundle_names_a_field_inside(tmp_path: Path) -> None:
    doc = _doc()
    doc["linux"]["resources"]["memory"]["limit"] = -1
    with pytest.raises(SpecError) as e:
        load_bundle(_bundle(tmp_path, json.dumps(doc)))
    assert e.value.field == "linux.resources.memory.limit"
