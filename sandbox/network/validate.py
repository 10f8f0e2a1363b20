"""Input checks for network create/connect, run before anything is touched."""

from __future__ import annotations

import re

from sandbox.errors import InvalidNetworkConfig, NetworkReserved
from sandbox.network.model import PREDEFINED

_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$")
_ALIAS = re.compile(r"^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,252})$")


def network_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidNetworkConfig("network name", name, "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                   "for example: backend, my-net_2")
    if name in PREDEFINED:
        raise NetworkReserved(name, "created again")
    return name


def labels(value: dict[str, str] | None) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidNetworkConfig("labels", value, "must be a mapping of strings to strings")
    for k, v in value.items():
        if not isinstance(k, str) or not k or not isinstance(v, str):
            raise InvalidNetworkConfig("label", f"{k}={v}", "keys must be non-empty strings, values strings")
    return dict(value)


def aliases(value: tuple[str, ...] | list[str]) -> list[str]:
    """Names a container answers to on a network: they go into peers' hosts files, so each
    must be a valid host name and may not contain white space."""
    out: list[str] = []
    for alias in value:
        if not isinstance(alias, str) or not _ALIAS.match(alias):
            raise InvalidNetworkConfig("alias", alias, "must be a host name: letters, digits, '.', '_', '-'")
        if alias not in out:
            out.append(alias)
    return out


def proto(value: str) -> str:
    if value not in ("tcp", "udp"):
        raise InvalidNetworkConfig("protocol", value, "must be tcp or udp")
    return value


def port(value: int, field: str, allow_zero: bool = False) -> int:
    low = 0 if allow_zero else 1
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 65535:
        raise InvalidNetworkConfig(field, value, f"must be a port number between {low} and 65535")
    return value
