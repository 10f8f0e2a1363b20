"""RUN: the command runs in a container on the stage's layers; its upper dir becomes the layer.

The container is a real one (namespaces, cgroup, overlay root) made straight from the
runtime and the store, as buildah does, with no engine in between. Its stdout and stderr
share one pipe, read while it runs so the client sees the output live. Whatever happens —
a non-zero exit, a failed create, an interrupted build — the runtime container, its cgroup
and the store's read-write layer are removed before the step returns.
"""

from __future__ import annotations

import codecs
import os
import secrets
import select
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import BuildError, ContainerNotFound, RunFailed, SandboxError
from sandbox.images.build.output import Output
from sandbox.images.build.runspec import RunRequest, container_spec
from sandbox.images.build.state import StageState
from sandbox.images.build.trees import read_text
from sandbox.storage import Image

if TYPE_CHECKING:
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Layer, RootfsLayout, Store

_TICK = 0.1
"""Seconds between checks that the container is still there while its output is quiet."""
_PARTIAL = 4096
"""A line longer than this is passed on before its newline (progress bars, dots)."""


def _view(state: StageState) -> Image | None:
    """The store makes a container layer from an image; an intermediate state is one in
    all but name (its layers are in the store, its config only in the build cache)."""
    if not state.layers:
        return None
    return Image(id=state.id, manifest_digest="", manifest_size=0, manifest_media_type="",
                 layers=list(state.layers), blobs=[], created=None, size=0)


def _rootfs(layout: RootfsLayout):  # -> Overlay | Path
    from sandbox.runtime.spec import Overlay
    from sandbox.storage.rootfs import OVERLAY_OPTIONS

    if layout.kind == "overlay":
        assert layout.upperdir is not None and layout.workdir is not None
        return Overlay(lowerdirs=list(layout.lowerdirs), upperdir=layout.upperdir, workdir=layout.workdir,
                       options=OVERLAY_OPTIONS)
    assert layout.path is not None
    return Path(layout.path)


@dataclass
class RunStep:
    store: Store
    runtime: Runtime
    out: Output
    scratch: Path

    def run(self, state: StageState, command: list[str], user_env: list[str]) -> Layer | None:
        """Run ``command``; returns the new layer, or None when it changed no file."""
        cid = secrets.token_hex(32)
        short = cid[:12]
        self.out.arrow(f"Running in {short}")
        layout = self.store.create_container_layer(cid, _view(state))
        problems: list[str] = []
        try:
            tree = state.tree(self.store)
            user = state.config.user
            named = bool(user) and not all(p.isdigit() for p in user.split(":") if p)
            req = RunRequest(args=command, env=[*state.config.env, *user_env],
                             cwd=state.config.working_dir or "/", user=user, hostname=short,
                             passwd=read_text(tree, "/etc/passwd") if named else None,
                             group=read_text(tree, "/etc/group") if named else None)
            try:
                code = self._execute(cid, container_spec(req, _rootfs(layout)))
            except SandboxError as e:
                # The runtime's words, first line only, in the step's terms (its hint stays).
                raise BuildError(f"failed to run '{' '.join(command)}': {e.message.splitlines()[0]}",
                                 e.hint) from e
            if code != 0:
                raise RunFailed(" ".join(command), code)
            layer = self._commit(cid, state)
        finally:
            # Not raised from here: an error already on its way (the RUN's own) must win.
            problems = self._remove(cid)
            self.out.line(f"Removing intermediate container {short}")
        if problems:
            raise SandboxError(f"could not remove build container {short}: {'; '.join(problems)}",
                               "look for leftovers with `sandbox runtime list`")
        return layer

    def _execute(self, cid: str, spec) -> int:  # spec: sandbox.runtime.spec.Spec
        from sandbox.runtime.runtime import ProcessIO

        read_end, write_end = os.pipe()
        null = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
        try:
            try:
                self.runtime.create(cid, spec, "/", io=ProcessIO("fds", fds=(null, write_end, write_end)))
            finally:
                # The container holds its own copies now: ours would keep the pipe open.
                os.close(write_end)
                os.close(null)
            self.runtime.start(cid)
            self._pump(read_end, cid)
            return self.runtime.wait(cid).code
        finally:
            os.close(read_end)

    def _pump(self, fd: int, cid: str) -> None:
        """Pass the output on line by line until EOF, or until the container has exited
        (another process forked while we held the pipe may keep a copy of its write end)."""
        from sandbox.runtime.state import Status

        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        while True:
            ready, _, _ = select.select([fd], [], [], _TICK)
            if ready:
                data = os.read(fd, 1 << 16)
                if not data:
                    break
                pending += decoder.decode(data)
                *lines, pending = pending.split("\n")
                for line in lines:
                    self.out.raw(line + "\n")
                if len(pending) > _PARTIAL:
                    self.out.raw(pending)
                    pending = ""
            elif self.runtime.state(cid).status == Status.STOPPED:
                os.set_blocking(fd, False)
                try:
                    while data := os.read(fd, 1 << 16):
                        pending += decoder.decode(data)
                except BlockingIOError:
                    pass
                break
        pending += decoder.decode(b"", final=True)
        if pending:
            self.out.raw(pending if pending.endswith("\n") else pending + "\n")

    def _commit(self, cid: str, state: StageState) -> Layer | None:
        if not self.store.diff_container(cid):
            return None  # an empty diff is no layer, only a history entry (as in Docker)
        self.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.scratch) as f:
            self.store.export_container_layer_tar(cid, f)
            f.seek(0)
            return self.store.import_layer_tar(f, state.layers[-1] if state.layers else None)

    def _remove(self, cid: str) -> list[str]:
        problems: list[str] = []
        try:
            self.runtime.delete(cid, force=True)
        except ContainerNotFound:
            pass  # create failed and cleaned up after itself
        except SandboxError as e:
            problems.append(e.message)
        try:
            self.store.remove_container_layer(cid)
        except SandboxError as e:
            problems.append(e.message)
        return problems
