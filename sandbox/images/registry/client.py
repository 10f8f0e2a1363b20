"""A client for the distribution API v2, one registry at a time.

    GET  /v2/                                   ping (and learn how to authenticate)
    GET  /v2/<name>/manifests/<tag|digest>      a manifest or an image index
    HEAD /v2/<name>/blobs/<digest>              does the registry have this blob?
    GET  /v2/<name>/blobs/<digest>              a blob (may redirect to a storage host)
    POST /v2/<name>/blobs/uploads/[?mount=…&from=…]   start an upload, or mount a blob
    PATCH <location>  (Content-Range)           one chunk of a chunked upload
    PUT  <location>?digest=<digest>             finish an upload (with the body: monolithic)
    PUT  /v2/<name>/manifests/<tag>             publish a manifest
    GET  /v2/_catalog, /v2/<name>/tags/list     what the registry holds (Link pagination)

Every request goes through ``_request``, which answers an authentication challenge once,
follows redirects without carrying our Authorization to another host, and turns an error
answer into the matching ``RegistryError``. Nothing is held in memory but documents.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO, Self
from urllib.parse import urlencode, urljoin, urlsplit

from sandbox.errors import (
    DigestMismatch,
    RegistryError,
    RegistryNotFound,
    RegistryProtocolError,
    RegistryUnauthorized,
)
from sandbox.images.registry.auth import (
    CATALOG_SCOPE,
    WRONG_PASSWORD,
    Authenticator,
    pull_scope,
    push_scope,
)
from sandbox.images.registry.credentials import Credential
from sandbox.images.registry.names import Registry
from sandbox.images.registry.transport import HttpTransport, Response, Transport
from sandbox.images.registry.verify import CountingReader, VerifyingReader
from sandbox.storage import mediatypes as mt
from sandbox.storage.digest import sha256_bytes
from sandbox.storage.reference import is_digest

MANIFEST_ACCEPT = ", ".join([mt.MANIFEST, mt.INDEX, mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST])
SCHEMA1 = ("application/vnd.docker.distribution.manifest.v1+json",
           "application/vnd.docker.distribution.manifest.v1+prettyjws")
# Manifests and configs are small JSON documents; refuse anything larger than this.
MAX_DOCUMENT = 8 << 20
_MAX_ERROR_BODY = 64 << 10
_MAX_REDIRECTS = 5
_MAX_PAGES = 1000
_REDIRECTS = (301, 302, 303, 307, 308)
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')

Opener = Callable[[int], BinaryIO]
"""Opens a blob positioned at the given offset (so an upload can be retried or chunked)."""


@dataclass(frozen=True)
class FetchedManifest:
    data: bytes
    media_type: str
    digest: str


def _read_document(resp: Response, registry: str, what: str) -> bytes:
    data = resp.read(MAX_DOCUMENT + 1)
    while len(data) <= MAX_DOCUMENT:
        more = resp.read(MAX_DOCUMENT + 1 - len(data))
        if not more:
            break
        data += more
    if len(data) > MAX_DOCUMENT:
        raise RegistryProtocolError(registry, f"{what} is larger than {MAX_DOCUMENT} bytes")
    return data


def _describe_errors(body: bytes) -> str:
    """``{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`` as Docker
    prints it: ``manifest unknown: manifest unknown``."""
    try:
        doc = json.loads(body)
    except ValueError:
        return body.decode(errors="replace").strip()[:200]
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(errors, list):
        return ""
    parts = []
    for err in errors:
        if isinstance(err, dict):
            code = str(err.get("code") or "error").lower().replace("_", " ")
            parts.append(f"{code}: {err.get('message') or ''}".strip())
    return "; ".join(parts)


def _first_code(body: bytes) -> str | None:
    try:
        errors = json.loads(body).get("errors")
        return str(errors[0].get("code")) if errors else None
    except (ValueError, AttributeError, TypeError, IndexError):
        return None


def with_query(url: str, **params: str) -> str:
    return url + ("&" if urlsplit(url).query else "?") + urlencode(params)


class RegistryClient:
    def __init__(self, registry: Registry, credential: Credential | None = None,
                 transport: Transport | None = None) -> None:
        self.registry = registry
        self._own_transport = transport is None
        self.transport: Transport = transport if transport is not None else HttpTransport()
        self.auth = Authenticator(registry, credential, self.transport)

    def close(self) -> None:
        if self._own_transport and isinstance(self.transport, HttpTransport):
            self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.registry.base_url + path_or_url

    def _follow(self, method: str, url: str, headers: dict[str, str], body: bytes | BinaryIO | None) -> Response:
        for _ in range(_MAX_REDIRECTS + 1):
            resp = self.transport.request(method, url, headers, body)
            if resp.status not in _REDIRECTS or method not in ("GET", "HEAD"):
                return resp
            location = resp.header("location")
            resp.close()
            if not location:
                raise RegistryProtocolError(self.registry.name, f"{resp.status} redirect without a Location")
            target = urljoin(url, location)
            if urlsplit(target).netloc != urlsplit(url).netloc:
                # A blob store or CDN gets a signed URL, never the registry's credentials.
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            url = target
        raise RegistryProtocolError(self.registry.name, f"more than {_MAX_REDIRECTS} redirects for {url}")

    def _request(self, method: str, path_or_url: str, scope: str, what: str, *,
                 headers: dict[str, str] | None = None, body: bytes | Callable[[], BinaryIO] | None = None,
                 ok: Iterable[int] = (200,)) -> Response:
        url = self._url(path_or_url)
        base = dict(headers or {})
        authorization = self.auth.header(scope)
        for attempt in range(2):
            sent = dict(base)
            if authorization:
                sent["Authorization"] = authorization
            stream = body() if callable(body) else body
            try:
                resp = self._follow(method, url, sent, stream)
            finally:
                close = getattr(stream, "close", None)
                if close is not None and callable(body):
                    close()
            if resp.status == 401 and attempt == 0:
                challenge = resp.header("www-authenticate")
                resp.close()
                authorization = self.auth.answer(challenge, scope)
                continue
            if resp.status not in tuple(ok):
                raise self._error(resp, what, retried=attempt > 0)
            return resp
        raise AssertionError("unreachable: the loop returns or raises")

    def _error(self, resp: Response, what: str, retried: bool) -> RegistryError:
        body = b"" if resp.status == 204 else resp.read(_MAX_ERROR_BODY)
        resp.close()
        detail = _describe_errors(body) or f"{resp.status} {resp.reason}".strip()
        code = _first_code(body)
        name = self.registry.name
        if resp.status == 401:
            cred = self.auth.credential
            if retried and self.auth.scheme == "basic" and cred is not None and cred.has_password:
                return RegistryUnauthorized(name, f"{what}: {WRONG_PASSWORD}", 401, code,
                                            f"check the user and password, then: docker login {name}",
                                            WRONG_PASSWORD)
            return RegistryUnauthorized(name, f"{what}: {detail}", 401, code,
                                        f"log in first: docker login {name}", detail)
        if resp.status == 403:
            return RegistryUnauthorized(name, f"{what}: {detail}", 403, code,
                                        "the user may not do this in that repository", detail)
        if resp.status == 404:
            return RegistryNotFound(name, f"{what}: {detail}", 404, code, detail=detail)
        return RegistryError(name, f"{what}: {detail}", resp.status, code, detail=detail)

    # -- reading ----------------------------------------------------------------------------

    def ping(self) -> None:
        """``GET /v2/``: raises unless the registry speaks the v2 API and lets us in."""
        with self._request("GET", "/v2/", "", f"ping {self.registry.name}"):
            pass

    def get_manifest(self, repository: str, reference: str) -> FetchedManifest:
        """A manifest or index, its digest checked: against ``reference`` if that is a
        digest, else against the registry's Docker-Content-Digest header."""
        what = f"manifest for {repository}:{reference}" if not is_digest(reference) else \
            f"manifest {repository}@{reference}"
        with self._request("GET", f"/v2/{repository}/manifests/{reference}", pull_scope(repository), what,
                           headers={"Accept": MANIFEST_ACCEPT}) as resp:
            data = _read_document(resp, self.registry.name, what)
            content_type = (resp.header("content-type") or "").split(";")[0].strip()
            claimed = resp.header("docker-content-digest")
        digest = sha256_bytes(data)
        if is_digest(reference) and digest != reference:
            raise DigestMismatch(reference, digest, "manifest")
        if claimed and claimed.startswith("sha256:") and claimed != digest:
            raise DigestMismatch(claimed, digest, "manifest")
        try:
            doc = json.loads(data)
        except ValueError as e:
            raise RegistryProtocolError(self.registry.name, f"{what} is not JSON: {e}") from e
        media_type = (doc.get("mediaType") if isinstance(doc, dict) else None) or content_type
        if media_type in SCHEMA1 or (isinstance(doc, dict) and doc.get("schemaVersion") == 1):
            raise RegistryProtocolError(self.registry.name, f"{what} is a schema 1 manifest, which is not "
                                                            "supported", hint="push the image again with a "
                                                                              "current client")
        if not media_type and isinstance(doc, dict):
            media_type = mt.INDEX if "manifests" in doc else mt.MANIFEST
        return FetchedManifest(data=data, media_type=media_type, digest=digest)

    def blob_exists(self, repository: str, digest: str, scope: str | None = None) -> bool:
        """HEAD the blob: True if this repository already has it (a push may skip it)."""
        with self._request("HEAD", f"/v2/{repository}/blobs/{digest}", scope or pull_scope(repository),
                           f"blob {digest} in {repository}", ok=(200, 404)) as resp:
            return resp.status == 200

    def open_blob(self, repository: str, digest: str, size: int | None = None,
                  on_read: Callable[[int], None] | None = None,
                  hashing: bool = True) -> tuple[Response, VerifyingReader]:
        """Start downloading a blob. Read from the reader, then call its ``verify()``; close
        the response when done (``with resp:``). ``hashing=False``: the caller hashes."""
        resp = self._request("GET", f"/v2/{repository}/blobs/{digest}", pull_scope(repository),
                             f"blob {digest} of {repository}")
        length = resp.header("content-length")
        if size is not None and length is not None and length.isdigit() and int(length) != size:
            resp.close()
            raise RegistryProtocolError(self.registry.name, f"blob {digest} is {length} bytes at the registry, "
                                                            f"its descriptor says {size}")
        return resp, VerifyingReader(resp.body, digest, size, self.registry.name, on_read, hashing)

    def get_blob(self, repository: str, digest: str, size: int | None = None, what: str = "blob") -> bytes:
        """A small blob (an image config) read whole and verified."""
        if size is not None and size > MAX_DOCUMENT:
            raise RegistryProtocolError(self.registry.name, f"{what} {digest} is larger than {MAX_DOCUMENT} bytes")
        resp, reader = self.open_blob(repository, digest, size)
        with resp:
            data = _read_document(reader, self.registry.name, what)  # type: ignore[arg-type]
        reader.verify(what)
        return data

    def catalog(self, page_size: int = 100) -> list[str]:
        """Every repository name (``GET /v2/_catalog``, following ``Link: rel=next``)."""
        return self._paged(f"/v2/_catalog?n={page_size}", CATALOG_SCOPE, "catalog", "repositories")

    def tags(self, repository: str, page_size: int = 100) -> list[str]:
        return self._paged(f"/v2/{repository}/tags/list?n={page_size}", pull_scope(repository),
                           f"tags of {repository}", "tags")

    def _paged(self, path: str, scope: str, what: str, key: str) -> list[str]:
        out: list[str] = []
        url: str | None = self._url(path)
        for _ in range(_MAX_PAGES):
            if url is None:
                return out
            with self._request("GET", url, scope, what) as resp:
                data = _read_document(resp, self.registry.name, what)
                link = resp.header("link") or ""
            try:
                items = json.loads(data).get(key) or []
            except (ValueError, AttributeError) as e:
                raise RegistryProtocolError(self.registry.name, f"{what}: not a JSON object with {key}") from e
            out += [str(x) for x in items]
            m = _LINK_NEXT.search(link)
            url = urljoin(url, m.group(1)) if m else None
        raise RegistryProtocolError(self.registry.name, f"{what}: more than {_MAX_PAGES} pages")

    # -- writing ----------------------------------------------------------------------------

    def start_upload(self, repository: str, mount: str | None = None, from_repository: str | None = None) -> str | None:
        """POST an upload. With ``mount``/``from_repository``, ask the registry to link the
        blob from another repository: None when it did (201), else the upload location."""
        path = f"/v2/{repository}/blobs/uploads/"
        scope = push_scope(repository)
        if mount and from_repository:
            path += "?" + urlencode({"mount": mount, "from": from_repository})
            scope = f"{scope} {pull_scope(from_repository)}"
        with self._request("POST", path, scope, f"upload to {repository}",
                           headers={"Content-Length": "0"}, body=b"", ok=(201, 202)) as resp:
            if resp.status == 201:
                return None
            location = resp.header("location")
        if not location:
            raise RegistryProtocolError(self.registry.name, f"upload to {repository}: no Location in the answer")
        return urljoin(self._url(path), location)

    def upload_blob(self, repository: str, digest: str, size: int, opener: Opener,
                    chunk_size: int | None = None, on_progress: Callable[[int], None] | None = None,
                    location: str | None = None) -> None:
        """Upload a blob: in one PUT, or in PATCH chunks of ``chunk_size`` then a PUT.
        The registry checks the digest and refuses the upload if the bytes do not match."""
        scope = push_scope(repository)
        what = f"upload of {digest} to {repository}"
        url = location or self.start_upload(repository)
        if url is None:
            return
        offset = 0
        if chunk_size is not None and 0 < chunk_size < size:
            while offset < size:
                n = min(chunk_size, size - offset)
                start = offset

                def chunk(start: int = start, n: int = n) -> BinaryIO:
                    return CountingReader(opener(start), n, on_progress, start)  # type: ignore[return-value]

                with self._request("PATCH", url, scope, what, body=chunk, ok=(202,), headers={
                        "Content-Type": "application/octet-stream", "Content-Length": str(n),
                        "Content-Range": f"{start}-{start + n - 1}"}) as resp:
                    location = resp.header("location")
                if not location:
                    raise RegistryProtocolError(self.registry.name, f"{what}: no Location after a chunk")
                url = urljoin(url, location)
                offset += n
            final: bytes | Callable[[], BinaryIO] = b""
            length = 0
        else:
            def final() -> BinaryIO:
                return CountingReader(opener(0), size, on_progress)  # type: ignore[return-value]
            length = size
        with self._request("PUT", with_query(url, digest=digest), scope, what, body=final, ok=(201,),
                           headers={"Content-Type": "application/octet-stream",
                                    "Content-Length": str(length)}) as resp:
            stored = resp.header("docker-content-digest")
        if stored and stored != digest:
            raise DigestMismatch(digest, stored, "uploaded blob")

    def put_manifest(self, repository: str, reference: str, data: bytes, media_type: str) -> str:
        """Publish a manifest under a tag (or its digest); returns its digest."""
        digest = sha256_bytes(data)
        with self._request("PUT", f"/v2/{repository}/manifests/{reference}", push_scope(repository),
                           f"manifest {repository}:{reference}", body=data, ok=(201,),
                           headers={"Content-Type": media_type, "Content-Length": str(len(data))}) as resp:
            stored = resp.header("docker-content-digest")
        if stored and stored != digest:
            raise DigestMismatch(digest, stored, "pushed manifest")
        return digest
