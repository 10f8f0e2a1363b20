"""The real Backend: the engine through ``sandbox.client``, commands through the ``docker``
grammar of ``sandbox.commands``, lessons through ``sandbox.lessons``.

Nothing here invents data: each picture call is one API call (or two), passed on as the
engine answered it; an endpoint the engine lacks surfaces as its error, shown in the pane.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from sandbox.errors import EngineError, EngineUnavailable, SandboxError

from .capture import Capture
from .protocol import OutputSink
from .streams import LiveStream, TraceCollector
from .types import JSON, CommandResult, EngineStatus, LessonSummary, Names

DockerMain = Callable[..., int]


def _seg(value: str) -> str:
    return quote(value, safe="")


class ClientBackend:
    def __init__(self, client: Any, *, lessons: Any = None, docker_main: DockerMain | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.env = dict(env or {})
        self._lessons = lessons
        self._docker_main = docker_main
        self._session_parts: tuple[Any, Any] | None = None
        self._trace = TraceCollector(lambda: client.stream_json("GET", "/sandbox/trace"), client.address)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ClientBackend:
        from sandbox.client import EngineClient

        return cls(EngineClient(env=env), env=env)

    # -- engine -----------------------------------------------------------------------------

    def engine_status(self) -> EngineStatus:
        try:
            ping = self.client.ping()
        except EngineUnavailable as err:
            return EngineStatus(False, err.address, message=err.reason, hint=err.hint or "")
        except EngineError:
            return EngineStatus(True, self.client.address)  # it answered: it runs
        return EngineStatus(True, self.client.address, ping.api_version or "")

    # -- lessons ----------------------------------------------------------------------------

    def _course(self) -> Any:
        if self._lessons is None:
            self._lessons = self._default_lessons()
        return self._lessons

    def _default_lessons(self) -> Any:
        from sandbox.lessons.progress import default_path

        from .course import CourseLessons, course_root
        from .course_cache import cache_dir

        return CourseLessons(course_root(self.env), default_path(self.env), self._real_session, cache_dir(self.env))

    def _real_session(self, lesson: Any, store: Any) -> Any:
        # Imported and built on the first lesson opened: the lesson list (the first paint)
        # needs none of it.
        from sandbox.lessons.client_state import ClientStateReader
        from sandbox.lessons.commands import CommandRunner
        from sandbox.lessons.runner import LessonSession as RealSession

        if self._session_parts is None:
            self._session_parts = (ClientStateReader(self.client, env=self.env),
                                   CommandRunner(docker_main=self._main(), client=self.client, env=self.env))
        state, runner = self._session_parts
        return RealSession(lesson, state, runner.at(lesson.directory), store)

    def list_lessons(self) -> list[LessonSummary]:
        return self._course().list_lessons()

    def open_session(self, lesson_id: str) -> Any:
        return self._course().open_session(lesson_id)

    # -- commands ---------------------------------------------------------------------------

    def _main(self) -> DockerMain:
        if self._docker_main is None:
            from sandbox.commands.docker import main

            self._docker_main = main
        return self._docker_main

    @staticmethod
    def _argv(line: str) -> list[str]:
        from ..commandline import tokenize

        words = list(tokenize(line).words)
        return words[1:] if words and words[0] == "docker" else words

    def run_command(self, line: str, on_output: OutputSink | None = None) -> CommandResult:
        out = Capture(on_output)
        mark = self._trace.mark()
        code = self._main()(self._argv(line), client=self.client, stdout=out, stderr=out,
                            stdin=io.StringIO(""), env=self.env)
        return CommandResult(code, out.getvalue(), self._trace.since(mark))

    def run_interactive(self, line: str) -> int:
        return self._main()(self._argv(line), client=self.client, env=self.env)

    def names(self) -> Names:
        containers = tuple(sorted(n.lstrip("/") for c in self.client.containers.list(all=True)
                                  for n in (c.get("Names") or [])[:1]))
        images = tuple(sorted({t for i in self.client.images.list() for t in (i.get("RepoTags") or [])
                               if t and not t.startswith("<none>")}))
        return Names(containers, images, self._optional_names("/volumes", "Volumes"),
                     self._optional_names("/networks", None))

    def _optional_names(self, path: str, key: str | None) -> tuple[str, ...]:
        try:
            doc = self.client.call_json("GET", path)
        except EngineError:
            return ()  # an engine without volumes/networks yet: nothing to complete
        items = (doc or {}).get(key) or [] if key else doc or []
        return tuple(sorted(str(i.get("Name")) for i in items if isinstance(i, dict) and i.get("Name")))

    # -- picture data -----------------------------------------------------------------------

    def image(self, reference: str) -> JSON:
        return {"inspect": self.client.images.inspect(reference), "history": self.client.images.history(reference)}

    def layer_files(self, reference: str) -> list[JSON] | None:
        try:
            doc = self.client.sandbox.image_layers(reference)
        except EngineError as err:
            if err.status == 404:
                return None  # the engine does not list layer files (yet)
            raise
        layers = doc.get("layers") if isinstance(doc, dict) else doc
        return list(layers) if isinstance(layers, list) else None

    def container(self, reference: str) -> JSON:
        return self.client.containers.inspect(reference)

    def changes(self, reference: str) -> list[JSON]:
        return self.client.containers.changes(reference)

    def namespaces(self, reference: str) -> JSON:
        return self.client.call_json("GET", f"/sandbox/containers/{_seg(reference)}/namespaces") or {}

    def cgroup(self, reference: str) -> JSON:
        return self.client.call_json("GET", f"/sandbox/containers/{_seg(reference)}/cgroup") or {}

    def topology(self, network: str) -> JSON:
        return self.client.call_json("GET", f"/sandbox/networks/{_seg(network)}/topology") or {}

    def events(self) -> LiveStream:
        return LiveStream(self.client.events(), self.client.address)

    def close(self) -> None:
        self._trace.close()
        closer = getattr(self._lessons, "close", None)
        if callable(closer):
            try:
                closer()
            except SandboxError:
                pass  # closing is best effort: the process is ending
        self.client.close()
