from __future__ import annotations

import pytest

from sandbox.errors import InvalidReference
from sandbox.storage.reference import Reference, normalize_reference

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("busybox", Reference("busybox", "latest")),
        ("busybox:latest", Reference("busybox", "latest")),
        ("library/busybox", Reference("busybox", "latest")),
        ("docker.io/library/busybox:latest", Reference("busybox", "latest")),
        ("index.docker.io/library/busybox:1.36", Reference("busybox", "1.36")),
        ("docker.io/me/app:v1", Reference("me/app", "v1")),
        ("me/app", Reference("me/app", "latest")),
        ("localhost:5000/app", Reference("localhost:5000/app", "latest")),
        ("localhost/app:x", Reference("localhost/app", "x")),
        ("registry.example:443/team/app:1.0", Reference("registry.example:443/team/app", "1.0")),
        (f"busybox@{DIGEST}", Reference("busybox", None, DIGEST)),
        (f"busybox:1@{DIGEST}", Reference("busybox", "1", DIGEST)),
        ("a__b/c-d.e_f:T_1.x-y", Reference("a__b/c-d.e_f", "T_1.x-y")),
    ],
)
def test_normalize(text: str, expected: Reference) -> None:
    assert normalize_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " busybox",
        "BusyBox",
        "busybox:",
        "busybox:-bad",
        "busybox@sha256:abc",
        "busybox@md5:" + "a" * 32,
        "/busybox",
        "busybox/",
        "a//b",
        "bad..name",
        "-lead",
        "host:port:tag/x",
        ":tag",
        "a" * 256,
        "busybox:" + "t" * 129,
    ],
)
def test_invalid(text: str) -> None:
    with pytest.raises(InvalidReference) as e:
        normalize_reference(text)
    assert e.value.hint


def test_str_round_trips() -> None:
    for text in ("busybox:latest", "me/app:v1", f"busybox@{DIGEST}", "localhost:5000/app:1"):
        assert str(normalize_reference(text)) == text
    assert normalize_reference("busybox").tagged == "busybox:latest"
    assert normalize_reference(f"busybox@{DIGEST}").tagged is None
