"""``docker port``: where the container's ports are published on the host."""

from __future__ import annotations

import argparse
import re

from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_port() -> DockerArgumentParser:
    return DockerArgumentParser("port", "docker port CONTAINER [PRIVATE_PORT[/PROTO]]",
                                "List port mappings or a specific mapping for the container")


def _natural(text: str) -> list[object]:
    # "9" sorts before "10", as docker's sortorder.NaturalLess does.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _host_port(binding: dict) -> str:
    ip = str(binding.get("HostIp") or "")
    port = str(binding.get("HostPort") or "")
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def run_port(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_port(), ns.args, 1, 2)
    container = ns.args[0]
    info = ctx.client.containers.inspect(container)
    ports = ((info.get("NetworkSettings") or {}).get("Ports") or {})
    out: list[str] = []
    if len(ns.args) > 1:
        wanted = ns.args[1]
        number, _, proto = wanted.partition("/")
        if not number.isdigit() or int(number) > 65535:
            ctx.err(f"Error: invalid port ({number}): strconv.ParseUint: parsing \"{number}\": invalid syntax")
            return 1
        bindings = ports.get(f"{number}/{proto or 'tcp'}") or []
        if not bindings:
            ctx.err(f"Error: No public port '{wanted}' published for {container}")
            return 1
        out = [_host_port(b) for b in bindings]
    else:
        for private, bindings in ports.items():
            out += [f"{private} -> {_host_port(b)}" for b in bindings or []]
    if out:
        ctx.out("\n".join(sorted(out, key=_natural)))
    return 0
