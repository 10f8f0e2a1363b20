"""RegistryClient against a fake transport: the registry's errors become the right
exceptions with the registry's words, and what a registry sends is not trusted."""

from __future__ import annotations

import io

import pytest

from sandbox.errors import (
    DigestMismatch,
    RegistryError,
    RegistryNotFound,
    RegistryProtocolError,
    RegistryUnauthorized,
)
from sandbox.images.registry import Credential, RegistryClient
from sandbox.images.registry.auth import Authenticator
from sandbox.images.registry.names import registry_for
from sandbox.storage.digest import sha256_bytes
from tests.images.registry.fakes import FakeTransport, Request, blob_reply, reply

REG = registry_for("127.0.0.1:5000")
BASE = "http://127.0.0.1:5000/v2"
DIGEST = "sha256:" + "a" * 64


def client(t: FakeTransport, credential: Credential | None = None) -> RegistryClient:
    return RegistryClient(REG, credential, t)


def test_a_missing_manifest_carries_the_registry_words() -> None:
    t = FakeTransport().route("GET", f"{BASE}/x/manifests/1", reply(404, {"errors": [
        {"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": {"Tag": "1"}}]}))
    with pytest.raises(RegistryNotFound) as e:
        client(t).get_manifest("x", "1")
    assert e.value.detail == "manifest unknown: manifest unknown"
    assert e.value.code == "MANIFEST_UNKNOWN" and e.value.http_status == 404


def test_a_server_error_keeps_its_status() -> None:
    t = FakeTransport().route("GET", f"{BASE}/x/manifests/1", reply(503, b"upstream down"))
    with pytest.raises(RegistryError) as e:
        client(t).get_manifest("x", "1")
    assert e.value.http_status == 503 and "upstream down" in str(e.value)
    assert type(e.value) is RegistryError


def test_manifest_digest_header_must_match_the_bytes() -> None:
    data = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'
    t = FakeTransport().route("GET", f"{BASE}/x/manifests/1", reply(200, data, {"Docker-Content-Digest": DIGEST}))
    with pytest.raises(DigestMismatch) as e:
        client(t).get_manifest("x", "1")
    assert e.value.expected == DIGEST and e.value.actual == sha256_bytes(data)


def test_manifest_by_digest_must_hash_to_it() -> None:
    t = FakeTransport().route("GET", f"{BASE}/x/manifests/{DIGEST}", reply(200, b'{"schemaVersion":2}'))
    with pytest.raises(DigestMismatch):
        client(t).get_manifest("x", DIGEST)


def test_schema1_manifests_are_refused() -> None:
    data = b'{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]}'
    t = FakeTransport().route("GET", f"{BASE}/x/manifests/1", blob_reply(data))
    with pytest.raises(RegistryProtocolError, match="schema 1"):
        client(t).get_manifest("x", "1")


def test_a_blob_longer_than_its_descriptor_is_refused() -> None:
    data = b"x" * 100
    t = FakeTransport().route("GET", f"{BASE}/x/blobs/{sha256_bytes(data)}",
                              reply(200, data, {"Content-Length": "10"}))
    with pytest.raises(RegistryProtocolError, match="longer than the 10 bytes"):
        client(t).get_blob("x", sha256_bytes(data), 10)


def test_a_blob_with_other_bytes_is_refused() -> None:
    t = FakeTransport().route("GET", f"{BASE}/x/blobs/{DIGEST}", reply(200, b"not it"))
    with pytest.raises(DigestMismatch):
        client(t).get_blob("x", DIGEST, 6)


def test_endless_redirects_stop() -> None:
    t = FakeTransport().route("GET", f"{BASE}/x/blobs/{DIGEST}", reply(307, b"", {"Location": f"{BASE}/x/blobs/{DIGEST}"}))
    with pytest.raises(RegistryProtocolError, match="redirects"):
        client(t).get_blob("x", DIGEST)
    assert len(t.requests) == 6


def test_basic_challenge_without_credentials_says_log_in() -> None:
    t = FakeTransport().route("GET", f"{BASE}/", reply(401, b"", {"WWW-Authenticate": 'Basic realm="r"'}))
    with pytest.raises(RegistryUnauthorized) as e:
        client(t).ping()
    assert str(e.value) == "unauthorized: authentication required"
    assert e.value.hint == "log in first: docker login 127.0.0.1:5000"
    assert len(t.requests) == 1  # nothing to retry with


def test_basic_credentials_are_sent_after_the_challenge_and_then_up_front() -> None:
    def guarded(req: Request):  # type: ignore[no-untyped-def]
        if req.authorization is None:
            return reply(401, b"", {"WWW-Authenticate": 'Basic realm="r"'})
        return reply(200, {"repositories": ["a"]})

    t = FakeTransport().route("GET", f"{BASE}/_catalog", guarded)
    c = client(t, Credential("u", "p"))
    assert c.catalog() == ["a"]
    assert c.catalog() == ["a"]
    assert [r.authorization is not None for r in t.requests] == [False, True, True]


def test_an_unknown_auth_scheme_is_named() -> None:
    t = FakeTransport().route("GET", f"{BASE}/", reply(401, b"", {"WWW-Authenticate": 'Negotiate abc'}))
    with pytest.raises(RegistryUnauthorized, match="unsupported scheme"):
        client(t, Credential("u", "p")).ping()


def test_a_token_server_without_a_token() -> None:
    t = FakeTransport()
    t.route("GET", f"{BASE}/", reply(401, b"", {"WWW-Authenticate": 'Bearer realm="http://127.0.0.1:5001/t"'}))
    t.route("GET", "http://127.0.0.1:5001/t", reply(200, {"nothing": 1}))
    with pytest.raises(RegistryProtocolError, match="no token"):
        client(t).ping()


def test_tokens_are_cached_until_they_expire() -> None:
    now = [0.0]
    t = FakeTransport().route("GET", "http://127.0.0.1:5001/t", reply(200, {"token": "T", "expires_in": 60}))
    auth = Authenticator(REG, None, t, clock=lambda: now[0])
    challenge = 'Bearer realm="http://127.0.0.1:5001/t",service="s"'
    assert auth.answer(challenge, "repository:x:pull") == "Bearer T"
    assert auth.header("repository:x:pull") == "Bearer T"
    assert auth.header("repository:y:pull") is None  # another scope needs its own token
    now[0] = 56.0
    assert auth.header("repository:x:pull") is None  # renewed a little before it expires


def test_chunked_upload_sends_ranges_and_then_the_digest() -> None:
    data = bytes(range(256)) * 10
    digest = sha256_bytes(data)
    t = FakeTransport()
    t.route("POST", f"{BASE}/x/blobs/uploads/", reply(202, b"", {"Location": "/v2/x/blobs/uploads/u1?_state=s0"}))
    t.route("PATCH", f"{BASE}/x/blobs/uploads/u1", lambda r: reply(202, b"", {
        "Location": f"/v2/x/blobs/uploads/u1?_state=s{len(t.requests)}"}))
    t.route("PUT", f"{BASE}/x/blobs/uploads/u1", reply(201, b"", {"Docker-Content-Digest": digest}))
    seen: list[int] = []
    client(t).upload_blob("x", digest, len(data), lambda off: _at(data, off), chunk_size=1000,
                          on_progress=seen.append)
    patches = t.sent("PATCH")
    assert [r.headers["content-range"] for r in patches] == ["0-999", "1000-1999", "2000-2559"]
    assert b"".join(r.body for r in patches) == data
    put = t.sent("PUT")[0]
    assert put.query["digest"] == [digest] and put.body == b""
    assert put.query["_state"] == ["s4"]  # the Location after the last chunk (request 4)
    assert seen[-1] == len(data)


def test_the_registry_must_store_what_we_uploaded() -> None:
    data = b"abc"
    t = FakeTransport()
    t.route("POST", f"{BASE}/x/blobs/uploads/", reply(202, b"", {"Location": f"{BASE}/x/blobs/uploads/u"}))
    t.route("PUT", f"{BASE}/x/blobs/uploads/u", reply(201, b"", {"Docker-Content-Digest": DIGEST}))
    with pytest.raises(DigestMismatch):
        client(t).upload_blob("x", sha256_bytes(data), 3, lambda off: _at(data, off))


def _at(data: bytes, offset: int) -> io.BytesIO:
    f = io.BytesIO(data)
    f.seek(offset)
    return f
