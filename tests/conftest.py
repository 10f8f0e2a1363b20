"""Shared test plumbing: the ``root`` marker and unique names for kernel objects."""

from __future__ import annotations

import os
import uuid

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.geteuid() == 0:
        return
    skip = pytest.mark.skip(reason="needs root (namespaces, cgroups, mounts); CI runs it as root")
    for item in items:
        if "root" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def unique() -> str:
    """A short name no other test (or run) uses, for cgroups, bridges, netns, ids."""
    return "t" + uuid.uuid4().hex[:10]
