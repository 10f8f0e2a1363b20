"""The command table: which module implements which ``docker`` subcommand.

Modules are imported only when their command runs. Each names its functions after the
command: ``parser_<fn>()`` builds the flag parser, ``run_<fn>(ctx, ns)`` runs it and returns
the exit code. The REPL and the TUI read this table (and the parsers) for completion.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from ._args import DockerArgumentParser
    from ._context import Context


@dataclass(frozen=True)
class Entry:
    name: str
    module: str
    summary: str
    fn: str = ""

    @property
    def function(self) -> str:
        return self.fn or self.name.replace("-", "_")

    def parser(self) -> DockerArgumentParser:
        mod = import_module(f"sandbox.commands.docker.{self.module}")
        return getattr(mod, f"parser_{self.function}")()

    def runner(self) -> Callable[[Context, argparse.Namespace], int]:
        mod = import_module(f"sandbox.commands.docker.{self.module}")
        return getattr(mod, f"run_{self.function}")


_E = Entry
COMMANDS: dict[str, Entry] = {e.name: e for e in [
    _E("attach", "attach", "Attach local standard input, output, and error streams to a running container"),
    _E("build", "build", "Build an image from a Dockerfile"),
    _E("commit", "commit", "Create a new image from a container's changes"),
    _E("cp", "cp", "Copy files/folders between a container and the local filesystem"),
    _E("create", "create", "Create a new container"),
    _E("diff", "diff", "Inspect changes to files or directories on a container's filesystem"),
    _E("events", "events", "Get real time events from the server"),
    _E("exec", "exec_", "Execute a command in a running container", "exec"),
    _E("export", "export", "Export a container's filesystem as a tar archive"),
    _E("history", "history", "Show the history of an image"),
    _E("images", "images", "List images"),
    _E("info", "info", "Display system-wide information"),
    _E("inspect", "inspect", "Return low-level information on Docker objects"),
    _E("import", "import_", "Import the contents from a tarball to create a filesystem image", "import"),
    _E("kill", "lifecycle", "Kill one or more running containers"),
    _E("load", "load", "Load an image from a tar archive or STDIN"),
    _E("login", "login", "Authenticate to a registry"),
    _E("logout", "login", "Log out from a registry"),
    _E("logs", "logs", "Fetch the logs of a container"),
    _E("pause", "lifecycle", "Pause all processes within one or more containers"),
    _E("port", "port", "List port mappings or a specific mapping for the container"),
    _E("ps", "ps", "List containers"),
    _E("pull", "pull", "Download an image from a registry"),
    _E("push", "push", "Upload an image to a registry"),
    _E("rename", "lifecycle", "Rename a container"),
    _E("restart", "lifecycle", "Restart one or more containers"),
    _E("rm", "lifecycle", "Remove one or more containers"),
    _E("rmi", "rmi", "Remove one or more images"),
    _E("run", "run", "Create and run a new container from an image"),
    _E("save", "save", "Save one or more images to a tar archive (streamed to STDOUT by default)"),
    _E("search", "search", "Search Docker Hub for images"),
    _E("start", "start", "Start one or more stopped containers"),
    _E("stats", "stats", "Display a live stream of container(s) resource usage statistics"),
    _E("stop", "lifecycle", "Stop one or more running containers"),
    _E("tag", "tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"),
    _E("top", "top", "Display the running processes of a container"),
    _E("unpause", "lifecycle", "Unpause all processes within one or more containers"),
    _E("update", "update", "Update configuration of one or more containers"),
    _E("version", "version", "Show the Docker version information"),
    _E("wait", "lifecycle", "Block until one or more containers stop, then print their exit codes"),
]}

GROUPS: dict[str, dict[str, Entry]] = {
    "container": {
        **{name: COMMANDS[name] for name in (
            "attach", "commit", "cp", "create", "diff", "exec", "export", "kill", "logs", "pause", "port", "rename",
            "restart", "rm", "run", "start", "stats", "stop", "top", "unpause", "update", "wait")},
        "ls": COMMANDS["ps"], "list": COMMANDS["ps"], "ps": COMMANDS["ps"], "remove": COMMANDS["rm"],
        "inspect": _E("inspect", "inspect", "Display detailed information on one or more containers",
                      "container_inspect"),
        "prune": _E("prune", "prune", "Remove all stopped containers", "container_prune"),
    },
    "image": {
        "ls": COMMANDS["images"], "list": COMMANDS["images"], "rm": COMMANDS["rmi"], "remove": COMMANDS["rmi"],
        "tag": COMMANDS["tag"], "history": COMMANDS["history"], "pull": COMMANDS["pull"],
        "push": COMMANDS["push"], "save": COMMANDS["save"], "load": COMMANDS["load"],
        "import": COMMANDS["import"], "build": COMMANDS["build"],
        "inspect": _E("inspect", "inspect", "Display detailed information on one or more images", "image_inspect"),
        "prune": _E("prune", "prune", "Remove unused images", "image_prune"),
    },
    "network": {
        "connect": _E("connect", "network", "Connect a container to a network", "network_connect"),
        "create": _E("create", "network", "Create a network", "network_create"),
        "disconnect": _E("disconnect", "network", "Disconnect a container from a network", "network_disconnect"),
        "inspect": _E("inspect", "network", "Display detailed information on one or more networks",
                      "network_inspect"),
        "ls": _E("ls", "network", "List networks", "network_ls"),
        "list": _E("ls", "network", "List networks", "network_ls"),
        "prune": _E("prune", "network", "Remove all unused networks", "network_prune"),
        "rm": _E("rm", "network", "Remove one or more networks", "network_rm"),
        "remove": _E("rm", "network", "Remove one or more networks", "network_rm"),
    },
    "system": {
        "df": _E("df", "df", "Show docker disk usage"),
        "info": COMMANDS["info"],
        "events": COMMANDS["events"],
    },
    "volume": {
        "create": _E("create", "volume", "Create a volume", "volume_create"),
        "inspect": _E("inspect", "volume", "Display detailed information on one or more volumes", "volume_inspect"),
        "ls": _E("ls", "volume", "List volumes", "volume_ls"),
        "list": _E("ls", "volume", "List volumes", "volume_ls"),
        "prune": _E("prune", "volume", "Remove unused local volumes", "volume_prune"),
        "rm": _E("rm", "volume", "Remove one or more volumes", "volume_rm"),
        "remove": _E("rm", "volume", "Remove one or more volumes", "volume_rm"),
    },
}

GROUP_SUMMARIES = {"container": "Manage containers", "image": "Manage images", "network": "Manage networks",
                   "system": "Manage Docker", "volume": "Manage volumes"}


def lookup(words: list[str]) -> tuple[str, Entry, list[str]] | None:
    """(display name, entry, the remaining words) for ``ps -a`` or ``image ls -q``."""
    if not words:
        return None
    head = words[0]
    if head in COMMANDS:
        return head, COMMANDS[head], words[1:]
    group = GROUPS.get(head)
    if group is not None and len(words) > 1 and words[1] in group:
        return f"{head} {words[1]}", group[words[1]], words[2:]
    return None
