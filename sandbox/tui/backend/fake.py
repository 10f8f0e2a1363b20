"""A Backend fed by recorded JSON (``SANDBOX_TUI_FAKE=DIR``): the TUI without an engine.

Used by the tests, the start-up benchmark and anyone working on the UI on a machine with
no engine. It answers from the fixture files (``fixtures.py``), runs no process, and keeps
the little state a lesson flow needs: facts that recorded commands set, progress, and a
live event queue that tests can push to.
"""

from __future__ import annotations

import queue
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sandbox.errors import FixtureError, NoRecording

from .fake_lessons import FakeSession, FakeWorld
from .fixtures import FixtureDir, file_key
from .protocol import OutputSink
from .types import JSON, CommandResult, EngineStatus, LessonSummary, Names, TraceRecord


def normalize_line(line: str) -> str:
    from ..commandline import tokenize

    return " ".join(tokenize(line).words)


class _QueueStream:
    """An EventStream over a queue; ``close`` wakes a reader blocked in ``next``."""

    _END = object()

    def __init__(self, on_close: Callable[[_QueueStream], None]) -> None:
        self._queue: queue.Queue[object] = queue.Queue()
        self._on_close = on_close
        self.closed = False

    def put(self, event: JSON) -> None:
        self._queue.put(event)

    def __iter__(self) -> Iterator[JSON]:
        while True:
            item = self._queue.get()
            if item is self._END:
                return
            yield item  # type: ignore[misc]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._queue.put(self._END)
            self._on_close(self)


class FakeBackend:
    def __init__(self, root: Path | str) -> None:
        self.fixtures = FixtureDir(Path(root))
        self.fixtures.check()
        data = self.fixtures.load("lessons.json")
        self.world = FakeWorld(list(data.get("lessons") or []),
                               progress={k: set(v) for k, v in (data.get("progress") or {}).items()})
        self._commands: list[Mapping[str, Any]] | None = None
        self._streams: list[_QueueStream] = []
        self._lock = threading.Lock()
        self._samples: dict[str, int] = {}
        self.overrides: dict[str, Any] = {}
        """Fixture name -> data that replaces the file (tests change the world with it)."""
        self.ran: list[str] = []

    # -- helpers --------------------------------------------------------------------------

    def _load(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        return self.fixtures.load(name)

    def _commands_table(self) -> list[Mapping[str, Any]]:
        if self._commands is None:
            self._commands = list(self.fixtures.load_optional("commands.json", {}).get("commands") or [])
        return self._commands

    def _recording(self, line: str) -> Mapping[str, Any] | None:
        wanted = normalize_line(line)
        for entry in self._commands_table():
            if "line" in entry and normalize_line(str(entry["line"])) == wanted:
                return entry
            if "pattern" in entry and re.fullmatch(str(entry["pattern"]), wanted):
                return entry
        return None

    def _resolve(self, kind: str, reference: str) -> str:
        """A name, a ``/name`` or an id prefix -> the fixture key (the name)."""
        names = self._load("names.json") if (self.fixtures.exists("names.json") or "names.json" in self.overrides) else {}
        ids: Mapping[str, str] = names.get(f"{kind}_ids") or {}
        ref = reference.lstrip("/")
        for name, full in ids.items():
            if ref and full.startswith(ref) and len(ref) >= 4:
                return name
        if kind == "images" and ":" not in ref and "@" not in ref:
            ref += ":latest"
        return ref

    # -- Backend ----------------------------------------------------------------------------

    def engine_status(self) -> EngineStatus:
        doc = self.fixtures.load_optional("engine.json", {"running": True})
        return EngineStatus(bool(doc.get("running", True)), str(doc.get("address") or "fake"),
                            str(doc.get("version") or ""), str(doc.get("message") or ""), str(doc.get("hint") or ""))

    def list_lessons(self) -> list[LessonSummary]:
        return self.world.summaries()

    def open_session(self, lesson_id: str) -> FakeSession:
        return FakeSession(self.world, lesson_id)

    def run_command(self, line: str, on_output: OutputSink | None = None) -> CommandResult:
        self.ran.append(line)
        entry = self._recording(line)
        if entry is None:
            err = NoRecording(f"`{normalize_line(line)}`")
            output = f"{err.message}\n"
            if on_output:
                on_output(output)
            return CommandResult(1, output)
        output = str(entry.get("output") or "")
        if on_output and output:
            on_output(output)
        with self._lock:
            self.world.facts.update(entry.get("facts") or [])
            self.world.facts.difference_update(entry.get("unset") or [])
        trace = entry.get("trace") or []
        if isinstance(trace, str):
            trace = self._load(trace)
        for event in entry.get("events") or []:
            self.push_event(event)
        return CommandResult(int(entry.get("exit_code", 0)), output,
                             tuple(TraceRecord.from_json(t) for t in trace))

    def run_interactive(self, line: str) -> int:
        result = self.run_command(line)
        sys.stdout.write(result.output)
        sys.stdout.flush()
        return result.exit_code

    def names(self) -> Names:
        doc = self._load("names.json")
        return Names(*(tuple(doc.get(k) or ()) for k in ("containers", "images", "volumes", "networks")))

    def image(self, reference: str) -> JSON:
        return self._load(f"images/{file_key(self._resolve('images', reference))}.json")

    def layer_files(self, reference: str) -> list[JSON] | None:
        name = f"layers/{file_key(self._resolve('images', reference))}.json"
        if name in self.overrides or self.fixtures.exists(name):
            return self._load(name)
        return None

    def _container_doc(self, reference: str) -> JSON:
        return self._load(f"containers/{file_key(self._resolve('containers', reference))}.json")

    def container(self, reference: str) -> JSON:
        return self._container_doc(reference).get("inspect") or {}

    def changes(self, reference: str) -> list[JSON]:
        return list(self._container_doc(reference).get("changes") or [])

    def namespaces(self, reference: str) -> JSON:
        return self._load(f"namespaces/{file_key(self._resolve('containers', reference))}.json")

    def cgroup(self, reference: str) -> JSON:
        key = file_key(self._resolve("containers", reference))
        doc = self._load(f"cgroup/{key}.json")
        samples = doc.get("samples") if isinstance(doc, Mapping) else None
        if not samples:
            return doc
        # Recorded samples play back in order and stay on the last: a meter that moves.
        with self._lock:
            i = self._samples.get(key, 0)
            self._samples[key] = min(i + 1, len(samples) - 1)
        return samples[i]

    def topology(self, network: str) -> JSON:
        return self._load(f"topology/{file_key(self._resolve('networks', network))}.json")

    def events(self) -> _QueueStream:
        stream = _QueueStream(self._forget)
        with self._lock:
            self._streams.append(stream)
        return stream

    def _forget(self, stream: _QueueStream) -> None:
        with self._lock:
            if stream in self._streams:
                self._streams.remove(stream)

    def push_event(self, event: JSON) -> None:
        """Deliver ``event`` to every open event stream, as the engine would."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.put(event)

    def close(self) -> None:
        for stream in list(self._streams):
            stream.close()


def from_env(value: str) -> FakeBackend:
    """``SANDBOX_TUI_FAKE``'s value: a fixtures directory."""
    if not value:
        raise FixtureError("SANDBOX_TUI_FAKE", "empty")
    return FakeBackend(Path(value))
