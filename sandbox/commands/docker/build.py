"""``docker build`` (and ``image build``): the legacy builder's client.

Tars the context (``.dockerignore`` applied), sends it to ``POST /build`` and prints the
stream as the docker CLI does with ``DOCKER_BUILDKIT=0``: ``Step 1/6 : FROM busybox``,
`` ---> Using cache``, the RUN output, ``Successfully built …``. A failed RUN ends the
command with the RUN's exit code, as it ends docker's.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tarfile

from sandbox.commands.render.units import human_size
from sandbox.errors import StreamError, UsageError

from . import _imageapi as imageapi
from ._args import DockerArgumentParser, require_args
from ._buildcontext import PackedContext, pack
from ._context import Context
from ._progress import failure


def parser_build() -> DockerArgumentParser:
    p = DockerArgumentParser("build", "docker build [OPTIONS] PATH | URL | -", "Build an image from a Dockerfile")
    p.add_argument("-t", "--tag", action="append", default=[], help="Name and optionally a tag in the "
                                                                     "\"name:tag\" format")
    p.add_argument("-f", "--file", default="", help="Name of the Dockerfile (Default is \"PATH/Dockerfile\")")
    p.add_argument("--build-arg", action="append", default=[], help="Set build-time variables")
    p.add_argument("--label", action="append", default=[], help="Set metadata for an image")
    p.add_argument("--no-cache", action="store_true", help="Do not use cache when building the image")
    p.add_argument("-q", "--quiet", action="store_true", help="Suppress the build output and print image ID on "
                                                                "success")
    p.add_argument("--target", default="", help="Set the target build stage to build.")
    p.add_argument("--iidfile", default="", help="Write the image ID to the file")
    p.add_argument("--pull", action="store_true", help="Always attempt to pull a newer version of the image")
    p.add_argument("--rm", action="store_true", default=True,
                   help="Remove intermediate containers after a successful build")
    p.add_argument("--force-rm", action="store_true", help="Always remove intermediate containers")
    return p


def _pairs(values: list[str], flag: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """``KEY=VALUE``; a bare ``KEY`` takes its value from the environment (``--build-arg``),
    or is empty (``--label``)."""
    out: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not key:
            raise UsageError("build", f"invalid argument {value!r} for \"{flag}\" flag: empty key")
        if sep:
            out[key] = rest
        elif env is not None:
            if key in env:
                out[key] = env[key]
        else:
            out[key] = ""
    return out


def _read_stdin(ctx: Context) -> bytes:
    stream = ctx.stdin if ctx.stdin is not None else sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return bytes(buffer.read())
    return str(stream.read()).encode()


def _is_tar(data: bytes) -> bool:
    if data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00":
        return True
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            return tar.next() is not None
    except tarfile.TarError:
        return False


def _context(ctx: Context, ns: argparse.Namespace) -> PackedContext:
    source = ns.args[0]
    if "://" in source or source.startswith("git@"):
        raise UsageError("build", "building from a URL or a git repository is not supported: clone or download "
                                  "it, then build the directory", exit_code=1)
    if source == "-":
        if ns.file == "-":
            raise UsageError("build", "invalid argument: can't use stdin for both build context and dockerfile",
                             exit_code=1)
        data = _read_stdin(ctx)
        if _is_tar(data):
            return PackedContext(data, ns.file or "Dockerfile")
        # A Dockerfile on stdin and no context, as `docker build - < Dockerfile`.
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo("Dockerfile")
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
        return PackedContext(buf.getvalue(), "Dockerfile")
    if ns.file == "-":
        return pack(source, stdin_dockerfile=_read_stdin(ctx), cwd=ctx.cwd)
    return pack(source, ns.file, cwd=ctx.cwd)


def run_build(ctx: Context, ns: argparse.Namespace) -> int:
    require_args(parser_build(), ns.args, 1, 1)
    context = _context(ctx, ns)
    iidfile = ctx.local_path(ns.iidfile or ".")
    if ns.iidfile:
        # As the docker CLI does: no stale id is left behind should this build fail.
        try:
            iidfile.unlink(missing_ok=True)
        except OSError as err:
            ctx.err(f"Removing image ID file: remove {ns.iidfile}: {(err.strerror or str(err)).lower()}")
            return 1
    params: dict[str, imageapi.Param] = {
        "t": list(ns.tag) or None, "dockerfile": context.dockerfile,
        "buildargs": json.dumps(_pairs(ns.build_arg, "--build-arg", dict(ctx.env))) if ns.build_arg else None,
        "labels": json.dumps(_pairs(ns.label, "--label")) if ns.label else None,
        "nocache": ns.no_cache or None, "q": ns.quiet or None, "target": ns.target or None,
        "pull": ns.pull or None, "forcerm": ns.force_rm or None, "version": "1",
    }
    if not ns.quiet:
        ctx.out(f"Sending build context to Docker daemon  {human_size(len(context.data))}")
    image_id = ""
    with imageapi.build(ctx, context.data, params) as stream:
        for message in stream:
            error = failure(message)
            if error is not None:
                ctx.flush()
                ctx.err(error.message)
                return error.code or 1
            aux = message.get("aux")
            if isinstance(aux, dict) and aux.get("ID"):
                image_id = str(aux["ID"])
            text = message.get("stream")
            if isinstance(text, str):
                if ns.quiet and text.strip().startswith("sha256:"):
                    image_id = text.strip()
                ctx.stdout.write(text)
                ctx.stdout.flush()
    if ns.iidfile:
        if not image_id:
            raise StreamError("the build did not report an image ID for --iidfile")
        try:
            iidfile.write_text(image_id)
        except OSError as err:
            ctx.err(f"open {ns.iidfile}: {(err.strerror or str(err)).lower()}")
            return 1
    return 0
