"""Which registry, scheme and repository a reference means; WWW-Authenticate parsing."""

from __future__ import annotations

import pytest

from sandbox.errors import InvalidReference
from sandbox.images.registry.challenge import parse_challenges
from sandbox.images.registry.names import (
    DOCKER_HUB_API,
    DOCKER_HUB_CONFIG_KEY,
    is_loopback,
    parse_remote,
    registry_for,
)


@pytest.mark.parametrize(("text", "host", "repository", "name", "reference"), [
    ("busybox", DOCKER_HUB_API, "library/busybox", "busybox", "latest"),
    ("busybox:1.36", DOCKER_HUB_API, "library/busybox", "busybox", "1.36"),
    ("docker.io/library/busybox", DOCKER_HUB_API, "library/busybox", "busybox", "latest"),
    ("me/app:2", DOCKER_HUB_API, "me/app", "me/app", "2"),
    ("127.0.0.1:5000/x", "127.0.0.1:5000", "x", "127.0.0.1:5000/x", "latest"),
    ("localhost:5000/a/b:c", "localhost:5000", "a/b", "localhost:5000/a/b", "c"),
    ("registry.example:443/team/app:1", "registry.example:443", "team/app", "registry.example:443/team/app", "1"),
    ("busybox@sha256:" + "b" * 64, DOCKER_HUB_API, "library/busybox", "busybox", "sha256:" + "b" * 64),
])
def test_parse_remote(text: str, host: str, repository: str, name: str, reference: str) -> None:
    r = parse_remote(text)
    assert (r.registry.host, r.repository, r.name, r.reference) == (host, repository, name, reference)


def test_loopback_registries_use_plain_http_and_others_https() -> None:
    assert parse_remote("127.0.0.1:5000/x").registry.base_url == "http://127.0.0.1:5000"
    assert parse_remote("localhost:5000/x").registry.base_url == "http://localhost:5000"
    assert registry_for("[::1]:5000").scheme == "http"  # (references cannot name IPv6 hosts)
    assert parse_remote("registry.example/x").registry.base_url == "https://registry.example"
    assert parse_remote("busybox").registry.base_url == f"https://{DOCKER_HUB_API}"
    assert parse_remote("lab.example:5000/x", insecure=["lab.example:5000"]).registry.scheme == "http"
    assert is_loopback("127.1.2.3:80") and is_loopback("localhost") and not is_loopback("10.0.0.1:5000")


def test_a_digest_reference_makes_no_local_tag() -> None:
    assert parse_remote("x:1@sha256:" + "c" * 64).local_tag is None
    assert parse_remote("127.0.0.1:5000/x:1").local_tag == "127.0.0.1:5000/x:1"


@pytest.mark.parametrize("bad", ["", "UPPER/case", "x:bad tag", "a//b", "x@sha256:short", " busybox"])
def test_bad_references_are_refused(bad: str) -> None:
    with pytest.raises(InvalidReference):
        parse_remote(bad)


def test_registry_addresses_for_login() -> None:
    hub = registry_for(None)
    assert hub.is_docker_hub and hub.config_key == DOCKER_HUB_CONFIG_KEY
    assert registry_for("docker.io") == hub == registry_for(DOCKER_HUB_CONFIG_KEY)
    local = registry_for("http://127.0.0.1:5000/v2/")
    assert (local.name, local.scheme, local.config_key) == ("127.0.0.1:5000", "http", "127.0.0.1:5000")
    assert registry_for("https://127.0.0.1:5000").scheme == "https"  # an explicit scheme wins
    with pytest.raises(InvalidReference):
        registry_for("bad host")


def test_parse_challenges() -> None:
    [bearer] = parse_challenges('Bearer realm="https://auth.example/token",service="registry.example",'
                                'scope="repository:library/busybox:pull,push"')
    assert bearer.scheme == "bearer"
    assert bearer.params == {"realm": "https://auth.example/token", "service": "registry.example",
                             "scope": "repository:library/busybox:pull,push"}
    both = parse_challenges('Basic realm="a \\"quoted\\" realm", Bearer realm="https://t.example/x", error=invalid_token')
    assert [c.scheme for c in both] == ["basic", "bearer"]
    assert both[0].get("REALM") == 'a "quoted" realm'
    assert both[1].get("error") == "invalid_token"
    assert parse_challenges("") == [] and parse_challenges("Basic")[0].params == {}
