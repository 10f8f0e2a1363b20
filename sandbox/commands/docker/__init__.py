"""Our own ``docker`` command: docker's grammar, flags and output formats on EngineClient.

    from sandbox.commands.docker import main
    code = main(["ps", "-a"])                       # the process's streams, DOCKER_HOST
    code = main(["ps"], client=c, stdout=buf, stderr=buf)   # the REPL/TUI, captured
    code = main(["build", "."], cwd=lesson_dir)           # relative paths mean lesson_dir

Errors print the way docker prints them (``Error response from daemon: …``) and give its
exit codes. Nothing raises out of ``main``: Ctrl-C ends the command with 130, so a REPL
calling it keeps its prompt. Relative local paths (build contexts, ``cp``, ``-o``/``-i``
files, ``--env-file``, ``./`` bind sources) mean ``cwd``, by default the process's working
directory when ``main`` is called; the process's working directory is never changed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from sandbox.errors import (EngineError, EngineProtocolError, EngineUnavailable, SandboxError, TemplateError,
                            UsageError)

from ._registry import COMMANDS, GROUP_SUMMARIES, GROUPS, Entry, lookup

if TYPE_CHECKING:
    from sandbox.client import EngineClient

__all__ = ["COMMANDS", "GROUPS", "Entry", "lookup", "main", "usage"]


def usage() -> str:
    lines = ["", "Usage:  docker [OPTIONS] COMMAND", "", "A self-sufficient runtime for containers", "",
             "Common Commands:"]
    for name in ("run", "exec", "ps", "images", "pull", "info", "version"):
        lines.append(f"  {name:<11} {COMMANDS[name].summary}")
    lines += ["", "Management Commands:"]
    for name, summary in GROUP_SUMMARIES.items():
        lines.append(f"  {name:<11} {summary}")
    lines += ["", "Commands:"]
    for name, entry in sorted(COMMANDS.items()):
        if name not in ("run", "exec", "ps", "images", "pull", "info", "version"):
            lines.append(f"  {name:<11} {entry.summary}")
    lines += ["", "Global Options:",
              "  -H, --host string   Daemon socket to connect to (unix:///path)",
              "  -v, --version       Print version information and quit", "",
              "Run 'docker COMMAND --help' for more information on a command.", ""]
    return "\n".join(lines)


def _group_usage(group: str) -> str:
    lines = ["", f"Usage:  docker {group} COMMAND", "", GROUP_SUMMARIES[group], "", "Commands:"]
    seen: set[str] = set()
    for name, entry in GROUPS[group].items():
        if entry.function in seen and name in ("list", "remove", "ps"):
            continue
        seen.add(entry.function)
        lines.append(f"  {name:<11} {entry.summary}")
    lines += ["", f"Run 'docker {group} COMMAND --help' for more information on a command.", ""]
    return "\n".join(lines)


def _global_flags(argv: list[str]) -> tuple[dict[str, str | bool], list[str]]:
    """docker's own flags come before the command: -H/--host, -D, -l/--log-level, -c."""
    flags: dict[str, str | bool] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-H", "--host", "-l", "--log-level", "-c", "--context", "--config"):
            if i + 1 >= len(argv):
                raise UsageError("", f"flag needs an argument: {arg}")
            flags[arg.lstrip("-")[:1] if arg != "--config" else "config"] = argv[i + 1]
            i += 2
        elif arg.startswith(("--host=", "--log-level=", "--context=", "--config=")):
            key, value = arg[2:].split("=", 1)
            flags[key[:1] if key != "config" else "config"] = value
            i += 1
        elif arg in ("-D", "--debug"):
            flags["D"] = True
            i += 1
        elif arg in ("-v", "--version"):
            flags["v"] = True
            i += 1
        elif arg in ("-h", "--help"):
            flags["help"] = True
            i += 1
        elif arg.startswith("-"):
            raise UsageError("", f"unknown flag: {arg}")
        else:
            break
    return flags, argv[i:]


def main(argv: Sequence[str], client: "EngineClient | None" = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None, stdin: TextIO | None = None,
         env: Mapping[str, str] | None = None, cwd: str | os.PathLike[str] | None = None) -> int:
    """Run one ``docker …`` command line; returns docker's exit code."""
    from ._context import default_context

    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    words = list(argv)
    if words and words[0] == "docker":
        words = words[1:]
    try:
        flags, words = _global_flags(words)
    except UsageError as e:
        err.write(f"{e.problem}\nSee 'docker --help'.\n")
        return 125
    if flags.get("v"):
        from sandbox import __version__

        out.write(f"Docker version {__version__} (sandbox)\n")
        return 0
    if not words or flags.get("help") or words[0] == "help":
        out.write(usage())
        return 0
    found = lookup(words)
    if found is None:
        if words[0] in GROUPS:
            if len(words) == 1 or words[1] in ("-h", "--help"):
                out.write(_group_usage(words[0]))
                return 0
            err.write(f"docker: unknown command: docker {words[0]} {words[1]}\n\n"
                      f"Run 'docker {words[0]} --help' for more information\n")
            return 1
        err.write(f"docker: unknown command: docker {words[0]}\n\nRun 'docker --help' for more information\n")
        return 1
    name, entry, rest = found
    host = flags.get("H")
    ctx = default_context(client, out, err, stdin if stdin is not None else sys.stdin, env,
                          host=host if isinstance(host, str) else None, cwd=cwd)
    ctx.command = name
    try:
        return _run(ctx, name, entry, rest)
    except KeyboardInterrupt:
        # Following logs or events ends with ^C; the shell convention is 128 + SIGINT.
        return 130
    finally:
        if client is None and ctx.owns_client():
            ctx.client.close()
        ctx.flush()


def _run(ctx: "Context", name: str, entry: Entry, rest: list[str]) -> int:
    from ._args import HelpShown

    parser = entry.parser()
    try:
        ns = parser.parse(rest, ctx.stdout)
        return entry.runner()(ctx, ns)
    except HelpShown:
        return 0
    except UsageError as e:
        usage_line = parser.usage or f"docker {name}"
        if e.exit_code == 1:
            advice = getattr(e, "advice", "See")
            ctx.err(f"docker: {e.problem}\n\nUsage:  {usage_line}\n\n{advice} 'docker {name} --help' for more information")
        else:
            ctx.err(f"{e.problem}\n\nUsage:  {usage_line}\n\nRun 'docker {name} --help' for more information")
        return e.exit_code
    except EngineError as e:
        ctx.err(f"Error response from daemon: {e.message}")
        return 1
    except (EngineUnavailable, EngineProtocolError) as e:
        ctx.err(e.render())
        return 1
    except TemplateError as e:
        ctx.err(f"template parsing error: {e.message}")
        return 1
    except SandboxError as e:
        ctx.err(e.render())
        return 1
    except BrokenPipeError:
        # The reader went away (`docker logs … | head`): nothing left to tell anyone.
        return 0


if TYPE_CHECKING:
    from ._context import Context
