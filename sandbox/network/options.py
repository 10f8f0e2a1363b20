"""The network manager's knobs: address pools, device names, masquerade."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sandbox.errors import InvalidNetworkConfig

IFNAMSIZ = 15
"""The kernel's limit on an interface name (16 bytes with the NUL)."""


@dataclass(frozen=True)
class NetworkOptions:
    default_bridge: str = "sandbox0"
    """The device of the default network, Docker's docker0."""
    default_subnet: str = "10.213.0.0/24"
    """The default network's subnet. Away from Docker's 172.17-31 so both engines fit on one host."""
    pool: str = "10.214.0.0/16"
    """User networks without --subnet get the first free block of this pool…"""
    pool_prefixlen: int = 24
    """…of this size."""
    bridge_prefix: str = "br-"
    """User networks' devices: prefix + the start of the network id, like Docker's br-1a2b3c4d5e6f."""
    veth_prefix: str = "veth"
    """Host ends of veth pairs: prefix + random hex."""
    masquerade: bool = False
    """Outbound access for containers through an nftables masquerade rule. Off unless asked:
    see ``sandbox.network.masquerade``."""
    nft_table: str = "sandbox"
    host_resolv_conf: Path = Path("/etc/resolv.conf")
    systemd_resolv_conf: Path = Path("/run/systemd/resolve/resolv.conf")
    fallback_dns: tuple[str, ...] = ()
    """Name servers for containers when the host has none but loopback ones. Empty: we do
    not invent public resolvers the classroom may not reach."""

    def __post_init__(self) -> None:
        if not 0 < len(self.default_bridge) <= IFNAMSIZ:
            raise InvalidNetworkConfig("default bridge name", self.default_bridge, "1 to 15 characters")
        for field, prefix in (("bridge prefix", self.bridge_prefix), ("veth prefix", self.veth_prefix)):
            if not 0 < len(prefix) <= IFNAMSIZ - 5:
                raise InvalidNetworkConfig(field, prefix, "1 to 10 characters, to leave 5 for a unique part")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> NetworkOptions:
        """SANDBOX_MASQUERADE=1 turns on outbound access; SANDBOX_BRIDGE, SANDBOX_BRIDGE_SUBNET,
        SANDBOX_NETWORK_POOL, SANDBOX_BRIDGE_PREFIX and SANDBOX_VETH_PREFIX move the defaults
        (two engines on one host, or a test that must tell its own devices apart)."""
        env = dict(os.environ if env is None else env)
        return cls(
            default_bridge=env.get("SANDBOX_BRIDGE", cls.default_bridge),
            default_subnet=env.get("SANDBOX_BRIDGE_SUBNET", cls.default_subnet),
            pool=env.get("SANDBOX_NETWORK_POOL", cls.pool),
            bridge_prefix=env.get("SANDBOX_BRIDGE_PREFIX", cls.bridge_prefix),
            veth_prefix=env.get("SANDBOX_VETH_PREFIX", cls.veth_prefix),
            masquerade=env.get("SANDBOX_MASQUERADE", "") in ("1", "true", "yes"),
        )

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every device name this manager may create starts with one of these."""
        return (self.default_bridge, self.bridge_prefix, self.veth_prefix)
