"""The container state machine and its on-disk record.

    creating ──► created ──start──► running ◄──resume── paused
                    │                  │ ──pause──────────►│
                    └──kill/exit──► stopped ◄──────────────┘
    delete: from created or stopped (or any state with force)

The record lives in ``<runtime root>/<id>/state.json``, written atomically (temp file +
rename) so a crash never leaves half a record. What the kernel says wins over the record:
``status`` is recomputed from the init's pid and start time each time it is read.
"""

from __future__ import annotations

import enum
import json
import os
from pathlib import Path

from sandbox.errors import ContainerExists, ContainerNotFound, SandboxError, StateError
from sandbox.records import Record, asdict, field


class Status(str, enum.Enum):
    CREATING = "creating"
    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


# operation -> the states it may start from (runc's can_start/can_kill/… guards).
_ALLOWED: dict[str, frozenset[Status]] = {
    "start": frozenset({Status.CREATED}),
    "kill": frozenset({Status.CREATED, Status.RUNNING, Status.PAUSED}),
    "pause": frozenset({Status.RUNNING}),
    "resume": frozenset({Status.PAUSED}),
    "delete": frozenset({Status.CREATED, Status.STOPPED}),
    "exec": frozenset({Status.RUNNING}),
}


def check_transition(container: str, operation: str, current: Status) -> None:
    """Raise ``StateError`` naming both states when ``operation`` is not allowed now."""
    allowed = _ALLOWED[operation]
    if current not in allowed:
        wanted = " or ".join(sorted(s.value for s in allowed))
        raise StateError(container, operation, current.value, wanted)


def can(operation: str, current: Status) -> bool:
    return current in _ALLOWED[operation]


class State(Record):
    id: str
    bundle: str
    status: Status = Status.CREATING
    pid: int = 0
    """The container's init, as the host sees it."""
    pid_start: int = 0
    """The init's start time (clock ticks): with ``pid`` it names the process for good."""
    shim_pid: int = 0
    shim_start: int = 0
    created: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    exit_code: int | None = None
    exit_signal: int | None = None
    oom_killed: bool = False
    cgroup: str = ""
    console: str = ""
    """The pty slave's path when the container has a terminal (resize opens it)."""
    annotations: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        d = asdict(self)
        d["status"] = self.status.value
        return json.dumps(d, indent=1)

    @classmethod
    def from_json(cls, raw: str) -> "State":
        d = json.loads(raw)
        d["status"] = Status(d["status"])
        return cls(**d)

    def oci(self) -> dict[str, object]:
        """The OCI ``state`` output, as ``runc state`` prints it."""
        return {"ociVersion": "1.0.2", "id": self.id, "status": self.status.value,
                "pid": self.pid if self.status in (Status.CREATED, Status.RUNNING, Status.PAUSED) else 0,
                "bundle": self.bundle, "annotations": self.annotations}


def _valid_id(container: str) -> None:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}", container):
        raise SandboxError(f"invalid container id {container!r}",
                           "use letters, digits, '_', '.' and '-', starting with a letter or digit")


class StateDir:
    """The directory of one container's runtime state."""

    def __init__(self, root: Path, container: str) -> None:
        _valid_id(container)
        self.id = container
        self.path = root / container

    @property
    def state_file(self) -> Path:
        return self.path / "state.json"

    @property
    def exit_file(self) -> Path:
        return self.path / "exit.json"

    @property
    def attach_socket(self) -> Path:
        return self.path / "attach.sock"

    @property
    def exec_fifo(self) -> Path:
        return self.path / "exec.fifo"

    def make(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o711)
        try:
            self.path.mkdir(mode=0o700)
        except FileExistsError:
            raise ContainerExists(self.id) from None

    def exists(self) -> bool:
        return self.state_file.exists()

    def write(self, state: State) -> None:
        tmp = self.path / f".state.{os.getpid()}.tmp"
        tmp.write_text(state.to_json())
        os.replace(tmp, self.state_file)

    def read(self) -> State:
        try:
            return State.from_json(self.state_file.read_text())
        except FileNotFoundError:
            raise ContainerNotFound(self.id, str(self.path.parent)) from None

    def write_exit(self, code: int | None, signal: int | None, oom: bool, when: float) -> None:
        tmp = self.path / f".exit.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"code": code, "signal": signal, "oom_killed": oom, "finished": when}))
        os.replace(tmp, self.exit_file)

    def read_exit(self) -> dict[str, object] | None:
        try:
            return json.loads(self.exit_file.read_text())
        except FileNotFoundError:
            return None

    @property
    def config_file(self) -> Path:
        return self.path / "config.json"

    def write_config(self, config: dict[str, object]) -> None:
        """The spec the container was made from: exec needs its namespaces and security."""
        tmp = self.path / f".config.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(config))
        os.replace(tmp, self.config_file)

    def read_config(self) -> dict[str, object]:
        try:
            return json.loads(self.config_file.read_text())
        except FileNotFoundError:
            raise ContainerNotFound(self.id, str(self.path.parent)) from None

    def remove(self) -> None:
        """Remove the directory: a few files and the (unmounted, empty) rootfs mount point."""
        remove_tree(self.path)

    def discard(self) -> None:
        """Take the directory out of the way at once (the id is free again, no listing shows
        it) and delete it in the background: on a busy disk the deletion takes milliseconds
        that no caller needs to wait for. What a crash leaves is deleted by ``empty_trash``;
        a process about to end waits for its deletions with ``settle_trash``."""
        import threading

        trash = self.path.parent / TRASH
        dest = trash / f"{self.id}.{os.urandom(4).hex()}"
        for _ in range(3):
            try:
                trash.mkdir(mode=0o700, exist_ok=True)
                os.rename(self.path, dest)
                break
            except FileNotFoundError:
                if not self.path.exists():
                    return
                # Another deletion removed the emptied trash between our mkdir and rename.
                continue
            except OSError:
                break  # cannot rename (EXDEV, EPERM)
        else:
            self.remove()
            return
        if not dest.exists():
            self.remove()  # plainly then
            return
        worker = threading.Thread(target=_delete_trashed, args=(dest,), name="state-trash", daemon=True)
        _PENDING.append(worker)
        worker.start()


_PENDING: list = []
"""Background deletions started by this process (threads), for ``settle_trash``."""


def _delete_trashed(dest: Path) -> None:
    remove_tree(dest)
    try:
        os.rmdir(dest.parent)  # the trash itself, once nothing else is on its way out
    except OSError:
        pass  # ENOTEMPTY: another deletion is under way and will try again; ENOENT: done


def settle_trash(timeout: float = 10.0) -> None:
    """Wait for this process's background deletions (a short-lived CLI before it exits)."""
    while _PENDING:
        _PENDING.pop().join(timeout)


TRASH = ".trash"
"""Under the runtime's root: deleted state directories on their way out."""


def remove_tree(path: Path | str) -> None:
    """A state directory: a few files and the (unmounted, empty) rootfs mount point. Plain
    os calls: shutil would pull in the compression modules on every delete. Whatever is
    gone already (another remover got there first) is fine."""
    try:
        entries = list(os.scandir(path))
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                remove_tree(entry.path)
            else:
                os.unlink(entry.path)
        except FileNotFoundError:
            pass
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass


def empty_trash(root: Path) -> None:
    """Delete what ``discard`` left when its process ended first (a crash, a short CLI run)."""
    try:
        entries = list(os.scandir(root / TRASH))
    except FileNotFoundError:
        return
    for entry in entries:
        remove_tree(entry.path)
    try:
        os.rmdir(root / TRASH)
    except OSError:
        pass  # a deletion of this process's is still under way, or another process's
