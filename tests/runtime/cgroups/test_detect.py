"""Cgroup mode detection from mount tables (v1, v2, hybrid, and this kind of machine)."""

from __future__ import annotations

import os

import pytest

from sandbox.errors import CgroupError
from sandbox.runtime.cgroups import CgroupMode, detect_mode

# Debian 12 / Ubuntu 24.04 (systemd, unified): the classroom VMs.
V2 = """\
22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
"""

# Ubuntu 18.04 style legacy v1: comounted cpu,cpuacct and net_cls,net_prio, systemd named.
V1 = """\
25 24 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
29 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct
30 25 0:28 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,net_cls,net_prio
31 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
32 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids
33 25 0:31 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,freezer
"""

# Ubuntu 20.04 style hybrid: v1 controllers plus systemd's controller-less cgroup2 tree.
HYBRID = V1 + (
    "27 25 0:25 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:11 - "
    "cgroup2 cgroup2 rw,nsdelegate\n"
)

# This development machine: no systemd, every controller its own hierarchy, cpu and cpuacct
# mounted apart, and a cgroup2 tree at unified that carries only hugetlb.
THIS_MACHINE = """\
23 1 0:21 / /sys rw,relatime - sysfs sysfs rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""


@pytest.mark.parametrize(("text", "mode"), [
    (V2, CgroupMode.V2),
    (V1, CgroupMode.V1),
    (HYBRID, CgroupMode.HYBRID),
    (THIS_MACHINE, CgroupMode.HYBRID),
])
def test_mode_from_mountinfo(text: str, mode: CgroupMode) -> None:
    assert detect_mode(text) is mode


def test_a_cgroup2_tree_outside_the_root_does_not_make_it_hybrid() -> None:
    text = V1 + "50 28 0:40 / /mnt/cg2 rw,relatime - cgroup2 cgroup2 rw\n"
    assert detect_mode(text) is CgroupMode.V1


def test_the_mount_on_top_of_the_root_decides() -> None:
    # cgroup2 at the root, then a tmpfs over it carrying v1 hierarchies: lookups see the tmpfs.
    covered = V2 + V1.replace("25 24 0:23", "25 26 0:23")
    assert detect_mode(covered) is CgroupMode.V1
    # ...and the other way round, cgroup2 mounted over the v1 tmpfs.
    assert detect_mode(V1 + "90 25 0:60 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n") is CgroupMode.V2


def test_another_root_and_an_escaped_mount_point() -> None:
    text = "40 1 0:50 / /srv/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw\n"
    assert detect_mode(text, root="/srv/my cgroups") is CgroupMode.V2
    assert detect_mode(text, root="/srv/my cgroups/") is CgroupMode.V2
    with pytest.raises(CgroupError):
        detect_mode(text)  # nothing at /sys/fs/cgroup


def test_nothing_mounted_is_an_error_with_a_hint() -> None:
    text = "28 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    with pytest.raises(CgroupError) as e:
        detect_mode(text)
    assert e.value.path == "/sys/fs/cgroup"
    assert e.value.hint and "mount -t cgroup2" in e.value.hint


def test_this_host_agrees_with_its_own_cgroupfs() -> None:
    """Whatever the host is, the mode must match what its root directory holds."""
    mode = detect_mode()
    with open("/proc/self/mountinfo") as f:
        assert detect_mode(f.read()) is mode
    unified_root = os.path.exists("/sys/fs/cgroup/cgroup.controllers")
    assert (mode is CgroupMode.V2) == unified_root
    if mode is CgroupMode.HYBRID:
        assert os.path.exists("/sys/fs/cgroup/unified/cgroup.controllers")
