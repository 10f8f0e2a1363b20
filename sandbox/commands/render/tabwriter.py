"""Go's text/tabwriter (the elastic-tabstop algorithm), as docker's tables use it.

Cells are tab-terminated; the text after a line's last tab is not part of any column.
A column's width is the widest cell in its *block* — consecutive lines that have a cell in
that column — plus padding, and at least ``minwidth``. Docker tables use
``TabWriter(minwidth=10, padding=3)``, ``docker top`` uses ``minwidth=20``.
"""

from __future__ import annotations


class TabWriter:
    def __init__(self, minwidth: int = 10, tabwidth: int = 1, padding: int = 3, padchar: str = " ") -> None:
        self.minwidth = minwidth
        self.tabwidth = tabwidth
        self.padding = padding
        self.padchar = padchar

    def format(self, text: str) -> str:
        """Align ``text`` (lines of tab-separated cells) and return it."""
        if not text:
            return ""
        ends_with_newline = text.endswith("\n")
        lines = [line.split("\t") for line in (text[:-1] if ends_with_newline else text).split("\n")]
        widths: list[int] = []
        out: list[str] = []
        self._format(lines, 0, len(lines), widths, out)
        return "\n".join(out) + ("\n" if ends_with_newline else "")

    def _format(self, lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            # Cells in this column exist only if the line has a tab-terminated cell here.
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            self._write(lines, line0, this, widths, out)
            line0 = this
            width = self.minwidth
            while this < line1 and column < len(lines[this]) - 1:
                width = max(width, display_width_of(lines[this][column]) + self.padding)
                this += 1
            widths.append(width)
            self._format(lines, line0, this, widths, out)
            widths.pop()
            line0 = this
        self._write(lines, line0, line1, widths, out)

    def _write(self, lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]) -> None:
        for cells in lines[line0:line1]:
            parts: list[str] = []
            for j, cell in enumerate(cells):
                if j < len(widths) and j < len(cells) - 1:
                    parts.append(cell + self.padchar * (widths[j] - display_width_of(cell)))
                else:
                    parts.append(cell)
            out.append("".join(parts))


def display_width_of(text: str) -> int:
    # Go's tabwriter counts runes (utf8.RuneCount), not terminal cells: wide characters
    # misalign there too, and matching docker byte for byte matters more here.
    return len(text)


def tabulate(text: str, minwidth: int = 10, padding: int = 3) -> str:
    return TabWriter(minwidth=minwidth, padding=padding).format(text)
