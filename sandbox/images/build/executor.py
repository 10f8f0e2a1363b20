"""The build loop: stages in order, each instruction a step that goes through the cache.

Like Docker's legacy builder, every stage up to the target is built (an unused stage too),
``Step N/M`` counts the ARGs before the first FROM, every FROM and every instruction, and
each step ends with the id of the state it made. A step's result is taken from the cache
when its parent, its text and (for COPY/ADD) its files are the same as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import BuildError, DockerfileParseError, ImageUnknown, PullAccessDenied
from sandbox.images.build import copying
from sandbox.images.build.cache import BuildCache, CacheRecord, cache_key
from sandbox.images.build.context import BuildContext
from sandbox.images.build.dockerfile import Dockerfile, Instruction, Stage
from sandbox.images.build.lex import Lexer
from sandbox.images.build.meta import MetaContext, apply_meta, command_of, declare_arg
from sandbox.images.build.output import Output
from sandbox.images.build.state import StageState
from sandbox.images.build.trees import LayerTree, Tree
from sandbox.storage import normalize_reference

if TYPE_CHECKING:
    from sandbox.runtime.runtime import Runtime
    from sandbox.storage import Image, Layer, Store

Pull = Callable[[str], "Image"]


@dataclass
class BuildOptions:
    dockerfile: str = "Dockerfile"
    tags: list[str] = field(default_factory=list)
    buildargs: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    nocache: bool = False
    target: str | None = None
    pull: Pull | None = None
    """Fetches a base image the store lacks (the engine's registry pull); None: refuse."""


def label_instruction(labels: dict[str, str]) -> Instruction:
    """``--label k=v`` becomes one more LABEL step at the end, as in the legacy builder.
    Single quotes keep ``$`` in a value from being expanded."""
    def quoted(s: str) -> str:
        return "'" + s.replace("'", "'\\''") + "'"

    args = " ".join(f"{quoted(k)}={quoted(v)}" for k, v in sorted(labels.items()))
    shown = " ".join(f"{json.dumps(k)}={json.dumps(v)}" for k, v in sorted(labels.items()))
    return Instruction(keyword="LABEL", args=args, line=0, original=f"LABEL {shown}")


class Executor:
    def __init__(self, store: Store, runtime: Runtime | None, context: BuildContext, opts: BuildOptions,
                 out: Output, scratch: Path, escape: str = "\\") -> None:
        self.store = store
        self.runtime = runtime
        self.context = context
        self.opts = opts
        self.out = out
        self.scratch = scratch
        self.cache = BuildCache(store)
        self.meta = MetaContext(lexer=Lexer(escape), build_args=dict(opts.buildargs))
        self.results: list[StageState] = []
        self.stages: list[Stage] = []

    # -- the loop ---------------------------------------------------------------------------

    def run(self, df: Dockerfile) -> StageState:
        self.meta.lexer = Lexer(df.escape)
        stages = self._stages(df)
        if self.opts.labels:
            stages[-1].instructions = [*stages[-1].instructions, label_instruction(self.opts.labels)]
        total = len(df.meta_args) + sum(1 + len(s.instructions) for s in stages)
        number = 0
        for instr in df.meta_args:
            number += 1
            self.out.step(number, total, instr.original)
            declare_arg(instr, self.meta, {}, self.meta.meta_args)
        state = StageState.scratch()
        for stage in stages:
            number += 1
            self.out.step(number, total, stage.from_.original)
            state = self._from(stage)
            self.out.arrow(state.short_id)
            for instr in stage.instructions:
                number += 1
                self.out.step(number, total, instr.original)
                self._dispatch(instr, state)
                self.out.arrow(state.short_id)
            if state.id:
                self.out.aux_id(state.id)
            self.results.append(state)
        unused = sorted(set(self.opts.buildargs) - self.meta.declared)
        if unused:
            self.out.line(f"[Warning] One or more build-args [{' '.join(unused)}] were not consumed")
        if not state.id:
            raise BuildError("No image was generated. Is your Dockerfile empty?")
        return state

    def _stages(self, df: Dockerfile) -> list[Stage]:
        self.stages = df.stages
        if self.opts.target is None:
            return list(df.stages)
        index = df.stage_index(self.opts.target)
        if index is None:
            raise BuildError(f"failed to reach build target {self.opts.target} in Dockerfile",
                             "--target names a stage: FROM image AS name")
        return list(df.stages[:index + 1])

    # -- FROM and --from --------------------------------------------------------------------

    def _stage_by_name(self, name: str) -> StageState | None:
        for stage, result in zip(self.stages, self.results):
            if stage.name == name.lower():
                return result
        if name.isdigit() and int(name) < len(self.results):
            return self.results[int(name)]
        return None

    def _image(self, ref: str) -> Image:
        try:
            return self.store.image(ref)
        except ImageUnknown:
            if self.opts.pull is not None:
                return self.opts.pull(ref)
            raise PullAccessDenied(normalize_reference(ref).name) from None

    def _from(self, stage: Stage) -> StageState:
        meta_env = {k: v for k, v in self.meta.meta_args.items() if v is not None}
        base = Lexer(self.meta.lexer.escape, stage.from_.line).word(stage.base, meta_env)
        if not base:
            raise DockerfileParseError(stage.from_.line, f"base name ({stage.base}) should not be blank")
        earlier = self._stage_by_name(base) if not base.isdigit() else None
        if earlier is not None:
            return earlier.fork()
        if base.lower() == "scratch":
            return StageState.scratch()
        image = self._image(base)
        return StageState.from_image(image.id, image.layers, self.store.image_config(image))

    def _from_tree(self, name: str) -> tuple[Tree, str]:
        stage = self._stage_by_name(name)
        if stage is not None:
            return (stage.tree(self.store), stage.id or f"scratch-stage:{name}")
        if name.isdigit():
            raise BuildError(f"invalid from flag value {name}: no build stage {name} before this one")
        image = self._image(name)
        return LayerTree(self.store, image.layers, f"image {name}"), image.id

    # -- steps ------------------------------------------------------------------------------

    def _dispatch(self, instr: Instruction, state: StageState) -> None:
        kw = instr.keyword
        if kw == "RUN":
            self._run(instr, state)
        elif kw in ("COPY", "ADD"):
            step = copying.prepare(instr, state, self.store, self.context.tree, self.meta.lexer,
                                     self._from_tree, self.scratch)
            self._cached(state, step.text, lambda: (self._nop(state, step.text), step.make()))
        elif kw == "WORKDIR":
            text = apply_meta(instr, state, self.meta)
            self._cached(state, text, lambda: (self._nop(state, text), copying.mkdir_layer(
                self.store, state, state.config.working_dir, self.scratch)))
        else:
            text = apply_meta(instr, state, self.meta)
            self._cached(state, text, lambda: (self._nop(state, text), None))

    @staticmethod
    def _nop(state: StageState, text: str) -> str:
        return " ".join([*state.shell, f"#(nop) {text}"])

    def _run(self, instr: Instruction, state: StageState) -> None:
        from sandbox.images.build.run import RunStep

        command = command_of(instr, state.shell)
        arg_env = state.run_args()
        text = " ".join(command)
        if arg_env:
            # Docker's form: the build args a RUN sees are part of its history and its key.
            text = f"|{len(arg_env)} {' '.join(arg_env)} {text}"
        if self.runtime is None:
            raise BuildError("RUN needs a container runtime, and this build has none",
                             "build through the engine (`sandbox docker build`)")
        runtime = self.runtime
        self._cached(state, text, lambda: (text, RunStep(self.store, runtime, self.out, self.scratch)
                                            .run(state, command, arg_env)))

    def _cached(self, state: StageState, text: str, make: Callable[[], tuple[str, Layer | None]]) -> None:
        key = cache_key(state.id or "scratch", text)
        if not self.opts.nocache:
            record = self.cache.get(key)
            if record is not None:
                self.out.arrow("Using cache")
                state.restore(record.config, list(record.layers), record.id)
                return
        created_by, layer = make()
        state.commit(created_by, layer)
        self.cache.put(key, CacheRecord(state.id, state.config.to_json().decode(), tuple(state.layers)))
