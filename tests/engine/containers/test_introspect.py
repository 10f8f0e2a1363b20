"""inspect, ps, top, stats, diff, export, cp, rename, prune on real containers (root only)."""

from __future__ import annotations

import base64
import io
import json
import tarfile

import pytest

from sandbox.errors import ContainerConflict, ContainerNameConflict, InvalidParameter, NoSuchContainer
from tests.engine.containers.conftest import eventually

pytestmark = pytest.mark.root

INSPECT_KEYS = {"Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath",
                "HostsPath",
                "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel", "ProcessLabel",
                "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config",
                "NetworkSettings"}
STATE_KEYS = {"Status", "Running", "Paused", "Restarting", "OOMKilled", "Dead", "Pid", "ExitCode", "Error",
              "StartedAt", "FinishedAt"}
CONFIG_KEYS = {"Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr", "Tty",
               "OpenStdin",
               "StdinOnce", "Env", "Cmd", "Image", "Volumes", "WorkingDir", "Entrypoint", "OnBuild", "Labels"}


def test_inspect_shape(h) -> None:
    cid = h.run(["sleep", "100"], "shape", Labels={"app": "web"})
    info = h.svc.inspect(cid)
    assert INSPECT_KEYS <= set(info) and STATE_KEYS <= set(info["State"])
    assert CONFIG_KEYS <= set(info["Config"])
    assert json.loads(json.dumps(info)) == info  # plain JSON
    assert info["Name"] == "/shape" and info["Path"] == "sleep" and info["Args"] == ["100"]
    assert info["Image"].startswith("sha256:") and info["Config"]["Image"] == "busybox"
    assert info["Config"]["Hostname"] == cid[:12] and info["Config"]["Labels"] == {"app": "web"}
    assert info["Config"]["Env"] == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    assert info["State"]["Pid"] > 0 and info["State"]["FinishedAt"] == "0001-01-01T00:00:00Z"
    assert info["HostConfig"]["RestartPolicy"] == {"Name": "no", "MaximumRetryCount": 0}
    assert info["HostConfig"]["NetworkMode"] == "bridge"
    assert info["HostConfig"]["LogConfig"]["Type"] == "json-file"
    assert set(info["GraphDriver"]["Data"]) == {"LowerDir", "UpperDir", "WorkDir", "MergedDir"}
    assert info["NetworkSettings"]["Networks"].keys() == {"bridge"}
    assert info["LogPath"].endswith(f"{cid}-json.log")


def test_list_and_filters(h) -> None:
    a = h.run(["sleep", "100"], "alpha", Labels={"tier": "front"})
    b = h.run(["sh", "-c", "exit 2"], "beta")
    h.svc.wait(b, timeout=10)
    c = h.svc.create({"Image": "busybox", "Cmd": ["sh", "-c", "echo a b"]}, "gamma")["Id"]

    def ids(**kw) -> list[str]:
        return [x["Id"] for x in h.svc.list(**kw)]

    assert ids() == [a]
    assert ids(all=True) == [c, b, a]  # newest first
    assert ids(filters={"status": {"exited": True}}) == [b]
    assert ids(filters={"status": ["created"]}) == [c]
    assert ids(filters={"exited": ["2"]}) == [b]
    assert ids(all=True, filters={"name": ["^/al"]}) == [a]
    assert ids(all=True, filters={"id": [b[:8]]}) == [b]
    assert ids(all=True, filters={"label": ["tier=front"]}) == [a]
    assert ids(all=True, filters={"label": ["tier=back"]}) == []
    assert ids(all=True, filters={"ancestor": ["busybox"]}) == [c, b, a]
    assert ids(all=True, filters={"before": ["gamma"]}) == [b, a]
    assert ids(all=True, filters={"since": ["alpha"]}) == [c, b]
    assert ids(limit=1) == [c]
    row = next(x for x in h.svc.list(all=True) if x["Id"] == c)
    assert row["Command"] == "sh -c 'echo a b'" and row["Status"] == "Created" and row["Names"] == ["/gamma"]
    exited = next(x for x in h.svc.list(all=True) if x["Id"] == b)
    assert exited["Status"].startswith("Exited (2) ") and exited["Status"].endswith(" ago")
    with pytest.raises(InvalidParameter, match="invalid filter 'bogus'"):
        h.svc.list(filters={"bogus": ["x"]})
    with pytest.raises(InvalidParameter, match="invalid filter 'status=sleepy'"):
        h.svc.list(filters={"status": ["sleepy"]})
    sized = h.svc.list(all=True, size=True)[0]
    assert sized["SizeRw"] >= 0 and sized["SizeRootFs"] > sized["SizeRw"]


def test_top_and_stats(h) -> None:
    cid = h.run(["sh", "-c", "sleep 100 & sleep 200; true"], "busy")

    def three() -> dict | None:
        # A forked child shows its parent's command line until it has exec'd: wait for both.
        t = h.svc.top(cid)
        cmds = sorted(p[-1] for p in t["Processes"])
        return t if len(cmds) == 3 and cmds[-2:] == ["sleep 100", "sleep 200"] else None

    top = eventually(three, what="3 processes, both sleeps exec'd")
    assert top["Titles"] == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    assert sorted(p[-1] for p in top["Processes"])[-2:] == ["sleep 100", "sleep 200"]
    st = next(h.svc.stats(cid, interval=0.05))
    assert st["id"] == cid and st["name"] == "/busy" and st["pids_stats"]["current"] == 3
    assert st["cpu_stats"]["cpu_usage"]["total_usage"] > 0 and st["precpu_stats"]["system_cpu_usage"] > 0
    assert st["memory_stats"]["usage"] > 0 and "networks" not in st  # only lo
    streamed = h.svc.stats(cid, stream=True, interval=0.05)
    first, second = next(streamed), next(streamed)
    assert second["precpu_stats"] == first["cpu_stats"]
    h.svc.stop(cid, t=0)
    assert next(h.svc.stats(cid))["pids_stats"] == {}
    with pytest.raises(ContainerConflict, match="is not running"):
        h.svc.top(cid)


def test_diff_cp_export(h) -> None:
    cid = h.run(["sh", "-c", "echo data > /tmp/made; rm /etc/group; ln -s /../../.. /tmp/esc; sleep 100"],
                "files")
    eventually(lambda: any(c["Path"] == "/tmp/esc" for c in h.svc.changes(cid)), what="the last change")
    changes = {c["Path"]: c["Kind"] for c in h.svc.changes(cid)}
    assert changes == {"/tmp": 0, "/tmp/made": 1, "/tmp/esc": 1, "/etc": 0, "/etc/group": 2}

    stat, tar = h.svc.archive_get(cid, "/tmp/made")
    assert stat["name"] == "made" and stat["size"] == 5 and stat["mode"] == 0o644
    with tarfile.open(fileobj=tar) as t:
        assert t.extractfile("made").read() == b"data\n"
    link = h.svc.archive_stat(cid, "/bin/sh")
    assert link["linkTarget"] == "busybox" and link["mode"] & (1 << 27)
    assert h.svc.archive_stat(cid, "/etc")["mode"] & (1 << 31)
    with pytest.raises(NoSuchContainer, match="Could not find the file /nope in container files"):
        h.svc.archive_get(cid, "/nope")
    # an escape through .. or through a symlink that climbs out stays inside the container
    for path in ("/../../../etc/passwd", "/tmp/esc/etc/passwd"):
        _, tar = h.svc.archive_get(cid, path)
        with tarfile.open(fileobj=tar) as t:
            assert b"user:x:1000:1000:user:/home/user:/bin/sh" in t.extractfile("passwd").read()

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("sub/put.txt")
        info.size = 3
        t.addfile(info, io.BytesIO(b"put"))
    h.svc.archive_put(cid, "/tmp", buf.getvalue())
    with pytest.raises(InvalidParameter, match="not a directory"):
        h.svc.archive_put(cid, "/tmp/made", buf.getvalue())
    h.svc.stop(cid, t=0)
    # stopped: read through the merged root, mounted for the moment
    _, tar = h.svc.archive_get(cid, "/tmp/sub/put.txt")
    with tarfile.open(fileobj=tar) as t:
        assert t.extractfile("put.txt").read() == b"put"
    with tarfile.open(fileobj=h.svc.export(cid)) as t:
        names = set(t.getnames())
    assert {"bin/busybox", "tmp/made", "tmp/sub/put.txt", "etc/passwd"} <= names and "etc/group" not in names
    assert base64.b64encode(json.dumps(stat).encode())  # the route's header form works


def test_rename_and_prune(h) -> None:
    cid = h.svc.create({"Image": "busybox", "Cmd": ["true"]}, "old-name")["Id"]
    other = h.svc.create({"Image": "busybox", "Cmd": ["true"]}, "taken", )["Id"]
    h.svc.rename(cid, "new-name")
    assert h.svc.inspect("new-name")["Id"] == cid
    with pytest.raises(NoSuchContainer):
        h.svc.inspect("old-name")
    with pytest.raises(ContainerNameConflict):
        h.svc.rename(cid, "taken")
    with pytest.raises(InvalidParameter, match="same name"):
        h.svc.rename(cid, "new-name")
    event = next(e for e in h.events if e[1] == "rename")
    assert event[3]["oldName"] == "/old-name" and event[3]["name"] == "new-name"
    running = h.run(["sleep", "100"], "stays")
    result = h.svc.prune()
    assert sorted(result["ContainersDeleted"]) == sorted([cid, other])
    assert [x["Id"] for x in h.svc.list(all=True)] == [running]
