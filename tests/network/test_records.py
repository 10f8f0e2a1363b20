"""Records, their JSON, options and the package surface."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sandbox.network
from sandbox.errors import InvalidNetworkConfig, NetworkError
from sandbox.network import NetworkOptions
from sandbox.network.inspect import network_json
from sandbox.network.model import EndpointRecord, Network, PortBinding
from sandbox.network.store import NetworkStore

DOCKER_KEYS = {"Name", "Id", "Created", "Scope", "Driver", "EnableIPv6", "IPAM", "Internal", "Attachable",
               "Ingress", "ConfigFrom", "ConfigOnly", "Containers", "Options", "Labels"}


def _net() -> Network:
    net = Network(id="f" * 64, name="web", driver="bridge", created="2024-01-01T00:00:00.000000Z",
                  subnet="10.1.0.0/24", gateway="10.1.0.1", bridge="br-ffffffffffff", labels={"a": "b"},
                  allocated={"10.1.0.2": "c" * 64})
    net.endpoints["c" * 64] = EndpointRecord("c" * 64, "web1", "e" * 64, "10.1.0.2", "02:42:0a:01:00:02",
                                             "eth0", "vethabc", "/proc/1/ns/net", ["db"], "host", True)
    return net


def test_inspect_has_dockers_shape() -> None:
    doc = network_json(_net())
    assert set(doc) == DOCKER_KEYS
    assert doc["Scope"] == "local" and doc["EnableIPv6"] is False
    assert doc["IPAM"] == {"Driver": "default", "Options": {}, "Config": [{"Subnet": "10.1.0.0/24",
                                                                           "Gateway": "10.1.0.1"}]}
    assert doc["Containers"]["c" * 64]["IPv4Address"] == "10.1.0.2/24"
    assert network_json(_net(), containers=False)["Containers"] == {}


def test_records_round_trip_through_the_store(tmp_path: Path) -> None:
    store = NetworkStore(tmp_path)
    store.save_network(_net())
    [back] = store.load_networks()
    assert back == _net()
    assert [p.name for p in (tmp_path / "networks").iterdir()] == ["f" * 64 + ".json"]  # no temp files
    b = PortBinding("c" * 64, "0.0.0.0", 18080, "10.1.0.2", 80)
    store.save_ports([b])
    assert store.load_ports() == [b]


def test_a_damaged_state_file_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "networks").mkdir()
    (tmp_path / "networks" / "x.json").write_text("{not json")
    with pytest.raises(NetworkError, match="x.json is damaged"):
        NetworkStore(tmp_path).load_networks()


def test_options_refuse_names_the_kernel_would_refuse() -> None:
    with pytest.raises(InvalidNetworkConfig):
        NetworkOptions(default_bridge="a-name-longer-than-15")
    with pytest.raises(InvalidNetworkConfig):
        NetworkOptions(veth_prefix="elevenchars")
    opts = NetworkOptions.from_env({"SANDBOX_MASQUERADE": "1", "SANDBOX_BRIDGE": "sbx0"})
    assert opts.masquerade and opts.default_bridge == "sbx0"
    assert not NetworkOptions.from_env({}).masquerade
    prefixed = NetworkOptions.from_env({"SANDBOX_BRIDGE_PREFIX": "tb", "SANDBOX_VETH_PREFIX": "tv"})
    assert (prefixed.bridge_prefix, prefixed.veth_prefix) == ("tb", "tv")
    with pytest.raises(InvalidNetworkConfig):
        NetworkOptions.from_env({"SANDBOX_VETH_PREFIX": "much-too-long"})


def test_public_surface_and_no_netlink_library() -> None:
    """The engine forks a copy of itself per container: the network code adds no library
    to copy (pyroute2 cost 11 MB and 190 modules), only its own small rtnetlink codec."""
    assert sorted(sandbox.network.__all__) == ["Endpoint", "Network", "NetworkManager", "NetworkOptions",
                                               "PortBinding", "RestoreReport"]
    code = ("import sys, pathlib, sandbox.network as n; "
            "m = n.NetworkManager(pathlib.Path('/nonexistent')); "
            "print('lo' in m.links.link_names(('lo',)), 'pyroute2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
