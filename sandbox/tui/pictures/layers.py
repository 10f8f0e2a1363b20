"""The layers picture: the image's layers as a stack, bottom at the bottom, the container's
read-write upper layer on top; copy-ups and whiteouts highlighted, and for a chosen path
the layer its content comes from."""

from __future__ import annotations

from textual.content import Content

from ..format import human_size, pad, short_id, truncate
from .base import Picture, lines
from .models.layers import LayerRow, LayerStack, PathOrigin

_CHANGE = {"added": ("A", "$success", "added"), "changed": ("C", "$warning", "copy-up"),
           "deleted": ("D", "$error", "whiteout")}
_ORIGIN_WORDS = {
    "image": "read from layer {layer}",
    "added": "created in the upper layer",
    "copy-up": "copied up from layer {layer} to the upper layer, then written",
    "whiteout": "deleted: a whiteout in the upper layer hides layer {layer}'s copy",
    "deleted-in-image": "deleted by a whiteout in layer {layer}",
    "missing": "in no layer",
    "unknown": "the engine gave no per-layer file lists",
}


def origin_words(origin: PathOrigin) -> str:
    text = _ORIGIN_WORDS[origin.state].format(layer=origin.layer if origin.layer is not None else "?")
    if origin.shadowed:
        text += f" (hides layer {', '.join(map(str, origin.shadowed))})"
    return text


class LayersPicture(Picture):
    kind = "layers"

    def draw(self, view: LayerStack, width: int) -> Content:
        out = [Content.assemble((truncate(view.image, width - 24), "bold"), "  ", human_size(view.size),
                                ("  id " + short_id(view.image_id), "$text-muted"))]
        origin = view.origin
        if view.container is not None:
            out.append(Content.assemble(("┌ upper: container ", "$accent"), (view.container, "$accent bold"),
                                        (" (read-write)", "$text-muted")))
            if not view.upper:
                out.append(Content.styled("│ (no changes yet)", "$text-muted"))
            for change in view.upper or ():
                letter, style, words = _CHANGE[change.kind]
                hit = origin is not None and origin.path == change.path
                out.append(Content.assemble("│ ", (letter, f"{style} bold"), " ",
                                            (pad(change.path, max(width - 14, 8)), "reverse" if hit else ""),
                                            (words, style)))
        for row in sorted(view.layers, key=lambda r: r.index, reverse=True):
            out.extend(self._layer(row, width, origin, first=row.index == len(view.layers) - 1 and view.container is None))
        if not view.layers:
            out.append(Content.styled("(the image has no layers)", "$text-muted"))
        if view.config_only:
            out.append(Content.assemble(("config only: ", "$text-muted"),
                                        truncate(", ".join(view.config_only), width - 13)))
        if origin is not None:
            style = "$error" if origin.state in ("whiteout", "deleted-in-image") else "$warning" \
                if origin.state == "copy-up" else "$accent"
            out.append(Content.assemble(("◆ ", style), (origin.path, "bold"), ": ", (origin_words(origin), style)))
        return lines(out)

    def _layer(self, row: LayerRow, width: int, origin: PathOrigin | None, first: bool) -> list[Content]:
        corner = "┌" if first else "├" if row.index else "└"
        hit = origin is not None and origin.layer == row.index and origin.state not in ("added", "missing", "unknown")
        wide = width >= 70
        # Narrow, the arrow alone marks the layer; the line under the stack names the path.
        marker = (("◀ " + origin.path) if wide and origin else "◀", "$accent bold") if hit else ("", "")
        head = Content.assemble((f"{corner} L{row.index} ", "$primary bold"), pad(human_size(row.size), 8))
        if wide:
            room = width - head.cell_length - 14 - (len(marker[0]) + 1 if hit else 0)
            return [Content.assemble(head, truncate(row.instruction, max(room, 10)).ljust(max(room, 10)), " ",
                                     (short_id(row.digest), "$text-muted"), " ", marker)]
        return [Content.assemble(head, (short_id(row.digest), "$text-muted"), " ", marker),
                Content.assemble(("│    " if row.index else "     "), truncate(row.instruction, width - 5))]
