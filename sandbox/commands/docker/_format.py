"""docker's ``--format`` handling for lists: ``table …``, ``json``, or any Go template.

A row is an object whose capitalised attributes are the template's fields (``.ID``,
``.Names``); ``{{json .}}`` encodes every field, sorted by name, with HTML escaping — what
docker's MarshalJSON on its row contexts produces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sandbox.commands.gotemplate import HEADER_FUNCS, Template, TemplateError
from sandbox.commands.gotemplate.execute import Executor
from sandbox.commands.render import gojson
from sandbox.commands.render.tabwriter import TabWriter

from ._context import Context

QUIET_FORMAT = "{{.ID}}"
JSON_FORMAT = "{{json .}}"


class Row:
    """Base for template rows. Subclasses list their fields in ``FIELDS``."""

    FIELDS: tuple[str, ...] = ()
    go_type = "*formatter.Context"

    def go_json(self) -> str:
        values = {name: _plain(getattr(self, name)()) for name in sorted(self.FIELDS)}
        return gojson.encode(values, escape_html=True)


def _plain(value: object) -> object:
    to_plain = getattr(value, "plain", None)
    return to_plain() if callable(to_plain) else value


def resolve_format(source: str, default_table: str, quiet: bool = False,
                   quiet_format: str = QUIET_FORMAT) -> str:
    """docker's NewXFormat: ``""``/``table`` → the default table; ``json``; custom kept."""
    if quiet and source in ("", "table"):
        return quiet_format
    if source in ("", "table"):
        return default_table
    if source == "json":
        return JSON_FORMAT
    return source


def _prepare(fmt: str) -> tuple[bool, str]:
    table = fmt.startswith("table")
    body = fmt[len("table"):] if table else fmt
    # docker accepts the two-character escapes \t and \n in a format given on a command line.
    body = body.strip(" ").replace("\\t", "\t").replace("\\n", "\n")
    return table, body


def render_rows(ctx: Context, fmt: str, rows: Sequence[Row], header: Mapping[str, str],
                minwidth: int = 10, padding: int = 3) -> None:
    """Write ``rows`` with ``fmt``; a table gets its header row and aligned columns."""
    ctx.stdout.write(format_rows(fmt, rows, header, minwidth, padding))


def format_rows(fmt: str, rows: Sequence[Row], header: Mapping[str, str], minwidth: int = 10,
                padding: int = 3) -> str:
    table, body = _prepare(fmt)
    tmpl = Template.parse(body)
    lines = [tmpl.execute(row) + "\n" for row in rows]
    if not table:
        return "".join(lines)
    head = Executor({**tmpl.funcs, **HEADER_FUNCS})
    try:
        head_text = head.run(tmpl.tree, dict(header))
    except TemplateError:
        # Go writes a header up to the action that failed (a method call on the header map).
        head_text = "".join(head.out)
    return TabWriter(minwidth=minwidth, padding=padding).format(head_text + "\n" + "".join(lines))


def probe(fmt: str, row: Row) -> None:
    """Execute ``fmt`` on a blank row so it can note what the template reads (docker asks
    the engine for sizes only when ``.Size`` is shown); errors surface later, on real rows."""
    _, body = _prepare(fmt)
    try:
        Template.parse(body).execute(row)
    except TemplateError:
        pass
