"""The attached half of ``run``, ``start -a`` and ``attach``: stream, then the exit status."""

from __future__ import annotations

from sandbox.client import HijackedStream, Waiter
from sandbox.errors import SandboxError

from ._context import Context
from ._relay import Relay
from ._terminal import ResizeWatch, is_terminal


def stream_container(ctx: Context, container: str, hijacked: HijackedStream, *, stdin: bool, tty: bool,
                     detach_keys: bytes) -> bool:
    """Relay the container's streams; True if the user detached."""
    relay = Relay(ctx, hijacked, stdin=stdin, tty=tty, detach_keys=detach_keys)
    if tty and is_terminal(ctx.stdout):
        def resize(height: int, width: int) -> None:
            try:
                ctx.client.containers.resize(container, height=height, width=width)
            except SandboxError:
                # A container that already exited cannot be resized; nothing to fix.
                pass

        with ResizeWatch(ctx.stdout, resize):
            return relay.run()
    return relay.run()


def exit_status(ctx: Context, waiter: Waiter) -> int:
    """The container's exit code from ``/wait``; 125 when the engine reports an error."""
    result = waiter.result()
    error = result.get("Error") or {}
    if error and error.get("Message"):
        ctx.err(f"Error waiting for container: {error['Message']}")
        return 125
    return int(result.get("StatusCode", 0))
