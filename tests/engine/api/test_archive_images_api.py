"""docker save, load and import through the API, in memory over a busybox store."""

from __future__ import annotations

import io
import json
import tarfile

from ..conftest import Api


def rootfs_tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_save_then_load_keeps_tags_and_digests(api: Api) -> None:
    api.client.post("/images/busybox/tag", query={"repo": "me/app", "tag": "v1"})
    before = api.store.image("busybox")
    r = api.client.get("/images/get", query={"names": ["busybox:latest", "me/app:v1"]})
    assert r.status == 200 and r.headers.get("Content-Type") == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(r.body)) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert sorted(manifest[0]["RepoTags"]) == ["busybox:latest", "me/app:v1"]
    for tag in ("busybox:latest", "me/app:v1"):
        api.client.delete(f"/images/{tag}")
    assert api.store.images() == []
    loaded = api.client.post("/images/load", query={"quiet": "1"}, body=r.body)
    assert loaded.status == 200
    lines = sorted(json.loads(line)["stream"] for line in loaded.body.splitlines())
    assert lines == ["Loaded image: busybox:latest\n", "Loaded image: me/app:v1\n"]
    after = api.store.image("me/app:v1")
    assert (after.id, after.manifest_digest) == (before.id, before.manifest_digest)


def test_save_of_one_image_by_its_path(api: Api) -> None:
    r = api.client.get("/images/busybox/get")
    with tarfile.open(fileobj=io.BytesIO(r.body)) as tar:
        assert {"manifest.json", "index.json", "oci-layout"} <= set(tar.getnames())


def test_save_of_a_missing_image_is_404_before_any_byte(api: Api) -> None:
    r = api.client.get("/images/get", query={"names": ["busybox", "nope:1"]})
    assert r.status == 404 and r.json()["message"] == "No such image: nope:1"
    assert api.client.get("/images/get").status == 400


def test_load_of_garbage_is_400(api: Api) -> None:
    r = api.client.post("/images/load", body=b"not an archive" * 100)
    assert r.status == 400 and r.json()["message"]


def test_import_gives_a_one_layer_image_with_the_files_and_changes(api: Api) -> None:
    body = rootfs_tar({"bin/hello": b"#!/bin/sh\necho hi\n", "etc/motd": b"welcome\n"})
    r = api.client.post("/images/create", query={"fromSrc": "-", "repo": "imported", "tag": "1",
                                                 "message": "from a test", "changes": ['CMD ["/bin/hello"]', "ENV A=1"]},
                        body=body)
    assert r.status == 200
    image_id = json.loads(r.body.splitlines()[-1])["status"]
    image = api.store.image("imported:1")
    assert image.id == image_id and len(image.layers) == 1
    config = api.client.get("/images/imported:1/json").json()["Config"]
    assert config["Cmd"] == ["/bin/hello"] and config["Env"] == ["A=1"]
    found = api.store.resolve_path(image, "/etc/motd")
    assert found is not None and found.read_bytes() == b"welcome\n"
    history = api.client.get("/images/imported:1/history").json()
    assert [h["Comment"] for h in history] == ["from a test"]


def test_import_refuses_a_bad_change_and_a_url(api: Api) -> None:
    body = rootfs_tar({"a": b"a"})
    r = api.client.post("/images/create", query={"fromSrc": "-", "changes": "RUN rm -rf /"}, body=body)
    assert r.status == 400 and "RUN" in r.json()["message"]
    r = api.client.post("/images/create", query={"fromSrc": "https://example.invalid/rootfs.tar"})
    assert r.status == 400
    assert [t for i in api.store.images() for t in i.tags] == ["busybox:latest"]


def test_load_names_only_the_archives_tags(api: Api) -> None:
    api.client.post("/images/busybox/tag", query={"repo": "me/app", "tag": "v1"})
    archive = api.client.get("/images/get", query={"names": ["me/app:v1"]}).body
    loaded = api.client.post("/images/load", body=archive)
    # busybox:latest names the same image, but the archive only carries me/app:v1.
    assert [json.loads(line)["stream"] for line in loaded.body.splitlines()] == ["Loaded image: me/app:v1\n"]
