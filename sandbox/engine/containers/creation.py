"""``POST /containers/create``: check the request, reserve the name, make the read-write
layer and the engine's files, and record the container. Nothing runs yet."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers import lifecycle, networking, translate
from sandbox.engine.containers import volumes as cvolumes
from sandbox.engine.containers.names import check_name, generate_name, new_id
from sandbox.engine.containers.record import Record
from sandbox.engine.containers.registry import Container
from sandbox.engine.containers.validate import check_create_body
from sandbox.errors import (
    AmbiguousImage,
    ImageUnknown,
    InvalidParameter,
    InvalidReference,
    NoSuchImage,
    SandboxError,
)

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.storage import Image


def _image(eng: Engine, ref: str) -> Image:
    from sandbox.storage import normalize_reference

    if not ref:
        raise InvalidParameter("config cannot be empty in order to create a container", "Image",
                               "name the image, e.g. busybox")
    try:
        return eng.store.image(ref)
    except ImageUnknown:
        try:
            shown = str(normalize_reference(ref))
        except InvalidReference:
            shown = ref
        raise NoSuchImage(shown) from None
    except (InvalidReference, AmbiguousImage):
        raise


def create(eng: Engine, body: Any, name: str | None = None) -> dict[str, Any]:
    config, host_user, networking_config = check_create_body(body)
    host, warnings = translate.host_config(host_user, volumes=eng.volumes is not None,
                                           networks=eng.networks is not None)
    if host.get("UTSMode") == "host" and config.get("Hostname"):
        raise InvalidParameter("conflicting options: hostname and the UTS mode", "Hostname",
                               "leave out --hostname: with --uts host the container has the host's")
    image = _image(eng, config.get("Image") or "")
    image_config = eng.store.image_config(image).to_dict().get("config") or {}
    networking_config = networking.check_create(eng, host, config, networking_config)
    cid = new_id(eng.registry.id_taken)
    api_name = check_name(name) if name else generate_name(eng.registry.name_taken)
    eng.registry.reserve(api_name, cid)
    made_layer = made_files = False
    mounts: list[Any] = []
    try:
        merged = translate.merge_config(config, image_config, cid)
        networking.adjust_config(eng, host, merged, bool(config.get("Hostname")))
        if host.get("UTSMode") == "host":
            merged["Hostname"] = socket.gethostname()  # what `hostname` says inside, too
        path, args = translate.command_of(merged)
        layout = eng.store.create_container_layer(cid, image)
        made_layer = True
        made_files = True  # from here on, undo removes whatever part of them was made
        paths = networking.files(eng, cid, host, eng.files.make(cid, merged["Hostname"]))
        mounts = cvolumes.plan(eng, host, merged, image_config)
        cvolumes.copy_up(eng, cid, image, mounts)
        rec = Record(id=cid, name=api_name, created=eng.clock(), path=path, args=args, config=merged,
                     host_config=host, image_id=image.id, driver=eng.store.driver_name,
                     log_path=str(eng.files.log_path(cid)), hostname_path=paths["hostname"],
                     hosts_path=paths["hosts"], resolv_conf_path=paths["resolv.conf"],
                     networking_config=networking_config, mounts=cvolumes.records(mounts))
        c = Container(rec)
        lifecycle.check_spec(eng, c, image, layout)  # refuse now what start would refuse (unknown user …)
        eng.save(c, durable=True)
        eng.registry.add(c)
    except BaseException:
        eng.registry.release(api_name, cid)
        _quietly(cvolumes.discard_new, eng, mounts)
        if made_files:
            _quietly(eng.files.remove, cid)
            _quietly(networking.release, eng, cid)
        if made_layer:
            _quietly(eng.store.remove_container_layer, cid)
        raise
    eng.event(c, "create")
    return {"Id": cid, "Warnings": warnings}


def _quietly(undo: Any, *args: Any) -> None:
    """Undo a half-made container; the original error is the one the caller must see."""
    try:
        undo(*args)
    except (SandboxError, OSError):
        pass
