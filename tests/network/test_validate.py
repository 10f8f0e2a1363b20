"""Input checks run before anything is touched."""

from __future__ import annotations

import pytest

from sandbox.errors import InvalidNetworkConfig, NetworkReserved
from sandbox.network import validate


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "é", "x" * 200])
def test_bad_network_names(name: str) -> None:
    with pytest.raises(InvalidNetworkConfig):
        validate.network_name(name)


@pytest.mark.parametrize("name", ["bridge", "host", "none"])
def test_predefined_names_are_reserved(name: str) -> None:
    with pytest.raises(NetworkReserved) as err:
        validate.network_name(name)
    assert err.value.status == 403


def test_good_names_pass() -> None:
    assert validate.network_name("my-net_2.a") == "my-net_2.a"


def test_labels() -> None:
    assert validate.labels(None) == {}
    assert validate.labels({"a": "1"}) == {"a": "1"}
    for bad in ({"": "x"}, {"a": 1}, ["a"]):
        with pytest.raises(InvalidNetworkConfig):
            validate.labels(bad)  # type: ignore[arg-type]


def test_aliases_are_host_names_and_deduplicated() -> None:
    assert validate.aliases(["db", "db", "cache.local"]) == ["db", "cache.local"]
    for bad in (["a b"], ["-x"], [""], ["a\tb"]):
        with pytest.raises(InvalidNetworkConfig):
            validate.aliases(bad)


def test_ports_and_protocols() -> None:
    assert validate.port(0, "host port", allow_zero=True) == 0
    for bad in (0, -1, 65536, True, "80"):
        with pytest.raises(InvalidNetworkConfig):
            validate.port(bad, "container port")  # type: ignore[arg-type]
    with pytest.raises(InvalidNetworkConfig):
        validate.proto("sctp")
