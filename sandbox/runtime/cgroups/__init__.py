"""Cgroups for the runtime: one manager interface, a v1 ("fs") and a v2 ("fs2") backend.

    mode = detect_mode()                       # V1, V2 or HYBRID, from /proc/self/mountinfo
    cg = open_manager("web", mode=mode)        # <root>/[<controller>/]sandbox/web
    cg.create(); cg.apply(Resources(memory_limit=64 << 20)); cg.add_process(pid)
    cg.freeze(); cg.thaw(); cg.stats(); cg.kill_all(); cg.destroy()

Hybrid hosts use the v1 backend: their cgroup2 tree carries no controllers. Every change
goes through ``CgroupFiles``, which emits "cgroup.mkdir", "cgroup.write" and "cgroup.rmdir"
trace records. We only ever write below the parent (``sandbox``), except for enabling
controllers in the ancestors' cgroup.subtree_control on v2, without which no limit works.
"""

from sandbox.runtime.cgroups.files import CgroupFiles
from sandbox.runtime.cgroups.manager import open_manager
from sandbox.runtime.cgroups.mode import CgroupMode, detect_mode, mode_from_mounts
from sandbox.runtime.cgroups.stats import CgroupStats
from sandbox.runtime.cgroups.validate import MIN_MEMORY, validate_resources

__all__ = [
    "MIN_MEMORY",
    "CgroupFiles",
    "CgroupManager",
    "CgroupMode",
    "CgroupStats",
    "detect_mode",
    "mode_from_mounts",
    "open_manager",
    "validate_resources",
]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from sandbox.runtime.cgroups.interface import CgroupManager


def __getattr__(name: str) -> object:
    # Loaded on first use: the Protocol needs typing, which a container start does without.
    if name == "CgroupManager":
        from sandbox.runtime.cgroups.interface import CgroupManager

        return CgroupManager
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
