"""Volumes: data that outlives containers.

``VolumeService`` keeps named and anonymous volumes (local driver) under
``SANDBOX_ROOT/volumes/<name>/_data``; ``mounts.plan_mounts`` turns a container's
``Binds``, ``Mounts``, ``Tmpfs`` and its image's ``Volumes`` into mounts for the runtime.
"""

from sandbox.engine.volumes.mounts import MountPlan, plan_mounts
from sandbox.engine.volumes.service import VolumeService

__all__ = ["MountPlan", "VolumeService", "plan_mounts"]
