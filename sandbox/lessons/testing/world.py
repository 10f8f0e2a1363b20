"""An in-memory Docker world for tests: containers, images, volumes, networks, events.

It hands out the same documents the Engine API does (``inspect`` shapes), so checks run
against it exactly as against a real engine. Everything is JSON-serialisable: the stub
``docker`` that verify scripts call (``stubcli``) loads and saves it through a file.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HOST_NS = {
    "pid": 4026531836,
    "net": 4026531840,
    "mnt": 4026531841,
    "uts": 4026531838,
    "ipc": 4026531839,
    "user": 4026531837,
    "cgroup": 4026531835,
}


def fake_id(*parts: object) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


@dataclass
class FakeContainer:
    id: str
    name: str
    image: str
    """As the learner named it (``Config.Image``)."""
    image_id: str
    cmd: list[str]
    status: str = "created"
    exit_code: int = 0
    oom_killed: bool = False
    paused: bool = False
    created: float = 0.0
    started_at: float = 0.0
    memory: int = 0
    nano_cpus: int = 0
    cpu_quota: int = 0
    pids_limit: int | None = None
    restart: str = "no"
    auto_remove: bool = False
    network_mode: str = "bridge"
    networks: list[str] = field(default_factory=lambda: ["bridge"])
    ports: dict[str, list[int]] = field(default_factory=dict)
    mounts: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    env: list[str] = field(default_factory=list)
    pid_mode: str = ""
    logs: str = ""
    files: dict[str, list[Any]] = field(default_factory=dict)
    """path -> [kind, mode, text]."""
    ns: dict[str, int] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.status in ("running", "paused")


@dataclass
class FakeImage:
    id: str
    tags: list[str]
    layers: list[str]
    history: list[str]
    """CreatedBy of each history entry, oldest first."""
    labels: dict[str, str] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=lambda: ["sh"])
    created: float = 0.0


@dataclass
class FakeWorld:
    containers: dict[str, FakeContainer] = field(default_factory=dict)
    images: dict[str, FakeImage] = field(default_factory=dict)
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    clock_offset: float = 0.0
    """Added to time.time(): tests move the world's clock without sleeping."""
    serial: int = 0
    subscribers: list[Any] = field(default_factory=list, repr=False, compare=False)
    """Queues of live event subscriptions (``FakeState.subscribe``); never serialised."""

    @classmethod
    def with_base_images(cls) -> FakeWorld:
        """What a fresh engine has after ``sandbox image bootstrap``: busybox and debian, and
        the three predefined networks."""
        world = cls()
        world.images[fake_id("busybox")] = FakeImage(
            "sha256:" + fake_id("busybox"),
            ["busybox:latest"],
            ["sha256:" + fake_id("busybox-layer")],
            ["/bin/sh -c #(nop) ADD file:busybox in / ", '/bin/sh -c #(nop)  CMD ["sh"]'],
        )
        world.images[fake_id("debian")] = FakeImage(
            "sha256:" + fake_id("debian"),
            ["debian:bookworm"],
            ["sha256:" + fake_id("debian-layer")],
            ["/bin/sh -c #(nop) ADD file:debian in / ", '/bin/sh -c #(nop)  CMD ["bash"]'],
            cmd=["bash"],
        )
        for name, driver in (("bridge", "bridge"), ("host", "host"), ("none", "null")):
            world.networks[name] = {
                "Name": name,
                "Id": fake_id("net", name),
                "Driver": driver,
                "Internal": False,
                "IPAM": {"Config": [{"Subnet": "172.17.0.0/16"}] if name == "bridge" else []},
                "Labels": {},
                "Containers": {},
            }
        return world

    # -- time and events -----------------------------------------------------------------

    def now(self) -> float:
        return time.time() + self.clock_offset

    def emit(self, kind: str, action: str, actor_id: str, **attrs: str) -> None:
        t = self.now()
        event = {
            "Type": kind,
            "Action": action,
            "Actor": {"ID": actor_id, "Attributes": attrs},
            "scope": "local",
            "time": int(t),
            "timeNano": int(t * 1e9),
        }
        self.events.append(event)
        for queue in self.subscribers:
            queue.put(event)

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    # -- lookups as the engine resolves them --------------------------------------------------

    def find_container(self, ref: str) -> FakeContainer | None:
        ref = ref.lstrip("/")
        for c in self.containers.values():
            if c.name == ref or c.id == ref:
                return c
        matches = [c for c in self.containers.values() if len(ref) >= 3 and c.id.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def find_image(self, ref: str) -> FakeImage | None:
        from sandbox.lessons.refs import normalize_ref

        wanted = normalize_ref(ref)
        for image in self.images.values():
            if wanted in (normalize_ref(t) for t in image.tags):
                return image
        bare = ref.removeprefix("sha256:")
        matches = [
            i
            for i in self.images.values()
            if len(bare) >= 4 and i.id.removeprefix("sha256:").startswith(bare)
        ]
        return matches[0] if len(matches) == 1 else None

    def find_network(self, ref: str) -> dict[str, Any] | None:
        for net in self.networks.values():
            if net["Name"] == ref or net["Id"] == ref or (len(ref) >= 6 and net["Id"].startswith(ref)):
                return net
        return None

    # -- documents, shaped like the Engine API's ----------------------------------------------

    def container_doc(self, c: FakeContainer) -> dict[str, Any]:
        def iso(t: float) -> str:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t else "0001-01-01T00:00:00Z"

        running = c.status in ("running", "paused")
        networks = {
            n: {"NetworkID": (self.find_network(n) or {}).get("Id", ""), "IPAddress": "172.17.0.2"}
            for n in c.networks
        }
        live_ports = {k: [{"HostIp": "0.0.0.0", "HostPort": str(p)} for p in v] for k, v in c.ports.items()}
        return {
            "Id": c.id,
            "Name": "/" + c.name,
            "Created": iso(c.created),
            "Path": c.cmd[0] if c.cmd else "",
            "Args": c.cmd[1:],
            "Image": c.image_id,
            "State": {
                "Status": c.status,
                "Running": running,
                "Paused": c.status == "paused",
                "Restarting": False,
                "OOMKilled": c.oom_killed,
                "Dead": False,
                "Pid": 4242 if running else 0,
                "ExitCode": c.exit_code,
                "StartedAt": iso(c.started_at),
                "FinishedAt": "0001-01-01T00:00:00Z",
            },
            "Config": {
                "Image": c.image,
                "Cmd": c.cmd,
                "Env": c.env,
                "Labels": c.labels,
                "Tty": False,
                "OpenStdin": False,
            },
            "HostConfig": {
                "Memory": c.memory,
                "NanoCpus": c.nano_cpus,
                "CpuQuota": c.cpu_quota,
                "CpuPeriod": 0,
                "PidsLimit": c.pids_limit,
                "RestartPolicy": {"Name": c.restart, "MaximumRetryCount": 0},
                "NetworkMode": c.network_mode,
                "AutoRemove": c.auto_remove,
                "PidMode": c.pid_mode,
                "PortBindings": {
                    k: [{"HostIp": "", "HostPort": str(p)} for p in v] for k, v in c.ports.items()
                },
            },
            "NetworkSettings": {"Networks": networks, "Ports": live_ports if running else {}},
            "Mounts": c.mounts,
        }

    def container_summary(self, c: FakeContainer) -> dict[str, Any]:
        return {
            "Id": c.id,
            "Names": ["/" + c.name],
            "Image": c.image,
            "ImageID": c.image_id,
            "Command": " ".join(c.cmd),
            "Created": int(c.created),
            "State": c.status,
            "Status": c.status,
            "Labels": c.labels,
        }

    def image_doc(self, image: FakeImage) -> dict[str, Any]:
        return {
            "Id": image.id,
            "RepoTags": image.tags,
            "Created": "2024-01-01T00:00:00Z",
            "Config": {"Labels": image.labels, "Cmd": image.cmd},
            "RootFS": {"Type": "layers", "Layers": image.layers},
        }

    def image_summary(self, image: FakeImage) -> dict[str, Any]:
        return {
            "Id": image.id,
            "RepoTags": image.tags,
            "Created": int(image.created),
            "Size": 4_000_000,
            "Labels": image.labels,
        }

    def history(self, image: FakeImage) -> list[dict[str, Any]]:
        return [
            {"Id": image.id if i == 0 else "<missing>", "CreatedBy": step, "Size": 0}
            for i, step in enumerate(reversed(image.history))
        ]

    def namespaces(self, c: FakeContainer) -> dict[str, Any]:
        return {
            "host": dict(HOST_NS),
            "container": dict(c.ns),
            "shared": sorted(k for k, v in c.ns.items() if HOST_NS.get(k) == v),
        }

    def cgroup(self, c: FakeContainer) -> dict[str, Any]:
        usage = 1 << 20
        stats = {
            "memory_usage": usage,
            "memory_peak": usage,
            "memory_limit": c.memory or None,
            "oom_kills": 1 if c.oom_killed else 0,
            "cpu_usage_ns": 1_000_000,
            "pids_current": 1 if c.running else 0,
            "pids_limit": c.pids_limit if c.pids_limit and c.pids_limit > 0 else None,
        }
        files = {
            "memory.max": str(c.memory) if c.memory else "max",
            "pids.max": str(c.pids_limit) if c.pids_limit and c.pids_limit > 0 else "max",
        }
        return {"mode": "v2", "files": files, "stats": stats, "frozen": c.status == "paused"}

    # -- persistence (for the stub CLI) ----------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "containers": {k: asdict(v) for k, v in self.containers.items()},
            "images": {k: asdict(v) for k, v in self.images.items()},
            "volumes": self.volumes,
            "networks": self.networks,
            "events": self.events,
            "clock_offset": self.clock_offset,
            "serial": self.serial,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> FakeWorld:
        return cls(
            {k: FakeContainer(**v) for k, v in doc["containers"].items()},
            {k: FakeImage(**v) for k, v in doc["images"].items()},
            doc["volumes"],
            doc["networks"],
            doc["events"],
            doc.get("clock_offset", 0.0),
            doc.get("serial", 0),
        )

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json()))

    @classmethod
    def load(cls, path: Path) -> FakeWorld:
        return cls.from_json(json.loads(path.read_text()))

    def replace_with(self, other: FakeWorld) -> None:
        """Take over another world's content in place (after the stub CLI changed it); live
        subscribers hear about the events that happened over there."""
        fresh = other.events[len(self.events) :]
        for f in ("containers", "images", "volumes", "networks", "events", "clock_offset", "serial"):
            setattr(self, f, getattr(other, f))
        for event in fresh:
            for queue in self.subscribers:
                queue.put(event)
