"""``docker cp``: copy between a container (``NAME:PATH``) and the local filesystem.

The API moves tar archives of a path; the naming rules — copy into an existing directory,
or become the destination's name — are applied here, on the client side, like docker does.
"""

from __future__ import annotations

import argparse
import posixpath

from sandbox.commands.render.units import human_size
from sandbox.errors import EngineError, UsageError

from ._args import DockerArgumentParser, require_args
from ._context import Context
from ._tar import CopyError, extract, pack, rebase
from ._terminal import is_terminal


def parser_cp() -> DockerArgumentParser:
    p = DockerArgumentParser("cp", "docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                                   "\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                             "Copy files/folders between a container and the local filesystem")
    p.add_argument("-a", "--archive", action="store_true", help="Archive mode (copy all uid/gid information)")
    p.add_argument("-L", "--follow-link", action="store_true", help="Always follow symlinks in SRC_PATH")
    p.add_argument("-q", "--quiet", action="store_true", default=None,
                   help="Suppress progress output during copy. Progress output is automatically suppressed if no "
                        "terminal is attached")
    return p


def split_arg(arg: str) -> tuple[str, str]:
    """``NAME:PATH`` → (NAME, PATH); a local path with a colon must start with / or ."""
    if arg.startswith("/"):
        return "", arg
    container, sep, path = arg.partition(":")
    if not sep or container.startswith("."):
        return "", arg
    return container, path


def run_cp(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_cp(), ns.args, 2, 2)
    quiet = ns.quiet if ns.quiet is not None else not is_terminal(ctx.stdout)
    src_container, src = split_arg(ns.args[0])
    dst_container, dst = split_arg(ns.args[1])
    if src_container and dst_container:
        raise UsageError("cp", "copying between containers is not supported", exit_code=1)
    if not src_container and not dst_container:
        raise UsageError("cp", "must specify at least one container source", exit_code=1)
    try:
        if src_container:
            return _from_container(ctx, src_container, src, dst, quiet, ns.archive)
        return _to_container(ctx, src, dst_container, dst, quiet, ns.archive)
    except CopyError as err:
        ctx.err(str(err))
        return 1


def _from_container(ctx: Context, container: str, src: str, dst: str, quiet: bool, keep_owner: bool) -> int:
    data, stat = ctx.client.containers.get_archive(container, src)
    if dst == "-":
        ctx.write_bytes(data)
        return 0
    local = ctx.local_path(dst)
    base = posixpath.basename(src.rstrip("/")) or "/"
    src_is_dir = bool(stat and stat.is_dir)
    contents_only = src.endswith("/.")
    if local.is_dir():
        target = local
        if contents_only:
            # cp C:/dir/. local: what is inside dir, not dir itself.
            data = _strip_top(data, base if base != "." else posixpath.basename(posixpath.dirname(src)))
    else:
        if dst.endswith("/") and not local.exists():
            raise CopyError(f"destination directory {dst} does not exist")
        if local.exists() and src_is_dir:
            raise CopyError(f"cannot copy a directory to a file: {dst}")
        if not local.parent.is_dir():
            raise CopyError(f"destination directory {local.parent} does not exist")
        target = local.parent
        data = rebase(data, base, local.name)
    written = extract(data, target, keep_owner=keep_owner)
    if not quiet:
        size = stat.size if stat and not stat.is_dir else written
        ctx.err(f"Successfully copied {human_size(size, 3)} to {local}")
    return 0


def _strip_top(data: bytes, top: str) -> bytes:
    import io
    import tarfile

    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data)) as src, tarfile.open(fileobj=out, mode="w") as dst:
        for member in src.getmembers():
            name = member.name.rstrip("/")
            if name == top:
                continue
            if name.startswith(top + "/"):
                member.name = name[len(top) + 1:]
            dst.addfile(member, src.extractfile(member) if member.isreg() else None)
    return out.getvalue()


def _to_container(ctx: Context, src: str, container: str, dst: str, quiet: bool, keep_owner: bool) -> int:
    client = ctx.client
    try:
        dst_stat = client.containers.stat_path(container, dst)
    except EngineError as err:
        if err.status != 404:
            raise
        dst_stat = None
    if src == "-":
        if dst_stat is None or not dst_stat.is_dir:
            raise CopyError(f'destination "{container}:{dst}" must be a directory')
        stdin = ctx.stdin
        buffer = getattr(stdin, "buffer", None)
        data = buffer.read() if buffer is not None else (stdin.read().encode() if stdin else b"")
        client.containers.put_archive(container, dst, data, copy_uid_gid=keep_owner)
        return 0
    local = ctx.local_path(src)
    if not local.exists() and not local.is_symlink():
        raise CopyError(f"stat {local}: no such file or directory")
    contents_only = src.endswith("/.")
    if dst_stat is not None and dst_stat.is_dir:
        data = pack(local, local.name, contents_only=contents_only and local.is_dir())
        target = dst
    else:
        if dst_stat is not None and local.is_dir():
            raise CopyError(f"cannot copy a directory to a file: {container}:{dst}")
        if dst.endswith("/") and dst_stat is None and not local.is_dir():
            raise CopyError(f"destination directory {container}:{dst} does not exist")
        data = pack(local, posixpath.basename(dst.rstrip("/")), contents_only=False)
        target = posixpath.dirname(dst.rstrip("/")) or "/"
    client.containers.put_archive(container, target, data, copy_uid_gid=keep_owner)
    if not quiet:
        size = sum(f.stat().st_size for f in local.rglob("*") if f.is_file()) if local.is_dir() else local.stat().st_size
        ctx.err(f"Successfully copied {human_size(size, 3)} to {container}:{dst}")
    return 0
