"""Registry traffic for the engine: pull, push, login and search, with Docker's messages.

Routes hand in what the client sent (a reference, the ``X-Registry-Auth`` credential) and a
callback for progress messages; this service picks the registry, calls the registry
library, announces the result on the event bus, and passes every progress message on as
the dict dockerd would stream.

Which pulls reach a registry: a reference that names a registry host
(``127.0.0.1:5000/app``) always asks it. A Docker Hub name (``busybox``) that is already
stored is reported up to date without asking: the classroom works offline with its
bootstrapped images, and a learner's ``docker run busybox`` must not depend on the internet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.engine.events import EventBus
from sandbox.engine.images_service import ImageService
from sandbox.errors import ImageUnknown, InvalidParameter, NoLocalTag, PullUnauthorized, RegistryUnauthorized
from sandbox.images.registry import (
    Credential,
    ProgressEvent,
    Transport,
    check_login,
    parse_remote,
    pull,
    push,
    search,
)
from sandbox.storage import Image, Reference, Store, normalize_reference

Emit = Callable[[dict[str, Any]], None]


def names_registry(ref: Reference) -> bool:
    """Does the reference name a registry host of its own (not Docker Hub)?"""
    first, sep, _ = ref.name.partition("/")
    return bool(sep) and ("." in first or ":" in first or first == "localhost") and first != "docker.io"


@dataclass
class Distribution:
    store: Store
    images: ImageService
    events: EventBus | None = None
    insecure: list[str] = field(default_factory=list)
    """Registries spoken to over plain HTTP besides the loopback ones."""
    transport: Transport | None = None
    """For tests: a fake registry transport; None talks to the network."""

    def _emit_event(self, action: str, name: str) -> None:
        if self.events is not None:
            self.events.emit("image", action, name, {"name": name})

    # -- pull -------------------------------------------------------------------------------

    def pull(self, ref: Reference, emit: Emit, auth: Credential | None = None,
             platform: str | None = None) -> Image | None:
        """``POST /images/create?fromImage=…``: a stored Docker Hub image is up to date;
        anything else comes from its registry. Returns the image (None when only reported)."""
        if not names_registry(ref):
            wanted = str(ref) if ref.digest else ref.tagged or str(ref)
            try:
                self.store.image(wanted)
            except ImageUnknown:
                pass
            else:
                for message in self.images.pull_stored(ref):
                    emit(message)
                return None
        image = self._pull(str(ref), lambda e: emit(e.to_dict()), auth, platform)
        self._emit_event("pull", ref.tagged or str(ref))
        return image

    def pull_for_build(self, ref: str, emit: Callable[[str], None], auth: Credential | None) -> Image:
        """A base image the store lacks, fetched for a build: the progress as text lines
        (one per change of a layer's status; the bars are for terminals)."""
        seen: dict[str | None, str] = {}

        def show(event: ProgressEvent) -> None:
            if not event.status or event.current is not None or seen.get(event.id) == event.status:
                return
            seen[event.id] = event.status
            emit(f"{event.id}: {event.status}\n" if event.id else event.status + "\n")

        image = self._pull(ref, show, auth, None)
        self._emit_event("pull", ref)
        return image

    def _pull(self, ref: str, progress: Callable[[ProgressEvent], None], auth: Credential | None,
              platform: str | None) -> Image:
        try:
            return pull(self.store, ref, progress=progress, auth=auth, transport=self.transport, platform=platform,
                        insecure=self.insecure)
        except RegistryUnauthorized as e:
            raise PullUnauthorized(e.registry, e.message, e.http_status, e.code,
                                   e.hint or f"docker login {e.registry}", e.detail) from e

    # -- push -------------------------------------------------------------------------------

    def push(self, name: str, tag: str | None, emit: Emit, auth: Credential | None = None) -> None:
        """``POST /images/{name}/push?tag=``: every tag of the repository when no tag is
        given, as the docker CLI's ``push --all-tags`` asks for it."""
        ref = normalize_reference(name)
        if ref.digest:
            raise InvalidParameter("cannot push a digest reference", "name")
        if tag:
            tagged = [normalize_reference(f"{ref.name}:{tag}").tagged]
        elif ref.tag:
            tagged = [ref.tagged]
        else:
            tagged = sorted(t for image in self.store.images() for t in image.tags
                        if normalize_reference(t).name == ref.name)
            if not tagged:
                raise NoLocalTag(ref.name)
        for target in tagged:
            assert target is not None
            try:
                self.store.image(target)
            except ImageUnknown:
                raise NoLocalTag(ref.name) from None
            push(self.store, target, progress=lambda e: emit(e.to_dict()), auth=auth, transport=self.transport,
                 mount_from=self._mount_sources(target), insecure=self.insecure)
            self._emit_event("push", target)

    def _mount_sources(self, target: str) -> list[str]:
        """Other repositories of the same registry that local tags name: a layer they hold
        is mounted from there instead of uploaded again ("Mounted from …"), as dockerd does
        with what it remembers of earlier pushes and pulls."""
        remote = parse_remote(target, self.insecure)
        sources = set()
        for image in self.store.images():
            for tag in image.tags:
                other = parse_remote(tag, self.insecure)
                if other.registry.name == remote.registry.name and other.repository != remote.repository:
                    sources.add(other.repository)
        return sorted(sources)

    # -- login, search ----------------------------------------------------------------------

    def login(self, body: dict[str, Any]) -> dict[str, str]:
        """``POST /auth``: check the credentials; the client keeps them, not the engine."""
        username, password = body.get("username") or "", body.get("password") or ""
        if not isinstance(username, str) or not isinstance(password, str):
            raise InvalidParameter("username and password must be strings", "username")
        server = body.get("serveraddress") or None
        if server is not None and not isinstance(server, str):
            raise InvalidParameter("serveraddress must be a string", "serveraddress")
        credential = Credential(username=username, password=password,
                                identity_token=str(body.get("identitytoken") or ""))
        try:
            result = check_login(_host(server), credential, transport=self.transport, insecure=self.insecure)
        except RegistryUnauthorized as e:
            # dockerd answers a refused login with 401 and the registry's words; the CLI
            # prints "Error response from daemon: …" and exits 1.
            raise RegistryUnauthorized(e.registry, e.message, 401, e.code, e.hint, e.detail) from e
        return {"Status": result.status, "IdentityToken": result.identity_token}

    def search(self, term: str, limit: int | None, auth: Credential | None,
               filters: Callable[[dict[str, Any]], bool] | None = None) -> list[dict[str, Any]]:
        if not term:
            raise InvalidParameter("a search term is needed", "term", "GET /images/search?term=WORD")
        results = search(term, auth=auth, transport=self.transport, limit=limit or 25, insecure=self.insecure)
        docs = [r.to_dict() for r in results]
        return [d for d in docs if filters is None or filters(d)]


def _host(server: str | None) -> str | None:
    """The registry a login names: ``https://index.docker.io/v1/`` (the CLI's default) is
    Docker Hub; ``http://127.0.0.1:5000`` is that host."""
    if not server:
        return None
    host = server.removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    if host in ("index.docker.io", "registry-1.docker.io", "docker.io"):
        return None
    return host

