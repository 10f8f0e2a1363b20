"""A container's own files: ``<root>/containers/<id>/``.

The directory is shared with the image store, which keeps the read-write layer there
(``rwlayer.json``, ``upper/``, ``work/``, ``merged/``); the engine keeps:

    config.v2.json       the Record, written atomically (a crash leaves the old or the new)
    <id>-json.log        the container's output in Docker's json-file format (the shim writes it)
    hostname, hosts, resolv.conf   bound into the container's /etc
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

from sandbox.engine.containers.record import Record
from sandbox.errors import ContainerServiceError
from sandbox.storage.atomic import TMP_PREFIX, write_atomic

RECORD = "config.v2.json"
_HOSTS = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
          "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")


class ContainerFiles:
    def __init__(self, root: Path) -> None:
        self.root = Path(root) / "containers"

    def dir_of(self, container_id: str) -> Path:
        return self.root / container_id

    def log_path(self, container_id: str) -> Path:
        return self.dir_of(container_id) / f"{container_id}-json.log"

    def make(self, container_id: str, hostname: str) -> dict[str, str]:
        """The directory and the /etc files a container gets; returns their paths."""
        d = self.dir_of(container_id)
        d.mkdir(parents=True, exist_ok=True, mode=0o710)
        paths = {"hostname": d / "hostname", "hosts": d / "hosts", "resolv.conf": d / "resolv.conf"}
        paths["hostname"].write_text(hostname + "\n")
        paths["hosts"].write_text(_HOSTS + f"127.0.1.1\t{hostname}\n")
        # With only a loopback interface there is no DNS server to name; an empty file keeps
        # resolvers from falling back to one on the host's loopback.
        paths["resolv.conf"].write_text("")
        self.log_path(container_id).touch(mode=0o640)
        return {k: str(v) for k, v in paths.items()}

    def save(self, record: Record, durable: bool = False) -> None:
        """Replace the record whole (a reader never sees half of it). ``durable`` also waits
        for the disk: worth it for a new container, not for each state change, which a
        crash of the engine keeps anyway (the page cache outlives it) and which a power
        loss makes moot (the runtime's state in /run is gone then too, and restore marks the
        container exited). On a busy disk that wait is tens of milliseconds per start."""
        d = self.dir_of(record.id)
        # dumps, not dump: only the one-shot encoder is the C one (dump streams through
        # the pure-Python one), and one write of the whole text beats many small ones.
        data = json.dumps(record.to_dict()).encode()
        try:
            write_atomic(d / RECORD, data, fsync=durable)
        except OSError as e:
            raise ContainerServiceError(f"cannot save container {record.id}: {e}",
                                        f"check that {d} is writable") from e

    def load_all(self) -> Iterator[Record | tuple[str, str]]:
        """Every record, or (id, problem) for one that cannot be read."""
        try:
            entries = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return
        for name in entries:
            path = self.root / name / RECORD
            if not path.is_file():
                continue
            try:
                yield Record.from_dict(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, KeyError) as e:
                yield name, str(e)

    def remove(self, container_id: str) -> None:
        """The engine's files, then the directory if the store left nothing in it."""
        d = self.dir_of(container_id)
        for name in (RECORD, f"{container_id}-json.log", "hostname", "hosts", "resolv.conf"):
            try:
                os.unlink(d / name)
            except FileNotFoundError:
                pass
        for leftover in d.glob(f"{TMP_PREFIX}{RECORD}-*"):
            leftover.unlink(missing_ok=True)
        try:
            d.rmdir()
        except FileNotFoundError:
            pass
        except OSError as e:
            raise ContainerServiceError(f"cannot remove {d}: {e}", "something else left files there") from e
