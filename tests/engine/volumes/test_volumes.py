import pytest

from sandbox.engine.volumes import VolumeService, plan_mounts
from sandbox.errors import InvalidVolume, VolumeInUse, VolumeNotFound


@pytest.fixture
def vols(tmp_path):
    users: dict[str, list[str]] = {}
    svc = VolumeService(tmp_path / "volumes", users=lambda n: users.get(n, []))
    svc.test_users = users  # type: ignore[attr-defined]
    return svc


def test_create_inspect_list_remove(vols) -> None:
    v = vols.create("data", labels={"course": "1"})
    assert v["Name"] == "data" and v["Driver"] == "local" and v["Mountpoint"].endswith("/data/_data")
    assert vols.create("data")["CreatedAt"] == v["CreatedAt"]  # idempotent
    assert [x["Name"] for x in vols.list({"label": ["course=1"]})["Volumes"]] == ["data"]
    assert vols.list({"label": ["course=2"]})["Volumes"] == []
    vols.remove("data")
    with pytest.raises(VolumeNotFound, match="no such volume"):
        vols.inspect("data")


@pytest.mark.parametrize("bad", ["a/b", "-x", "x", "../up"])
def test_bad_names_are_refused(vols, bad) -> None:
    with pytest.raises(InvalidVolume, match="invalid characters"):
        vols.create(bad)


def test_in_use_is_refused_and_prune_takes_only_dangling_anonymous(vols) -> None:
    vols.create("named")
    anon = vols.create()["Name"]
    busy = vols.create()["Name"]
    vols.test_users["named"] = ["c1"]
    vols.test_users[busy] = ["c2"]
    with pytest.raises(VolumeInUse, match=r"volume is in use - \[c1\]"):
        vols.remove("named")
    assert vols.prune()["VolumesDeleted"] == [anon]
    assert vols.exists("named") and vols.exists(busy)


def test_fill_once_copies_image_files_only_into_an_empty_volume(vols, tmp_path) -> None:
    src = tmp_path / "image-etc"
    src.mkdir()
    (src / "conf").write_text("from image")
    vols.create("vol")
    assert vols.fill_once("vol", src)
    assert (vols.mountpoint("vol") / "conf").read_text() == "from image"
    (vols.mountpoint("vol") / "conf").write_text("changed")
    assert not vols.fill_once("vol", src)  # only the first mount copies
    assert (vols.mountpoint("vol") / "conf").read_text() == "changed"


def test_plan_binds_mounts_tmpfs_and_image_volumes(vols, tmp_path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    plans = plan_mounts(
        {"Binds": ["data:/data", f"{host}:/h:ro"],
         "Mounts": [{"Type": "tmpfs", "Target": "/scratch", "TmpfsOptions": {"SizeBytes": 1 << 20}}],
         "Tmpfs": {"/run": "size=64k"}},
        {"Volumes": {"/cache": {}}}, {"/var/lib/db": {}, "/data": {}}, vols)
    by = {p.destination: p for p in plans}
    assert by["/data"].kind == "volume" and by["/data"].volume == "data" and vols.exists("data")
    assert by["/h"].kind == "bind" and by["/h"].readonly and by["/h"].oci()["options"][-1] == "ro"
    assert by["/scratch"].oci()["type"] == "tmpfs" and "size=1048576" in by["/scratch"].oci()["options"]
    assert by["/var/lib/db"].anonymous and vols.is_anonymous(by["/var/lib/db"].volume)
    assert by["/cache"].anonymous
    assert sum(1 for p in plans if p.destination == "/data") == 1  # explicit -v wins over VOLUME


@pytest.mark.parametrize("host_config,message", [
    ({"Binds": ["a:relative"]}, "must be absolute"),
    ({"Binds": ["a:/x", "b:/x"]}, "Duplicate mount point"),
    ({"Binds": ["a:/x:bogus"]}, "invalid mode"),
    ({"Binds": ["bad/name:/x"]}, "invalid characters"),
    ({"Mounts": [{"Type": "bind", "Source": "/no/such/dir", "Target": "/x"}]}, "bind source path does not exist"),
    ({"Mounts": [{"Type": "npipe", "Target": "/x"}]}, "not supported"),
])
def test_bad_mount_specs(vols, host_config, message) -> None:
    with pytest.raises(InvalidVolume, match=message):
        plan_mounts(host_config, {}, None, vols)


def test_disk_usage_counts_bytes_and_users(vols) -> None:
    vols.create("full")
    vols.create("empty")
    (vols.mountpoint("full") / "f").write_bytes(b"x" * 1000)
    (vols.mountpoint("full") / "sub").mkdir()
    (vols.mountpoint("full") / "sub" / "g").write_bytes(b"y" * 24)
    vols.test_users["full"] = ["c1", "c2"]
    usage = {v["Name"]: v["UsageData"] for v in vols.disk_usage()}
    assert usage == {"full": {"Size": 1024, "RefCount": 2}, "empty": {"Size": 0, "RefCount": 0}}


def test_inspect_keeps_dockerd_field_order(vols) -> None:
    # The docker CLI prints `volume inspect` in the order the engine sent.
    assert list(vols.create("ordered")) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"]
