"""Reset: remove what a lesson (or a step) made, and nothing else.

How we know what the lesson made — snapshots, not labels. When a lesson (or a step)
begins we record the ids of every container, image, volume and network, and which image
each tag points at. A reset removes exactly the objects whose ids are not in that record,
and moves tags the lesson re-pointed back where they were.

Labels were the other option: stamp ``sandbox.lesson=<id>`` on everything the lesson makes.
But the learner types plain ``docker run …`` — into our grammar, the real docker CLI, or
the SDK — and we would have to rewrite their commands to add the label (changing what
they learn) and could still not label what a build, a pull or ``--volumes-from`` makes
on the side. A snapshot sees all of it, works against any engine (a real dockerd too),
and survives restarts because it is kept in the progress file.

What it cannot do: bring back what the lesson *removed* or changed in place (a learner's
container stopped or renamed during the lesson). Lessons therefore declare the names they
use (``resources``) and refuse to start when one is taken by something they did not make,
rather than removing the learner's things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import EngineError, ResourceConflict

from .model import Resources
from .refs import normalize_ref
from .state import ResourceRemover, StateReader

PREDEFINED_NETWORKS = frozenset({"bridge", "host", "none"})


@dataclass
class Inventory:
    containers: set[str] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    tags: dict[str, str] = field(default_factory=dict)
    """Normalised tag -> image id."""
    volumes: set[str] = field(default_factory=set)
    networks: set[str] = field(default_factory=set)

    @classmethod
    def take(cls, state: StateReader) -> Inventory:
        inv = cls()
        inv.containers = {str(c["Id"]) for c in state.containers()}
        for image in state.images():
            inv.images.add(str(image["Id"]))
            for tag in image.get("RepoTags") or []:
                if tag and tag != "<none>:<none>":
                    inv.tags[normalize_ref(tag)] = str(image["Id"])
        inv.volumes = {str(v["Name"]) for v in state.volumes()}
        inv.networks = {str(n["Id"]) for n in state.networks()}
        return inv

    def to_json(self) -> dict[str, Any]:
        return {
            "containers": sorted(self.containers),
            "images": sorted(self.images),
            "tags": dict(self.tags),
            "volumes": sorted(self.volumes),
            "networks": sorted(self.networks),
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Inventory:
        return cls(
            set(doc.get("containers", [])),
            set(doc.get("images", [])),
            dict(doc.get("tags", {})),
            set(doc.get("volumes", [])),
            set(doc.get("networks", [])),
        )


@dataclass
class ResetReport:
    removed: list[str] = field(default_factory=list)
    """``container web (3f2a…)``, ``image mybox:1``, ``tag busybox:latest restored`` …"""
    failed: list[str] = field(default_factory=list)
    """What could not be removed, with the engine's reason."""

    @property
    def ok(self) -> bool:
        return not self.failed


def reset_to(before: Inventory, state: StateReader, remover: ResourceRemover) -> ResetReport:
    """Remove every object that is not in ``before``; restore moved tags. Order matters:
    containers hold volumes, networks and images, so they go first."""
    report = ResetReport()
    for c in state.containers():
        if c["Id"] not in before.containers:
            name = (c.get("Names") or ["/" + str(c["Id"])[:12]])[0].lstrip("/")
            _attempt(report, f"container {name}", lambda cid=c["Id"]: remover.remove_container(cid))
    for n in state.networks():
        if n["Id"] not in before.networks and n.get("Name") not in PREDEFINED_NETWORKS:
            _attempt(report, f"network {n.get('Name')}", lambda nid=n["Id"]: remover.remove_network(nid))
    for v in state.volumes():
        if v["Name"] not in before.volumes:
            _attempt(report, f"volume {v['Name']}", lambda name=v["Name"]: remover.remove_volume(name))
    _reset_images(before, state, remover, report)
    return report


def _reset_images(
    before: Inventory, state: StateReader, remover: ResourceRemover, report: ResetReport
) -> None:
    images = state.images()
    current_ids = {str(i["Id"]) for i in images}
    # Tags the lesson moved onto another image go back first, so that removing the new
    # image does not take the name with it.
    for tag, old_id in sorted(before.tags.items()):
        now = next(
            (str(i["Id"]) for i in images if tag in {normalize_ref(t) for t in i.get("RepoTags") or []}), None
        )
        if now != old_id and old_id in current_ids:
            _attempt(report, f"tag {tag} restored", lambda t=tag, i=old_id: remover.tag_image(i, t))
    images = state.images()
    new = [i for i in images if i["Id"] not in before.images]
    # New tags on images that were already there: untag, but only where another tag keeps
    # the image (removing the last tag of an old image would delete the image itself).
    for image in images:
        if image["Id"] in before.images:
            tags = [t for t in image.get("RepoTags") or [] if t != "<none>:<none>"]
            extra = [t for t in tags if normalize_ref(t) not in before.tags]
            keep = len(tags) - len(extra)
            for tag in extra if keep > 0 else []:
                _attempt(report, f"tag {tag}", lambda t=tag: remover.remove_image(t))
    # New images may be each other's parents: a parent refuses while its child exists, so
    # what was refused is retried once the others are gone.
    pending = sorted(new, key=lambda i: -int(i.get("Created") or 0))
    failures: list[str] = []
    for _ in range(3):
        failures, retry = [], []
        for image in pending:
            label = f"image {', '.join(image.get('RepoTags') or []) or str(image['Id'])[7:19]}"
            try:
                remover.remove_image(str(image["Id"]), force=True)
                report.removed.append(label)
            except EngineError as err:
                if err.status != 404:  # 404: it went with its child
                    retry.append(image)
                    failures.append(f"{label}: {err.message}")
        pending = retry
        if not pending:
            break
    report.failed.extend(failures)


def _attempt(report: ResetReport, label: str, action: Any) -> None:
    try:
        action()
        report.removed.append(label)
    except EngineError as err:
        if err.status == 404:
            return  # already gone: nothing to reset
        report.failed.append(f"{label}: {err.message}")


def conflicts(resources: Resources, state: StateReader) -> list[ResourceConflict]:
    """Names the lesson is about to make that something else already holds. Checked before
    the lesson's snapshot, so whatever holds them is not the lesson's to remove."""
    out: list[ResourceConflict] = []
    for name in resources.containers:
        if state.container(name) is not None:
            out.append(ResourceConflict("container", name))
    for name in resources.volumes:
        if state.volume(name) is not None:
            out.append(ResourceConflict("volume", name))
    for name in resources.networks:
        if state.network(name) is not None:
            out.append(ResourceConflict("network", name))
    for ref in resources.images:
        if state.image(ref) is not None:
            out.append(ResourceConflict("image", ref))
    return out
