"""Names, ids and the in-memory registry that resolves them."""

from __future__ import annotations

import pytest

from sandbox.engine.containers.names import check_name, generate_name, new_id
from sandbox.engine.containers.record import Record
from sandbox.engine.containers.registry import Container, Registry
from sandbox.errors import ContainerNameConflict, InvalidParameter, NoSuchContainer


@pytest.mark.parametrize("name", ["web", "/web", "a1", "my_app.v2-x"])
def test_valid_names(name: str) -> None:
    assert check_name(name) == "/" + name.lstrip("/")


@pytest.mark.parametrize("name", ["a/b", "x", "-lead", "sp ace", "", "_x", "é1"])
def test_invalid_names(name: str) -> None:
    with pytest.raises(InvalidParameter, match=r"only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed"):
        check_name(name)


def test_generated_names_and_ids() -> None:
    taken = {"/x"}
    name = generate_name(lambda n: n in taken)
    assert name.startswith("/") and check_name(name) == name
    cid = new_id(lambda i: False)
    assert len(cid) == 64 and not cid[:12].isdigit() and int(cid, 16) >= 0


def _container(cid: str, name: str) -> Container:
    return Container(Record(id=cid, name=name, created=0, path="true", args=[], config={}, host_config={},
                            image_id="sha256:x", driver="overlay", log_path="", hostname_path="",
                            hosts_path="", resolv_conf_path=""))


def test_registry_resolution() -> None:
    reg = Registry()
    a = _container("abc" + "0" * 61, "/web")
    b = _container("abd" + "0" * 61, "/db")
    reg.add(a)
    reg.add(b)
    assert reg.get(a.id) is a and reg.get("web") is a and reg.get("/db") is b and reg.get("abc") is a
    with pytest.raises(InvalidParameter, match="multiple IDs found with provided prefix: ab"):
        reg.get("ab")
    with pytest.raises(NoSuchContainer, match="No such container: zzz"):
        reg.get("zzz")
    with pytest.raises(ContainerNameConflict, match=f'in use by container "{a.id}"'):
        reg.reserve("/web", "other")
    reg.rename(a, "/site")
    a.rec.name = "/site"
    assert reg.get("site") is a and not reg.name_taken("/web")
    reg.discard(a)
    with pytest.raises(NoSuchContainer):
        reg.get("site")
