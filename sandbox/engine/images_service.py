"""The image side of the Docker API: store records in, Docker's JSON shapes out.

Routes call this and nothing else for images. Names resolve as the store resolves them
(tag, full id, ``sha256:`` id, unique id prefix; ``docker.io/library/busybox`` is
``busybox``), unknown ones fail with dockerd's wording, and every change (tag, untag,
delete, pull) is announced on the event bus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from sandbox.engine.events import EventBus, parse_time
from sandbox.engine.http.filters import Filters
from sandbox.errors import (
    ImageDeleteConflict,
    ImageUnknown,
    ImageUsedByContainer,
    InvalidParameter,
    InvalidReference,
    LayerUnknown,
    NoSuchImage,
    PullAccessDenied,
)
from sandbox.storage import Image, ImageConfig, Reference, Store, normalize_reference

ImageInUse = Callable[[str], "str | None"]
"""``image_in_use(image_id)``: the id of a container using the image, or None."""

ZERO_TIME = "0001-01-01T00:00:00Z"
LIST_FILTERS = ("reference", "dangling", "label", "before", "since", "until")
PRUNE_FILTERS = ("dangling", "until", "label")


def _short(ident: str) -> str:
    return ident.split(":", 1)[-1][:12]


def _epoch(created: str | None) -> int:
    try:
        ns = parse_time(created, "created")
    except InvalidParameter:
        return 0
    return 0 if ns is None else ns // 1_000_000_000


def _glob(pattern: str, text: str) -> bool:
    """Go's path.Match, which docker's ``reference`` filter uses: ``*`` and ``?`` stop at
    ``/``, ``[...]`` is a class."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            body = body.replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("^") else body) + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.fullmatch("".join(out), text) is not None


def _repo_path(ref: Reference) -> str:
    """The repository as the registry names it: ``library/busybox``, ``me/app``."""
    first, _, rest = ref.name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return rest
    return ref.name if "/" in ref.name else f"library/{ref.name}"


class ImageService:
    def __init__(self, store: Store, events: EventBus | None = None,
                 image_in_use: ImageInUse | None = None) -> None:
        self.store = store
        self.events = events
        self._in_use = image_in_use or self._store_user

    # -- lookups ----------------------------------------------------------------------------

    def _store_user(self, image_id: str) -> str | None:
        """Without a container service: the store knows which container layers use an image."""
        for record in self.store.container_layers():
            if record.image_id == image_id:
                return record.container_id
        return None

    def resolve(self, name: str) -> Image:
        try:
            return self.store.image(name)
        except ImageUnknown:
            raise NoSuchImage(self._display(name)) from None

    @staticmethod
    def _display(name: str) -> str:
        """The name in dockerd's messages: ``nope:latest`` for a reference, as given for an id."""
        if re.fullmatch(r"(sha256:)?[0-9a-f]{1,64}", name):
            return name
        try:
            return str(normalize_reference(name))
        except InvalidReference:
            return name

    def count(self) -> int:
        return len(self.store.images())

    def _emit(self, action: str, actor: str, name: str, labels: dict[str, str] | None = None) -> None:
        if self.events is not None:
            self.events.emit("image", action, actor, {**(labels or {}), "name": name})

    # -- list, inspect, history -------------------------------------------------------------

    @staticmethod
    def _digests(image: Image) -> list[str]:
        repos = dict.fromkeys(normalize_reference(t).name for t in image.tags)
        return [f"{repo}@{image.manifest_digest}" for repo in repos]

    def _summary(self, image: Image, config: ImageConfig, tags: list[str] | None = None,
                 containers: int = -1, shared: int = -1) -> dict[str, Any]:
        return {"Containers": containers, "Created": _epoch(config.created), "Id": image.id,
                "Labels": dict(config.labels) or None, "ParentId": "", "RepoDigests": self._digests(image),
                "RepoTags": list(image.tags if tags is None else tags), "SharedSize": shared,
                "Size": image.size}

    def list(self, filters: Filters | None = None) -> list[dict[str, Any]]:
        """``GET /images/json``: newest first, with dockerd's filters."""
        flt = filters or Filters()
        flt.validate(LIST_FILTERS)
        dangling = flt.bool_value("dangling")
        before = [self.resolve(n).created or "" for n in flt.values("before")]
        since = [self.resolve(n).created or "" for n in flt.values("since")]
        until = [parse_time(v, "until") for v in flt.values("until")]
        out = []
        for image in self.store.images():
            if dangling is not None and dangling != (not image.tags):
                continue
            created = image.created or ""
            if any(created >= b for b in before) or any(created <= s for s in since):
                continue
            config = self.store.image_config(image)
            if any(u is not None and _epoch(config.created) * 1_000_000_000 >= u for u in until):
                continue
            if not flt.match_labels(config.labels):
                continue
            tags = image.tags
            if flt.has("reference"):
                tags = [t for t in image.tags if self._reference_match(flt.values("reference"), t)]
                if not tags:
                    continue
            out.append(self._summary(image, config, tags))
        return out

    @staticmethod
    def _reference_match(patterns: list[str], tag: str) -> bool:
        name = normalize_reference(tag).name
        return any(_glob(p, name) or _glob(p, tag) for p in patterns)

    @staticmethod
    def _container_config(config: ImageConfig, cmd: list[str] | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Hostname": "", "Domainname": "", "User": config.user, "AttachStdin": False,
            "AttachStdout": False, "AttachStderr": False, "Tty": False, "OpenStdin": False,
            "StdinOnce": False, "Env": list(config.env) or None, "Cmd": cmd, "Image": "",
            "Volumes": {v: {} for v in config.volumes} or None, "WorkingDir": config.working_dir,
            "Entrypoint": config.entrypoint, "OnBuild": config.extra_config.get("OnBuild"),
            "Labels": dict(config.labels) or None,
        }
        if config.exposed_ports:
            out["ExposedPorts"] = {p: {} for p in config.exposed_ports}
        if config.stop_signal:
            out["StopSignal"] = config.stop_signal
        if "Healthcheck" in config.extra_config:
            out["Healthcheck"] = config.extra_config["Healthcheck"]
        return out

    def _graph_driver(self, image: Image) -> dict[str, Any]:
        diffs = []
        for layer_id in reversed(image.layers):
            try:
                diffs.append(str(self.store.layer(layer_id).diff))
            except LayerUnknown:
                continue
        data: dict[str, str] = {}
        if diffs:
            data["UpperDir"] = diffs[0]
        if len(diffs) > 1:
            data["LowerDir"] = ":".join(diffs[1:])
        return {"Name": self.store.driver_name, "Data": data}

    def inspect(self, name: str) -> dict[str, Any]:
        """``GET /images/{name}/json``."""
        image = self.resolve(name)
        config = self.store.image_config(image)
        out = {
            "Id": image.id, "RepoTags": image.tags, "RepoDigests": self._digests(image), "Parent": "",
            "Comment": config.extra.get("comment", ""), "Created": config.created or ZERO_TIME,
            "Container": "", "ContainerConfig": self._container_config(config, None),
            "DockerVersion": config.extra.get("docker_version", ""), "Author": config.author or "",
            "Config": self._container_config(config, config.cmd), "Architecture": config.architecture,
            "Os": config.os, "Size": image.size, "GraphDriver": self._graph_driver(image),
            "RootFS": {"Type": "layers", "Layers": list(config.diff_ids)},
            "Metadata": {"LastTagTime": ZERO_TIME},
        }
        if config.variant:
            out["Variant"] = config.variant
        return out

    def history(self, name: str) -> list[dict[str, Any]]:
        """``GET /images/{name}/history``: newest first; each entry that made a layer has
        its size; only the top one has the image's id and tags."""
        image = self.resolve(name)
        config = self.store.image_config(image)
        sizes = []
        for layer_id in image.layers:
            try:
                sizes.append(self.store.layer(layer_id).size)
            except LayerUnknown:
                sizes.append(0)
        entries: list[dict[str, Any]] = []
        layer = 0
        for h in config.history or []:
            size = 0
            if not h.empty_layer and layer < len(sizes):
                size, layer = sizes[layer], layer + 1
            entries.append({"Id": "<missing>", "Created": _epoch(h.created), "CreatedBy": h.created_by or "",
                            "Tags": None, "Size": size, "Comment": h.comment or ""})
        for size in sizes[layer:]:  # layers the history does not describe
            entries.append({"Id": "<missing>", "Created": _epoch(config.created), "CreatedBy": "",
                            "Tags": None, "Size": size, "Comment": ""})
        entries.reverse()
        if entries:
            entries[0]["Id"] = image.id
            entries[0]["Tags"] = image.tags or None
        return entries

    # -- changes ----------------------------------------------------------------------------

    def tag(self, name: str, repo: str | None, tag: str | None) -> str:
        """``POST /images/{name}/tag?repo=&tag=``; returns the new ``name:tag``."""
        if not repo:
            raise InvalidParameter("a repository name is needed", "repo", "POST /images/NAME/tag?repo=REPO&tag=TAG")
        ref = normalize_reference(repo)
        if ref.digest:
            raise InvalidParameter("cannot tag using a digest reference", "repo")
        target = normalize_reference(f"{ref.name}:{tag}").tagged if tag else ref.tagged
        assert target is not None
        image = self.resolve(name)
        self.store.tag(image, target)
        self._emit("tag", image.id, target)
        return target

    def remove(self, name: str, force: bool = False, prune: bool = True) -> list[dict[str, str]]:
        """``DELETE /images/{name}``: untag, then delete the image when no tag is left, as
        dockerd decides it. ``prune`` is accepted; our images have no parent chain to prune."""
        image = self.resolve(name)
        user = self._in_use(image.id)
        records: list[dict[str, str]] = []
        by_id = image.id.startswith(name) or image.id.startswith("sha256:" + name)
        if not by_id:
            ref = normalize_reference(name)
            if ref.tagged is not None and ref.tagged in image.tags:
                if not force and len(image.tags) == 1 and user:
                    raise ImageDeleteConflict(name, user, (
                        f'conflict: unable to remove repository reference "{name}" (must force) - '
                        f"container {_short(user)} is using its referenced image {image.short_id}"))
                self.store.untag(ref.tagged)
                records.append({"Untagged": ref.tagged})
                self._emit("untag", image.id, image.id)
                if len(image.tags) > 1:
                    return records
                image.tags = []
        elif not force and len({normalize_reference(t).name for t in image.tags}) > 1:
            raise ImageDeleteConflict(name, user or "", (
                f"conflict: unable to delete {image.short_id} (must be forced) - "
                "image is referenced in multiple repositories"))
        if user:
            if not force:
                raise ImageDeleteConflict(name, user, (
                    f"conflict: unable to delete {image.short_id} (must be forced) - "
                    f"image is being used by container {_short(user)}"))
            # Forced while a container runs on it: the references go, the image stays for
            # the container (as dockerd leaves it, untagged).
            for tag in image.tags:
                self.store.untag(tag)
                records.append({"Untagged": tag})
                self._emit("untag", image.id, image.id)
            return records
        return records + self._delete(image)

    def _delete(self, image: Image) -> list[dict[str, str]]:
        try:
            self.store.remove_image(image.id)
        except ImageUsedByContainer as e:
            raise ImageDeleteConflict(image.id, e.container, (
                f"conflict: unable to delete {image.short_id} (must be forced) - "
                f"image is being used by container {_short(e.container)}")) from None
        records = [{"Untagged": t} for t in image.tags]
        for _ in image.tags:
            self._emit("untag", image.id, image.id)
        records.append({"Deleted": image.id})
        self._emit("delete", image.id, image.id)
        present = {layer.id for layer in self.store.layers()}
        records += [{"Deleted": layer} for layer in reversed(image.layers) if layer not in present]
        return records

    def prune(self, filters: Filters | None = None) -> dict[str, Any]:
        """``POST /images/prune``: unused dangling images, or all unused with dangling=false."""
        flt = filters or Filters()
        flt.validate(PRUNE_FILTERS)
        dangling_only = flt.bool_value("dangling") is not False
        until = [parse_time(v, "until") for v in flt.values("until")]
        deleted: list[dict[str, str]] = []
        reclaimed = 0
        for image in self.store.images():
            if (dangling_only and image.tags) or self._in_use(image.id):
                continue
            config = self.store.image_config(image)
            if any(u is not None and _epoch(config.created) * 1_000_000_000 >= u for u in until):
                continue
            if not flt.match_labels(config.labels):
                continue
            sizes = {layer.id: layer.size for layer in self.store.layers()}
            records = self._delete(image)
            deleted += records
            reclaimed += sum(sizes.get(r["Deleted"], 0) for r in records if "Deleted" in r)
        return {"ImagesDeleted": deleted or None, "SpaceReclaimed": reclaimed}

    # -- pull (of what is already stored) ---------------------------------------------------

    @staticmethod
    def pull_reference(from_image: str, tag: str | None) -> Reference:
        """dockerd's reading of ``fromImage`` and ``tag`` (which may be a digest)."""
        if not from_image:
            raise InvalidParameter("fromImage is needed", "fromImage")
        ref = normalize_reference(from_image)
        if tag:
            joined = f"{ref.name}@{tag}" if tag.startswith("sha256:") else f"{ref.name}:{tag}"
            ref = normalize_reference(joined)
        return ref

    def pull_stored(self, ref: Reference) -> Iterator[dict[str, Any]]:
        """The progress of ``docker pull`` for an image already stored."""
        wanted = str(ref) if ref.digest else ref.tagged or str(ref)
        try:
            image = self.store.image(wanted)
        except ImageUnknown:
            raise PullAccessDenied(ref.name) from None
        yield {"status": f"Pulling from {_repo_path(ref)}", "id": ref.tag or ref.digest}
        yield {"status": f"Digest: {image.manifest_digest}"}
        yield {"status": f"Status: Image is up to date for {wanted}"}
        self._emit("pull", wanted, wanted)

    # -- disk usage -------------------------------------------------------------------------

    def disk_usage(self) -> tuple[list[dict[str, Any]], int]:
        """The images of ``/system/df`` (with containers per image and shared sizes) and
        the total size of all layers."""
        layers = {layer.id: layer.size for layer in self.store.layers()}
        images = self.store.images()
        users: dict[str, int] = {}
        for record in self.store.container_layers():
            if record.image_id:
                users[record.image_id] = users.get(record.image_id, 0) + 1
        owners: dict[str, int] = {}
        for image in images:
            for layer_id in image.layers:
                owners[layer_id] = owners.get(layer_id, 0) + 1
        out = []
        for image in images:
            shared = sum(layers.get(lid, 0) for lid in image.layers if owners[lid] > 1)
            out.append(self._summary(image, self.store.image_config(image),
                                     containers=users.get(image.id, 0), shared=shared))
        return out, sum(layers.values())
