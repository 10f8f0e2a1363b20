"""Restart policies: whether an exited container starts again, and after how long.

As dockerd's restart manager: ``no`` never; ``always`` and ``unless-stopped`` whatever the
exit code; ``on-failure[:N]`` on a non-zero code, at most N times (0: no maximum). A stop,
kill or rm by the user always wins. The delay starts at 100 ms and doubles with each quick
failure (capped at a minute); a run of 10 s or more counts as healthy and resets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

INITIAL_DELAY = 0.1
MAX_DELAY = 60.0
HEALTHY_RUN = 10.0


@dataclass(frozen=True)
class Policy:
    name: str = "no"
    maximum_retry_count: int = 0

    @classmethod
    def from_api(cls, d: dict[str, Any] | None) -> Policy:
        d = d or {}
        return cls(d.get("Name") or "no", int(d.get("MaximumRetryCount") or 0))

    def should_restart(self, exit_code: int, manually_stopped: bool, restart_count: int) -> bool:
        if manually_stopped:
            return False
        if self.name in ("always", "unless-stopped"):
            return True
        if self.name == "on-failure":
            limit = self.maximum_retry_count
            return exit_code != 0 and (limit == 0 or restart_count < limit)
        return False

    def restart_at_daemon_start(self, manually_stopped: bool, started_before: bool) -> bool:
        """``always`` comes back even after a user's stop; ``unless-stopped`` only if not."""
        if not started_before:
            return False
        return self.name == "always" or (self.name == "unless-stopped" and not manually_stopped)


def next_delay(previous: float, ran_for: float) -> float:
    """The back-off before the next restart, given the last one and how long the run lasted."""
    if previous <= 0 or ran_for >= HEALTHY_RUN:
        return INITIAL_DELAY
    return min(previous * 2, MAX_DELAY)
