"""``docker commit``: a container's read-write layer becomes a new image layer on its image.

The container's changes (its overlay upper directory, whiteouts included) are exported as
an OCI layer tar and stacked on the image's layers; the config starts from the image's (or
the container's own Config, which holds what it was run with), then each ``--change``
instruction is applied with the same handlers a Dockerfile uses; one history entry records
the step. A container that changed nothing gives an image with no new layer, only the
history entry marked ``empty_layer``, as Docker does.

The engine owns container records; it passes what the commit needs (the container's Config,
its image) and pauses the container around the call if it runs.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from typing import Any

from sandbox.errors import DockerfileParseError, InvalidChange, StorageError
from sandbox.images.build.dockerfile import parse_line
from sandbox.images.build.lex import Lexer
from sandbox.images.build.meta import MetaContext, apply_meta
from sandbox.images.build.state import StageState, now_iso
from sandbox.storage import HistoryEntry, Image, ImageConfig, Store

ALLOWED_CHANGES = ("CMD", "ENTRYPOINT", "ENV", "EXPOSE", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME",
                   "WORKDIR")


def _with_container_config(config: ImageConfig, container: Mapping[str, Any]) -> None:
    """The container's Config (Docker's keys) replaces what a container can change."""
    if "Env" in container:
        config.env = list(container.get("Env") or [])
    if "Cmd" in container:
        config.cmd = list(container["Cmd"]) if container.get("Cmd") is not None else None
    if "Entrypoint" in container:
        config.entrypoint = list(container["Entrypoint"]) if container.get("Entrypoint") else None
    if "WorkingDir" in container:
        config.working_dir = container.get("WorkingDir") or ""
    if "User" in container:
        config.user = container.get("User") or ""
    if "ExposedPorts" in container:
        config.exposed_ports = sorted(container.get("ExposedPorts") or {})
    if "Volumes" in container:
        config.volumes = sorted(container.get("Volumes") or {})
    if "Labels" in container:
        config.labels = dict(container.get("Labels") or {})
    if container.get("StopSignal"):
        config.stop_signal = container["StopSignal"]


def apply_changes(state: StageState, changes: Sequence[str]) -> None:
    ctx = MetaContext(lexer=Lexer())
    for change in changes:
        try:
            instr = parse_line(change)
        except DockerfileParseError as e:
            raise InvalidChange(change, e.problem) from e
        if instr.keyword not in ALLOWED_CHANGES:
            raise InvalidChange(change, f"{instr.keyword} is not a valid change command")
        try:
            apply_meta(instr, state, ctx)
        except DockerfileParseError as e:
            raise InvalidChange(change, e.problem) from e


def _base(store: Store, container_id: str, base_image: Image | str | None) -> Image | None:
    record = store.container_layer(container_id)
    if base_image is None:
        return store.image(record.image_id) if record.image_id else None
    image = store.image(base_image) if isinstance(base_image, str) else base_image
    if image.top_layer != record.top_layer:
        raise StorageError(f"container {container_id} was not made from image {image.short_id}",
                           "commit it on the image it was created from")
    return image


def commit(store: Store, container_id: str, config_changes: Sequence[str] = (), author: str | None = None,
           message: str | None = None, tags: Sequence[str] = (), base_image: Image | str | None = None,
           container_config: Mapping[str, Any] | None = None) -> Image:
    """Make an image of the container's files; ``container_config`` is its Docker Config
    (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels), if known."""
    base = _base(store, container_id, base_image)
    if base is not None:
        state = StageState.from_image(base.id, base.layers, store.image_config(base))
    else:
        state = StageState.scratch()
    if container_config is not None:
        _with_container_config(state.config, container_config)
    apply_changes(state, config_changes)

    layer = None
    if store.diff_container(container_id):
        store.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=store.root, prefix=".commit-") as f:
            store.export_container_layer_tar(container_id, f)
            f.seek(0)
            layer = store.import_layer_tar(f, base.top_layer if base is not None else None)

    config = state.config
    created = now_iso()
    run_with = container_config or {}
    command = [*(run_with.get("Entrypoint") or []), *(run_with.get("Cmd") or [])]
    config.history = [*config.history, HistoryEntry(created=created, created_by=" ".join(command) or None,
                                                    author=author or None, comment=message or None,
                                                    empty_layer=layer is None)]
    config.created = created
    if author:
        config.author = author
    config.extra["container"] = container_id
    layers = [store.layer(x) for x in (base.layers if base is not None else [])]
    if layer is not None:
        layers.append(layer)
    return store.create_image(layers, config, list(tags))


__all__ = ["ALLOWED_CHANGES", "apply_changes", "commit"]
