"""``docker info``: our client's lines, then the engine's ``/info`` in docker's layout."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from sandbox import __version__
from sandbox.commands.gotemplate import Template
from sandbox.commands.render.units import bytes_size
from sandbox.errors import SandboxError

from ._args import DockerArgumentParser, require_args
from ._context import Context


def parser_info() -> DockerArgumentParser:
    p = DockerArgumentParser("info", "docker info [OPTIONS]", "Display system-wide information")
    p.add_argument("-f", "--format", default="", help="Format output using a custom template")
    return p


def _go(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def server_lines(info: Mapping[str, Any]) -> list[str]:
    """docker's server section, field by field, skipping what is empty the way it does."""
    lines: list[str] = []

    def line(label: str, value: Any) -> None:
        lines.append(f"{label} {_go(value)}")

    def non_empty(label: str, value: Any) -> None:
        if value not in (None, ""):
            line(label, value)

    line(" Containers:", info.get("Containers", 0))
    line("  Running:", info.get("ContainersRunning", 0))
    line("  Paused:", info.get("ContainersPaused", 0))
    line("  Stopped:", info.get("ContainersStopped", 0))
    line(" Images:", info.get("Images", 0))
    non_empty(" Server Version:", info.get("ServerVersion"))
    non_empty(" Storage Driver:", info.get("Driver"))
    for pair in info.get("DriverStatus") or []:
        lines.append(f"  {pair[0]}: {pair[1]}")
    for pair in info.get("SystemStatus") or []:
        lines.append(f" {pair[0]}: {pair[1]}")
    non_empty(" Logging Driver:", info.get("LoggingDriver"))
    non_empty(" Cgroup Driver:", info.get("CgroupDriver"))
    non_empty(" Cgroup Version:", info.get("CgroupVersion"))
    plugins = info.get("Plugins") or {}
    lines.append(" Plugins:")
    line("  Volume:", " ".join(plugins.get("Volume") or []))
    line("  Network:", " ".join(plugins.get("Network") or []))
    if plugins.get("Authorization"):
        line("  Authorization:", " ".join(plugins["Authorization"]))
    line("  Log:", " ".join(plugins.get("Log") or []))
    line(" Swarm:", (info.get("Swarm") or {}).get("LocalNodeState", ""))
    runtimes = info.get("Runtimes") or {}
    if runtimes:
        line(" Runtimes:", " ".join(runtimes))
        line(" Default Runtime:", info.get("DefaultRuntime", ""))
    if info.get("OSType") == "linux":
        line(" Init Binary:", info.get("InitBinary", ""))
        line(" containerd version:", (info.get("ContainerdCommit") or {}).get("ID", ""))
        line(" runc version:", (info.get("RuncCommit") or {}).get("ID", ""))
        line(" init version:", (info.get("InitCommit") or {}).get("ID", ""))
        options = info.get("SecurityOptions") or []
        if options:
            lines.append(" Security Options:")
            for option in options:
                fields = dict(part.split("=", 1) for part in option.split(",") if "=" in part)
                lines.append("  " + fields.get("name", option))
                if "profile" in fields:
                    lines.append(f"   Profile: {fields['profile']}")
    non_empty(" Kernel Version:", info.get("KernelVersion"))
    non_empty(" Operating System:", info.get("OperatingSystem"))
    non_empty(" OSType:", info.get("OSType"))
    non_empty(" Architecture:", info.get("Architecture"))
    line(" CPUs:", info.get("NCPU", 0))
    line(" Total Memory:", bytes_size(int(info.get("MemTotal") or 0)))
    non_empty(" Name:", info.get("Name"))
    non_empty(" ID:", info.get("ID"))
    line(" Docker Root Dir:", info.get("DockerRootDir", ""))
    line(" Debug Mode:", bool(info.get("Debug")))
    if info.get("Debug"):
        line("  File Descriptors:", info.get("NFd", 0))
        line("  Goroutines:", info.get("NGoroutines", 0))
        line("  System Time:", info.get("SystemTime", ""))
        line("  EventsListeners:", info.get("NEventsListener", 0))
    non_empty(" HTTP Proxy:", info.get("HttpProxy"))
    non_empty(" HTTPS Proxy:", info.get("HttpsProxy"))
    non_empty(" No Proxy:", info.get("NoProxy"))
    non_empty(" Username:", info.get("UserName"))
    if info.get("Labels"):
        lines.append(" Labels:")
        lines += ["  " + label for label in info["Labels"]]
    line(" Experimental:", bool(info.get("ExperimentalBuild")))
    registry = info.get("RegistryConfig") or {}
    cidrs = registry.get("InsecureRegistryCIDRs") or []
    indexes = registry.get("IndexConfigs") or {}
    if cidrs or indexes:
        lines.append(" Insecure Registries:")
        for config in indexes.values():
            if not config.get("Secure"):
                lines.append("  " + str(config.get("Name", "")))
        lines += ["  " + str(cidr) for cidr in cidrs]
    if registry.get("Mirrors"):
        lines.append(" Registry Mirrors:")
        lines += ["  " + m for m in registry["Mirrors"]]
    line(" Live Restore Enabled:", bool(info.get("LiveRestoreEnabled")))
    if info.get("ProductLicense"):
        line(" Product License:", info["ProductLicense"])
    pools = info.get("DefaultAddressPools") or []
    if pools:
        lines.append(" Default Address Pools:")
        lines += [f"   Base: {p.get('Base')}, Size: {p.get('Size')}" for p in pools]
    return lines


def run_info(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_info(), ns.args, 0, 0)
    if ns.format:
        info = ctx.client.info()
        fmt = "{{json .}}" if ns.format == "json" else ns.format
        ctx.out(Template.parse(fmt).execute(info))
        return 0
    ctx.out("Client:")
    ctx.out(f" Version:    {__version__} (sandbox)")
    ctx.out(" Context:    default")
    ctx.out(" Debug Mode: false")
    ctx.out()
    ctx.out("Server:")
    try:
        info = ctx.client.info()
    except SandboxError as err:
        ctx.err(f"ERROR: {err.render()}")
        ctx.err("errors pretty printing info")
        return 1
    for text in server_lines(info):
        ctx.out(text)
    ctx.out()
    for warning in info.get("Warnings") or []:
        ctx.err(warning)
    return 0
