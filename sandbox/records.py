"""Records: the shape of a dataclass, without ``dataclasses``, for the container start path.

    class Mount(Record):
        destination: str
        options: list[str] = field(default_factory=list)

    class ExitStatus(Record, frozen=True): ...
    class Plan(Record, eq=False, repr=False): ...

A record has what the runtime used of ``@dataclass``: annotated fields in order, defaults
and ``field(default_factory=…)``, keyword or positional ``__init__``, ``__eq__`` (same
class, equal fields), ``__repr__``, ``frozen`` (read-only and hashable) and ``asdict``.

Why not ``@dataclass``: every ``sandbox runtime run`` is a fresh interpreter, and the
import time of the runtime is part of each container start. ``import dataclasses`` brings
in ``inspect`` (and with it ``ast``, ``dis``, ``tokenize``), and each ``@dataclass`` writes
the source of its ``__init__``/``__repr__``/``__eq__`` and compiles it with ``exec``; on
the start path that was a third of all import time. A record reads its annotations once
when the class is made and shares one ``__init__``; type checkers see it as a dataclass
(``dataclass_transform``, PEP 681).
"""

from __future__ import annotations

# Not ``typing.TYPE_CHECKING``: importing typing is itself a cost this module avoids.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, dataclass_transform
else:
    def dataclass_transform(**_kwargs: object) -> Callable[[type], type]:
        return lambda cls: cls


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""No default: the field must be given."""


class Field:
    """What ``field()`` returns in a class body; the record keeps one per field."""

    __slots__ = ("default", "default_factory", "init", "name", "repr")

    def __init__(self, default: Any = MISSING, default_factory: Callable[[], Any] | None = None,
                 init: bool = True, repr: bool = True) -> None:
        if default is not MISSING and default_factory is not None:
            raise ValueError("a field cannot have both a default and a default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr

    def make_default(self, cls: type) -> Any:
        if self.default_factory is not None:
            return self.default_factory()
        if self.default is MISSING:
            raise TypeError(f"{cls.__qualname__}() missing required argument: {self.name!r}")
        return self.default


def field(*, default: Any = MISSING, default_factory: Callable[[], Any] | None = None,
          init: bool = True, repr: bool = True) -> Any:
    """A field with a factory (``field(default_factory=list)``), or kept out of ``__init__``
    (``init=False``, then it needs a default) or out of ``__repr__`` (``repr=False``)."""
    return Field(default, default_factory, init, repr)


def _is_classvar(annotation: object) -> bool:
    # Under ``from __future__ import annotations`` annotations are strings.
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _frozen_setattr(self: Record, name: str, value: object) -> None:
    raise AttributeError(f"cannot assign to field {name!r}: {type(self).__qualname__} is frozen")


def _frozen_delattr(self: Record, name: str) -> None:
    raise AttributeError(f"cannot delete field {name!r}: {type(self).__qualname__} is frozen")


def _values(self: Record) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in self.__record_fields__)


def _eq(self: Record, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)  # type: ignore[arg-type]


def _hash(self: Record) -> int:
    return hash(_values(self))


def _repr(self: Record) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    return f"{type(self).__qualname__}({shown})"


@dataclass_transform(field_specifiers=(field, Field))
class Record:
    """Base class of records; the class keywords are ``frozen``, ``eq`` and ``repr``."""

    __record_fields__: ClassVar[tuple[Field, ...]] = ()
    __record_init__: ClassVar[tuple[Field, ...]] = ()

    def __init_subclass__(cls, *, frozen: bool = False, eq: bool = True, repr: bool = True,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = {f.name: f for f in cls.__record_fields__}
        # Not inspect.get_annotations: inspect is one of the imports records exist to avoid.
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if _is_classvar(annotation):
                continue
            value = cls.__dict__.get(name, MISSING)
            spec = value if isinstance(value, Field) else Field(value)
            spec.name = name
            # As with dataclasses, a plain default stays a class attribute; a factory does not.
            if isinstance(value, Field):
                if spec.default is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, spec.default)
            fields[name] = spec
        init = tuple(f for f in fields.values() if f.init)
        seen_default = False
        for f in init:
            has_default = f.default is not MISSING or f.default_factory is not None
            if seen_default and not has_default:
                raise TypeError(f"{cls.__qualname__}: field {f.name!r} without a default follows one with a default")
            seen_default = seen_default or has_default
        cls.__record_fields__ = tuple(fields.values())
        cls.__record_init__ = init
        cls.__match_args__ = tuple(f.name for f in init)
        own = cls.__dict__
        if repr and "__repr__" not in own:
            cls.__repr__ = _repr  # type: ignore[assignment]
        if eq and "__eq__" not in own:
            cls.__eq__ = _eq  # type: ignore[assignment]
            # The rule of dataclasses: equal records must hash alike, so only frozen ones hash.
            cls.__hash__ = _hash if frozen else None  # type: ignore[assignment]
        if frozen:
            cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
            cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        cls = type(self)
        init = cls.__record_init__
        if len(args) > len(init):
            raise TypeError(f"{cls.__qualname__}() takes {len(init)} positional arguments but {len(args)} were given")
        put = object.__setattr__  # works for frozen records too
        for f, value in zip(init, args):
            if f.name in kwargs:
                raise TypeError(f"{cls.__qualname__}() got multiple values for argument {f.name!r}")
            put(self, f.name, value)
        for f in init[len(args):]:
            value = kwargs.pop(f.name, MISSING)
            put(self, f.name, f.make_default(cls) if value is MISSING else value)
        if kwargs:
            raise TypeError(f"{cls.__qualname__}() got an unexpected keyword argument {next(iter(kwargs))!r}")
        for f in cls.__record_fields__:
            if not f.init:
                put(self, f.name, f.make_default(cls))


def asdict(record: Record) -> dict[str, Any]:
    """The fields as a dict, records inside turned into dicts too (``dataclasses.asdict``)."""
    return {f.name: _plain(getattr(record, f.name)) for f in record.__record_fields__}


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return asdict(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value
