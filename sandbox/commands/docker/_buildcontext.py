"""The build context as ``docker build`` sends it: a tar of the directory, ``.dockerignore``
applied, owners set to root (as the docker CLI sets them), names sorted.

The Dockerfile and ``.dockerignore`` are always sent, even if ignored: the builder needs
the one and applies the other again. A Dockerfile given on stdin (``-f -``) or lying
outside the context is added under a name of its own, as the CLI does.
"""

from __future__ import annotations

import io
import os
import secrets
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

from sandbox.dockerignore import IgnoreRules
from sandbox.errors import LocalFileError


@dataclass
class PackedContext:
    data: bytes
    dockerfile: str
    """The Dockerfile's name inside the context (what ``dockerfile=`` says)."""


def _relative_dockerfile(root: Path, dockerfile: str, cwd: Path) -> str | None:
    """``-f`` is relative to the current directory; its name inside the context, or None
    when it lies outside (the CLI then sends it along under a name of its own)."""
    if not dockerfile:
        return "Dockerfile"
    path = Path(dockerfile)
    full = cwd / path  # an absolute path stays itself
    if not full.exists() and not path.is_absolute():
        full = root / path  # docker also accepts a name relative to the context
    rel = os.path.relpath(os.path.realpath(full), os.path.realpath(root))
    if rel.startswith(".."):
        return None
    return rel.replace(os.sep, "/")


def _read_dockerfile(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise LocalFileError(f"unable to prepare context: unable to read the Dockerfile {shown}: "
                             f"{(e.strerror or str(e)).lower()}") from None


def _info(tar: tarfile.TarFile, path: Path, name: str) -> tarfile.TarInfo:
    info = tar.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    # Whole seconds, as Go's tar writes them: a fractional mtime costs a PAX header per file.
    info.mtime = int(info.mtime)
    return info


def pack(source: str | Path, dockerfile: str = "", stdin_dockerfile: bytes | None = None,
         cwd: Path | None = None) -> PackedContext:
    """The context directory ``source`` and the ``-f`` Dockerfile, both relative to ``cwd``
    (the invocation's working directory; the process's if None)."""
    base = Path.cwd() if cwd is None else cwd
    root = Path(os.path.normpath(base / source))
    if not root.is_dir():
        raise LocalFileError(f'unable to prepare context: path "{source}" not found')
    rules = IgnoreRules.load(root)
    name = "Dockerfile" if stdin_dockerfile is not None else _relative_dockerfile(root, dockerfile, base)
    if name is None:
        stdin_dockerfile = _read_dockerfile(base / dockerfile, dockerfile)
        name = "Dockerfile"
    always = {".dockerignore", name}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = os.path.relpath(dirpath, root)
            prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
            kept_dirs = []
            for d in sorted(dirnames):
                rel = prefix + d
                excluded = rules.excluded(rel)
                if not excluded or rules.reincludes_below(rel):
                    kept_dirs.append(d)
                if not excluded:
                    tar.addfile(_info(tar, Path(dirpath) / d, rel))
            dirnames[:] = kept_dirs
            for f in sorted(filenames):
                rel = prefix + f
                if rules.excluded(rel) and rel not in always:
                    continue
                path = Path(dirpath) / f
                info = _info(tar, path, rel)
                if stat.S_ISREG(info.mode):
                    with open(path, "rb") as fh:
                        tar.addfile(info, fh)
                elif info.issym() or info.isdir():
                    tar.addfile(info)
                # Devices, sockets and fifos are not sent, as the docker CLI leaves them out.
        if stdin_dockerfile is not None:
            # A name that cannot clash with a file of the context.
            name = f".dockerfile.{secrets.token_hex(10)}"
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(stdin_dockerfile), 0o600
            tar.addfile(info, io.BytesIO(stdin_dockerfile))
        end = tar.offset
    # Python pads a tar to 10 KiB records; Go's writer (the docker CLI's) stops after the
    # two zero blocks that end it, and the context size the learner sees should agree.
    return PackedContext(buf.getvalue()[:end + 1024], name)
