"""The Docker Hub code path, run against an in-process fake: name mapping, the Bearer token
flow, a multi-platform manifest list, blobs redirected to a storage host, login and search.
No test touches the internet."""

from __future__ import annotations

import base64
import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import PlatformNotFound, RegistryUnauthorized
from sandbox.images.registry import Credential, DockerConfig, login, pull, search
from sandbox.images.registry.names import DOCKER_HUB_CONFIG_KEY
from sandbox.images.registry.platform import Platform, pick_manifest
from sandbox.storage import Store
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import sha256_bytes
from tests.images.registry.fakes import FakeTransport, Request, blob_reply, reply

API = "https://registry-1.docker.io"
REALM = "https://auth.docker.io/token"
SERVICE = "registry.docker.io"
STORAGE = "https://blobs.invalid"
CHALLENGE = f'Bearer realm="{REALM}",service="{SERVICE}",scope="repository:library/busybox:pull"'


def _layer() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("hello.txt")
        info.size = 6
        tf.addfile(info, io.BytesIO(b"hello\n"))
    return buf.getvalue()


class Hub:
    """A fake Docker Hub serving one image, ``library/busybox:latest``, for amd64 and arm64."""

    def __init__(self, user: str = "alice", password: str = "pw") -> None:
        raw = _layer()
        self.layer = gzip.compress(raw, mtime=0)
        self.config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                                  "rootfs": {"type": "layers", "diff_ids": [sha256_bytes(raw)]}}).encode()
        self.manifest = json.dumps({
            "schemaVersion": 2, "mediaType": mt.DOCKER_MANIFEST,
            "config": {"mediaType": mt.DOCKER_CONFIG, "digest": sha256_bytes(self.config), "size": len(self.config)},
            "layers": [{"mediaType": mt.DOCKER_LAYER_GZIP, "digest": sha256_bytes(self.layer),
                        "size": len(self.layer)}]}).encode()
        entry = {"mediaType": mt.DOCKER_MANIFEST, "digest": sha256_bytes(self.manifest), "size": len(self.manifest)}
        self.index = json.dumps({"schemaVersion": 2, "mediaType": mt.DOCKER_MANIFEST_LIST, "manifests": [
            {**entry, "digest": "sha256:" + "1" * 64, "platform": {"os": "linux", "architecture": "arm64",
                                                                    "variant": "v8"}},
            {**entry, "platform": {"os": "linux", "architecture": "amd64"}},
            {**entry, "digest": "sha256:" + "2" * 64, "mediaType": mt.MANIFEST,
             "platform": {"os": "unknown", "architecture": "unknown"}},
        ]}).encode()
        self.user, self.password = user, password
        self.tokens_issued = 0
        t = self.transport = FakeTransport()
        repo = f"{API}/v2/library/busybox"
        # /v2/ challenges without a scope, as Docker Hub does.
        t.route("GET", f"{API}/v2/", self._guarded(lambda r: reply(200, {}), CHALLENGE.rsplit(",", 1)[0]))
        t.route("GET", REALM, self._token)
        t.route("POST", REALM, self._refresh)
        t.route("GET", f"{repo}/manifests/latest",
                self._guarded(lambda r: blob_reply(self.index, mt.DOCKER_MANIFEST_LIST)))
        t.route("GET", f"{repo}/manifests/{sha256_bytes(self.manifest)}",
                self._guarded(lambda r: blob_reply(self.manifest, mt.DOCKER_MANIFEST)))
        # Blobs are redirected to a storage host with a signed URL, as Docker Hub does.
        for name, data in (("config", self.config), ("layer", self.layer)):
            t.route("GET", f"{repo}/blobs/{sha256_bytes(data)}",
                    self._guarded(lambda r, n=name: reply(307, b"", {"Location": f"{STORAGE}/{n}?sig=abc"})))
            t.route("GET", f"{STORAGE}/{name}", blob_reply(data))

    def _guarded(self, handler, challenge: str = CHALLENGE):  # type: ignore[no-untyped-def]
        def check(req: Request) -> object:
            if req.authorization != "Bearer token-1":
                return reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                             {"WWW-Authenticate": challenge})
            return handler(req)
        return check

    def _token(self, req: Request) -> object:
        if req.authorization is not None:
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if req.authorization != expected:
                return reply(401, {"details": "incorrect username or password"})
        self.tokens_issued += 1
        return reply(200, {"token": "token-1", "expires_in": 300})

    def _refresh(self, req: Request) -> object:
        form = dict(x.split("=", 1) for x in req.body.decode().split("&"))
        if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != "refresh-1":
            return reply(401, {})
        self.tokens_issued += 1
        return reply(200, {"access_token": "token-1", "expires_in": 300})


def test_pull_busybox_from_the_hub(tmp_path: Path) -> None:
    hub = Hub()
    store = Store(tmp_path / "s", "copy")
    events = []
    image = pull(store, "busybox", transport=hub.transport, platform="linux/amd64", progress=events.append)

    assert image.tags == ["busybox:latest"]
    assert image.manifest_digest == sha256_bytes(hub.manifest)
    assert image.manifest_media_type == mt.DOCKER_MANIFEST
    assert store.resolve_path("busybox", "hello.txt").read_bytes() == b"hello\n"
    store.verify_image(image)
    # The token is asked for once, for the right service and scope, anonymously.
    tokens = hub.transport.sent("GET", "auth.docker.io")
    assert len(tokens) == 1 and tokens[0].authorization is None
    assert tokens[0].query == {"service": [SERVICE], "scope": ["repository:library/busybox:pull"]}
    # After the first challenge every registry request carries the token up front...
    api = hub.transport.sent(host="registry-1.docker.io")
    assert [r.authorization for r in api] == [None] + ["Bearer token-1"] * (len(api) - 1)
    # ...and the storage host never sees it.
    storage = hub.transport.sent(host="blobs.invalid")
    assert len(storage) == 2 and all(r.authorization is None for r in storage)
    assert events[0].status == "Pulling from library/busybox"
    assert events[-2].status == f"Digest: {sha256_bytes(hub.index)}"  # what was asked for: the list


def test_pull_with_a_refresh_token(tmp_path: Path) -> None:
    hub = Hub()
    image = pull(Store(tmp_path / "s", "copy"), "docker.io/library/busybox:latest", transport=hub.transport,
                 platform="amd64", auth=Credential(identity_token="refresh-1"))
    assert image.tags == ["busybox:latest"]
    assert [r.method for r in hub.transport.sent(host="auth.docker.io")] == ["POST"]


def test_platforms_in_a_manifest_list() -> None:
    index = Hub().index
    assert pick_manifest(index, Platform.parse("linux/arm64"), "hub", "busybox")["digest"] == "sha256:" + "1" * 64
    assert pick_manifest(index, Platform.parse("linux/arm64/v8"), "hub", "busybox")["digest"] == "sha256:" + "1" * 64
    with pytest.raises(PlatformNotFound) as e:
        pick_manifest(index, Platform.parse("linux/s390x"), "hub", "busybox")
    assert "no matching manifest for linux/s390x" in str(e.value)
    assert e.value.available == ["linux/arm64/v8", "linux/amd64"]
    assert Platform.parse(None).architecture  # this machine's


def test_login_to_the_hub_uses_the_token_server(tmp_path: Path) -> None:
    hub = Hub()
    config = DockerConfig(tmp_path / "config.json")
    with pytest.raises(RegistryUnauthorized) as e:
        login(None, "alice", "wrong", config=config, transport=hub.transport)
    assert "incorrect username or password" in str(e.value)
    assert not config.path.exists()

    result = login(None, "alice", "pw", config=config, transport=hub.transport)
    assert result.registry == DOCKER_HUB_CONFIG_KEY
    assert config.get("docker.io") == Credential("alice", "pw")
    basic = [r for r in hub.transport.sent("GET", "auth.docker.io") if r.authorization]
    assert basic and "scope" not in basic[-1].query  # a login asks for no repository


def test_pull_uses_stored_hub_credentials(tmp_path: Path) -> None:
    hub = Hub()
    config = DockerConfig(tmp_path / "config.json")
    config.store("docker.io", Credential("alice", "pw"))
    pull(Store(tmp_path / "s", "copy"), "busybox:latest", transport=hub.transport, platform="amd64", auth=config)
    tokens = hub.transport.sent("GET", "auth.docker.io")
    assert tokens[0].authorization == "Basic " + base64.b64encode(b"alice:pw").decode()


def test_search_on_the_hub() -> None:
    t = FakeTransport().route("GET", "https://index.docker.io/v1/search", reply(200, {"results": [
        {"name": "busybox", "description": "Busybox base image.", "star_count": 3000, "is_official": True,
         "is_automated": False},
        {"name": "someone/busybox-tools", "description": "", "star_count": 1}]}))
    found = search("busybox", transport=t)
    assert [r.to_dict() for r in found] == [
        {"name": "busybox", "description": "Busybox base image.", "star_count": 3000, "is_official": True,
         "is_automated": False},
        {"name": "someone/busybox-tools", "description": "", "star_count": 1, "is_official": False,
         "is_automated": False}]
    assert t.requests[0].query == {"q": ["busybox"], "n": ["25"]}
