"""The JSON shapes of ``GET /containers/{id}/json`` (inspect) and ``GET /containers/json``
(ps), built from a record. Clients depend on every key being there: ``docker logs``
panics without ``Config``, templates index ``NetworkSettings.Networks``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from sandbox.engine.containers.record import Record
from sandbox.engine.containers.timefmt import human_duration, rfc3339nano

if TYPE_CHECKING:
    from sandbox.storage import RootfsLayout


def _endpoint() -> dict[str, Any]:
    return {"IPAMConfig": None, "Links": None, "Aliases": None, "MacAddress": "", "DriverOpts": None,
            "NetworkID": "", "EndpointID": "", "Gateway": "", "IPAddress": "", "IPPrefixLen": 0,
            "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "DNSNames": None}


def networks(rec: Record) -> dict[str, Any]:
    """One entry named after the network mode. Both modes give only a loopback interface
    for now, so every address is empty; the network part of the engine fills these in."""
    return {rec.host_config.get("NetworkMode") or "bridge": _endpoint()}


def network_settings(rec: Record) -> dict[str, Any]:
    pid = rec.state.pid if rec.state.live else 0
    return {"Bridge": "", "SandboxID": "", "SandboxKey": f"/proc/{pid}/ns/net" if pid else "",
            "Ports": {}, "HairpinMode": False, "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
            "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None, "EndpointID": "", "Gateway": "",
            "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "", "IPPrefixLen": 0,
            "IPv6Gateway": "", "MacAddress": "", "Networks": networks(rec)}


def state(rec: Record) -> dict[str, Any]:
    s = rec.state
    return {"Status": s.status_word(), "Running": s.running, "Paused": s.paused, "Restarting": s.restarting,
            "OOMKilled": s.oom_killed, "Dead": s.dead, "Pid": s.pid, "ExitCode": s.exit_code,
            "Error": s.error,
            "StartedAt": rfc3339nano(s.started_at), "FinishedAt": rfc3339nano(s.finished_at)}


def graph_driver(rec: Record, layout: RootfsLayout | None) -> dict[str, Any]:
    if layout is None:
        return {"Data": None, "Name": rec.driver}
    if layout.kind == "overlay":
        data = {"LowerDir": ":".join(str(p) for p in layout.lowerdirs), "UpperDir": str(layout.upperdir),
                "WorkDir": str(layout.workdir), "MergedDir": str(layout.path)}
    else:
        data = {"RootDir": str(layout.path)}
    return {"Data": data, "Name": rec.driver}


def inspect(rec: Record, layout: RootfsLayout | None, exec_ids: list[str],
            sizes: tuple[int, int] | None = None, net: dict[str, Any] | None = None,
            mounts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``net`` and ``mounts`` come from the network and volume parts when the engine has
    them (``NetworkSettings`` and ``Mounts``); the loopback-only defaults otherwise."""
    out: dict[str, Any] = {
        "Id": rec.id, "Created": rfc3339nano(rec.created), "Path": rec.path, "Args": list(rec.args),
        "State": state(rec), "Image": rec.image_id, "ResolvConfPath": rec.resolv_conf_path,
        "HostnamePath": rec.hostname_path, "HostsPath": rec.hosts_path, "LogPath": rec.log_path,
        "Name": rec.name, "RestartCount": rec.restart_count, "Driver": rec.driver, "Platform": "linux",
        "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "", "ExecIDs": exec_ids or None,
        "HostConfig": copy.deepcopy(rec.host_config), "GraphDriver": graph_driver(rec, layout),
        "Mounts": mounts or [], "Config": copy.deepcopy(rec.config),
        "NetworkSettings": net if net is not None else network_settings(rec),
    }
    if sizes is not None:
        out["SizeRw"], out["SizeRootFs"] = sizes
    return out


def command(rec: Record) -> str:
    """``docker ps``'s COMMAND: the path and the arguments, those with spaces single-quoted."""
    if not rec.args:
        return rec.path
    args = [f"'{a}'" if " " in a else a for a in rec.args]
    return f"{rec.path} {' '.join(args)}"


def status_text(rec: Record, now: float) -> str:
    """moby's ``State.String``: "Up 3 seconds", "Exited (0) 5 seconds ago", "Created"."""
    s = rec.state
    if s.running:
        if s.paused:
            return f"Up {human_duration(now - s.started_at)} (Paused)"
        if s.restarting:
            return f"Restarting ({s.exit_code}) {human_duration(now - s.finished_at)} ago"
        return f"Up {human_duration(now - s.started_at)}"
    if s.removing:
        return "Removal In Progress"
    if s.dead:
        return "Dead"
    if not s.started_at:
        return "Created"
    if not s.finished_at:
        return ""
    return f"Exited ({s.exit_code}) {human_duration(now - s.finished_at)} ago"


def summary(rec: Record, image_name: str, now: float, sizes: tuple[int, int] | None = None,
            net: tuple[dict[str, Any], list[dict[str, Any]]] | None = None,
            mounts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``net`` is (``Networks``, ``Ports``) from the network part when the engine has one."""
    out: dict[str, Any] = {
        "Id": rec.id, "Names": [rec.name], "Image": image_name, "ImageID": rec.image_id,
        "Command": command(rec), "Created": int(rec.created), "Ports": net[1] if net else [],
        "Labels": dict(rec.config.get("Labels") or {}), "State": rec.state.status_word(),
        "Status": status_text(rec, now),
        "HostConfig": {"NetworkMode": rec.host_config.get("NetworkMode", "bridge")},
        "NetworkSettings": {"Networks": net[0] if net else networks(rec)}, "Mounts": mounts or [],
    }
    if sizes is not None:
        out["SizeRw"], out["SizeRootFs"] = sizes
    return out
