"""Completion of ``docker …`` lines: the grammar table and the pure completer."""

from .complete import Completion, complete

__all__ = ["Completion", "complete"]
