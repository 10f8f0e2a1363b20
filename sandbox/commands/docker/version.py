"""``docker version``: this client, then the engine's ``/version`` in docker's layout."""

from __future__ import annotations

import argparse
import platform
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sandbox import __version__
from sandbox.client import API_VERSION
from sandbox.commands.gotemplate import Template
from sandbox.commands.render.gotime import parse_rfc3339_nano
from sandbox.commands.render.tabwriter import TabWriter
from sandbox.errors import SandboxError

from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_version() -> DockerArgumentParser:
    p = DockerArgumentParser("version", "docker version [OPTIONS]", "Show the Docker version information")
    p.add_argument("-f", "--format", default="", help="Format output using a custom template")
    return p


def ansic(build_time: str) -> str:
    """RFC 3339 build times become ``Thu May  7 21:09:36 2026`` (Go's time.ANSIC)."""
    nanos = parse_rfc3339_nano(build_time)
    if nanos is None:
        return build_time
    from datetime import timezone

    moment = datetime.fromtimestamp(nanos // 1_000_000_000, timezone.utc)
    return moment.strftime("%a %b ") + f"{moment.day:>2}" + moment.strftime(" %H:%M:%S %Y")


def _arch() -> str:
    machine = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def client_lines(api_version: str) -> list[str]:
    downgraded = f" (downgraded from {API_VERSION})" if api_version != API_VERSION else ""
    return ["Client:",
            f" Version:\t{__version__} (sandbox)",
            f" API version:\t{api_version}{downgraded}",
            f" Python version:\t{platform.python_version()}",
            f" OS/Arch:\tlinux/{_arch()}",
            " Context:\tdefault"]


def server_lines(version: Mapping[str, Any]) -> list[str]:
    platform_name = (version.get("Platform") or {}).get("Name", "")
    lines = ["Server:" + (f" {platform_name}" if platform_name else "")]
    components = list(version.get("Components") or [])
    if not any(c.get("Name") == "Engine" for c in components):
        components.append({"Name": "Engine", "Version": version.get("Version", ""), "Details": {
            "ApiVersion": version.get("ApiVersion", ""), "MinAPIVersion": version.get("MinAPIVersion", ""),
            "GitCommit": version.get("GitCommit", ""), "GoVersion": version.get("GoVersion", ""),
            "Os": version.get("Os", ""), "Arch": version.get("Arch", ""),
            "BuildTime": version.get("BuildTime", ""),
            "Experimental": "true" if version.get("Experimental") else "false"}})
    for component in components:
        details = component.get("Details") or {}
        lines.append(f" {component.get('Name', '')}:")
        if component.get("Name") == "Engine":
            lines += [f"  Version:\t{component.get('Version', '')}",
                      f"  API version:\t{details.get('ApiVersion', '')} (minimum version {details.get('MinAPIVersion', '')})",
                      f"  Go version:\t{details.get('GoVersion', '')}",
                      f"  Git commit:\t{details.get('GitCommit', '')}",
                      f"  Built:\t{ansic(str(details.get('BuildTime', '')))}",
                      f"  OS/Arch:\t{details.get('Os', '')}/{details.get('Arch', '')}",
                      f"  Experimental:\t{details.get('Experimental', '')}"]
        else:
            lines.append(f"  Version:\t{component.get('Version', '')}")
            lines += [f"  {key}:\t{details[key]}" for key in sorted(details)]
    return lines


def run_version(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_version(), ns.args, 0, 0)
    client = ctx.client
    if ns.format:
        data: dict[str, Any] = {"Client": {"Version": __version__, "ApiVersion": API_VERSION}}
        try:
            data["Server"] = client.version()
            data["Client"]["ApiVersion"] = client.api_version
        except SandboxError as err:
            ctx.err(err.render())
        fmt = "{{json .}}" if ns.format == "json" else ns.format
        ctx.out(Template.parse(fmt).execute(data))
        return 0
    try:
        version = client.version()
        lines = client_lines(client.api_version) + [""] + server_lines(version)
        failure = None
    except SandboxError as err:
        lines = client_lines(API_VERSION)
        failure = err
    ctx.stdout.write(TabWriter(minwidth=20, padding=1).format("\n".join(lines) + "\n"))
    if failure is not None:
        ctx.err(failure.render())
        return 1
    return 0
