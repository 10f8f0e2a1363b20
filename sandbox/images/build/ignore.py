"""``.dockerignore`` rules; they live in ``sandbox.dockerignore`` (the ``docker build``
command applies them too) and are re-exported here for the builder."""

from __future__ import annotations

from sandbox.dockerignore import IgnoreRules, Rule, go_match, has_glob

__all__ = ["IgnoreRules", "Rule", "go_match", "has_glob"]
