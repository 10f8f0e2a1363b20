"""specgen: image config + run options -> runtime spec, as dockerd builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox.engine.specgen import BindMount, NoCommand, RunOptions, UserUnknown, build, resolve_user

PASSWD = ("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
          "nobody:x:65534:65534::/:/bin/false\n")
GROUP = "root:x:0:\nwheel:x:10:root,user\nstaff:x:50:\nuser:x:1000:\n"


@pytest.mark.parametrize(("spec", "ids"), [
    (None, (0, 0, (10,))),
    ("user", (1000, 1000, (10,))),
    ("1000", (1000, 1000, (10,))),
    ("4242", (4242, 0, ())),
    ("user:staff", (1000, 50, (10,))),
    ("4242:7", (4242, 7, ())),
    ("nobody:0", (65534, 0, ())),
])
def test_resolve_user(spec: str | None, ids: tuple[int, int, tuple[int, ...]]) -> None:
    got = resolve_user(spec, PASSWD, GROUP)
    assert (got.uid, got.gid, got.additional_gids) == ids


@pytest.mark.parametrize(("spec", "message"), [
    ("ghost", "unable to find user ghost: no matching entries in passwd file"),
    ("user:ghosts", "unable to find group ghosts: no matching entries in group file"),
])
def test_unknown_users(spec: str, message: str) -> None:
    with pytest.raises(UserUnknown, match=message):
        resolve_user(spec, PASSWD, GROUP)


def test_build_spec(tmp_path: Path) -> None:
    opts = RunOptions(args=["sh"], hostname="abc", tty=True, user="user", memory=64 << 20, cpu_quota=50000,
                      cpu_shares=512, pids_limit=20, readonly_rootfs=True, console_size=(30, 100),
                      cap_add=["NET_ADMIN"], cap_drop=["chown"], mounts=[BindMount("/etc/hosts", "/x/hosts")],
                      passwd=PASSWD, group=GROUP, env=["A=1"])
    spec = build({"Env": ["PATH=/bin"]}, opts, tmp_path)
    p = spec.process
    assert p.args == ["sh"] and p.env == ["PATH=/bin", "HOSTNAME=abc", "TERM=xterm", "A=1"]
    assert (p.user.uid, p.user.gid, p.user.additional_gids) == (1000, 1000, [10])
    assert p.terminal and p.console_size == (30, 100) and spec.root.readonly and spec.hostname == "abc"
    assert p.capabilities is not None and "CAP_NET_ADMIN" in p.capabilities.bounding
    assert "CAP_CHOWN" not in p.capabilities.bounding
    r = spec.linux.resources
    got = (r.memory_limit, r.cpu_quota, r.cpu_period, r.cpu_shares, r.pids_limit)
    assert got == (64 << 20, 50000, 100000, 512, 20)
    assert any(m.destination == "/etc/hosts" and m.type == "bind" for m in spec.mounts)
    assert spec.linux.seccomp is not None and spec.linux.masked_paths


def test_privileged_and_errors(tmp_path: Path) -> None:
    spec = build({}, RunOptions(args=["true"], privileged=True), tmp_path)
    assert spec.linux.seccomp is None and not spec.linux.masked_paths and not spec.process.no_new_privileges
    assert "CAP_SYS_ADMIN" in spec.process.capabilities.bounding
    with pytest.raises(NoCommand, match="No command specified"):
        build({}, RunOptions(), tmp_path)
    with pytest.raises(UserUnknown):
        build({}, RunOptions(args=["true"], user="ghost", passwd=PASSWD), tmp_path)


def test_host_ipc_and_uts_make_no_namespace_and_set_no_hostname(tmp_path: Path) -> None:
    private = build({}, RunOptions(args=["true"], hostname="abc"), tmp_path)
    kinds = {n.type for n in private.linux.namespaces}
    assert {"ipc", "uts"} <= kinds and private.hostname == "abc"
    assert [m.type for m in private.mounts if m.destination == "/dev/shm"] == ["tmpfs"]
    shared = build({}, RunOptions(args=["true"], hostname="abc", host_ipc=True, host_uts=True), tmp_path)
    kinds = {n.type for n in shared.linux.namespaces}
    # A hostname without a uts namespace would rename the host.
    assert not {"ipc", "uts"} & kinds and shared.hostname is None
    shm = [m for m in shared.mounts if m.destination == "/dev/shm"]
    assert [(m.type, m.source) for m in shm] == [("bind", "/dev/shm")]
