from sandbox.linux.syscalls import CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS
from sandbox.runtime.namespaces import plan


def test_pid_namespace_is_left_to_the_shim() -> None:
    p = plan([("pid", None), ("mount", None), ("uts", None), ("network", None)])
    assert p.new_pid and not p.unshare_flags & CLONE_NEWPID
    assert p.unshare_flags == CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWNET
    assert p.new_net


def test_joins_are_ordered_mount_last() -> None:
    p = plan([("mount", "/proc/9/ns/mnt"), ("network", "/proc/9/ns/net"), ("pid", "/proc/9/ns/pid")])
    assert [path for path, _ in p.join] == ["/proc/9/ns/net", "/proc/9/ns/mnt"]
    assert p.join_pid == "/proc/9/ns/pid" and not p.new_pid and not p.new_net
