"""``docker inspect`` (and ``container inspect``/``image inspect``): the engine's JSON,
indented as docker prints it, or one ``-f`` template line per object."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from sandbox.commands.gotemplate import GoNil, GoStruct, Omitted, Template
from sandbox.commands.render import gojson
from sandbox.errors import EngineError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._http_paths import quote_name

# Go prints a nil slice as [] and a nil map as map[] — not <nil> — when docker renders its
# typed structs; JSON only says null, so these names carry the type back.
SLICE_FIELDS = frozenset({
    "Args", "Binds", "BlkioDeviceReadBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteBps",
    "BlkioDeviceWriteIOps", "BlkioWeightDevice", "CapAdd", "CapDrop", "Cmd", "ConsoleSize", "DeviceCgroupRules",
    "DeviceRequests", "Devices", "Dns", "DnsOptions", "DnsSearch", "Entrypoint", "Env", "ExtraHosts", "GroupAdd",
    "Links", "MaskedPaths", "Mounts", "OnBuild", "ReadonlyPaths", "RepoDigests", "RepoTags", "SecurityOpt",
    "Shell", "Ulimits", "VolumesFrom", "Aliases", "DNSNames", "Layers",
})
MAP_FIELDS = frozenset({
    "Labels", "Volumes", "ExposedPorts", "PortBindings", "Ports", "Networks", "Tmpfs", "StorageOpt", "Sysctls",
    "Options", "DriverOpts", "Annotations", "Data",
})


# Fields docker's structs have but the JSON leaves out when empty (omitempty), by the key of
# the object holding them, with the zero value Go prints for each.
OPTIONAL: dict[str, dict[str, str]] = {
    "": {"Node": "<nil>", "SizeRw": "<nil>", "SizeRootFs": "<nil>"},
    "State": {"Health": "<nil>"},
    "Config": {"Healthcheck": "<nil>", "ArgsEscaped": "false", "NetworkDisabled": "false", "MacAddress": "",
               "StopSignal": "", "StopTimeout": "<nil>", "Shell": "[]"},
}


def go_view(value: Any, key: str = "") -> Any:
    """The JSON as docker's typed structs would show it to a template: objects print as
    structs (``{…}``) except the map fields, nil slices as ``[]``, nil maps as ``map[]``,
    and fields the JSON omitted as their zero values."""
    if value is None:
        if key in SLICE_FIELDS:
            return GoNil("[]")
        if key in MAP_FIELDS:
            return GoNil("map[]")
        return None
    if isinstance(value, dict):
        if key in MAP_FIELDS:
            return {k: go_view(v) for k, v in value.items()}
        view = GoStruct((k, go_view(v, k)) for k, v in value.items())
        for field, zero in OPTIONAL.get(key, {}).items():
            view.setdefault(field, Omitted(zero))
        return view
    if isinstance(value, list):
        return [go_view(v) for v in value]
    return value


def _add_flags(p: DockerArgumentParser, with_type: bool) -> DockerArgumentParser:
    p.add_argument("-f", "--format", default="", help="Format output using a custom template")
    p.add_argument("-s", "--size", action="store_true", help="Display total file sizes if the type is container")
    if with_type:
        p.add_argument("--type", default="", help="Only inspect objects of the given type")
    return p


def parser_inspect() -> DockerArgumentParser:
    return _add_flags(DockerArgumentParser("inspect", "docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
                                           "Return low-level information on Docker objects"), True)


def parser_container_inspect() -> DockerArgumentParser:
    return _add_flags(DockerArgumentParser("container inspect", "docker container inspect [OPTIONS] CONTAINER [CONTAINER...]",
                                           "Display detailed information on one or more containers"), False)


def parser_image_inspect() -> DockerArgumentParser:
    p = DockerArgumentParser("image inspect", "docker image inspect [OPTIONS] IMAGE [IMAGE...]",
                             "Display detailed information on one or more images")
    p.add_argument("-f", "--format", default="", help="Format output using a custom template")
    return p


def run_inspect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_inspect(), ns.args, 1)
    kind = ns.type or ""
    if kind not in ("", "container", "image", "network", "volume"):
        ctx.err(f'"{kind}" is not a valid value for --type')
        return 1
    return _inspect(ctx, ns.args, ns.format, kind, size=ns.size)


def run_container_inspect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_container_inspect(), ns.args, 1)
    return _inspect(ctx, ns.args, ns.format, "container", size=ns.size)


def run_image_inspect(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_image_inspect(), ns.args, 1)
    return _inspect(ctx, ns.args, ns.format, "image")


def _getters(ctx: Context, size: bool) -> dict[str, Callable[[str], Any]]:
    client = ctx.client
    return {
        "container": lambda n: client.containers.inspect(n, size=size),
        "image": client.images.inspect,
        "network": lambda n: client.call_json("GET", f"/networks/{quote_name(n)}"),
        "volume": lambda n: client.call_json("GET", f"/volumes/{quote_name(n)}"),
    }


def _inspect(ctx: Context, names: list[str], fmt: str, kind: str, size: bool = False) -> int:
    getters = _getters(ctx, size)
    order = [kind] if kind else ["container", "image", "network", "volume"]
    found: list[Any] = []
    errors: list[str] = []
    for name in names:
        for candidate in order:
            try:
                found.append(getters[candidate](name))
                break
            except EngineError as err:
                # With --type the engine's own message is shown; without, docker tries
                # each kind in turn and only says that nothing matched.
                if kind or err.status not in (404, 400):
                    errors.append(f"Error response from daemon: {err.message}")
                    break
        else:
            errors.append(f"Error: No such object: {name}")
    if fmt:
        template = Template.parse("{{json .}}" if fmt == "json" else fmt)
        for element in found:
            ctx.out(template.execute(go_view(element), missingkey="error"))
    else:
        ctx.out(gojson.encode(found, indent="    "))
    for line in errors:
        ctx.err(line)
    return 1 if errors else 0
