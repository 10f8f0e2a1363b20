"""Which status each error class becomes."""

from __future__ import annotations

import pytest

from sandbox import errors as e
from sandbox.engine.http.status import ErrorStatuses


@pytest.mark.parametrize("exc, status", [
    (e.ContainerNotFound("x"), 404),
    (e.ImageUnknown("x"), 404),
    (e.NoSuchImage("x"), 404),
    (e.RouteNotFound("/x"), 404),
    (e.ContainerExists("x"), 409),
    (e.ImageUsedByContainer("i", "c"), 409),
    (e.ImageDeleteConflict("i", "c", "conflict"), 409),
    (e.StateError("c", "start", "running"), 409),
    (e.InvalidParameter("bad"), 400),
    (e.InvalidReference("X", "upper case"), 400),
    (e.ResourceError("memory", "1k", "too small"), 400),
    (e.SpecError("process.args", "empty"), 400),
    (e.MethodNotAllowed("POST", "/x", ["GET"]), 405),
    (e.HttpProtocolError(413, "too big"), 413),
    (e.SandboxError("other"), 500),
    (e.StorageError("disk"), 500),
    (RuntimeError("bug"), 500),
])
def test_defaults(exc: BaseException, status: int) -> None:
    assert ErrorStatuses().status_for(exc) == status


def test_register_a_later_error_class() -> None:
    class NameInUse(e.SandboxError):
        pass

    class SubNameInUse(NameInUse):
        pass

    statuses = ErrorStatuses()
    assert statuses.status_for(SubNameInUse("x")) == 500
    statuses.register(NameInUse, 409)
    assert statuses.status_for(SubNameInUse("x")) == 409
    with pytest.raises(ValueError):
        statuses.register(NameInUse, 200)


def test_a_status_attribute_is_honoured_along_the_hierarchy() -> None:
    class VolumeTrouble(e.SandboxError):
        status = 500

    class VolumeMissing(VolumeTrouble):
        status = 404

    class VolumeMissingHere(VolumeMissing):
        pass

    class Odd(e.SandboxError):
        status = "running"  # not an HTTP status: ignored

    statuses = ErrorStatuses()
    assert statuses.status_for(VolumeMissingHere("v")) == 404
    assert statuses.status_for(VolumeTrouble("v")) == 500
    assert statuses.status_for(Odd("x")) == 500
    statuses.register(VolumeMissingHere, 410)
    assert statuses.status_for(VolumeMissingHere("v")) == 410
