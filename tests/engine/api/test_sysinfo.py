"""Host facts, each read from a file a test can write."""

from __future__ import annotations

from pathlib import Path

from sandbox.engine.api import sysinfo

HYBRID = """\
25 1 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
27 25 0:24 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
"""
UNIFIED = "25 1 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"


def test_cgroup_version() -> None:
    assert sysinfo.cgroup_version(HYBRID) == "1"
    assert sysinfo.cgroup_version(UNIFIED) == "2"
    assert sysinfo.cgroup_version("1 0 0:1 / / rw - ext4 /dev/sda rw\n") == ""


def test_os_release_and_meminfo(tmp_path: Path) -> None:
    (tmp_path / "os-release").write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\n')
    assert sysinfo.os_release(tmp_path / "os-release")["PRETTY_NAME"] == "Debian GNU/Linux 12 (bookworm)"
    assert sysinfo.os_release(tmp_path / "missing") == {}
    (tmp_path / "meminfo").write_text("MemTotal:       16384 kB\nMemFree: 1 kB\n")
    assert sysinfo.mem_total(tmp_path / "meminfo") == 16384 * 1024
    (tmp_path / "bad").write_text("MemTotal: lots\n")
    assert sysinfo.mem_total(tmp_path / "bad") == 0


def test_engine_id_is_made_once(tmp_path: Path) -> None:
    first = sysinfo.engine_id(tmp_path / "root")
    assert len(first) == 36 and sysinfo.engine_id(tmp_path / "root") == first


def test_git_commit_from_a_checkout(tmp_path: Path) -> None:
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "refs" / "heads" / "main").write_text("0123456789abcdef\n")
    assert sysinfo.git_commit(tmp_path) == "0123456"
    (git / "refs" / "heads" / "main").unlink()
    (git / "packed-refs").write_text("# pack-refs\nfedcba9876543210 refs/heads/main\n")
    assert sysinfo.git_commit(tmp_path) == "fedcba9"
    assert sysinfo.git_commit(tmp_path / "nowhere") == "unknown"
