"""The build context: what ``POST /build`` receives as a tar stream, or a local directory.

A tar context comes from a client, so it is unpacked with the store's safe tar apply (no
absolute names, no ``..``, symlinks followed only inside, no devices) into a directory of
its own under the store root, removed when the build ends. ``.dockerignore`` is applied
again here even though the CLI already left those files out: other clients may not.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sandbox.errors import BuildContextError, SandboxError
from sandbox.images.build.ignore import IgnoreRules
from sandbox.images.build.trees import DirTree, resolve, split
from sandbox.storage.digest import PeekReader

ContextSource = bytes | bytearray | BinaryIO | Path | str
_MAX_DOCKERFILE = 4 << 20


def decompressed(src: BinaryIO) -> BinaryIO:
    """Undo gzip, bzip2 or xz by their magic bytes; plain data is returned as it is. Only
    ``read`` is needed of ``src`` (an HTTP request body will do)."""
    raw = PeekReader(src)
    head = raw.peek(6)
    if head.startswith(b"\x1f\x8b"):
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if head.startswith(b"BZh"):
        return bz2.BZ2File(raw, "rb")  # type: ignore[return-value]
    if head.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMAFile(raw, "rb")  # type: ignore[return-value]
    return raw  # type: ignore[return-value]


@dataclass
class BuildContext:
    root: Path
    ignore: IgnoreRules

    @property
    def tree(self) -> DirTree:
        return DirTree(self.root, self.ignore)

    def read_dockerfile(self, name: str) -> str:
        # Even the Dockerfile is looked up in scope: a symlinked Dockerfile cannot read
        # a file outside the context.
        parts = resolve(DirTree(self.root), split(name))
        path = self.root.joinpath(*parts)
        if not parts or not path.is_file():
            raise BuildContextError(f"Cannot locate specified Dockerfile: {name}",
                                    "the Dockerfile must be inside the build context")
        if path.stat().st_size > _MAX_DOCKERFILE:
            raise BuildContextError(f"the Dockerfile {name} is larger than {_MAX_DOCKERFILE >> 20} MiB")
        try:
            return path.read_text()
        except UnicodeDecodeError as e:
            raise BuildContextError(f"the Dockerfile {name} is not UTF-8 text: {e}") from e


def _unpack(src: BinaryIO, target: Path) -> None:
    from sandbox.storage.tarapply import apply_tar

    stream = decompressed(src)
    try:
        # Owners do not matter (COPY makes files root's unless --chown) and "delete"
        # keeps whiteout-looking names from becoming overlay devices.
        apply_tar(stream, target, "delete", same_owner=False)
    except (OSError, EOFError, lzma.LZMAError) as e:
        raise BuildContextError(f"the build context is not a readable tar stream: {e}") from e
    except SandboxError as e:
        raise BuildContextError(f"the build context was refused: {e.message}", e.hint) from e


@contextmanager
def open_context(source: ContextSource, scratch: Path) -> Iterator[BuildContext]:
    """A directory is used in place; tar bytes or a tar stream are unpacked below
    ``scratch`` first and removed afterwards."""
    if isinstance(source, (str, Path)):
        root = Path(source)
        if not root.is_dir():
            raise BuildContextError(f"the build context {root} is not a directory")
        yield BuildContext(root, IgnoreRules.load(root))
        return
    scratch.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="context-", dir=scratch))
    try:
        stream: BinaryIO = io.BytesIO(bytes(source)) if isinstance(source, (bytes, bytearray)) else source
        _unpack(stream, tmp)
        yield BuildContext(tmp, IgnoreRules.load(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
