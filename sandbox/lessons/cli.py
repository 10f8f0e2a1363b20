"""``sandbox lessons …``: the lessons from a plain terminal, and what CI runs.

    sandbox lessons list
    sandbox lessons show LESSON [--step N]
    sandbox lessons start LESSON
    sandbox lessons check LESSON [--watch]
    sandbox lessons hint LESSON
    sandbox lessons solve LESSON [--step] | solve --all
    sandbox lessons reset LESSON [--step]
    sandbox lessons lint [DIR]
    sandbox lessons import-killercoda DIR [--out DIR] [--id ID] [--force]
    sandbox lessons progress [show | path | export FILE | import FILE]

Common options: ``--lang en|zh``, ``--lessons-dir DIR``, ``--progress FILE``, and
``--docker-cli PATH`` to run the lessons' docker lines with another docker CLI (the real
one, against a real dockerd). The engine is the one ``DOCKER_HOST`` names.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from sandbox.errors import SandboxError

from .cli_context import Cli
from .cli_learn import cmd_check, cmd_hint, cmd_list, cmd_show, cmd_start
from .cli_manage import cmd_import, cmd_lint, cmd_progress, cmd_reset, cmd_solve
from .commands import DockerMain, RunCommand
from .state import StateReader
from .text import LANGS


def default_lessons_dir(env: Mapping[str, str]) -> Path:
    if env.get("SANDBOX_LESSONS"):
        return Path(env["SANDBOX_LESSONS"])
    return Path(__file__).resolve().parents[2] / "lessons"


def _default_lang(env: Mapping[str, str]) -> str:
    chosen = env.get("SANDBOX_LANG") or ""
    if chosen in LANGS:
        return chosen
    return "zh" if (env.get("LANG") or "").startswith("zh") else "en"


def _options(env: Mapping[str, str], *, top: bool) -> argparse.ArgumentParser:
    """The common options. Subcommands repeat them without defaults (SUPPRESS), so
    ``--lang zh`` works before or after the subcommand without one overwriting the other."""
    opts = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    opts.add_argument("--lang", default=default(_default_lang(env)), choices=LANGS)
    opts.add_argument("--lessons-dir", type=Path, default=default(default_lessons_dir(env)))
    opts.add_argument(
        "--progress", type=Path, default=default(None), help="progress file (default: per user)"
    )
    opts.add_argument("--docker-cli", default=default(None), help="run docker lines with this docker CLI")
    return opts


def _parser(env: Mapping[str, str]) -> argparse.ArgumentParser:
    common = _options(env, top=False)
    parser = argparse.ArgumentParser(
        prog="sandbox lessons",
        parents=[_options(env, top=True)],
        description="Lessons: list, follow, check, solve, reset, lint, import.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", parents=[common], help="every lesson with your progress")
    p = sub.add_parser("show", parents=[common], help="a lesson's steps and the current step's text")
    p.add_argument("lesson")
    p.add_argument("--step", default=None, help="a step's number or id")
    p = sub.add_parser("start", parents=[common], help="begin a lesson (or resume it)")
    p.add_argument("lesson")
    p = sub.add_parser("check", parents=[common], help="check the current step against the engine")
    p.add_argument("lesson")
    p.add_argument("--watch", action="store_true", help="re-check whenever the engine reports a change")
    p = sub.add_parser("hint", parents=[common], help="the next hint for the current step")
    p.add_argument("lesson")
    p = sub.add_parser("solve", parents=[common], help="run reference solutions")
    p.add_argument("lesson", nargs="?")
    p.add_argument("--step", action="store_true", help="only the current step")
    p.add_argument("--all", action="store_true", help="every lesson, each check before and after (CI)")
    p = sub.add_parser("reset", parents=[common], help="remove what a lesson made, and nothing else")
    p.add_argument("lesson")
    p.add_argument("--step", action="store_true", help="only what the current step made")
    p = sub.add_parser("lint", parents=[common], help="validate lesson folders")
    p.add_argument("dir", nargs="?", type=Path)
    p = sub.add_parser("import-killercoda", parents=[common], help="turn a Killercoda scenario into a lesson")
    p.add_argument("dir", type=Path)
    p.add_argument(
        "--out", type=Path, default=None, help="where to put the lesson (default: the lessons dir)"
    )
    p.add_argument("--id", default=None)
    p.add_argument("--force", action="store_true", help="replace an earlier import")
    p = sub.add_parser("progress", parents=[common], help="show, export or import your progress")
    p.add_argument("action", nargs="?", default="show", choices=("show", "path", "export", "import"))
    p.add_argument("file", nargs="?", type=Path)
    return parser


COMMANDS: dict[str, Callable[[Cli], int]] = {
    "list": cmd_list,
    "show": cmd_show,
    "start": cmd_start,
    "check": cmd_check,
    "hint": cmd_hint,
    "solve": cmd_solve,
    "reset": cmd_reset,
    "lint": cmd_lint,
    "import-killercoda": cmd_import,
    "progress": cmd_progress,
}


def main(
    argv: list[str] | None = None,
    *,
    docker_main: DockerMain | None = None,
    state: StateReader | None = None,
    run_command: RunCommand | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    env: Mapping[str, str] | None = None,
    is_root: bool | None = None,
) -> int:
    """The composition root wires ``docker_main`` (our docker grammar); tests inject
    ``state`` and ``run_command`` instead of an engine."""
    environ = dict(os.environ if env is None else env)
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        args = _parser(environ).parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    cli = Cli(
        args,
        out,
        err,
        environ,
        state,
        run_command,
        docker_main,
        os.geteuid() == 0 if is_root is None else is_root,
    )
    try:
        return COMMANDS[args.command](cli)
    except SandboxError as error:
        print(f"sandbox lessons: {error.render()}", file=err)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly, as other CLI tools do.
        _silence(out)
        return 141
    finally:
        cli.close()


def _silence(stream: TextIO) -> None:
    """Point a broken stdout at /dev/null so the interpreter's final flush does not fail too."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests): nothing will flush it
