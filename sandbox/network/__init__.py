"""Container networking: bridges, veth pairs, IPAM, port publishing, names (rtnetlink).

The public surface is small; everything else is in the modules it names::

    NetworkManager(state_dir, tracer=…, options=NetworkOptions(…))   the facade (manager)
    Network, Endpoint, PortBinding                                   the records (model)
    NetworkOptions                                                   pools, names, masquerade

Importing this package imports nothing beyond the standard library at module level, and
netlink is loaded on first use.
"""

from sandbox.network.manager import NetworkManager, RestoreReport
from sandbox.network.model import Endpoint, Network, PortBinding
from sandbox.network.options import NetworkOptions

__all__ = ["Endpoint", "Network", "NetworkManager", "NetworkOptions", "PortBinding", "RestoreReport"]
