"""Records behave like the dataclasses they replace on the container start path."""

from __future__ import annotations

import subprocess
import sys
from typing import ClassVar

import pytest

from sandbox.records import Record, asdict, field


class Point(Record):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    KIND: ClassVar[str] = "point"


class Frozen(Record, frozen=True):
    a: int
    b: str = "b"


class Plain(Record, eq=False, repr=False):
    n: int


class Hidden(Record):
    shown: int
    secret: str = field(default="s", repr=False)
    later: list[int] = field(default_factory=list, init=False)


class Child(Point):
    z: int = 9


def test_init_positional_keyword_and_defaults() -> None:
    p = Point(1, tags=["t"])
    assert (p.x, p.y, p.tags) == (1, 0, ["t"])
    assert Point(x=2, y=3).y == 3


def test_each_instance_gets_its_own_factory_value() -> None:
    a, b = Point(1), Point(1)
    a.tags.append("only a")
    assert b.tags == []


def test_defaults_stay_class_attributes_but_factories_do_not() -> None:
    assert Point.y == 0
    assert not hasattr(Point, "tags")
    assert "KIND" not in {f.name for f in Point.__record_fields__}


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    ((), {}, "missing required argument: 'x'"),
    ((1, 2, [], 4), {}, "takes 3 positional arguments but 4 were given"),
    ((1,), {"x": 2}, "multiple values for argument 'x'"),
    ((1,), {"w": 2}, "unexpected keyword argument 'w'"),
])
def test_bad_arguments_are_refused(args: tuple[object, ...], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        Point(*args, **kwargs)


def test_eq_and_repr_like_a_dataclass() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(1, 3)
    assert Point(1) != Child(1)
    assert repr(Point(1, 2, ["a"])) == "Point(x=1, y=2, tags=['a'])"
    with pytest.raises(TypeError):
        hash(Point(1))


def test_frozen_records_are_read_only_and_hashable() -> None:
    f = Frozen(1)
    with pytest.raises(AttributeError, match="frozen"):
        f.a = 2  # type: ignore[misc]
    with pytest.raises(AttributeError, match="frozen"):
        del f.b  # type: ignore[misc]
    assert {Frozen(1), Frozen(1)} == {f}


def test_eq_false_keeps_identity() -> None:
    a = Plain(1)
    assert a != Plain(1)
    assert {a: 1}[a] == 1
    assert repr(a).startswith("<")


def test_field_options_repr_and_init() -> None:
    h = Hidden(1)
    assert repr(h) == "Hidden(shown=1, later=[])"
    assert h.later == []
    with pytest.raises(TypeError, match="unexpected keyword argument 'later'"):
        Hidden(1, later=[1])  # type: ignore[call-arg]


def test_subclass_fields_follow_the_base_fields() -> None:
    c = Child(1, 2, [], 3)
    assert (c.x, c.y, c.z) == (1, 2, 3)
    assert Child.__match_args__ == ("x", "y", "tags", "z")


def test_a_required_field_after_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="'b' without a default follows"):
        class Bad(Record):
            a: int = 1
            b: int


def test_field_with_default_and_factory_is_refused() -> None:
    with pytest.raises(ValueError, match="both"):
        field(default=1, default_factory=list)


def test_asdict_recurses_into_records_and_containers() -> None:
    class Outer(Record):
        inner: Point
        many: list[Frozen]
        by_name: dict[str, Frozen]

    out = Outer(Point(1), [Frozen(2)], {"k": Frozen(3, "c")})
    assert asdict(out) == {"inner": {"x": 1, "y": 0, "tags": []}, "many": [{"a": 2, "b": "b"}],
                           "by_name": {"k": {"a": 3, "b": "c"}}}


def test_importing_records_does_not_import_dataclasses_or_typing() -> None:
    code = "import sys, sandbox.records; print(sorted({'dataclasses', 'typing', 'inspect'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
