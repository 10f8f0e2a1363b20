"""What every ``sandbox lessons`` command is handed: its options, its streams, and the
engine, the commands and the progress store — made on first use, or injected by tests."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from sandbox.errors import LessonError, SandboxError

from .commands import CommandRunner, DockerMain, RunCommand
from .loader import Course
from .model import Lesson
from .progress import ProgressStore, default_path
from .runner import LessonSession, StepOutcome
from .state import StateReader
from .text import check_lang


@dataclass
class Cli:
    args: argparse.Namespace
    out: TextIO
    err: TextIO
    env: Mapping[str, str]
    state: StateReader | None = None
    run_command: RunCommand | None = None
    docker_main: DockerMain | None = None
    is_root: bool = False
    _runners: list[CommandRunner] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return check_lang(self.args.lang)

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    # -- what commands need, made on demand ----------------------------------------------------

    def store(self) -> ProgressStore:
        return ProgressStore(self.args.progress or default_path(self.env))

    def engine_state(self) -> StateReader:
        if self.state is None:
            from sandbox.client import EngineClient

            from .client_state import ClientStateReader

            self.state = ClientStateReader(EngineClient(env=self.env), env=self.env)
        return self.state

    def runner_for(self, lesson: Lesson) -> RunCommand:
        if self.run_command is not None:
            return self.run_command
        client = getattr(self.engine_state(), "client", None)
        runner = CommandRunner(
            cwd=lesson.directory,
            docker_main=self.docker_main,
            docker_cli=self.args.docker_cli,
            docker_host=getattr(client, "address", None),
            env=self.env,
            client=client,
        )
        self._runners.append(runner)
        return runner

    def session(
        self,
        lesson: Lesson,
        store: ProgressStore | None = None,
        listener: Callable[[StepOutcome], None] | None = None,
        on_error: Callable[[SandboxError], None] | None = None,
    ) -> LessonSession:
        if lesson.needs.root and not self.is_root:
            raise LessonError(
                f"lesson {lesson.id} needs root: its commands read what only root may", "run it with sudo"
            )
        store = store or self.store()
        session = LessonSession(
            lesson, self.engine_state(), self.runner_for(lesson), store, listener=listener, on_error=on_error
        )
        for warning in store.warnings:
            print(f"warning: {warning.render()}", file=self.err)
        return session

    def course(self) -> Course:
        from .loader import load_course

        return load_course(self.args.lessons_dir)

    def lesson(self) -> Lesson:
        return self.course().get(self.args.lesson)

    def close(self) -> None:
        for runner in self._runners:
            runner.close()


# -- commands ---------------------------------------------------------------------------------------
