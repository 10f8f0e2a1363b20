"""Container rows for ``ps`` (docker's ContainerContext) and the port display they share
with ``port``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.commands.render import clock
from sandbox.commands.render.gostrings import ellipsis, go_quote, truncate_id
from sandbox.commands.render.gotime import go_time_string
from sandbox.commands.render.units import human_duration, human_size

from ._format import Row
from ._refs import parse_normalized

PS_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
PS_HEADER = {
    "ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
    "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
    "Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS",
    "Platform": "PLATFORM",
}


class ContainerRow(Row):
    """One entry of ``GET /containers/json`` as ``docker ps`` shows it."""

    FIELDS = ("Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks",
              "Platform", "Ports", "RunningFor", "Size", "State", "Status")
    go_type = "*formatter.ContainerContext"

    def __init__(self, summary: Mapping[str, Any], trunc: bool = True, now: float | None = None) -> None:
        self.c = summary
        self.trunc = trunc
        self.now = clock.now() if now is None else now
        self.fields_used: set[str] = set()

    def ID(self) -> str:
        ident = str(self.c.get("Id", ""))
        return truncate_id(ident) if self.trunc else ident

    def Names(self) -> str:
        names = [str(n).lstrip("/") for n in self.c.get("Names") or []]
        if self.trunc:
            # Legacy link names look like /other/alias; the short view shows the real one.
            return next((n for n in names if "/" not in n), "")
        return ",".join(names)

    def Image(self) -> str:
        image = str(self.c.get("Image") or "")
        if not image:
            return "<no image>"
        if not self.trunc:
            return image
        short = truncate_id(str(self.c.get("ImageID") or ""))
        if short == truncate_id(image):
            return short
        ref = parse_normalized(image)
        if ref is None:
            return image
        return ref.familiar(digest=False) if ref.digest else ref.familiar()

    def Command(self) -> str:
        command = str(self.c.get("Command") or "")
        return go_quote(ellipsis(command, 20) if self.trunc else command)

    def CreatedAt(self) -> str:
        return go_time_string(int(self.c.get("Created") or 0))

    def RunningFor(self) -> str:
        return human_duration(self.now - int(self.c.get("Created") or 0)) + " ago"

    def Ports(self) -> str:
        return displayable_ports(self.c.get("Ports") or [])

    def State(self) -> str:
        return str(self.c.get("State") or "")

    def Status(self) -> str:
        return str(self.c.get("Status") or "")

    def Size(self) -> str:
        self.fields_used.add("Size")
        rw = human_size(int(self.c.get("SizeRw") or 0), 3)
        root = int(self.c.get("SizeRootFs") or 0)
        return f"{rw} (virtual {human_size(root, 3)})" if root > 0 else rw

    def Labels(self) -> str:
        labels = self.c.get("Labels") or {}
        return ",".join(sorted(f"{k}={v}" for k, v in labels.items()))

    def Label(self, name: str) -> str:
        return str((self.c.get("Labels") or {}).get(name, ""))

    def Mounts(self) -> str:
        names = []
        for m in self.c.get("Mounts") or []:
            name = m.get("Name") or m.get("Source") or ""
            names.append(ellipsis(name, 15) if self.trunc else name)
        return ",".join(names)

    def LocalVolumes(self) -> str:
        return str(sum(1 for m in self.c.get("Mounts") or [] if m.get("Driver") == "local"))

    def Networks(self) -> str:
        networks = ((self.c.get("NetworkSettings") or {}).get("Networks") or {})
        return ",".join(networks)

    def Platform(self) -> None:
        # Only set when the engine reports the image's manifest descriptor; ours does not.
        return None


def _port_sort_key(port: Mapping[str, Any]) -> tuple[int, str, int, str]:
    return (int(port.get("PrivatePort") or 0), str(port.get("IP") or ""), int(port.get("PublicPort") or 0),
            str(port.get("Type") or ""))


def _join_host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _form_group(key: str, first: int, last: int) -> str:
    ip, _, kind = key.rpartition("/")
    group = str(first) if first == last else f"{first}-{last}"
    if ip:
        group = f"{_join_host_port(ip, group)}->{group}"
    return f"{group}/{kind}"


def displayable_ports(ports: list[Mapping[str, Any]]) -> str:
    """``0.0.0.0:8080->80/tcp, 443/tcp``: consecutive ports collapse into ranges."""
    groups: dict[str, list[int]] = {}
    order: list[str] = []
    result: list[str] = []
    host_mappings: list[str] = []
    for port in sorted(ports, key=_port_sort_key):
        private = int(port.get("PrivatePort") or 0)
        public = int(port.get("PublicPort") or 0)
        kind = str(port.get("Type") or "tcp")
        ip = str(port.get("IP") or "")
        key = kind
        if ip:
            if public != private:
                host_mappings.append(f"{_join_host_port(ip, str(public))}->{private}/{kind}")
                continue
            key = f"{ip}/{kind}"
        group = groups.get(key)
        if group is None:
            groups[key] = [private, private]
            order.append(key)
            continue
        if private == group[1] + 1:
            group[1] = private
            continue
        result.append(_form_group(key, group[0], group[1]))
        groups[key] = [private, private]
    for key in order:
        first, last = groups[key]
        result.append(_form_group(key, first, last))
    return ", ".join(result + host_mappings)
