"""What the words of a ``docker`` command name, for completion.

The flag parsers of ``sandbox.commands.docker`` say which flags exist and which take a
value, but not what a value or a positional argument *is*. This table adds that: a kind
in lower case completes from live names (``container``, ``image``, ``volume``,
``network``, ``object`` = any of them) or from a fixed list (``signal``, ``restart``);
anything in capitals is free text. A trailing ``...`` repeats the last kind.
"""

from __future__ import annotations

LIVE_KINDS = ("container", "image", "volume", "network")

ARGS: dict[str, str] = {
    # Keyed by the registry entry's function name, so `rm` and `container rm` share a row.
    "attach": "container",
    "cp": "container-path container-path",
    "create": "image COMMAND...",
    "diff": "container",
    "exec": "container COMMAND...",
    "export": "container",
    "history": "image",
    "images": "image",
    "inspect": "object...",
    "container_inspect": "container...",
    "image_inspect": "image...",
    "kill": "container...",
    "logs": "container",
    "pause": "container...",
    "port": "container PORT",
    "pull": "image",
    "rename": "container NAME",
    "restart": "container...",
    "rm": "container...",
    "rmi": "image...",
    "run": "image COMMAND...",
    "start": "container...",
    "stats": "container...",
    "stop": "container...",
    "tag": "image TARGET",
    "top": "container PS_ARGS...",
    "unpause": "container...",
    "update": "container...",
    "wait": "container...",
}

FLAG_VALUES: dict[str, str] = {
    "--network": "network",
    "--net": "network",
    "--volumes-from": "container",
    "--volume": "volume",
    "--restart": "restart",
    "--signal": "signal",
    "--stop-signal": "signal",
    "--pull": "pull",
    "--type": "object-type",
}

CHOICES: dict[str, tuple[str, ...]] = {
    "signal": ("SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP", "SIGCONT"),
    "restart": ("no", "on-failure", "on-failure:3", "always", "unless-stopped"),
    "pull": ("missing", "always", "never"),
    "object-type": ("container", "image", "network", "volume"),
}

EXTRA_NAMES: dict[str, tuple[str, ...]] = {
    # Network modes that are not networks in the list but are valid values of --network.
    "network": ("bridge", "host", "none"),
}


def parse_args_spec(spec: str) -> tuple[tuple[str, ...], bool]:
    """``"container PS_ARGS..."`` -> (("container", "PS_ARGS"), repeat=True)."""
    kinds = spec.split()
    repeat = bool(kinds) and kinds[-1].endswith("...")
    return tuple(k.rstrip(".") for k in kinds), repeat


def is_free(kind: str) -> bool:
    """Free text (``NAME``, ``COMMAND``): nothing to complete."""
    return kind.isupper() or kind == ""
