"""``build``: a Dockerfile and its context in, an image out, the legacy builder's lines on the way.

    image = build(store, runtime, context_tar_bytes, tags=["app:1"], emit=print_event)

The engine calls it for ``POST /build`` and turns each event into one JSON object of the
stream; it needs no engine itself, only the store and the runtime (as buildah does).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import InvalidReference, SandboxError
from sandbox.images.build.context import ContextSource, open_context
from sandbox.images.build.dockerfile import parse
from sandbox.images.build.executor import BuildOptions, Executor, Pull
from sandbox.images.build.output import Emit, Output, _discard
from sandbox.storage import normalize_reference

if TYPE_CHECKING:
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Image, Store


def _tags(tags: Sequence[str]) -> list[str]:
    out = []
    for tag in tags:
        ref = normalize_reference(tag)
        if ref.tagged is None:
            raise InvalidReference(tag, "a build tag needs a name and a tag, not a digest")
        out.append(ref.tagged)
    return out


def build(store: Store, runtime: Runtime | None, context: ContextSource, dockerfile: str = "Dockerfile",
          tags: Sequence[str] = (), buildargs: Mapping[str, str] | None = None,
          labels: Mapping[str, str] | None = None, nocache: bool = False, quiet: bool = False,
          target: str | None = None, emit: Emit | None = None, pull: Pull | None = None) -> Image:
    """Build an image. ``context`` is a tar stream (bytes or a binary file, maybe gzip'd)
    or a directory. Every line goes to ``emit`` as a ``BuildEvent``; on failure the error
    event is emitted too, and then the error is raised (the engine has nothing more to send).
    ``runtime`` may be None for a Dockerfile without RUN."""
    out = Output(emit or _discard, quiet)
    try:
        names = _tags(tags)
        opts = BuildOptions(dockerfile=dockerfile, tags=names, buildargs=dict(buildargs or {}),
                            labels=dict(labels or {}), nocache=nocache, target=target, pull=pull)
        Path(store.root).mkdir(parents=True, exist_ok=True)
        # Next to the layers: unpacked contexts and layer tars stay on the store's file system.
        scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=store.root))
        try:
            with open_context(context, scratch) as ctx:
                df = parse(ctx.read_dockerfile(dockerfile), dockerfile)
                state = Executor(store, runtime, ctx, opts, out, scratch, df.escape).run(df)
            image = store.create_image([store.layer(x) for x in state.layers], state.config, names)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except SandboxError as e:
        out.fail(e)
        raise
    out.done(image.id, names)
    return image
