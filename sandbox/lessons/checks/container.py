"""``container``: a container exists (or not), its state, image, limits, mounts, network, ports.

Every field reads ``GET /containers/{name}/json`` — the same document ``docker inspect``
prints — so a learner can look up by hand what the check looked at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from ..schema import Converter, Ctx, Invalid, build
from ..yamlmarks import PathKey
from .base import CheckContext, normalize_ref, short_id, state_word
from .messages import say, word
from .result import Fail, Outcome, Pass
from .units import SIZE, format_size

Status = Literal["created", "running", "paused", "restarting", "removing", "exited", "dead"]


@dataclass(frozen=True)
class MountSpec:
    destination: str
    source: str | None = None
    """A volume's name, or a bind mount's host path."""
    type: Literal["volume", "bind", "tmpfs"] | None = None
    rw: bool | None = None


@dataclass(frozen=True)
class PortSpec:
    container: int
    host: int | None = None
    proto: Literal["tcp", "udp"] = "tcp"

    def key(self) -> str:
        return f"{self.container}/{self.proto}"


_PORT = re.compile(r"^(?:(?:\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):)?(?:(\d+):)?(\d+)(?:/(tcp|udp))?$")


def _port(value: Any, path: PathKey, ctx: Ctx) -> PortSpec | None:
    """``"8080:80"``, ``"80"``, ``"127.0.0.1:8080:80/tcp"`` (as after -p) or a mapping."""
    if isinstance(value, dict):
        spec: PortSpec | None = build(PortSpec, value, path, ctx)
        return spec
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        m = _PORT.match(value.strip())
        if m:
            host = int(m.group(1)) if m.group(1) else None
            return PortSpec(int(m.group(2)), host, m.group(3) or "tcp")  # type: ignore[arg-type]
    raise Invalid(f"expected a port like '8080:80' or '80/udp', got {value!r}")


PORT = Converter("a port like '8080:80'", ("str", "int", "mapping"), _port)


@dataclass(frozen=True)
class ContainerCheck:
    name: str
    exists: bool = True
    status: Status | None = None
    running: bool | None = None
    exit_code: int | list[int] | None = None
    image: str | None = None
    memory_limit: Annotated[int, SIZE] | None = None
    cpus: float | None = None
    cpu_quota: int | None = None
    pids_limit: int | None = None
    restart_policy: str | None = None
    oom_killed: bool | None = None
    mounts: list[MountSpec] = field(default_factory=list)
    network: str | None = None
    ports: list[Annotated[PortSpec, PORT]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def schema_problems(self) -> Iterator[tuple[PathKey, str]]:
        if not self.exists:
            extra = [
                k for k, v in vars(self).items() if k not in ("name", "exists") and v not in (None, [], {})
            ]
            if extra:
                yield (extra[0],), "makes no sense with exists: false (a missing container has no settings)"
        if self.status is not None and self.running is not None:
            yield ("running",), "give either status or running, not both"

    def evaluate(self, ctx: CheckContext) -> Outcome:
        doc = ctx.state.container(self.name)
        if doc is None:
            return Pass() if not self.exists else Fail(say("container_missing", name=self.name))
        if not self.exists:
            return Fail(say("container_still_there", name=self.name, seen=state_word(doc)))
        for step in (
            self._state,
            self._image,
            self._limits,
            self._mounts,
            self._network,
            self._ports,
            self._labels_env,
        ):
            failure = step(ctx, doc)
            if failure is not None:
                return failure
        return Pass()

    # -- one aspect each; the first that fails is reported -------------------------------

    def _state(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        state = doc.get("State") or {}
        seen = state_word(doc)
        status = str(state.get("Status", ""))
        if self.status is not None and status != self.status:
            return Fail(say("container_status", name=self.name, seen=seen, want=self.status))
        if self.running is not None and bool(state.get("Running")) != self.running:
            want = "running" if self.running else "stopped"
            return Fail(say("container_status", name=self.name, seen=seen, want=want))
        if self.exit_code is not None:
            wanted = self.exit_code if isinstance(self.exit_code, list) else [self.exit_code]
            want = " or ".join(map(str, wanted))
            if status not in ("exited", "dead"):
                return Fail(say("container_no_exit", name=self.name, seen=seen, want=want))
            if int(state.get("ExitCode", 0)) not in wanted:
                return Fail(say("container_exit", name=self.name, seen=state.get("ExitCode"), want=want))
        if self.oom_killed is not None and bool(state.get("OOMKilled")) != self.oom_killed:
            key = "container_oom" if state.get("OOMKilled") else "container_not_oom"
            return Fail(say(key, name=self.name, seen=seen))
        return None

    def _image(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        if self.image is None:
            return None
        asked = str((doc.get("Config") or {}).get("Image", ""))
        if asked and normalize_ref(asked) == normalize_ref(self.image):
            return None
        # The learner may have named the same image another way (by id, another tag).
        image_id = str(doc.get("Image", ""))
        wanted = ctx.state.image(self.image)
        if wanted is not None and image_id and wanted.get("Id") == image_id:
            return None
        seen = asked or short_id(image_id)
        return Fail(say("container_image", name=self.name, seen=seen, want=self.image))

    def _limits(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        host = doc.get("HostConfig") or {}
        if self.memory_limit is not None and int(host.get("Memory") or 0) != self.memory_limit:
            return self._setting(
                "memory_limit",
                format_size(int(host.get("Memory") or 0) or None),
                format_size(self.memory_limit),
            )
        if self.cpus is not None:
            nano = int(host.get("NanoCpus") or 0)
            quota, period = int(host.get("CpuQuota") or 0), int(host.get("CpuPeriod") or 0) or 100000
            seen = nano / 1e9 if nano else (quota / period if quota > 0 else 0.0)
            if abs(seen - self.cpus) > 1e-6:
                return self._setting("cpus", f"{seen:g}" if seen else "unlimited", f"{self.cpus:g}")
        if self.cpu_quota is not None and int(host.get("CpuQuota") or 0) != self.cpu_quota:
            return self._setting("cpu_quota", host.get("CpuQuota") or "unlimited", self.cpu_quota)
        if self.pids_limit is not None:
            seen_pids = host.get("PidsLimit")
            if seen_pids != self.pids_limit:
                shown = seen_pids if seen_pids and seen_pids > 0 else "unlimited"
                return self._setting("pids_limit", shown, self.pids_limit)
        if self.restart_policy is not None:
            policy = host.get("RestartPolicy") or {}
            named = str(policy.get("Name") or "no")
            if policy.get("MaximumRetryCount"):
                named += f":{policy['MaximumRetryCount']}"
            if named != self.restart_policy and named.split(":")[0] != self.restart_policy:
                return self._setting("restart_policy", named, self.restart_policy)
        return None

    def _setting(self, what: str, seen: object, want: object) -> Fail:
        return Fail(say("container_setting", name=self.name, what=word(what), seen=seen, want=want))

    def _mounts(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        mounts = {str(m.get("Destination")): m for m in doc.get("Mounts") or []}
        for spec in self.mounts:
            mount = mounts.get(spec.destination)
            if mount is None:
                seen = ", ".join(sorted(mounts)) or word("none")
                return Fail(say("container_mount_missing", name=self.name, dest=spec.destination, seen=seen))
            # A volume is named by its name; a bind mount by its host path.
            source = mount.get("Name") if mount.get("Type") == "volume" else mount.get("Source")
            checks: list[tuple[str, object, object]] = [
                ("source", source, spec.source),
                ("type", mount.get("Type"), spec.type),
                ("rw", bool(mount.get("RW", True)), spec.rw),
            ]
            for what, seen_value, want in checks:
                if want is not None and seen_value != want:
                    return Fail(
                        say(
                            "container_mount_field",
                            name=self.name,
                            dest=spec.destination,
                            what=word(what),
                            seen=seen_value,
                            want=want,
                        )
                    )
        return None

    def _network(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        if self.network is None:
            return None
        mode = str((doc.get("HostConfig") or {}).get("NetworkMode") or "")
        networks = sorted(((doc.get("NetworkSettings") or {}).get("Networks") or {}).keys())
        if self.network in networks or mode == self.network:
            return None
        seen = ", ".join(networks) or mode or word("none")
        return Fail(say("container_network", name=self.name, want=self.network, seen=seen))

    def _ports(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        published = _published(doc)
        for spec in self.ports:
            bindings = published.get(spec.key())
            if not bindings:
                seen = ", ".join(f"{k}->{','.join(map(str, v))}" for k, v in sorted(published.items()) if v)
                return Fail(
                    say("container_port_missing", name=self.name, port=spec.key(), seen=seen or word("none"))
                )
            if spec.host is not None and spec.host not in bindings:
                return Fail(
                    say(
                        "container_port_host",
                        name=self.name,
                        port=spec.key(),
                        seen=", ".join(map(str, bindings)),
                        want=spec.host,
                    )
                )
        return None

    def _labels_env(self, ctx: CheckContext, doc: dict[str, Any]) -> Fail | None:
        config = doc.get("Config") or {}
        labels = config.get("Labels") or {}
        for key, want in self.labels.items():
            if labels.get(key) != want:
                return Fail(
                    say(
                        "label",
                        what=word("container_word"),
                        name=self.name,
                        key=key,
                        seen=labels.get(key, word("none")),
                        want=want,
                    )
                )
        env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
        for key, want in self.env.items():
            if env.get(key) != want:
                return self._setting("env", f"{key}={env.get(key, '')}", f"{key}={want}")
        return None


def _published(doc: dict[str, Any]) -> dict[str, list[int]]:
    """``{"80/tcp": [8080]}`` from the live ports, or from the configured bindings."""
    ports = (
        (doc.get("NetworkSettings") or {}).get("Ports")
        or (doc.get("HostConfig") or {}).get("PortBindings")
        or {}
    )
    out: dict[str, list[int]] = {}
    for key, bindings in ports.items():
        out[key] = sorted(
            {int(b.get("HostPort")) for b in bindings or [] if str(b.get("HostPort", "")).isdigit()}
        )
    return out
