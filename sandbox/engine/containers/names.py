"""Container names: dockerd's rule for user-given names, and generated ones for the rest.

A generated name is an adjective and the surname of someone who shaped computing, joined
by ``_`` (``curious_hopper``), with a number appended when the pair is taken.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from sandbox.errors import InvalidParameter

NAME_RE = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")

_ADJECTIVES = (
    "brave", "calm", "clever", "curious", "eager", "gentle", "happy", "jolly", "keen", "kind",
    "lucid", "merry", "nimble", "patient", "quiet", "quick", "serene", "sharp", "steady", "sunny",
    "tender", "upbeat", "vivid", "witty", "zealous", "bold", "bright", "cheerful", "daring", "frosty",
)
_PEOPLE = (
    "allen", "babbage", "backus", "cerf", "dijkstra", "engelbart", "feynman", "goldberg", "hamilton",
    "hopper", "kahn", "knuth", "lamport", "liskov", "lovelace", "mccarthy", "noether", "perlman",
    "ritchie", "shannon", "sutherland", "thompson", "torvalds", "turing", "wirth", "wozniak",
    "hoare", "kay", "bell", "cray",
)


def check_name(name: str) -> str:
    """A user-given name -> its API form with the leading ``/``; 400 with dockerd's words."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InvalidParameter(f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                               "name", "start with a letter or digit; no slashes or spaces")
    return name if name.startswith("/") else "/" + name


def generate_name(taken: Callable[[str], bool]) -> str:
    """A free ``/adjective_surname``; ``taken`` says whether a name (with ``/``) is in use."""
    for attempt in range(64):
        name = f"/{secrets.choice(_ADJECTIVES)}_{secrets.choice(_PEOPLE)}"
        if attempt >= 8:
            name += str(secrets.randbelow(100))
        if not taken(name):
            return name
    return "/c_" + secrets.token_hex(6)


def new_id(taken: Callable[[str], bool]) -> str:
    """64 hex digits. Like dockerd, never an id whose 12-character short form is all digits:
    a client could take that for a number."""
    while True:
        cid = secrets.token_hex(32)
        if not cid[:12].isdigit() and not taken(cid):
            return cid
