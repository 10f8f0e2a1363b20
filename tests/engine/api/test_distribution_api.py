"""Push, pull, login and search through the API, against a real registry on loopback."""

from __future__ import annotations

import base64
import json

from tests.images.registry.conftest import (  # noqa: F401 - fixtures
    PASSWORD,
    USER,
    RunningRegistry,
    protected_registry,
    registry,
    start_registry,
)

from ..conftest import Api


def auth(user: str = USER, password: str = PASSWORD) -> dict[str, str]:
    doc = json.dumps({"username": user, "password": password}).encode()
    return {"X-Registry-Auth": base64.urlsafe_b64encode(doc).decode()}


def lines(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.splitlines()]


def test_push_remove_pull_gives_the_same_digest(api: Api, registry: RunningRegistry) -> None:
    ref = registry.ref("lesson/busybox")
    api.client.post("/images/busybox/tag", query={"repo": ref, "tag": "1"})
    pushed = lines(api.client.post(f"/images/{ref}/push", query={"tag": "1"}, headers={"X-Registry-Auth": "e30="}).body)
    digest = next(m["aux"]["Digest"] for m in pushed if "aux" in m)
    assert pushed[0] == {"status": f"The push refers to repository [{ref}]"}
    for tag in (f"{ref}:1", "busybox:latest"):
        api.client.delete(f"/images/{tag}")
    assert api.store.images() == []
    pulled = lines(api.client.post("/images/create", query={"fromImage": ref, "tag": "1"}).body)
    statuses = [m.get("status", "") for m in pulled]
    assert f"Digest: {digest}" in statuses and f"Status: Downloaded newer image for {ref}:1" in statuses
    assert any(m.get("progressDetail", {}).get("total") for m in pulled)  # the bars' numbers
    assert api.store.image(f"{ref}:1").manifest_digest == digest


def test_a_second_push_skips_the_layers_the_registry_has(api: Api, registry: RunningRegistry) -> None:
    ref = registry.ref("again")
    api.client.post("/images/busybox/tag", query={"repo": ref, "tag": "1"})
    api.client.post(f"/images/{ref}/push", query={"tag": "1"})
    uploads = len(registry.uploads())
    second = lines(api.client.post(f"/images/{ref}/push", query={"tag": "1"}).body)
    assert any(m.get("status") == "Layer already exists" for m in second)
    assert len(registry.uploads()) == uploads


def test_pushing_a_tag_that_is_not_stored_is_404(api: Api, registry: RunningRegistry) -> None:
    r = api.client.post(f"/images/{registry.ref('ghost')}/push", query={"tag": "1"})
    assert r.status == 404
    assert r.json()["message"] == f"An image does not exist locally with the tag: {registry.ref('ghost')}"


def test_login_wrong_then_right(api: Api, protected_registry: RunningRegistry) -> None:
    wrong = api.client.post("/auth", json={"username": USER, "password": "nope", "serveraddress": protected_registry.address})
    assert wrong.status == 401 and "incorrect username or password" in wrong.json()["message"]
    right = api.client.post("/auth", json={"username": USER, "password": PASSWORD,
                                           "serveraddress": protected_registry.address})
    assert right.status == 200 and right.json() == {"Status": "Login Succeeded", "IdentityToken": ""}
    assert api.client.post("/auth", json={"username": 3}).status == 400


def test_a_protected_repository_needs_credentials(api: Api, protected_registry: RunningRegistry) -> None:
    ref = protected_registry.ref("private/app")
    api.client.post("/images/busybox/tag", query={"repo": ref, "tag": "1"})
    refused = lines(api.client.post(f"/images/{ref}/push", query={"tag": "1"}).body)
    assert "error" in refused[-1]
    pushed = lines(api.client.post(f"/images/{ref}/push", query={"tag": "1"}, headers=auth()).body)
    assert not any("error" in m for m in pushed)
    api.client.delete(f"/images/{ref}:1")
    anonymous = api.client.post("/images/create", query={"fromImage": ref, "tag": "1"})
    # 403, not 401: the docker CLI would answer a 401 by prompting for a password.
    assert anonymous.status == 403 and "may require 'docker login'" in anonymous.json()["message"]
    with_login = api.client.post("/images/create", query={"fromImage": ref, "tag": "1"}, headers=auth())
    assert with_login.status == 200 and "error" not in with_login.text
    assert api.client.post("/images/create", query={"fromImage": ref, "tag": "1"},
                           headers={"X-Registry-Auth": "%%%"}).status == 400


def test_search_reads_the_catalog(api: Api, registry: RunningRegistry) -> None:
    for name in ("tools/alpha", "tools/beta", "other"):
        ref = registry.ref(name)
        api.client.post("/images/busybox/tag", query={"repo": ref, "tag": "1"})
        api.client.post(f"/images/{ref}/push", query={"tag": "1"})
    found = api.client.get("/images/search", query={"term": registry.ref("tools")}).json()
    assert [r["name"] for r in found] == [registry.ref("tools/alpha"), registry.ref("tools/beta")]
    assert api.client.get("/images/search", query={"term": registry.ref("tools"), "limit": "1"}).json()[0]["name"] \
        == registry.ref("tools/alpha")
    assert api.client.get("/images/search").status == 400
    assert api.client.get("/images/search", query={"term": "x", "filters": json.dumps({"color": ["red"]})}).status == 400
