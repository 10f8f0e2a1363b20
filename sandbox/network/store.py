"""Networks and published ports on disk, as JSON, written atomically.

Layout under the manager's state directory::

    networks/<id>.json         one network, its IPAM state and endpoints
    ports.json                 every published port
    containers/<id>/hosts      managed /etc/hosts and resolv.conf (see ``hosts``)
    containers/<id>/resolv.conf

Each JSON file is written to a temporary file and renamed over the old one, so a daemon
killed half-way leaves either the old or the new version, never half of one. There is no
fsync: it would double the cost of a ``connect`` and only guards against a power cut, after
which every veth and bridge is gone anyway and ``restore`` rebuilds from what is there.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sandbox.errors import NetworkError
from sandbox.network.model import Network, PortBinding


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # One dumps and one write: json.dump to a file writes every token separately.
    tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


class NetworkStore:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.networks_dir = state_dir / "networks"
        self.ports_file = state_dir / "ports.json"

    def load_networks(self) -> list[Network]:
        if not self.networks_dir.is_dir():
            return []
        out = []
        for path in sorted(self.networks_dir.glob("*.json")):
            try:
                out.append(Network.from_dict(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, KeyError, TypeError) as e:
                raise NetworkError(f"network state file {path} is damaged: {e}",
                                   "move it away and restart; the network will be missing") from None
        return out

    def save_network(self, net: Network) -> None:
        write_json_atomic(self.networks_dir / f"{net.id}.json", net.to_dict())

    def delete_network(self, network_id: str) -> None:
        (self.networks_dir / f"{network_id}.json").unlink(missing_ok=True)

    def load_ports(self) -> list[PortBinding]:
        try:
            raw = json.loads(self.ports_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except ValueError as e:
            raise NetworkError(f"port state file {self.ports_file} is damaged: {e}") from None
        return [PortBinding.from_dict(d) for d in raw]

    def save_ports(self, bindings: list[PortBinding]) -> None:
        write_json_atomic(self.ports_file, [b.to_dict() for b in bindings])

    def container_dir(self, container_id: str) -> Path:
        return self.state_dir / "containers" / container_id
