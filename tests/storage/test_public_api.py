"""The package's public names, and that importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import sandbox.storage


def test_exported_names() -> None:
    assert sorted(sandbox.storage.__all__) == [
        "Change", "ContainerLayer", "HistoryEntry", "Image", "ImageConfig", "Layer", "Reference",
        "RootfsLayout", "Store", "apply_tar", "normalize_reference",
    ]  # fmt: skip
    for name in sandbox.storage.__all__:
        assert getattr(sandbox.storage, name) is not None


def loaded_after(module: str) -> list[str]:
    code = (
        f"import sys, {module}; "
        "print(','.join(sorted(m for m in ('tarfile', 'gzip', 'shutil', 'ctypes') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return [m for m in out.strip().split(",") if m]


def test_import_does_not_load_heavy_modules() -> None:
    assert loaded_after("sandbox.storage") == []
    assert "tarfile" not in loaded_after("sandbox.images.bootstrap")
