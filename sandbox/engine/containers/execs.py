"""``docker exec``: exec instances, and the sessions that run them.

An instance is made by ``exec_create`` (its config only) and run once by ``exec_start``,
which returns an ``ExecSession``: the process and the engine's ends of its stdio. Without a
terminal stdout and stderr are separate pipes, so the route can frame them apart; stdin is
a socket pair so that ``shutdown(SHUT_WR)`` ends the process's input even if a forked
process elsewhere holds a copy of the descriptor. With a terminal it is one pty master.

A thread per session waits for the process and records its exit code before it signals
``done``; the route calls ``ExecSession.finish`` after the output ends and before it
closes the client's stream, so ``GET /exec/{id}/json`` never reads a stale ``Running``.
Instances are kept while their container exists (the API can inspect them after the end).
"""

from __future__ import annotations

import copy
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from sandbox.engine.containers.names import new_id
from sandbox.errors import ContainerConflict, NoSuchExec

KEEP_FINISHED = 64
"""Finished instances kept per container for inspection; older ones are dropped."""


@dataclass(eq=False)
class ExecInstance:
    id: str
    container_id: str
    config: dict[str, Any]
    created: float
    running: bool = False
    started: bool = False
    exit_code: int | None = None
    pid: int = 0
    pty_master: int | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def inspect(self) -> dict[str, Any]:
        cfg = self.config
        cmd = list(cfg.get("Cmd") or [])
        return {
            "ID": self.id, "Running": self.running, "ExitCode": self.exit_code,
            "ProcessConfig": {"tty": bool(cfg.get("Tty")), "entrypoint": cmd[0] if cmd else "",
                              "arguments": cmd[1:], "privileged": bool(cfg.get("Privileged")),
                              **({"user": cfg["User"]} if cfg.get("User") else {})},
            "OpenStdin": bool(cfg.get("AttachStdin")), "OpenStderr": bool(cfg.get("AttachStderr")),
            "OpenStdout": bool(cfg.get("AttachStdout")), "CanRemove": False,
            "ContainerID": self.container_id, "DetachKeys": cfg.get("DetachKeys") or "", "Pid": self.pid,
        }


@dataclass(eq=False)
class ExecSession:
    """A started exec: read ``stdout``/``stderr`` (or ``pty_master``) until EOF, write input to
    ``stdin`` (``shutdown(SHUT_WR)`` ends it), then ``finish()`` and ``close()``."""

    id: str
    tty: bool
    pid: int
    instance: ExecInstance
    stdin: socket.socket | None = None
    stdout: int | None = None
    stderr: int | None = None
    pty_master: int | None = None

    def finish(self, timeout: float | None = 30.0) -> int | None:
        """Block until the exit code is recorded (None if that takes longer than ``timeout``)."""
        self.instance.done.wait(timeout)
        return self.instance.exit_code

    def close(self) -> None:
        """Close the engine's ends (the pty master too: resizing ends with the session)."""
        if self.pty_master is not None:
            self.instance.pty_master = None
            os.close(self.pty_master)
            self.pty_master = None
        if self.stdin is not None:
            try:
                # Ends the process's input even where a forked process holds a copy.
                self.stdin.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the process is gone and its end closed
            self.stdin.close()
            self.stdin = None
        for name in ("stdout", "stderr"):
            fd = getattr(self, name)
            if fd is not None:
                os.close(fd)
                setattr(self, name, None)


class ExecTable:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, ExecInstance] = {}

    def add(self, container_id: str, config: dict[str, Any], now: float) -> ExecInstance:
        with self._lock:
            inst = ExecInstance(id=new_id(lambda i: i in self._by_id), container_id=container_id,
                                config=copy.deepcopy(config), created=now)
            self._by_id[inst.id] = inst
            self._trim(container_id)
            return inst

    def _trim(self, container_id: str) -> None:
        finished = sorted((i for i in self._by_id.values()
                           if i.container_id == container_id and i.done.is_set()), key=lambda i: i.created)
        for inst in finished[:-KEEP_FINISHED] if len(finished) > KEEP_FINISHED else []:
            del self._by_id[inst.id]

    def get(self, exec_id: str) -> ExecInstance:
        with self._lock:
            inst = self._by_id.get(exec_id)
            if inst is None:
                matches = [i for k, i in self._by_id.items() if exec_id and k.startswith(exec_id)]
                inst = matches[0] if len(matches) == 1 else None
        if inst is None:
            raise NoSuchExec(exec_id)
        return inst

    def claim(self, exec_id: str) -> ExecInstance:
        """Mark an instance as started; each runs once."""
        inst = self.get(exec_id)
        with self._lock:
            if inst.started:
                state = "is already running" if inst.running else "has already run"
                raise ContainerConflict(inst.container_id, f"Error: Exec command {inst.id} {state}")
            inst.started = True
            return inst

    def ids_of(self, container_id: str) -> list[str]:
        with self._lock:
            return [i.id for i in self._by_id.values() if i.container_id == container_id]

    def forget_container(self, container_id: str) -> None:
        with self._lock:
            for k in [k for k, i in self._by_id.items() if i.container_id == container_id]:
                del self._by_id[k]
