import os

from sandbox.linux import proc

SAMPLE = (
    "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
    "30 22 0:26 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
    "40 22 0:40 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
)


def test_parse_mountinfo_fields() -> None:
    mounts = proc.parse_mountinfo(SAMPLE)
    assert [m.mount_point for m in mounts] == ["/", "/sys/fs/cgroup/memory", "/mnt/with space"]
    assert mounts[1].fstype == "cgroup"
    assert mounts[1].super_options == "rw,memory"
    assert mounts[0].optional == ("shared:1",)


def test_own_process_identity() -> None:
    me = os.getpid()
    assert proc.start_time(me) == proc.start_time(me)
    assert proc.process_state(me) in ("R", "S")
    assert proc.start_time(2**22 + 7) is None
    assert proc.namespaces()["mnt"] == os.stat("/proc/self/ns/mnt").st_ino


def test_children_lists_a_child(tmp_path) -> None:
    pid = os.fork()
    if pid == 0:
        os.read(os.open(os.devnull, os.O_RDONLY), 1)
        import time
        time.sleep(5)
        os._exit(0)
    try:
        assert pid in proc.children(os.getpid())
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
