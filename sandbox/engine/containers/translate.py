"""From a create request to what the runtime needs, as dockerd translates it.

- ``merge_config``: the image's config fills what the request left out (moby's ``merge``):
  Env by key, Cmd and Entrypoint together, WorkingDir, User, Labels, ExposedPorts, Volumes.
- ``host_config``: the request's HostConfig checked against what this engine can do, with
  dockerd's defaults filled in (inspect echoes it).
- ``run_options``: a record -> specgen's RunOptions (limits, user, tty, the /etc files).
- ``resources``: HostConfig limits -> the runtime's Resources (for create and update).
"""

from __future__ import annotations

import copy
import os
from typing import Any

from sandbox.engine.containers.validate import strslice
from sandbox.engine.specgen import BindMount, RunOptions
from sandbox.errors import InvalidParameter
from sandbox.runtime.resources import Resources

MIN_MEMORY = 6 * 1024 * 1024
NETWORK_MODES = ("bridge", "none")
"""What works without the network manager: both mean a private network namespace with only lo."""

DEFAULT_HOST_CONFIG: dict[str, Any] = {
    "Binds": None, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
    "NetworkMode": "bridge", "PortBindings": {}, "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
    "AutoRemove": False, "VolumeDriver": "", "VolumesFrom": None, "ConsoleSize": [0, 0], "CapAdd": None,
    "CapDrop": None, "CgroupnsMode": "private", "Dns": [], "DnsOptions": [], "DnsSearch": [],
    "ExtraHosts": None, "GroupAdd": None, "IpcMode": "private", "Cgroup": "", "Links": None,
    "OomScoreAdj": 0, "PidMode": "", "Privileged": False, "PublishAllPorts": False, "ReadonlyRootfs": False,
    "SecurityOpt": None, "UTSMode": "", "UsernsMode": "", "ShmSize": 67108864, "Runtime": "runc",
    "Isolation": "", "CpuShares": 0, "Memory": 0, "NanoCpus": 0, "CgroupParent": "", "BlkioWeight": 0,
    "BlkioWeightDevice": [], "BlkioDeviceReadBps": [], "BlkioDeviceWriteBps": [], "BlkioDeviceReadIOps": [],
    "BlkioDeviceWriteIOps": [], "CpuPeriod": 0, "CpuQuota": 0, "CpuRealtimePeriod": 0,
    "CpuRealtimeRuntime": 0, "CpusetCpus": "", "CpusetMems": "", "Devices": [], "DeviceCgroupRules": None,
    "DeviceRequests": None, "MemoryReservation": 0, "MemorySwap": 0, "MemorySwappiness": None,
    "OomKillDisable": None, "PidsLimit": None, "Ulimits": [], "CpuCount": 0, "CpuPercent": 0,
    "IOMaximumIOps": 0, "IOMaximumBandwidth": 0, "MaskedPaths": None, "ReadonlyPaths": None,
}

_RESTART_NAMES = ("no", "always", "unless-stopped", "on-failure")
RESOURCES_UPDATABLE = ("Memory", "MemorySwap", "MemoryReservation", "CpuShares", "CpuPeriod", "CpuQuota",
                       "NanoCpus", "PidsLimit", "CpusetCpus", "CpusetMems", "BlkioWeight")


def _env_key(item: str) -> str:
    return item.partition("=")[0]


def merge_env(image_env: list[str], user_env: list[str]) -> list[str]:
    """The image's Env with the request's replacing the same keys, appended otherwise."""
    out = list(image_env)
    for item in user_env:
        key = _env_key(item)
        for i, old in enumerate(out):
            if _env_key(old) == key:
                out[i] = item
                break
        else:
            out.append(item)
    return out


def merge_config(user: dict[str, Any], image: dict[str, Any], container_id: str) -> dict[str, Any]:
    """The container's Config: the request's, completed from the image's config."""
    cfg = copy.deepcopy(user)
    cmd = strslice(cfg.get("Cmd"))
    entry = strslice(cfg.get("Entrypoint"))
    if entry == [""]:
        entry = []  # `--entrypoint ""`: no entrypoint, and not the image's either
    if not entry:
        if not cmd:
            cmd = list(image.get("Cmd") or []) or None
        if entry is None:
            entry = list(image.get("Entrypoint") or []) or None
    cfg["Cmd"] = cmd
    cfg["Entrypoint"] = entry or None
    cfg["Env"] = merge_env(list(image.get("Env") or []), list(cfg.get("Env") or []))
    for key in ("User", "WorkingDir", "StopSignal"):
        if not cfg.get(key) and image.get(key):
            cfg[key] = image[key]
    labels = dict(image.get("Labels") or {})
    labels.update(cfg.get("Labels") or {})
    cfg["Labels"] = labels
    for key in ("ExposedPorts", "Volumes"):
        merged = dict(image.get(key) or {})
        merged.update(cfg.get(key) or {})
        cfg[key] = merged or None
    if not cfg.get("Hostname"):
        cfg["Hostname"] = container_id[:12]
    defaults = {"Domainname": "", "User": "", "AttachStdin": False, "AttachStdout": False,
                "AttachStderr": False, "Tty": False, "OpenStdin": False, "StdinOnce": False,
                "Image": "", "WorkingDir": "", "OnBuild": None}
    for key, value in defaults.items():
        cfg.setdefault(key, value)
    return cfg


def command_of(cfg: dict[str, Any]) -> tuple[str, list[str]]:
    """(Path, Args) as inspect shows them: the first word of Entrypoint + Cmd, and the rest."""
    words = list(cfg.get("Entrypoint") or []) + list(cfg.get("Cmd") or [])
    if not words:
        raise InvalidParameter("No command specified", "Cmd",
                               "give one after the image name, or set CMD in the image")
    return words[0], words[1:]


def restart_policy(host: dict[str, Any]) -> dict[str, Any]:
    policy = dict(host.get("RestartPolicy") or {})
    name = policy.get("Name") or "no"
    count = policy.get("MaximumRetryCount") or 0
    if name not in _RESTART_NAMES:
        raise InvalidParameter(f"invalid restart policy: unknown policy '{name}'; use one of 'no', 'always', "
                               "'on-failure', or 'unless-stopped'", "HostConfig.RestartPolicy.Name")
    if count < 0:
        raise InvalidParameter("invalid restart policy: maximum retry count cannot be negative",
                               "HostConfig.RestartPolicy.MaximumRetryCount")
    if count and name != "on-failure":
        raise InvalidParameter("invalid restart policy: maximum retry count can only be used with "
                               "'on-failure'",
                               "HostConfig.RestartPolicy.MaximumRetryCount")
    return {"Name": name, "MaximumRetryCount": count}


def check_resources(r: dict[str, Any], current: dict[str, Any] | None = None) -> None:
    """dockerd's limit checks and words (``docker run -m 1k`` -> 400)."""
    merged = dict(current or {})
    merged.update({k: v for k, v in r.items() if v is not None})
    mem = merged.get("Memory") or 0
    swap = merged.get("MemorySwap") or 0
    if mem < 0:
        raise InvalidParameter("invalid memory limit: it must not be negative", "HostConfig.Memory")
    if 0 < mem < MIN_MEMORY:
        raise InvalidParameter("Minimum memory limit allowed is 6MB", "HostConfig.Memory",
                               "give at least -m 6m: a container needs room for its own init")
    if swap > 0 and not mem:
        raise InvalidParameter("You should always set the Memory limit when using Memoryswap limit, "
                               "see usage",
                               "HostConfig.MemorySwap")
    if swap > 0 and swap < mem:
        raise InvalidParameter("Minimum memoryswap limit should be larger than memory limit, see usage",
                               "HostConfig.MemorySwap")
    nano = r.get("NanoCpus") or 0
    if nano:
        if r.get("CpuPeriod"):
            raise InvalidParameter("Conflicting options: Nano CPUs and CPU Period cannot both be set",
                                   "HostConfig.NanoCpus")
        if r.get("CpuQuota"):
            raise InvalidParameter("Conflicting options: Nano CPUs and CPU Quota cannot both be set",
                                   "HostConfig.NanoCpus")
        ncpu = os.cpu_count() or 1
        if nano < 0 or nano > ncpu * 10**9 or nano < 10**7:
            raise InvalidParameter(f"Range of CPUs is from 0.01 to {ncpu}.00, as there are only {ncpu} CPUs "
                                   "available", "HostConfig.NanoCpus")
    quota = merged.get("CpuQuota") or 0
    if quota and quota != -1 and quota < 1000:
        raise InvalidParameter("CPU cfs quota can not be less than 1ms (i.e. 1000)", "HostConfig.CpuQuota")
    period = merged.get("CpuPeriod") or 0
    if period and not 1000 <= period <= 1_000_000:
        raise InvalidParameter("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s "
                               "(i.e. 1000000)", "HostConfig.CpuPeriod")
    shares = merged.get("CpuShares") or 0
    if shares < 0:
        raise InvalidParameter("invalid CPU shares: it must not be negative", "HostConfig.CpuShares")


def _not_yet(what: str, value: object, field: str, hint: str) -> InvalidParameter:
    return InvalidParameter(f"{what} {value!r} is not supported yet", field, hint)


def network_mode(host: dict[str, Any], networks: bool) -> str:
    """The checked ``NetworkMode``. Without the network manager only bridge and none work
    (both a loopback interface only); with it also host, ``container:X`` and user networks
    (whose names the networking part checks against the manager)."""
    mode = host.get("NetworkMode") or "bridge"
    if mode == "default":
        mode = "bridge"
    if not networks and mode not in NETWORK_MODES:
        raise InvalidParameter(f'network mode "{mode}" is not supported yet: use bridge or none '
                               "(both give the container only a loopback interface for now)",
                               "HostConfig.NetworkMode")
    if mode.startswith("container:") and not mode.partition(":")[2]:
        raise InvalidParameter("invalid network mode: container: needs a container's name or id",
                               "HostConfig.NetworkMode", "use --network container:NAME")
    return mode


def pid_mode(host: dict[str, Any]) -> str:
    """The checked ``PidMode``: "" (a pid namespace of its own), ``host`` or ``container:X``."""
    mode = host.get("PidMode") or ""
    if mode == "private":
        mode = ""
    kind, sep, ref = mode.partition(":")
    if mode in ("", "host") or (kind == "container" and sep and ref):
        return mode
    raise InvalidParameter(f"invalid --pid: {mode}", "HostConfig.PidMode",
                           "use --pid host or --pid container:NAME, or leave it out")


def joined_pid_container(host: dict[str, Any]) -> str | None:
    """The container whose pid namespace ``--pid container:X`` joins, else None."""
    kind, _, ref = (host.get("PidMode") or "").partition(":")
    return ref if kind == "container" and ref else None


def _warnings(host: dict[str, Any], volumes: bool, networks: bool) -> list[str]:
    """What is stored but not honoured, said the way dockerd's create warnings are."""
    unsupported = [("Devices", "devices"), ("Links", "links")]
    if not volumes:
        unsupported += [("Binds", "volumes"), ("Mounts", "mounts"), ("Tmpfs", "tmpfs mounts"),
                        ("VolumesFrom", "--volumes-from")]
    if not networks:
        unsupported.append(("PortBindings", "published ports"))
    order = ("Binds", "Mounts", "Tmpfs", "VolumesFrom", "PortBindings", "Links", "Devices")
    whats = dict(unsupported)
    warnings = [f"{whats[k]} ({k}) are not supported yet and were ignored"
                for k in order if k in whats and host.get(k)]
    mode = host["NetworkMode"]
    if networks and (mode == "host" or mode.startswith("container:")) and \
            (host.get("PortBindings") or host.get("PublishAllPorts")):
        warnings.append(f"Published ports are discarded when using {mode.partition(':')[0]} network mode")
    return warnings


def host_config(user: dict[str, Any], *, volumes: bool = False,
                networks: bool = False) -> tuple[dict[str, Any], list[str]]:
    """(HostConfig with defaults, warnings). Refuses what cannot be honoured. ``volumes`` and
    ``networks`` say whether the engine has those services (else their fields only warn)."""
    host = copy.deepcopy(DEFAULT_HOST_CONFIG)
    host.update({k: copy.deepcopy(v) for k, v in user.items()})
    host["NetworkMode"] = network_mode(host, networks)
    host["PidMode"] = pid_mode(host)
    for field_name, allowed in (("IpcMode", ("", "private", "shareable", "host")),
                                ("UTSMode", ("", "private", "host")), ("UsernsMode", ("", "private")),
                                ("CgroupnsMode", ("", "private"))):
        if host.get(field_name) not in allowed:
            raise _not_yet(field_name, host.get(field_name), f"HostConfig.{field_name}",
                           f"use one of: {', '.join(repr(a) for a in allowed if a)}, or leave it out")
    host["IpcMode"] = host.get("IpcMode") or "private"
    host["CgroupnsMode"] = host.get("CgroupnsMode") or "private"
    host["RestartPolicy"] = restart_policy(host)
    if host.get("AutoRemove") and host["RestartPolicy"]["Name"] != "no":
        raise InvalidParameter("conflicting options: cannot specify both --restart and --rm",
                               "HostConfig.AutoRemove")
    log_type = (host.get("LogConfig") or {}).get("Type") or "json-file"
    if log_type != "json-file":
        raise InvalidParameter(f"logging driver {log_type!r} is not supported: only json-file",
                               "HostConfig.LogConfig.Type")
    log_options = (host.get("LogConfig") or {}).get("Config") or {}
    host["LogConfig"] = {"Type": "json-file", "Config": dict(log_options)}
    check_resources(host)
    warnings = _warnings(host, volumes, networks)
    if host.get("ConsoleSize") is None:
        host["ConsoleSize"] = [0, 0]
    return host, warnings


def resources(host: dict[str, Any]) -> Resources:
    """HostConfig limits -> Resources; 0 means "no limit" as in dockerd."""
    nano = host.get("NanoCpus") or 0
    quota = host.get("CpuQuota") or None
    period = host.get("CpuPeriod") or None
    if nano:
        period = 100_000
        quota = nano * period // 10**9
    swap = host.get("MemorySwap") or None
    pids = host.get("PidsLimit")
    return Resources(memory_limit=host.get("Memory") or None, memory_swap=swap or None,
                     cpu_quota=quota if quota and quota > 0 else None, cpu_period=period,
                     cpu_shares=host.get("CpuShares") or None,
                     pids_limit=pids if pids is not None and pids > 0 else None)


def run_options(cfg: dict[str, Any], host: dict[str, Any], files: dict[str, str],
                passwd: str | None, group: str | None, cgroups_path: str | None = None, *,
                extra_mounts: list[dict[str, Any]] | None = None, netns: str | None = None,
                host_network: bool = False, pidns: str | None = None) -> RunOptions:
    """specgen's options for a container whose Config is already merged with its image's.
    ``extra_mounts`` are OCI mount entries (volumes); ``netns`` a network namespace to join
    and ``host_network`` none at all (see ``networking.namespace``); ``pidns`` the pid
    namespace of ``--pid container:X`` (``--pid host`` is read from ``host``)."""
    r = resources(host)
    size = host.get("ConsoleSize") or [0, 0]
    mounts = [BindMount("/etc/hostname", files["hostname"]), BindMount("/etc/hosts", files["hosts"]),
              BindMount("/etc/resolv.conf", files["resolv.conf"])]
    entry = list(cfg.get("Entrypoint") or [])
    return RunOptions(
        args=list(cfg.get("Cmd") or []), entrypoint=entry, env=[], hostname=cfg.get("Hostname") or "",
        tty=bool(cfg.get("Tty")), workdir=cfg.get("WorkingDir") or None, user=cfg.get("User") or None,
        memory=r.memory_limit, memory_swap=r.memory_swap, cpu_quota=r.cpu_quota, cpu_period=r.cpu_period,
        cpu_shares=r.cpu_shares, pids_limit=r.pids_limit, readonly_rootfs=bool(host.get("ReadonlyRootfs")),
        console_size=(size[0], size[1]) if size and size[0] and size[1] else None,
        cap_add=list(host.get("CapAdd") or []), cap_drop=list(host.get("CapDrop") or []),
        privileged=bool(host.get("Privileged")), mounts=mounts, cgroups_path=cgroups_path,
        passwd=passwd, group=group, extra_mounts=list(extra_mounts or []), netns=netns,
        host_network=host_network, pidns=pidns, host_pid=host.get("PidMode") == "host",
        host_ipc=host.get("IpcMode") == "host", host_uts=host.get("UTSMode") == "host")


def spec_image_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """What specgen reads as "the image config": the container's merged Env (and nothing it
    would take over again, since Cmd and Entrypoint come through RunOptions)."""
    return {"Env": list(cfg.get("Env") or [])}
