"""The rootfs sequence against the recording fake: order and flags, no root needed."""

from pathlib import Path

from sandbox.linux import mountflags as mf
from sandbox.linux.fake import RecordingSyscalls
from sandbox.runtime import rootfs


def test_order_and_flags(tmp_path, monkeypatch) -> None:
    target = tmp_path / "root"
    target.mkdir()
    plan = rootfs.RootfsPlan(
        target=str(target), overlay_data="lowerdir=/l,upperdir=/u,workdir=/w",
        mounts=[("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
                ("/data", "bind", str(tmp_path), ["rbind", "ro", "rprivate"])],
    )
    sys = RecordingSyscalls()
    rootfs.mount_root(plan, sys)
    rootfs.mount_spec_mounts(plan, sys)
    mounts = sys.of("mount")
    assert mounts[0] == (None, "/", None, mf.MS_SLAVE | mf.MS_REC, None)
    assert mounts[1][2] == "overlay" and "upperdir=/u" in mounts[1][4]
    assert mounts[2][1] == str(target / "proc") and mounts[2][3] == mf.MS_NOSUID | mf.MS_NOEXEC | mf.MS_NODEV
    # bind, then a remount for ro, then propagation on its own
    assert mounts[3][3] == mf.MS_BIND | mf.MS_REC
    assert mounts[4][3] == mf.MS_REMOUNT | mf.MS_BIND | mf.MS_RDONLY
    assert mounts[5][3] == mf.MS_PRIVATE | mf.MS_REC
    assert (target / "data").is_dir()


def test_mount_destination_cannot_escape(tmp_path) -> None:
    target = tmp_path / "root"
    target.mkdir()
    import os

    os.symlink("/../../../", target / "evil")
    plan = rootfs.RootfsPlan(target=str(target), mounts=[("/evil/x", "tmpfs", "tmpfs", [])])
    sys = RecordingSyscalls()
    rootfs.mount_spec_mounts(plan, sys)
    assert sys.of("mount")[0][1] == str(target / "x")


def test_pivot_sequence(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    sys = RecordingSyscalls()
    chdirs = []
    monkeypatch.setattr(rootfs.os, "chdir", chdirs.append)
    rootfs.pivot(rootfs.RootfsPlan(target=str(tmp_path)), sys)
    assert sys.names() == ["pivot_root", "mount", "umount2"]
    assert sys.of("umount2") == [(".", mf.MNT_DETACH)]
    assert chdirs == [str(tmp_path), "/"]


def _two_stage_plan(target: Path) -> rootfs.RootfsPlan:
    return rootfs.RootfsPlan(
        target=str(target), overlay_data="lowerdir=/l,upperdir=/u,workdir=/w",
        mounts=[("/proc", "proc", "proc", ["nosuid"]), ("/sys", "sysfs", "sysfs", ["ro"]),
                ("/sys/fs/cgroup", "cgroup", "cgroup", ["ro"]), ("/data", "bind", "/src", ["rbind"])],
        cgroup_v2_dir="/sys/fs/cgroup/sandbox/x",
    )


def test_first_cgroup_mount() -> None:
    assert rootfs.first_cgroup_mount(_two_stage_plan(Path("/r"))) == 2
    assert rootfs.first_cgroup_mount(rootfs.RootfsPlan(target="/r", mounts=[("/proc", "proc", "proc", [])])) == 1
    assert rootfs.first_cgroup_mount(rootfs.RootfsPlan(target="/r")) == 0


def test_build_early_stops_before_the_cgroup_mount_and_build_goes_on_from_there(tmp_path) -> None:
    """Early and late together make the same mounts, in the same order, as one pass."""
    target = tmp_path / "root"
    target.mkdir()
    early = RecordingSyscalls()
    done = rootfs.build_early(_two_stage_plan(target), early)
    assert done == 2
    assert not any(m[1].endswith("/sys/fs/cgroup") for m in early.of("mount"))
    late = RecordingSyscalls()
    rootfs.mount_spec_mounts(_two_stage_plan(target), late, done)
    whole = RecordingSyscalls()
    rootfs.mount_root(_two_stage_plan(target), whole)
    rootfs.mount_spec_mounts(_two_stage_plan(target), whole)
    assert early.of("mount") + late.of("mount") == whole.of("mount")
    assert late.of("mount")[0][1] == str(target / "sys/fs/cgroup")
