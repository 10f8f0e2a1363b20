"""The shell's own commands, one module each; ``default_registry`` lists them."""

from __future__ import annotations

from ..registry import Registry


def default_registry() -> Registry:
    from . import docker_cmd, explain_cmd, help_cmd, lessons_cmd, reset_cmd, show_cmd

    return Registry([docker_cmd.BUILTIN, lessons_cmd.BUILTIN, explain_cmd.BUILTIN, show_cmd.BUILTIN,
                     reset_cmd.BUILTIN, help_cmd.HELP, help_cmd.EXIT_BUILTIN])
