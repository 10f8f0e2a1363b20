"""Dockerfile builds: parse, walk the stages, run each step through the cache.

    from sandbox.images.build import build
    image = build(store, runtime, context, tags=["app:1"], emit=on_event)

The public names are here; the modules behind them are one concern each: ``dockerfile``
(parsing), ``lex`` (variables and quotes), ``ignore`` (.dockerignore), ``context`` (the tar
stream), ``trees``/``sources``/``copying``/``copyplan``/``layertar`` (COPY and ADD), ``meta`` (config
instructions), ``run`` and ``runspec`` (RUN), ``cache``, ``state``, ``executor``, ``output``.
"""

from __future__ import annotations

from sandbox.images.build.api import build
from sandbox.images.build.cache import BuildCache
from sandbox.images.build.dockerfile import Dockerfile, Instruction, Stage, parse, parse_line
from sandbox.images.build.ignore import IgnoreRules
from sandbox.images.build.output import BuildEvent, Emit

__all__ = ["BuildCache", "BuildEvent", "Dockerfile", "Emit", "IgnoreRules", "Instruction", "Stage", "build",
           "parse", "parse_line"]
