"""Volumes and networks for the daemon's ``compose()``: the services and their routes.

    volumes, networks = make_volume_and_network_services(settings, tracer)
    containers = ContainerService(..., volumes=volumes, networks=networks)
    containers.restore()          # restores the networks first (bridges, ports)
    add_volume_and_network_routes(app, volumes, networks, containers)
"""

from __future__ import annotations

from typing import Any

from sandbox.config import Settings
from sandbox.engine.api import networks as network_routes
from sandbox.engine.api import volumes as volume_routes
from sandbox.engine.http import App
from sandbox.engine.volumes import VolumeService
from sandbox.linux.trace import NULL_TRACER, Tracer
from sandbox.network import NetworkManager, NetworkOptions


def make_volume_and_network_services(settings: Settings,
                                     tracer: Tracer = NULL_TRACER) -> tuple[VolumeService, NetworkManager]:
    """The volume service under ``root/volumes`` and the network manager under
    ``root/network`` (options from SANDBOX_BRIDGE, SANDBOX_BRIDGE_SUBNET, SANDBOX_NETWORK_POOL,
    SANDBOX_MASQUERADE). Nothing touches the kernel until a network is used."""
    volumes = VolumeService(settings.root / "volumes")
    networks = NetworkManager(settings.root / "network", tracer=tracer, options=NetworkOptions.from_env())
    return volumes, networks


def add_volume_and_network_routes(app: App, volumes: VolumeService, networks: NetworkManager,
                                  containers: Any = None) -> None:
    """``/volumes…``, ``/networks…`` and ``/sandbox/networks/{id}/topology``. ``containers``
    (the ContainerService) is what ``network connect``/``disconnect`` go through; without it
    those two answer 400. The port proxy's thread stops when the server does."""
    app.include(volume_routes.register, volumes)
    app.include(network_routes.register, network_routes.NetworkApi(networks, containers))
    app.on_shutdown.append(networks.close)
