"""Text in several languages: the course is written in English and Chinese."""

from __future__ import annotations

from collections.abc import Mapping

LANGS: tuple[str, ...] = ("en", "zh")
"""Every language the course is written in; lessons declare a subset (imports: en only)."""
DEFAULT_LANG = "en"


class Text(dict[str, str]):
    """One piece of text per language code. ``pick`` falls back to English, then to any."""

    def pick(self, lang: str) -> str:
        if lang in self:
            return self[lang]
        if DEFAULT_LANG in self:
            return self[DEFAULT_LANG]
        return next(iter(self.values()), "")

    @classmethod
    def same(cls, value: str, langs: tuple[str, ...] = LANGS) -> Text:
        """Language-neutral text (a command line, a number) shown as is in every language."""
        return cls({lang: value for lang in langs})

    @classmethod
    def of(cls, values: Mapping[str, str]) -> Text:
        return cls(dict(values))


def check_lang(lang: str) -> str:
    """``lang`` if the course has it; front ends validate ``--lang`` with this."""
    if lang not in LANGS:
        from sandbox.errors import LessonError

        raise LessonError(f"unknown language {lang!r}", f"choose one of: {', '.join(LANGS)}")
    return lang
