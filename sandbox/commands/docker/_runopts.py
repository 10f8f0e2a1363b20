"""``docker run``/``create`` flags and the create body they become.

The body has the shape the docker CLI sends (Config fields, ``HostConfig``,
``NetworkingConfig``), so the engine sees the same request from either client.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sandbox.commands.render.units import ram_in_bytes
from sandbox.errors import UsageError

from ._args import DockerArgumentParser, flag_type
from ._kvfile import read_kv_file

RESTART_POLICIES = ("no", "always", "unless-stopped", "on-failure")


def add_container_flags(p: DockerArgumentParser) -> None:
    a = p.add_argument
    a("-a", "--attach", action="append", default=[], help="Attach to STDIN, STDOUT or STDERR")
    a("--add-host", action="append", default=[], help="Add a custom host-to-IP mapping (host:ip)")
    a("--cap-add", action="append", default=[], help="Add Linux capabilities")
    a("--cap-drop", action="append", default=[], help="Drop Linux capabilities")
    a("--cidfile", default="", help="Write the container ID to the file")
    a("-c", "--cpu-shares", type=int, default=0, help="CPU shares (relative weight)")
    a("--cpu-period", type=int, default=0, help="Limit CPU CFS (Completely Fair Scheduler) period")
    a("--cpu-quota", type=int, default=0, help="Limit CPU CFS (Completely Fair Scheduler) quota")
    a("--cpus", type=CPUS, default=0, help="Number of CPUs")
    a("--cpuset-cpus", default="", help="CPUs in which to allow execution (0-3, 0,1)")
    a("--dns", action="append", default=[], help="Set custom DNS servers")
    a("--domainname", default="", help="Container NIS domain name")
    a("--entrypoint", default=None, help="Overwrite the default ENTRYPOINT of the image")
    a("-e", "--env", action="append", default=[], help="Set environment variables")
    a("--env-file", action="append", default=[], help="Read in a file of environment variables")
    a("--expose", action="append", default=[], help="Expose a port or a range of ports")
    a("--group-add", action="append", default=[], help="Add additional groups to join")
    a("-h", "--hostname", default="", help="Container host name")
    a("--init", action="store_true", help="Run an init inside the container that forwards signals and reaps processes")
    a("-i", "--interactive", action="store_true", help="Keep STDIN open even if not attached")
    a("--ipc", default="", help="IPC mode to use")
    a("-l", "--label", action="append", default=[], help="Set meta data on a container")
    a("--label-file", action="append", default=[], help="Read in a line delimited file of labels")
    a("--log-driver", default="", help="Logging driver for the container")
    a("--log-opt", action="append", default=[], help="Log driver options")
    a("-m", "--memory", type=MEMORY, default=0, help="Memory limit")
    a("--memory-reservation", type=MEMORY_RESERVATION, default=0, help="Memory soft limit")
    a("--memory-swap", type=MEMORY_SWAP, default=0,
      help="Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    a("--mount", action="append", default=[], help="Attach a filesystem mount to the container")
    a("--name", default="", help="Assign a name to the container")
    a("--network", "--net", default="", help="Connect a container to a network")
    a("--network-alias", action="append", default=[], help="Add network-scoped alias for the container")
    a("--oom-kill-disable", action="store_true", help="Disable OOM Killer")
    a("--pid", default="", help="PID namespace to use")
    a("--pids-limit", type=int, default=0, help="Tune container pids limit (set -1 for unlimited)")
    a("--platform", default="", help="Set platform if server is multi-platform capable")
    a("--privileged", action="store_true", help="Give extended privileges to this container")
    a("-p", "--publish", action="append", default=[], help="Publish a container's port(s) to the host")
    a("-P", "--publish-all", action="store_true", help="Publish all exposed ports to random ports")
    a("--pull", default="missing", help='Pull image before running ("always", "missing", "never")')
    a("-q", "--quiet", action="store_true", help="Suppress the pull output")
    a("--read-only", action="store_true", help="Mount the container's root filesystem as read only")
    a("--restart", default="", help="Restart policy to apply when a container exits")
    a("--rm", action="store_true", help="Automatically remove the container and its associated anonymous volumes when it exits")
    a("--security-opt", action="append", default=[], help="Security Options")
    a("--shm-size", type=SHM_SIZE, default=0, help="Size of /dev/shm")
    a("--stop-signal", default="", help="Signal to stop the container")
    a("--stop-timeout", type=int, default=None, help="Timeout (in seconds) to stop a container")
    a("--tmpfs", action="append", default=[], help="Mount a tmpfs directory")
    a("-t", "--tty", action="store_true", help="Allocate a pseudo-TTY")
    a("-u", "--user", default="", help="Username or UID (format: <name|uid>[:<group|gid>])")
    a("--uts", default="", help="UTS namespace to use")
    a("-v", "--volume", action="append", default=[], help="Bind mount a volume")
    a("--volumes-from", action="append", default=[], help="Mount volumes from the specified container(s)")
    a("-w", "--workdir", default="", help="Working directory inside the container")


# -- single values (parsed while the flags are read, as pflag does) --------------------------

class _Invalid(ValueError):
    pass


def _bytes(flag: str, allow_unlimited: bool = False):  # type: ignore[no-untyped-def]
    def convert(text: str) -> int:
        if allow_unlimited and text == "-1":
            return -1
        try:
            return ram_in_bytes(text)
        except ValueError as err:
            raise _Invalid(f'invalid argument "{text}" for "{flag}" flag: {err}') from None
    return flag_type(convert, "bytes")


def nano_cpus(text: str) -> int:
    """``--cpus 1.5`` → 1500000000, as docker's NanoCPUs parses it (exact decimal)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _Invalid(f'invalid argument "{text}" for "--cpus" flag: failed to parse {text} as a '
                       "rational number") from None
    nanos = value * Decimal(10**9)
    if nanos != nanos.to_integral_value():
        raise _Invalid(f'invalid argument "{text}" for "--cpus" flag: value is too precise')
    return int(nanos)


MEMORY = _bytes("-m, --memory")
MEMORY_RESERVATION = _bytes("--memory-reservation")
MEMORY_SWAP = _bytes("--memory-swap", allow_unlimited=True)
SHM_SIZE = _bytes("--shm-size")
CPUS = flag_type(nano_cpus, "decimal")


def restart_policy(command: str, text: str) -> dict[str, Any]:
    if not text:
        return {"Name": "no", "MaximumRetryCount": 0}
    name, _, count = text.partition(":")
    if name not in RESTART_POLICIES:
        raise UsageError(command, f"invalid restart policy {text!r}: use no, always, unless-stopped or "
                                  "on-failure[:max-retries]", exit_code=125)
    retries = 0
    if count:
        if name != "on-failure":
            raise UsageError(command, f"invalid restart policy {text!r}: maximum retry count can only be used "
                                      "with 'on-failure'")
        if not count.isdigit():
            raise UsageError(command, f"invalid restart policy {text!r}: maximum retry count must be an integer")
        retries = int(count)
    return {"Name": name, "MaximumRetryCount": retries}


def env_list(values: list[str], files: list[str], environ: Mapping[str, str], cwd: Path | None = None,
             command: str = "run") -> list[str]:
    """The ``--env-file`` entries (files relative to ``cwd``), then ``-e K=V`` as given;
    ``-e K`` takes K from our environment (kept bare if unset)."""
    out: list[str] = []
    for path in files:
        out += read_kv_file(command, _local(cwd, path), path, environ.get)
    out += [_env_entry(v, environ) for v in values]
    return out


def _local(cwd: Path | None, path: str) -> Path:
    return Path(os.path.normpath(os.path.join(Path.cwd() if cwd is None else cwd, path)))


def label_list(values: list[str], files: list[str], cwd: Path | None = None, command: str = "run") -> list[str]:
    """``--label-file`` entries first, so a ``-l`` given on the line overrides them."""
    out: list[str] = []
    for path in files:
        out += read_kv_file(command, _local(cwd, path), path)
    return out + values


def _env_entry(value: str, environ: Mapping[str, str]) -> str:
    if "=" in value:
        if value.startswith("="):
            raise UsageError("run", f"invalid environment variable: {value}")
        return value
    return f"{value}={environ[value]}" if value in environ else value


def labels(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, _, val = value.partition("=")
        out[key] = val
    return out


# -- ports ----------------------------------------------------------------------------------

_PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


def _port_range(command: str, text: str, what: str) -> list[int]:
    m = _PORT_RANGE.match(text)
    if not m:
        raise UsageError(command, f"invalid {what} port: {text}")
    first = int(m.group(1))
    last = int(m.group(2) or first)
    if not (0 < first <= last <= 65535) and not (what == "host" and first == 0):
        raise UsageError(command, f"invalid {what} port: {text}")
    return list(range(first, last + 1))


def parse_publish(command: str, specs: list[str], expose: list[str]) -> tuple[dict[str, dict], dict[str, list]]:
    """``-p [ip:][host:]container[/proto]`` → (ExposedPorts, PortBindings)."""
    exposed: dict[str, dict] = {}
    bindings: dict[str, list[dict[str, str]]] = {}
    for spec in specs:
        rest, _, proto = spec.partition("/")
        proto = proto or "tcp"
        if proto not in ("tcp", "udp", "sctp"):
            raise UsageError(command, f"invalid proto: {proto}")
        ip = ""
        if rest.startswith("["):
            end = rest.find("]")
            ip, rest = rest[1:end], rest[end + 2:]
        parts = rest.split(":")
        if len(parts) == 3:
            ip, host, container = parts
        elif len(parts) == 2:
            host, container = parts
        elif len(parts) == 1:
            host, container = "", parts[0]
        else:
            raise UsageError(command, f"invalid port format for --publish: {spec}")
        container_ports = _port_range(command, container, "container")
        host_ports = _port_range(command, host, "host") if host else []
        if host_ports and len(host_ports) != len(container_ports) and len(host_ports) != 1:
            raise UsageError(command, f"invalid ranges specified for container and host Ports: {container} and {host}")
        for i, port in enumerate(container_ports):
            key = f"{port}/{proto}"
            exposed[key] = {}
            if not host_ports:
                hport = ""
            elif len(host_ports) == 1 and len(container_ports) > 1:
                hport = str(host_ports[0])
            else:
                hport = str(host_ports[i])
            bindings.setdefault(key, []).append({"HostIp": ip, "HostPort": hport})
    for spec in expose:
        port, _, proto = spec.partition("/")
        for number in _port_range(command, port, "container"):
            exposed[f"{number}/{proto or 'tcp'}"] = {}
    return exposed, bindings


# -- volumes and mounts ---------------------------------------------------------------------

def _host_source(cwd: Path | None, source: str) -> str:
    """docker 23+ makes a source that starts with ``.`` (``.``, ``./data``, ``../x``,
    ``.cache``) absolute against the working directory; any other relative name is a
    volume's."""
    return str(_local(cwd, source)) if source.startswith(".") else source


def parse_volumes(command: str, specs: list[str], cwd: Path | None = None) -> tuple[list[str], dict[str, dict]]:
    """``-v src:dst[:opts]`` → Binds; ``-v /dst`` → an anonymous volume in Config.Volumes."""
    binds: list[str] = []
    anonymous: dict[str, dict] = {}
    for spec in specs:
        parts = spec.split(":")
        if not spec or len(parts) > 3 or any(not part for part in parts):
            raise UsageError(command, f"invalid volume specification: '{spec}'")
        if len(parts) == 1:
            if not parts[0].startswith("/"):
                raise UsageError(command, f"invalid volume specification: '{spec}': "
                                          "the container path must be absolute")
            anonymous[parts[0]] = {}
        else:
            if not parts[1].startswith("/"):
                raise UsageError(command, f"invalid volume specification: '{spec}': "
                                          "the container path must be absolute")
            binds.append(":".join([_host_source(cwd, parts[0]), *parts[1:]]))
    return binds, anonymous


_MOUNT_KEYS = {"source": "Source", "src": "Source", "target": "Target", "destination": "Target",
               "dst": "Target", "type": "Type"}


def parse_mounts(command: str, specs: list[str], cwd: Path | None = None) -> list[dict[str, Any]]:
    """``--mount type=bind,source=/a,target=/b,readonly``."""
    mounts: list[dict[str, Any]] = []
    for spec in specs:
        mount: dict[str, Any] = {"Type": "volume"}
        for field in spec.split(","):
            key, sep, value = field.partition("=")
            key = key.strip().lower()
            if key in _MOUNT_KEYS:
                mount[_MOUNT_KEYS[key]] = _host_source(cwd, value) if _MOUNT_KEYS[key] == "Source" else value
            elif key in ("readonly", "ro"):
                mount["ReadOnly"] = (not sep) or value.lower() in ("1", "true")
            elif key == "bind-propagation":
                mount.setdefault("BindOptions", {})["Propagation"] = value
            elif key == "volume-nocopy":
                mount.setdefault("VolumeOptions", {})["NoCopy"] = (not sep) or value.lower() in ("1", "true")
            elif key == "tmpfs-size":
                try:
                    mount.setdefault("TmpfsOptions", {})["SizeBytes"] = ram_in_bytes(value)
                except ValueError as err:
                    raise UsageError(command, f"invalid argument \"{spec}\" for \"--mount\" flag: {err}") from None
            elif key == "tmpfs-mode":
                mount.setdefault("TmpfsOptions", {})["Mode"] = int(value, 8)
            else:
                raise UsageError(command, f"invalid argument \"{spec}\" for \"--mount\" flag: "
                                          f"unexpected key '{key}' in '{field}'")
        if mount["Type"] not in ("bind", "volume", "tmpfs"):
            raise UsageError(command, f"invalid argument \"{spec}\" for \"--mount\" flag: "
                                      f"invalid type {mount['Type']!r}")
        if not mount.get("Target"):
            raise UsageError(command, f"invalid argument \"{spec}\" for \"--mount\" flag: target is required")
        mounts.append(mount)
    return mounts


def parse_tmpfs(specs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in specs:
        path, _, options = spec.partition(":")
        out[path] = options
    return out


# -- the body -------------------------------------------------------------------------------

def create_body(command: str, ns: argparse.Namespace, image: str, cmd: list[str], *,
                detach: bool, environ: Mapping[str, str] | None = None,
                console: tuple[int, int] | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """The ``POST /containers/create`` body for these flags; local paths (``--env-file``,
    ``--label-file``, ``./`` bind sources) are relative to ``cwd``, the process's if None."""
    environ = os.environ if environ is None else environ
    streams = {s.lower() for s in ns.attach}
    for s in streams:
        if s not in ("stdin", "stdout", "stderr"):
            raise UsageError(command, f"invalid argument \"{s}\" for \"-a, --attach\" flag: valid streams are "
                                      "STDIN, STDOUT and STDERR")
    if detach and streams:
        raise UsageError(command, "conflicting options: cannot specify both --attach and --detach")
    if ns.rm and ns.restart and ns.restart != "no":
        raise UsageError(command, "conflicting options: cannot specify both --restart and --rm")
    attach_stdin = "stdin" in streams or ns.interactive
    attach_stdout = "stdout" in streams or not streams
    attach_stderr = "stderr" in streams or not streams
    if detach:
        attach_stdin = attach_stdout = attach_stderr = False
    exposed, bindings = parse_publish(command, ns.publish, ns.expose)
    binds, anonymous = parse_volumes(command, ns.volume, cwd)
    entrypoint: list[str] | None = None
    if ns.entrypoint is not None:
        entrypoint = [ns.entrypoint]
    network = ns.network or "default"
    host_config: dict[str, Any] = {
        "Binds": binds or None,
        "ContainerIDFile": ns.cidfile,
        "LogConfig": {"Type": ns.log_driver, "Config": labels(ns.log_opt)},
        "NetworkMode": network,
        "PortBindings": bindings,
        "RestartPolicy": restart_policy(command, ns.restart),
        "AutoRemove": ns.rm,
        "VolumesFrom": ns.volumes_from or None,
        "ConsoleSize": list(console) if console else [0, 0],
        "CapAdd": ns.cap_add or None,
        "CapDrop": ns.cap_drop or None,
        "Dns": ns.dns,
        "ExtraHosts": ns.add_host or None,
        "GroupAdd": ns.group_add or None,
        "IpcMode": ns.ipc,
        "PidMode": ns.pid,
        "Privileged": ns.privileged,
        "PublishAllPorts": ns.publish_all,
        "ReadonlyRootfs": ns.read_only,
        "SecurityOpt": ns.security_opt or None,
        "UTSMode": ns.uts,
        "ShmSize": ns.shm_size,
        "CpuShares": ns.cpu_shares,
        "Memory": ns.memory,
        "NanoCpus": ns.cpus,
        "CpuPeriod": ns.cpu_period,
        "CpuQuota": ns.cpu_quota,
        "CpusetCpus": ns.cpuset_cpus,
        "MemoryReservation": ns.memory_reservation,
        "MemorySwap": ns.memory_swap,
        "OomKillDisable": ns.oom_kill_disable,
        "PidsLimit": ns.pids_limit or None,
        "Mounts": parse_mounts(command, ns.mount, cwd) or None,
        "Tmpfs": parse_tmpfs(ns.tmpfs) or None,
        "Init": True if ns.init else None,
    }
    body: dict[str, Any] = {
        "Hostname": ns.hostname,
        "Domainname": ns.domainname,
        "User": ns.user,
        "AttachStdin": attach_stdin,
        "AttachStdout": attach_stdout,
        "AttachStderr": attach_stderr,
        "ExposedPorts": exposed or None,
        "Tty": ns.tty,
        "OpenStdin": ns.interactive,
        "StdinOnce": ns.interactive and not detach,
        "Env": env_list(ns.env, ns.env_file, environ, cwd, command),
        "Cmd": cmd or None,
        "Image": image,
        "Volumes": anonymous,
        "WorkingDir": ns.workdir,
        "Entrypoint": entrypoint,
        "Labels": labels(label_list(ns.label, ns.label_file, cwd, command)),
        "StopSignal": ns.stop_signal or None,
        "StopTimeout": ns.stop_timeout,
        "HostConfig": {k: v for k, v in host_config.items() if v is not None or k == "Binds"},
        "NetworkingConfig": {"EndpointsConfig": {network: {"Aliases": ns.network_alias or None}}},
    }
    return {k: v for k, v in body.items() if v is not None or k in ("Cmd", "Entrypoint")}
