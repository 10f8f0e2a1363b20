"""``/_ping``, ``/version``, ``/info``, ``/system/df``."""

from __future__ import annotations

import os
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox import __version__
from sandbox.config import Settings
from sandbox.engine.api import sysinfo
from sandbox.engine.events import EventBus
from sandbox.engine.http import Request, Response, Router
from sandbox.engine.images_service import ImageService

ListContainers = Callable[[], "list[dict[str, Any]]"]
"""Every container as ``GET /containers/json?all=1`` shows it (``State`` is read)."""
ListVolumeUsage = Callable[[], "list[dict[str, Any]]"]
"""Every volume as ``GET /volumes`` shows it, plus ``UsageData`` (``Size``, ``RefCount``)."""

PING_HEADERS = [("Builder-Version", "1"), ("Swarm", "inactive"),
                ("Cache-Control", "no-cache, no-store, must-revalidate"), ("Pragma", "no-cache")]


@dataclass
class System:
    settings: Settings
    images: ImageService
    events: EventBus
    list_containers: ListContainers
    volume_usage: ListVolumeUsage | None = None
    """None: an engine without volumes (``/system/df`` lists none)."""

    def info(self) -> dict[str, Any]:
        """``GET /info``: real counts and host facts, in dockerd's field names."""
        states = [c.get("State", "") for c in self.list_containers()]
        running, paused = states.count("running"), states.count("paused")
        release = sysinfo.os_release()
        store = self.images.store
        return {
            "ID": sysinfo.engine_id(self.settings.root), "Containers": len(states),
            "ContainersRunning": running, "ContainersPaused": paused,
            "ContainersStopped": len(states) - running - paused, "Images": self.images.count(),
            "Driver": store.driver_name, "DriverStatus": [["Root Dir", str(store.root)]],
            "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "none"], "Authorization": None,
                        "Log": ["json-file"]},
            "MemoryLimit": True, "SwapLimit": False, "CpuCfsPeriod": True, "CpuCfsQuota": True,
            "CPUShares": True, "CPUSet": True, "PidsLimit": True, "IPv4Forwarding": True,
            "Debug": False, "NFd": sysinfo.open_fds(), "OomKillDisable": False,
            "NGoroutines": threading.active_count(),
            "SystemTime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time_ns() % 10**9:09d}Z",
            "LoggingDriver": "json-file", "CgroupDriver": "cgroupfs", "CgroupVersion": sysinfo.cgroup_version(),
            "NEventsListener": self.events.listeners, "KernelVersion": sysinfo.kernel_version(),
            "OperatingSystem": release.get("PRETTY_NAME", "Linux"), "OSVersion": release.get("VERSION_ID", ""),
            "OSType": "linux", "Architecture": platform.machine(), "NCPU": os.cpu_count() or 1,
            "MemTotal": sysinfo.mem_total(), "DockerRootDir": str(self.settings.root),
            "HttpProxy": "", "HttpsProxy": "", "NoProxy": "", "Name": sysinfo.hostname(), "Labels": [],
            "ExperimentalBuild": False, "ServerVersion": __version__,
            "RegistryConfig": {"InsecureRegistryCIDRs": ["127.0.0.0/8"], "IndexConfigs": {}, "Mirrors": []},
            "Runtimes": {"sandbox": {"path": "sandbox runtime"}}, "DefaultRuntime": "sandbox",
            "Swarm": {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", "ControlAvailable": False,
                      "Error": "", "RemoteManagers": None},
            "LiveRestoreEnabled": False, "Isolation": "", "InitBinary": "",
            "ContainerdCommit": {"ID": ""}, "RuncCommit": {"ID": ""}, "InitCommit": {"ID": ""},
            "SecurityOptions": ["name=seccomp,profile=builtin", "name=cgroupns"], "Warnings": None,
        }

    def disk_usage(self) -> dict[str, Any]:
        """``GET /system/df``."""
        images, layers_size = self.images.disk_usage()
        return {"LayersSize": layers_size, "Images": images, "Containers": self.list_containers(),
                "Volumes": self.volume_usage() if self.volume_usage is not None else [], "BuildCache": []}


def register(router: Router, system: System) -> None:
    @router.get("/_ping")
    async def ping(req: Request) -> Response:
        return Response(200, b"OK", "text/plain; charset=utf-8", list(PING_HEADERS))

    @router.head("/_ping")
    async def ping_head(req: Request) -> Response:
        return Response(200, b"", "text/plain; charset=utf-8", list(PING_HEADERS))

    @router.get("/version")
    def version(req: Request) -> dict[str, Any]:
        return sysinfo.version_doc()

    @router.get("/info")
    def info(req: Request) -> dict[str, Any]:
        return system.info()

    @router.get("/system/df")
    def disk_usage(req: Request) -> dict[str, Any]:
        return system.disk_usage()
