"""``help [COMMAND]`` and ``exit``."""

from __future__ import annotations

from prompt_toolkit.formatted_text import StyleAndTextTuples

from sandbox.errors import ReplUsageError

from ..context import ShellContext
from ..registry import EXIT, Builtin, Registry, Result

TRY = ("try: docker run -d --name web busybox httpd -f   then: show ns web · show cgroups web · "
       "explain docker stop web\n")
KEYS = ("Tab completes commands, flags and names · Up/Down walk the history · Right takes the grey "
        "suggestion · Ctrl-C cancels the running command · Ctrl-D (or exit) leaves")


def overview(registry: Registry) -> StyleAndTextTuples:
    width = max(len(b.name) for b in registry.builtins)
    out: StyleAndTextTuples = [("class:title", "sandbox shell"), ("", "  commands:\n")]
    for builtin in registry.builtins:
        out += [("class:command", f"  {builtin.name:<{width}}  "), ("", builtin.summary + "\n")]
    out += [("class:dim", "\n" + KEYS + "\n"),
            ("class:dim", TRY)]
    return out


def _registry() -> Registry:
    from . import default_registry

    return default_registry()


def run_help(ctx: ShellContext, args: list[str]) -> Result:
    registry = _registry()
    if not args:
        ctx.console.picture(overview(registry))
        return 0
    if args[0] == "docker":
        return ctx.docker([*args[1:], "--help"] if len(args) > 1 else ["--help"])
    builtin = registry.get(args[0])
    if builtin is None:
        raise ReplUsageError("help", f"no such command: {args[0]}", "`help` lists the commands")
    ctx.console.print([("class:command", builtin.name), ("", f"  {builtin.summary}\n  usage: {builtin.usage}")])
    return 0


def run_exit(ctx: ShellContext, args: list[str]) -> Result:
    return EXIT


HELP = Builtin("help", "list the shell's commands, or explain one", "help [COMMAND]", run_help, ("?",))
EXIT_BUILTIN = Builtin("exit", "leave the shell (Ctrl-D does too)", "exit", run_exit, ("quit",))
