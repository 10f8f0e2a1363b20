"""One container as the engine keeps it: what was asked for and what happened since.

``Record`` is the persisted part (``config.v2.json``, like dockerd's file of that name);
``RunState`` is its state block with moby's flags, from which the API's status words are
derived (``status_word``) exactly as dockerd derives them: a restarting container is still
"Running", a container that never started is "created".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

STATUSES = ("created", "restarting", "running", "removing", "paused", "exited", "dead")


@dataclass
class RunState:
    running: bool = False
    paused: bool = False
    restarting: bool = False
    oom_killed: bool = False
    dead: bool = False
    removing: bool = False
    pid: int = 0
    exit_code: int = 0
    error: str = ""
    started_at: float = 0.0
    """Seconds since the epoch; 0: never started."""
    finished_at: float = 0.0

    def status_word(self) -> str:
        """moby's ``State.StateString``: the word ``docker ps`` filters on."""
        if self.running:
            if self.paused:
                return "paused"
            if self.restarting:
                return "restarting"
            return "running"
        if self.removing:
            return "removing"
        if self.dead:
            return "dead"
        if not self.started_at:
            return "created"
        return "exited"

    @property
    def live(self) -> bool:
        """A process exists now (running or paused, not waiting to restart)."""
        return self.running and not self.restarting


@dataclass
class Record:
    id: str
    name: str
    """With the leading slash, as the API shows it: ``/web``."""
    created: float
    path: str
    args: list[str]
    config: dict[str, Any]
    """The API's ``Config`` after merging the image's (Env, Cmd, Labels …)."""
    host_config: dict[str, Any]
    """The API's ``HostConfig`` with defaults filled in."""
    image_id: str
    driver: str
    log_path: str
    hostname_path: str
    hosts_path: str
    resolv_conf_path: str
    state: RunState = field(default_factory=RunState)
    restart_count: int = 0
    has_been_started_before: bool = False
    has_been_manually_stopped: bool = False
    """A user's stop, kill or rm: the restart policy stands down until the next start."""
    networking_config: dict[str, Any] = field(default_factory=dict)
    """``{"EndpointsConfig": {network name: endpoint config}}``: the networks it joins at start
    (its mode's network and those of ``docker network connect``)."""
    mounts: list[dict[str, Any]] = field(default_factory=list)
    """The planned mounts (``MountPlan`` fields), made at create: volumes, binds, tmpfs."""

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def restart_policy(self) -> dict[str, Any]:
        return self.host_config.get("RestartPolicy") or {"Name": "no", "MaximumRetryCount": 0}

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data. Shallow: the nested dicts are the record's own,
        so serialize it before anything changes them (``save`` does, under the lock)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["state"] = asdict(self.state)  # flat: a copy costs nothing
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Record:
        d = dict(d)
        d["state"] = RunState(**d.get("state", {}))
        return cls(**d)
