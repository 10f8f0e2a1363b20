"""finalize_process: the privileges a container's process is left with, checked in /proc.

Each test runs finalize_process in a forked child (it cannot be undone) and reports back
through a pipe.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
from pathlib import Path
from typing import Any

import pytest

from sandbox.errors import SyscallError
from sandbox.linux import caps
from sandbox.linux.trace import ListSink, Tracer
from sandbox.runtime import seccomp, security
from sandbox.runtime.spec import Capabilities, Process, Rlimit, User, parse_spec, runc_default_spec
from tests.helpers import in_child

DOCKER_CAPEFF = 0xA80425FB
"""What `grep CapEff /proc/self/status` prints in a default Docker container."""



def status_field(name: str) -> str:
    with open("/proc/self/status") as f:
        return next(line.split(":", 1)[1].strip() for line in f if line.startswith(name + ":"))


def raw(nr: int, *args: int) -> tuple[int, int]:
    libc = ctypes.CDLL(None, use_errno=True)
    ctypes.set_errno(0)
    ret = libc.syscall(ctypes.c_long(nr), *(ctypes.c_long(a) for a in args))
    return ret, ctypes.get_errno()


def docker_process(**kw: Any) -> Process:
    return Process(args=["sh"], capabilities=Capabilities.same(list(security.DEFAULT_CAPABILITIES)),
                   no_new_privileges=True, **kw)


# -- the defaults -----------------------------------------------------------------------------

def test_default_capabilities_are_dockers_fourteen() -> None:
    assert len(security.DEFAULT_CAPABILITIES) == 14
    numbers = {caps.number(n) for n in security.DEFAULT_CAPABILITIES}
    assert caps.to_mask(numbers) == DOCKER_CAPEFF
    for absent in ("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_MODULE"):
        assert absent not in security.DEFAULT_CAPABILITIES


def test_default_masked_and_readonly_paths() -> None:
    for path in ("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"):
        assert path in security.DEFAULT_MASKED_PATHS
    assert "/proc/sys" in security.DEFAULT_READONLY_PATHS
    everything = security.DEFAULT_MASKED_PATHS + security.DEFAULT_READONLY_PATHS
    assert all(p.startswith("/") for p in everything)
    assert len(set(everything)) == len(everything)


def test_apply_docker_defaults_fills_the_security_fields() -> None:
    spec = parse_spec(runc_default_spec(), Path("/bundle"))
    assert security.apply_docker_defaults(spec) is spec
    assert spec.process.capabilities is not None
    assert caps.to_mask(spec.process.capabilities.numbers("bounding")) == DOCKER_CAPEFF
    assert spec.process.capabilities.ambient == [] and spec.process.no_new_privileges
    assert spec.linux.seccomp == seccomp.default_profile()
    assert spec.linux.masked_paths == list(security.DEFAULT_MASKED_PATHS)
    assert spec.linux.readonly_paths == list(security.DEFAULT_READONLY_PATHS)
    # Still a valid spec: it survives being written out and read back.
    assert parse_spec(spec.to_oci(), Path("/bundle")) == spec


def test_apply_no_new_privs() -> None:
    def child() -> tuple[str, list[str]]:
        sink = ListSink()
        security.apply_no_new_privs(Tracer(sink))
        return status_field("NoNewPrivs"), sink.ops()

    assert in_child(child) == ("1", ["prctl"])


# -- finalize_process (root) ------------------------------------------------------------------

@pytest.mark.root
def test_docker_defaults_leave_dockers_capabilities_and_a_filter() -> None:
    compiled = seccomp.compile_profile(seccomp.default_profile())

    def child() -> dict[str, Any]:
        security.finalize_process(docker_process(), compiled)
        libc = ctypes.CDLL(None, use_errno=True)
        ctypes.set_errno(0)
        mount = libc.mount(b"none", b"/nonexistent-sandbox-test", b"tmpfs", 0, None), ctypes.get_errno()
        return {
            "status": caps.read_status_caps(), "nnp": status_field("NoNewPrivs"),
            "seccomp": status_field("Seccomp"),
            "keyctl": raw(250, 0, -3, 0), "mount": mount, "reboot": raw(169, 0, 0, 0, 0),
            "getpid": (raw(39)[0], os.getpid()),
        }

    out = in_child(child)
    st = out["status"]
    assert st["CapEff"] == st["CapPrm"] == st["CapBnd"] == DOCKER_CAPEFF
    assert st["CapInh"] == 0 and st["CapAmb"] == 0
    for absent in ("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_MODULE"):
        assert not st["CapEff"] >> caps.number(absent) & 1
        assert not st["CapBnd"] >> caps.number(absent) & 1
    assert out["nnp"] == "1" and out["seccomp"] == "2"     # 2: filter mode
    assert out["keyctl"] == (-1, errno.EPERM)
    assert out["mount"] == (-1, errno.EPERM)
    assert out["reboot"] == (-1, errno.EPERM)
    assert out["getpid"][0] == out["getpid"][1]


@pytest.mark.root
def test_steps_happen_in_the_kernel_correct_order() -> None:
    compiled = seccomp.compile_profile(seccomp.default_profile())
    proc = docker_process(user=User(uid=1000, gid=1000), rlimits=[Rlimit("RLIMIT_NOFILE", 1024, 1024)])

    def child() -> list[str]:
        sink = ListSink()
        security.finalize_process(proc, compiled, Tracer(sink))
        return sink.ops()

    assert in_child(child) == ["setrlimit", "capbset.drop", "prctl", "setuser", "prctl", "capset",
                               "capamb.clear", "prctl", "seccomp.load"]


@pytest.mark.root
def test_without_no_new_privs_seccomp_loads_before_capabilities_drop() -> None:
    compiled = seccomp.compile_profile(seccomp.default_profile())
    proc = docker_process()
    proc.no_new_privileges = False

    def child() -> tuple[list[str], str, tuple[int, int]]:
        sink = ListSink()
        security.finalize_process(proc, compiled, Tracer(sink))
        return sink.ops(), status_field("NoNewPrivs"), raw(250, 0, -3, 0)

    ops, nnp, keyctl = in_child(child)
    assert ops.index("seccomp.load") < ops.index("capbset.drop")
    assert nnp == "0"
    assert keyctl == (-1, errno.EPERM)


@pytest.mark.root
def test_switch_to_uid_1000_keeps_the_capabilities_asked_for() -> None:
    proc = docker_process(user=User(uid=1000, gid=1000, additional_gids=[5, 20], umask=0o027))

    def child() -> dict[str, Any]:
        security.finalize_process(proc, None)
        return {"uids": os.getresuid(), "gids": os.getresgid(), "groups": sorted(os.getgroups()),
                "eff": caps.read_status_caps()["CapEff"], "keepcaps": caps.get_keepcaps(),
                "umask": os.umask(0)}

    out = in_child(child)
    assert out["uids"] == (1000, 1000, 1000) and out["gids"] == (1000, 1000, 1000)
    assert out["groups"] == [5, 20]
    assert out["eff"] == DOCKER_CAPEFF
    assert out["keepcaps"] is False
    assert out["umask"] == 0o027


@pytest.mark.root
def test_root_loses_the_callers_supplementary_groups() -> None:
    def child() -> list[int]:
        os.setgroups([4, 24])
        security.finalize_process(docker_process(), None)
        return os.getgroups()

    assert in_child(child) == []


@pytest.mark.root
def test_no_capabilities_section_means_none_at_all() -> None:
    def child() -> dict[str, int]:
        security.finalize_process(Process(args=["sh"]), None)
        return caps.read_status_caps()

    st = in_child(child)
    assert st == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}


@pytest.mark.root
def test_rlimits_are_applied() -> None:
    core_hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    # OCI's "unlimited" is the largest unsigned 64-bit number.
    oci_core_hard = 2**64 - 1 if core_hard == resource.RLIM_INFINITY else core_hard
    proc = docker_process(rlimits=[Rlimit("RLIMIT_NOFILE", 1024, 512),
                                   Rlimit("RLIMIT_CORE", oci_core_hard, 0)])

    def child() -> tuple[tuple[int, int], tuple[int, int]]:
        security.finalize_process(proc, None)
        return resource.getrlimit(resource.RLIMIT_NOFILE), resource.getrlimit(resource.RLIMIT_CORE)

    nofile, core = in_child(child)
    assert nofile == (512, 1024)
    assert core == (0, core_hard)


@pytest.mark.root
def test_raising_a_hard_limit_without_sys_resource_fails_naming_the_limit() -> None:
    proc = docker_process(rlimits=[Rlimit("RLIMIT_NOFILE", 200, 200)])

    def child() -> tuple[int, str | None]:
        current = caps.capget()
        caps.capset(current.effective - {caps.number("CAP_SYS_RESOURCE")}, current.permitted,
                    current.inheritable)
        resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100))
        try:
            security.finalize_process(proc, None)
        except SyscallError as e:
            return e.errno, e.path
        return 0, None

    assert in_child(child) == (errno.EPERM, "RLIMIT_NOFILE")


@pytest.mark.root
def test_ambient_capabilities_survive_exec_as_a_non_root_user() -> None:
    bind = ["CAP_NET_BIND_SERVICE"]
    proc = Process(args=["cat"], user=User(uid=1000, gid=1000), no_new_privileges=True,
                   capabilities=Capabilities(bounding=bind, effective=bind, permitted=bind,
                                             inheritable=bind, ambient=bind))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.dup2(w, 1)
            security.finalize_process(proc, None)
            os.execv("/bin/cat", ["cat", "/proc/self/status"])
        finally:
            os._exit(127)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, text
    fields = dict(line.split(":\t", 1) for line in text.splitlines() if line.startswith("Cap"))
    mask = 1 << caps.number("CAP_NET_BIND_SERVICE")
    assert int(fields["CapAmb"], 16) == mask
    assert int(fields["CapEff"], 16) == mask      # what ambient is for: kept by a uid-1000 exec
    assert int(fields["CapBnd"], 16) == mask


@pytest.mark.root
def test_ambient_without_inheritable_is_skipped_like_runc() -> None:
    # `runc spec` lists ambient capabilities but no inheritable ones.
    kill = ["CAP_KILL"]
    proc = Process(args=["sh"], capabilities=Capabilities(bounding=kill, effective=kill, permitted=kill,
                                                          ambient=kill))

    def child() -> tuple[int, list[tuple[str, str | None]]]:
        sink = ListSink()
        security.finalize_process(proc, None, Tracer(sink))
        return caps.read_status_caps()["CapAmb"], [(r.op, r.error) for r in sink.records]

    amb, records = in_child(child)
    assert amb == 0
    assert ("capamb.raise", "not both permitted and inheritable") in records
