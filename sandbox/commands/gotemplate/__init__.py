"""A Go text/template subset for ``--format`` and ``inspect -f``.

    Template.parse("{{range .Names}}{{.}} {{end}}").execute({"Names": ["a", "b"]})  # "a b "

Supported: text and actions with ``{{-``/``-}}`` trimming, comments, fields and chains
(``.A.B``, ``$x.A``, ``(pipeline).A``), methods with arguments (``.Label "k"``), variables
(``$``, ``:=``, ``=``), pipelines, ``if``/``else if``/``else``, ``range`` (with
``$i, $e :=``, ``else``, ``break``, ``continue``), ``with``, the builtins (``and or not len
index slice print printf println eq ne lt le gt ge html urlquery``) and docker's functions
(``json split join title lower upper pad truncate``). Not supported: ``define``,
``template``, ``block``, ``call``.
"""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.errors import TemplateError, TemplateExecError, TemplateSyntaxError

from .execute import Executor, MissingKey
from .funcs import BUILTINS, DOCKER_FUNCS, HEADER_FUNCS, Func, json_func, sprintf
from .nodes import ListNode
from .parser import parse as _parse
from .values import MISSING, GoNil, GoStruct, Omitted, go_print, truth

__all__ = ["DOCKER_FUNCS", "HEADER_FUNCS", "MISSING", "GoNil", "GoStruct", "Omitted", "Template", "TemplateError",
           "TemplateExecError", "TemplateSyntaxError", "go_print", "json_func", "sprintf", "truth"]


class Template:
    def __init__(self, source: str, tree: ListNode, funcs: Mapping[str, Func]) -> None:
        self.source = source
        self.tree = tree
        self.funcs = dict(funcs)

    @classmethod
    def parse(cls, source: str, funcs: Mapping[str, Func] | None = None) -> "Template":
        """Parse with Go's builtins plus docker's functions (or ``funcs`` on top of the builtins)."""
        table: dict[str, Func] = {**BUILTINS, **(DOCKER_FUNCS if funcs is None else funcs)}
        return cls(source, _parse(source), table)

    def with_funcs(self, funcs: Mapping[str, Func]) -> "Template":
        """The same tree with some functions replaced (docker's table headers do this)."""
        return Template(self.source, self.tree, {**self.funcs, **funcs})

    def execute(self, data: object, *, missingkey: MissingKey = "default") -> str:
        return Executor(self.funcs, missingkey).run(self.tree, data)
