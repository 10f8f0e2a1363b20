"""``--pid container:X``: the pid namespace a container joins instead of making its own.

The namespace is named by the other container's init, ``/proc/<pid>/ns/pid``, so that
container must be running when this one starts (dockerd's rule too); ``--pid host`` needs
nothing looked up and is read from the HostConfig by ``translate``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sandbox.engine.containers import translate
from sandbox.errors import InvalidParameter

if TYPE_CHECKING:
    from sandbox.engine.containers.context import Engine
    from sandbox.engine.containers.record import Record


def namespace(eng: Engine, rec: Record, check_only: bool = False) -> str | None:
    """The ``/proc/PID/ns/pid`` to join, or None. ``check_only`` (at create): the other
    container must exist but need not run yet."""
    ref = translate.joined_pid_container(rec.host_config)
    if ref is None:
        return None
    other = eng.registry.get(ref)  # NoSuchContainer (404) when there is none
    if other.id == rec.id:
        raise InvalidParameter("cannot join own pid namespace", "HostConfig.PidMode")
    if check_only:
        return None
    s = other.rec.state
    if not (s.live and s.pid):
        name = other.rec.name.lstrip("/")
        # A start-time refusal the learner can fix, hence kept as a 400 rather than a crash.
        raise InvalidParameter(f"cannot join PID of a non running container: {name}", "HostConfig.PidMode",
                               f"start {name} first: --pid container:{name} shares its pid namespace")
    return f"/proc/{s.pid}/ns/pid"
