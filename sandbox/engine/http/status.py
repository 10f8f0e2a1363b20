"""Which HTTP status an exception becomes: dockerd's errdefs, keyed by our error classes.

Two ways to give an error class its status: a ``status`` attribute (an int from 400 to
599, as the network, volume and registry errors declare theirs), or an entry in the table
below (``ErrorStatuses.register`` adds more). Both are looked up along the class
hierarchy, most specific class first, so a subclass inherits its parent's status unless it
says otherwise. Anything else is a 500.
"""

from __future__ import annotations

from sandbox import errors as e

DEFAULTS: dict[type[BaseException], int] = {
    # 400: the request is wrong
    e.InvalidParameter: 400,
    e.SpecError: 400,
    e.ResourceError: 400,
    e.InvalidReference: 400,
    e.AmbiguousImage: 400,
    e.CapabilityUnknown: 400,
    e.UnsafeArchive: 400,
    # 404: it does not exist
    e.RouteNotFound: 404,
    e.ContainerNotFound: 404,
    e.ImageUnknown: 404,
    e.LayerUnknown: 404,
    e.BlobUnknown: 404,
    e.ContainerLayerUnknown: 404,
    # 405
    e.MethodNotAllowed: 405,
    # 409: it exists, or is in a state that forbids this
    e.ContainerExists: 409,
    e.ImageUsedByContainer: 409,
    e.LayerInUse: 409,
    e.ContainerLayerExists: 409,
    e.StateError: 409,
}


class ErrorStatuses:
    def __init__(self, table: dict[type[BaseException], int] | None = None) -> None:
        self._table = dict(DEFAULTS if table is None else table)

    def register(self, cls: type[BaseException], status: int) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"an error status is 4xx or 5xx, not {status}")
        self._table[cls] = status

    def status_for(self, exc: BaseException) -> int:
        own = exc.__dict__.get("status")  # set per instance (HttpProtocolError)
        if _is_error_status(own):
            return own  # type: ignore[return-value]
        for cls in type(exc).__mro__:
            status = self._table.get(cls)
            if status is None:
                status = cls.__dict__.get("status")
            if _is_error_status(status):
                return status  # type: ignore[return-value]
        return 500


def _is_error_status(value: object) -> bool:
    return type(value) is int and 400 <= value <= 599
