"""Real containers: isolation, the overlay rootfs, cgroup limits and security (root only)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

from sandbox.linux import proc

pytestmark = pytest.mark.root

NS = ("pid", "mnt", "uts", "ipc", "net", "cgroup")


def test_isolation(harness) -> None:
    code, out, _ = harness.run(["sh", "-c", "echo pid=$$; hostname; ls /sys/class/net; "
                                "for n in pid mnt uts ipc net cgroup; do echo $n=$(readlink /proc/self/ns/$n); done; "
                                "ip link show lo | grep -q LOOPBACK,UP && echo lo-up=yes"])
    assert code == 0, out
    lines = out.split()
    assert "pid=1" in lines
    assert "box" in lines
    nets = [x for x in lines if "=" not in x and x != "box"]
    assert nets == ["lo"], out
    assert "lo-up=yes" in lines, out
    for n in NS:
        inside = re.search(rf"^{n}=\S+\[(\d+)\]$", out, re.M)
        assert inside, out
        assert int(inside.group(1)) != proc.ns_inode("self", n), f"{n} namespace is the host's"


def test_host_root_unreachable(harness, tmp_path) -> None:
    marker = tmp_path / "host-only-marker"
    marker.write_text("host")
    code, out, _ = harness.run(["sh", "-c", f"cd /; cd ../../../..; pwd; ls; "
                                f"test -e {marker} && echo SEEN1; test -e /proc/1/root{marker} && echo SEEN2; "
                                f"test -e /proc/1/cwd/../../..{marker} && echo SEEN3; readlink /proc/1/root"])
    assert code == 0, out
    assert "SEEN" not in out
    assert out.splitlines()[0] == "/"
    assert "bin" in out.split()


def test_overlay_writes_go_to_upper_only(harness) -> None:
    before = sorted(os.listdir(harness.rootfs / "bin"))
    code, out, _ = harness.run(["sh", "-c", "echo hello > /newfile && rm /bin/vi && ls /bin/vi"], overlay="c1")
    assert code != 0 and "No such file" in out  # vi is gone inside
    upper = harness.work / "c1" / "upper"
    assert (upper / "newfile").read_text() == "hello\n"
    wh = os.lstat(upper / "bin" / "vi")
    assert os.major(wh.st_rdev) == 0 and os.minor(wh.st_rdev) == 0 and (wh.st_mode & 0o170000) == 0o020000
    assert sorted(os.listdir(harness.rootfs / "bin")) == before
    assert not (harness.rootfs / "newfile").exists()


def test_two_containers_do_not_see_each_others_writes(harness) -> None:
    code, out, _ = harness.run(["sh", "-c", "echo one > /mine"], overlay="a")
    assert code == 0, out
    code, out, _ = harness.run(["sh", "-c", "cat /mine || echo ABSENT"], overlay="b")
    assert "ABSENT" in out


def test_memory_limit_oom_kill(harness) -> None:
    code, out, status = harness.run(["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"],
                                    resources={"memory": {"limit": 32 << 20}})
    assert status.oom_killed, (code, out)
    assert code == 137


def test_pids_limit_stops_fork_bomb(harness) -> None:
    # `wait` and `echo` are shell builtins: they need no fork once the limit is hit.
    script = "i=0; while [ $i -lt 60 ]; do sleep 2 & echo started $!; i=$((i+1)); done; wait"
    code, out, _ = harness.run(["sh", "-c", script], resources={"pids": {"limit": 20}})
    assert re.search(r"can't fork|Resource temporarily unavailable", out), out
    started = set(re.findall(r"^started (\d+)$", out, re.M))
    assert 0 < len(started) <= 19, out  # the shell itself is the 20th
    # the host stays responsive: a host process still starts
    assert subprocess.run(["true"]).returncode == 0


def test_cpu_quota_keeps_busy_loop_near_limit(harness) -> None:
    from sandbox.runtime.runtime import ProcessIO

    rt = harness.rt
    cid = harness.new_id()
    spec = harness.spec(["sh", "-c", "while :; do :; done"],
                        resources={"cpu": {"quota": 20000, "period": 100000}})
    null = os.open(os.devnull, os.O_RDWR)
    try:
        rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO("fds", fds=(null, null, null)))
    finally:
        os.close(null)
    rt.start(cid)
    cg = rt._cgroup(rt.state(cid).cgroup)
    u0, t0 = cg.stats().cpu_usage_ns, time.monotonic()
    deadline = t0 + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.05)
    u1, t1 = cg.stats().cpu_usage_ns, time.monotonic()
    share = (u1 - u0) / 1e9 / (t1 - t0)
    assert 0.08 < share < 0.35, share
    rt.delete(cid, force=True)


def test_pause_stops_progress_and_resume_continues(harness) -> None:
    from sandbox.runtime.runtime import ProcessIO
    from sandbox.runtime.state import Status

    rt = harness.rt
    cid = harness.new_id()
    spec = harness.spec(["sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /count; done"], overlay="p")
    null = os.open(os.devnull, os.O_RDWR)
    try:
        rt.create(cid, spec, harness.rootfs.parent, io=ProcessIO("fds", fds=(null, null, null)))
    finally:
        os.close(null)
    rt.start(cid)
    count = harness.work / "p" / "upper" / "count"

    def read() -> int:
        try:
            return int(count.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def wait_for(pred, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return True
            time.sleep(0.02)
        return False

    assert wait_for(lambda: read() > 10)
    rt.pause(cid)
    assert rt.state(cid).status is Status.PAUSED
    frozen = read()
    time.sleep(0.3)
    assert read() == frozen
    rt.resume(cid)
    assert rt.state(cid).status is Status.RUNNING
    assert wait_for(lambda: read() > frozen + 10)
    rt.delete(cid, force=True)


def test_capabilities_seccomp_masks(harness) -> None:
    if not (harness.rootfs / "bin" / "probe").exists():
        pytest.skip("gcc missing: cannot build the probe")
    code, out, _ = harness.run(["sh", "-c", "grep -E '^Cap(Eff|Bnd)' /proc/self/status; /bin/probe; "
                                "echo kcore=$(cat /proc/kcore | wc -c); "
                                "echo 1 > /proc/sys/vm/drop_caches && echo SYSWRITE || echo SYS-RO"])
    assert code == 0, out
    from sandbox.linux.caps import CAPS  # name -> number

    eff = int(re.search(r"CapEff:\s+([0-9a-f]+)", out).group(1), 16)
    bnd = int(re.search(r"CapBnd:\s+([0-9a-f]+)", out).group(1), 16)
    for cap in ("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_MODULE"):
        assert not eff & (1 << CAPS[cap]) and not bnd & (1 << CAPS[cap]), cap
    assert eff & (1 << CAPS["CAP_CHOWN"])
    assert "keyctl Operation not permitted" in out
    assert "mount Operation not permitted" in out
    assert "reboot Operation not permitted" in out
    assert "kcore=0" in out
    assert "SYS-RO" in out and "SYSWRITE" not in out


def test_the_program_starts_with_no_signal_ignored_or_blocked(harness) -> None:
    """pytest, like any Python, ignores SIGPIPE; the container must not inherit that, nor
    glibc's own signal 32, which Python cannot even see (a CI runner ignored it)."""
    from sandbox.linux.syscalls import SIG_DFL, SIG_IGN, set_signal_disposition

    assert signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN  # else this test proves nothing
    set_signal_disposition(32, SIG_IGN)
    try:
        code, out, _ = harness.run(["sh", "-c", "grep -E '^Sig(Ign|Blk)' /proc/self/status; yes | head -1"])
    finally:
        set_signal_disposition(32, SIG_DFL)
    assert code == 0, out
    assert re.search(r"^SigIgn:\s+0+$", out, re.MULTILINE), out
    assert re.search(r"^SigBlk:\s+0+$", out, re.MULTILINE), out
    assert "write error" not in out, out  # yes ended by SIGPIPE, quietly


def test_exit_code_and_missing_program(harness) -> None:
    code, _, _ = harness.run(["sh", "-c", "exit 3"])
    assert code == 3
    from sandbox.errors import SandboxError

    with pytest.raises(SandboxError, match="executable file not found"):
        harness.run(["no-such-program"])
    assert harness.rt.list() == []


def test_wait_returns_the_recorded_exit_and_the_shim_is_reaped(harness) -> None:
    """wait() answers once the shim has recorded the exit (it closes its end of a pipe),
    without waiting for the shim's own end; the shim is reaped all the same."""
    from sandbox.runtime.runtime import ProcessIO

    cid = harness.new_id()
    null = os.open(os.devnull, os.O_RDWR)
    try:
        st = harness.rt.create(cid, harness.spec(["sh", "-c", "exit 7"]), harness.rootfs.parent,
                               io=ProcessIO("fds", fds=(null, null, null))).state
    finally:
        os.close(null)
    harness.rt.start(cid)
    assert harness.rt.wait(cid).code == 7
    assert harness.rt.wait(cid).code == 7  # a second waiter reads the same record
    harness.rt.delete(cid)
    harness.rt.reap_ending(cid)
    assert proc.start_time(st.shim_pid) != st.shim_start, f"shim {st.shim_pid} was not reaped"
    assert cid not in harness.rt._done and cid not in harness.rt._shims and cid not in harness.rt._reapers


def test_the_shim_holds_only_a_mount_namespace_of_the_inits_own() -> None:
    from sandbox.runtime.shim import hold_mount_namespace

    assert hold_mount_namespace(os.getpid()) is None  # our own: nothing to hold
    child = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", "read x"],
                             stdin=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while os.stat(f"/proc/{child.pid}/ns/mnt").st_ino == os.stat("/proc/self/ns/mnt").st_ino:
            assert time.monotonic() < deadline, "unshare did not make a mount namespace"
            time.sleep(0.01)
        fd = hold_mount_namespace(child.pid)
        assert fd is not None
        try:
            assert os.fstat(fd).st_ino == os.stat(f"/proc/{child.pid}/ns/mnt").st_ino
        finally:
            os.close(fd)
    finally:
        child.communicate(b"\n", timeout=10)
    assert hold_mount_namespace(child.pid) is None  # gone


def test_the_runtime_holds_the_mount_namespace_until_the_shim_is_gone(harness) -> None:
    from sandbox.runtime.runtime import ProcessIO

    cid = harness.new_id()
    null = os.open(os.devnull, os.O_RDWR)
    try:
        st = harness.rt.create(cid, harness.spec(["sleep", "60"]), harness.rootfs.parent,
                               io=ProcessIO("fds", fds=(null, null, null))).state
    finally:
        os.close(null)
    held = harness.rt._mount_ns[cid]
    assert os.fstat(held).st_ino == proc.ns_inode(st.pid, "mnt") != proc.ns_inode("self", "mnt")
    harness.rt.start(cid)
    harness.rt.kill(cid, 9)
    harness.rt.wait(cid)
    harness.rt.reap_ending(cid)  # the reaper lets go once the shim is gone
    assert cid not in harness.rt._mount_ns
    with pytest.raises(OSError):
        os.fstat(held)  # closed (a later open could reuse the number: checked right away)
    harness.rt.delete(cid)
