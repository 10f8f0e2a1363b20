"""Subnets and addresses: parsing, overlap, allocation (pure, no root)."""

from __future__ import annotations

from ipaddress import IPv4Network

import pytest

from sandbox.errors import AddressExhausted, AddressInUse, InvalidNetworkConfig, SubnetOverlap
from sandbox.network import ipam
from sandbox.network.ipam import TakenRange
from sandbox.network.model import Network


@pytest.mark.parametrize("text", ["10.0.0.0", "10.0.0.0/33", "10.0.0.1/24", "banana/24", "fd00::/64",
                                  "10.0.0.0/31", "0.0.0.0/4", "300.1.1.0/24", ""])
def test_bad_subnets_are_refused_naming_the_input(text: str) -> None:
    with pytest.raises(InvalidNetworkConfig) as err:
        ipam.parse_subnet(text)
    assert err.value.status == 400
    assert repr(text) in str(err.value)
    assert "CIDR" in str(err.value)


def test_good_subnet() -> None:
    assert ipam.parse_subnet("10.20.0.0/16") == IPv4Network("10.20.0.0/16")


def test_overlap_names_both_sides() -> None:
    taken = [TakenRange(IPv4Network("10.1.0.0/16"), "network backend")]
    with pytest.raises(SubnetOverlap) as err:
        ipam.check_overlap(IPv4Network("10.1.2.0/24"), taken, "front")
    assert err.value.status == 409
    assert str(err.value) == "subnet 10.1.2.0/24 of network front overlaps with 10.1.0.0/16 of network backend"
    ipam.check_overlap(IPv4Network("10.2.0.0/24"), taken)  # no overlap: no error


def test_pick_subnet_skips_taken_blocks_and_runs_out() -> None:
    pool = IPv4Network("10.9.0.0/22")
    taken = [TakenRange(IPv4Network("10.9.0.0/24"), "a"), TakenRange(IPv4Network("10.9.1.128/25"), "b")]
    assert ipam.pick_subnet(pool, 24, taken) == IPv4Network("10.9.2.0/24")
    full = taken + [TakenRange(IPv4Network("10.9.2.0/23"), "c")]
    with pytest.raises(AddressExhausted):
        ipam.pick_subnet(pool, 24, full)


def _net(user_subnet: bool = False, subnet: str = "10.5.0.0/29") -> Network:
    return Network(id="n" * 64, name="n", driver="bridge", created="", subnet=subnet, gateway="10.5.0.1",
                   user_subnet=user_subnet)


def test_allocate_takes_the_lowest_free_host_address_and_release_frees_it() -> None:
    net = _net()
    got = [ipam.allocate(net, f"c{i}") for i in range(5)]
    assert got == ["10.5.0.2", "10.5.0.3", "10.5.0.4", "10.5.0.5", "10.5.0.6"]
    with pytest.raises(AddressExhausted):
        ipam.allocate(net, "c9")
    ipam.release(net, "10.5.0.4")
    assert ipam.allocate(net, "c10") == "10.5.0.4"
    assert net.allocated["10.5.0.4"] == "c10"


def test_a_wanted_address_needs_a_user_subnet_and_must_be_free_and_inside() -> None:
    with pytest.raises(InvalidNetworkConfig, match="user configured subnets"):
        ipam.allocate(_net(), "c", "10.5.0.3")
    net = _net(user_subnet=True)
    assert ipam.allocate(net, "c1", "10.5.0.5") == "10.5.0.5"
    with pytest.raises(AddressInUse):
        ipam.allocate(net, "c2", "10.5.0.5")
    with pytest.raises(AddressInUse, match="the gateway"):
        ipam.allocate(net, "c2", "10.5.0.1")
    for bad in ("10.6.0.2", "10.5.0.7", "10.5.0.0", "nope", "::1"):
        with pytest.raises(InvalidNetworkConfig):
            ipam.allocate(net, "c3", bad)


def test_mac_follows_the_address() -> None:
    assert ipam.mac_for("10.213.0.2") == "02:42:0a:d5:00:02"
