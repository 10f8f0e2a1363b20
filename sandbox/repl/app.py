"""Putting the shell together: clients, completion, toolbar, snapshot, prompt, loop.

Two clients: the *command* client, whose transport tracks what a command opens (so
Ctrl-C can cut it loose), and a *background* client with a short timeout for the
toolbar, completion names and the session snapshot — cancelling a command never cuts
their connections, and a hung engine never holds them for long.

``Parts`` carries every seam tests replace: streams, the prompt's input and output, the
clients, the docker grammar and the lessons CLI.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from .context import DockerMain, LessonsMain, ShellContext
from .loop import Shell

BACKGROUND_TIMEOUT = 2.0
"""Seconds a toolbar probe or a name fetch may take before it counts as no answer."""


@dataclass
class Parts:
    env: Mapping[str, str]
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    input: Input | None = None
    output: Output | None = None
    """The prompt's terminal; None for the real one."""
    console_output: Output | None = None
    """Where pictures and notes go; None for stdout."""
    client: Any = None
    background_client: Any = None
    run_docker: DockerMain | None = None
    run_lessons: LessonsMain | None = None
    history: Any = None
    poll: bool = True
    """Run the toolbar's status thread (tests probe by hand)."""
    grace: float | None = None


def _docker_main() -> DockerMain:
    from sandbox.commands.docker import main

    return main


def _lessons_main(*args: Any, **kwargs: Any) -> int:
    # Imported on first use: the lessons engine is not needed to reach the prompt.
    from sandbox.lessons.cli import main

    return main(*args, **kwargs)


def _clients(env: Mapping[str, str]) -> tuple[Any, Any]:
    from sandbox.client import EngineClient, UnixTransport, socket_path

    from .tracking import TrackingTransport

    path = socket_path(None, env)
    command = EngineClient(f"unix://{path}", transport=TrackingTransport(UnixTransport(path)), env=env)
    background = EngineClient(env=env, timeout=BACKGROUND_TIMEOUT)
    return command, background


def _lessons_dir(env: Mapping[str, str]) -> Callable[[], Path | None]:
    def find() -> Path | None:
        from sandbox.lessons.cli import default_lessons_dir

        return default_lessons_dir(env)

    return find


@dataclass
class Built:
    shell: Shell
    ctx: ShellContext
    close: Callable[[], None]
    poller: Any
    session: Any


def build(parts: Parts) -> Built:
    from prompt_toolkit.output import create_output

    from .builtins import default_registry
    from .builtins.help_cmd import overview
    from .completer import build_completer
    from .console import Console
    from .grammar import subcommand_names
    from .history import open_history
    from .keys import shell_keys
    from .lexer import CommandLexer
    from .names import NameCache, client_fetch
    from .prompt import PromptParts, make_session
    from .snapshot import Snapshot, read_state
    from .style import shell_style
    from .toolbar import StatusPoller, probe
    from .tracking import TrackingTransport

    env = dict(parts.env)
    client, background = parts.client, parts.background_client
    if client is None or background is None:
        made_command, made_background = _clients(env)
        client = client or made_command
        background = background or made_background
    style = shell_style()
    console = Console(parts.console_output or create_output(stdout=parts.stdout), style)
    registry = default_registry()
    names = NameCache(client_fetch(background))
    snapshot = Snapshot(lambda: read_state(background))
    poller = StatusPoller(lambda: probe(background))
    history, history_problem = (parts.history, None) if parts.history is not None else open_history(env)
    transport = client.transport if isinstance(getattr(client, "transport", None), TrackingTransport) else None
    ctx = ShellContext(client=client, console=console, stdout=parts.stdout, stderr=parts.stderr, stdin=parts.stdin,
                       run_docker=parts.run_docker or _docker_main(), run_lessons=parts.run_lessons or _lessons_main,
                       names=names, snapshot=snapshot, env=env, transport=transport)
    if parts.grace is not None:
        ctx.grace = parts.grace

    def after_command() -> None:
        names.invalidate()
        poller.poke()

    ctx.after_command = after_command
    prompt_parts = PromptParts(
        completer=build_completer(names, registry.summaries(), _lessons_dir(env)),
        lexer=CommandLexer(set(registry.names()), subcommand_names),
        style=style, history=history,
        keys=shell_keys(lambda: console.picture(overview(registry))),
        toolbar=poller.fragments)
    session = make_session(prompt_parts, input=parts.input, output=parts.output)
    poller.on_change = session.app.invalidate
    if history_problem:
        console.note(history_problem)

    started: list[bool] = []

    def start_background() -> None:
        if parts.poll and not started:
            started.append(True)
            poller.start()
            snapshot.start()
            names.prefetch()

    def after_first_draw() -> None:
        # The background threads start once the first prompt is on the screen: before
        # that they would only compete with drawing it for the interpreter.
        import asyncio

        asyncio.get_running_loop().call_soon(start_background)

    def read_line() -> str:
        return session.prompt(pre_run=None if started or not parts.poll else after_first_draw)

    def close() -> None:
        poller.stop()
        for c in {id(client): client, id(background): background}.values():
            closer = getattr(c, "close", None)
            if callable(closer):
                closer()

    shell = Shell(ctx, registry, read_line)
    return Built(shell, ctx, close, poller, session)
