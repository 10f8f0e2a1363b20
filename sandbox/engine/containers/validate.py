"""Type checks of request bodies, field by field, before anything is made.

dockerd decodes bodies into Go structs, so a field of the wrong JSON type is a 400 naming
it: ``json: cannot unmarshal string into Go struct field HostConfig.Memory of type int64``.
We give the same sentence. Unknown fields are ignored, as Go's decoder does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.errors import InvalidParameter

# kind -> (Go type for the message, check)
_KINDS: dict[str, tuple[str, Any]] = {
    "str": ("string", lambda v: isinstance(v, str)),
    "bool": ("bool", lambda v: isinstance(v, bool)),
    "int": ("int64", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "int?": ("int64", lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool))),
    "bool?": ("bool", lambda v: v is None or isinstance(v, bool)),
    "strs": ("[]string", lambda v: v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))),
    "strslice": ("strslice.StrSlice",
                 lambda v: v is None or isinstance(v, str)
                 or (isinstance(v, list) and all(isinstance(x, str) for x in v))),
    "obj": ("map[string]interface {}", lambda v: v is None or isinstance(v, dict)),
    "strmap": ("map[string]string",
               lambda v: v is None or (isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))),
    "list": ("[]interface {}", lambda v: v is None or isinstance(v, list)),
    "size": ("[2]uint", lambda v: v is None or (isinstance(v, list) and len(v) == 2 and all(
        isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in v))),
}

CONFIG: dict[str, str] = {
    "Hostname": "str", "Domainname": "str", "User": "str", "AttachStdin": "bool", "AttachStdout": "bool",
    "AttachStderr": "bool", "ExposedPorts": "obj", "Tty": "bool", "OpenStdin": "bool", "StdinOnce": "bool",
    "Env": "strs", "Cmd": "strslice", "Healthcheck": "obj", "ArgsEscaped": "bool", "Image": "str",
    "Volumes": "obj", "WorkingDir": "str", "Entrypoint": "strslice", "NetworkDisabled": "bool",
    "MacAddress": "str", "OnBuild": "strs", "Labels": "strmap", "StopSignal": "str", "StopTimeout": "int?",
    "Shell": "strs",
}

RESOURCES: dict[str, str] = {
    "CpuShares": "int", "Memory": "int", "NanoCpus": "int", "CgroupParent": "str", "BlkioWeight": "int",
    "BlkioWeightDevice": "list", "BlkioDeviceReadBps": "list", "BlkioDeviceWriteBps": "list",
    "BlkioDeviceReadIOps": "list", "BlkioDeviceWriteIOps": "list", "CpuPeriod": "int", "CpuQuota": "int",
    "CpuRealtimePeriod": "int", "CpuRealtimeRuntime": "int", "CpusetCpus": "str", "CpusetMems": "str",
    "Devices": "list", "DeviceCgroupRules": "strs", "DeviceRequests": "list", "KernelMemory": "int",
    "KernelMemoryTCP": "int", "MemoryReservation": "int", "MemorySwap": "int", "MemorySwappiness": "int?",
    "OomKillDisable": "bool?", "PidsLimit": "int?", "Ulimits": "list", "CpuCount": "int", "CpuPercent": "int",
    "IOMaximumIOps": "int", "IOMaximumBandwidth": "int",
}

HOST_CONFIG: dict[str, str] = {
    **RESOURCES,
    "Binds": "strs", "ContainerIDFile": "str", "LogConfig": "obj", "NetworkMode": "str",
    "PortBindings": "obj",
    "RestartPolicy": "obj", "AutoRemove": "bool", "VolumeDriver": "str", "VolumesFrom": "strs",
    "ConsoleSize": "size", "Annotations": "strmap", "CapAdd": "strs", "CapDrop": "strs",
    "CgroupnsMode": "str",
    "Dns": "strs", "DnsOptions": "strs", "DnsSearch": "strs", "ExtraHosts": "strs", "GroupAdd": "strs",
    "IpcMode": "str", "Cgroup": "str", "Links": "strs", "OomScoreAdj": "int", "PidMode": "str",
    "Privileged": "bool", "PublishAllPorts": "bool", "ReadonlyRootfs": "bool", "SecurityOpt": "strs",
    "StorageOpt": "strmap", "Tmpfs": "strmap", "UTSMode": "str", "UsernsMode": "str", "ShmSize": "int",
    "Sysctls": "strmap", "Runtime": "str", "Isolation": "str", "Mounts": "list", "MaskedPaths": "strs",
    "ReadonlyPaths": "strs", "Init": "bool?",
}

RESTART_POLICY: dict[str, str] = {"Name": "str", "MaximumRetryCount": "int"}

EXEC: dict[str, str] = {
    "AttachStdin": "bool", "AttachStdout": "bool", "AttachStderr": "bool", "DetachKeys": "str", "Tty": "bool",
    "ConsoleSize": "size", "Env": "strs", "Cmd": "strs", "Privileged": "bool", "User": "str",
    "WorkingDir": "str", "Detach": "bool",
}

UPDATE: dict[str, str] = {**RESOURCES, "RestartPolicy": "obj"}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def check_fields(obj: Any, schema: Mapping[str, str], where: str) -> dict[str, Any]:
    """``obj`` must be an object (or null: empty) whose known fields have the right types."""
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise InvalidParameter(f"json: cannot unmarshal {_json_kind(obj)} into Go value of type {where}",
                               where)
    for key, kind in schema.items():
        if key not in obj:
            continue
        go_type, ok = _KINDS[kind]
        value = obj[key]
        if not ok(value):
            raise InvalidParameter(
                f"json: cannot unmarshal {_json_kind(value)} into Go struct field {where}.{key} "
                f"of type {go_type}",
                f"{where}.{key}")
    return obj


def check_create_body(body: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The create body -> (Config, HostConfig, NetworkingConfig) with types checked."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidParameter(f"json: cannot unmarshal {_json_kind(body)} into Go value of type "
                               "container.CreateRequest", "body")
    config = {k: v for k, v in body.items() if k not in ("HostConfig", "NetworkingConfig")}
    check_fields(config, CONFIG, "Config")
    host = dict(check_fields(body.get("HostConfig"), HOST_CONFIG, "HostConfig"))
    check_fields(host.get("RestartPolicy"), RESTART_POLICY, "HostConfig.RestartPolicy")
    net = check_fields(body.get("NetworkingConfig"), {"EndpointsConfig": "obj"}, "NetworkingConfig")
    return config, host, dict(net)


def strslice(value: str | list[str] | None) -> list[str] | None:
    """Docker's StrSlice: a JSON string means a one-element list."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)
