"""What a build stage has made so far: an image config, its layers, and the stage's scope.

Every step turns one state into the next. A state's id is the digest of its config, the
same id the image would get in the store, so the `` ---> 3f57d9401f8d`` lines show what
``docker history`` shows later, and the cache keys on it. Intermediate states are not
stored as images (they would crowd ``docker images``); their layers are in the store and
their configs in the build cache.
"""

from __future__ import annotations

import copy
import hashlib
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sandbox.storage import HistoryEntry, ImageConfig

if TYPE_CHECKING:
    from sandbox.images.build.trees import Tree
    from sandbox.storage import Layer, Store

DEFAULT_SHELL = ("/bin/sh", "-c")
# A base image's bookkeeping from the daemon that built it does not describe this image.
_STALE_KEYS = ("container", "container_config", "docker_version", "id", "parent")


def now_iso() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1e9):09d}Z"


def config_id(config: ImageConfig) -> str:
    return "sha256:" + hashlib.sha256(config.to_json()).hexdigest()


@dataclass
class StageState:
    config: ImageConfig
    layers: list[str] = field(default_factory=list)
    """Layer chain ids, bottom first."""
    id: str = ""
    """``sha256:…`` of the config; empty for ``FROM scratch`` before any step."""
    shell: list[str] = field(default_factory=lambda: list(DEFAULT_SHELL))
    cmd_set: bool = False
    """CMD was given in this stage (ENTRYPOINT then keeps it; else it clears the base's)."""
    args: dict[str, str | None] = field(default_factory=dict)
    """ARGs declared in this stage: name -> value (None: declared, no value)."""
    used_args: set[str] = field(default_factory=set)

    @classmethod
    def scratch(cls) -> StageState:
        return cls(config=ImageConfig(architecture=_host_arch(), os="linux"))

    @classmethod
    def from_image(cls, image_id: str, layers: list[str], config: ImageConfig) -> StageState:
        cfg = copy.deepcopy(config)
        for key in _STALE_KEYS:
            cfg.extra.pop(key, None)
        return cls(config=cfg, layers=list(layers), id=image_id)

    def fork(self) -> StageState:
        """A copy for a new stage that starts ``FROM`` this one; ARGs do not carry over."""
        return StageState(config=copy.deepcopy(self.config), layers=list(self.layers), id=self.id)

    @property
    def short_id(self) -> str:
        return self.id.removeprefix("sha256:")[:12]

    def env(self) -> dict[str, str]:
        """What ``$VAR`` expands to: the stage's ARGs, overridden by its ENV."""
        out = {k: v for k, v in self.args.items() if v is not None}
        out.update(self.config.env_dict())
        return out

    def run_args(self) -> list[str]:
        """``KEY=value`` of ARGs a RUN sees as environment (those ENV does not set)."""
        env_keys = set(self.config.env_dict())
        return sorted(f"{k}={v}" for k, v in self.args.items() if v is not None and k not in env_keys)

    def tree(self, store: Store) -> Tree:
        from sandbox.images.build.trees import EmptyTree, LayerTree

        return LayerTree(store, self.layers) if self.layers else EmptyTree()

    def commit(self, created_by: str, layer: Layer | None, comment: str | None = None) -> None:
        """Append one history entry (and the layer, if the step made one); a new id."""
        created = now_iso()
        if layer is not None:
            self.layers.append(layer.id)
            self.config.diff_ids = [*self.config.diff_ids, layer.diff_id]
        entry = HistoryEntry(created=created, created_by=created_by, comment=comment,
                             empty_layer=layer is None)
        self.config.history = [*self.config.history, entry]
        self.config.created = created
        self.id = config_id(self.config)

    def restore(self, config_json: str, layers: list[str], state_id: str) -> None:
        """Take a cached step's result."""
        self.config = ImageConfig.from_json(config_json)
        self.layers = list(layers)
        self.id = state_id


def _host_arch() -> str:
    from sandbox.storage.importer import host_arch

    return host_arch()
