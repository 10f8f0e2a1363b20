"""What a picture is about: the step's ``show:`` names it, otherwise the last command's
subject does. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from ..backend.types import PICTURES, ShowSpec
from ..commandline import Subject


@dataclass(frozen=True)
class Target:
    kind: str
    container: str | None = None
    image: str | None = None
    network: str | None = None
    path: str | None = None


def choose(kind: str | None, show: ShowSpec | None, subject: Subject) -> Target | None:
    """The picture to draw and its subject. ``kind`` is the one the learner picked (or the
    last command suggested); the step's ``show:`` gives the default kind and fixed subjects,
    which win over the last command's because the step's text talks about them."""
    chosen = kind or (show.picture if show else None)
    if chosen is None:
        return None
    pinned = show if show is not None and show.picture == chosen else None
    container = (pinned.container if pinned and pinned.container else None) or subject.container \
        or (show.container if show else None)
    image = (pinned.image if pinned and pinned.image else None) or subject.image or (show.image if show else None)
    network = (pinned.network if pinned and pinned.network else None) or subject.network \
        or (show.network if show else None)
    path = show.path if show else None
    return Target(chosen, container, image, network, path)


def next_kind(kind: str | None) -> str:
    if kind not in PICTURES:
        return PICTURES[0]
    return PICTURES[(PICTURES.index(kind) + 1) % len(PICTURES)]
