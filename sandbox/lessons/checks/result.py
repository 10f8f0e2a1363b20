"""What a check returns: Pass, or Fail with a message saying what is wrong and what it saw."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..text import Text


@dataclass(frozen=True)
class Pass:
    text: Text = field(default_factory=lambda: Text(en="ok", zh="通过"))
    passed: ClassVar[bool] = True

    def render(self, lang: str = "en") -> str:
        return self.text.pick(lang)

    @property
    def message(self) -> str:
        return self.text.pick("en")


@dataclass(frozen=True)
class Fail:
    text: Text
    passed: ClassVar[bool] = False

    def render(self, lang: str = "en") -> str:
        return self.text.pick(lang)

    @property
    def message(self) -> str:
        """The English message (tests and logs); front ends call ``render(lang)``."""
        return self.text.pick("en")


Outcome = Pass | Fail
