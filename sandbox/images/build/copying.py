"""COPY and ADD: read the instruction, find the sources, and (on a cache miss) make the layer.

``prepare`` does the cheap part every build needs for the cache key — expand the words,
find the sources, hash their content — and returns a ``CopyStep`` whose ``layer`` makes
the layer only when the cache has no answer.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sandbox.errors import BuildContextError, BuildError, DockerfileParseError
from sandbox.images.build.copyplan import CopyRequest, plan_copy, plan_mkdir
from sandbox.images.build.dockerfile import Instruction
from sandbox.images.build.layertar import write_tar
from sandbox.images.build.lex import Lexer
from sandbox.images.build.runspec import table_rows
from sandbox.images.build.sources import content_hash, find_sources
from sandbox.images.build.state import StageState
from sandbox.images.build.trees import Tree, read_text

if TYPE_CHECKING:
    from sandbox.storage import Layer, Store

_URL = re.compile(r"^(https?|ftp)://|^git@|^git://", re.IGNORECASE)


def parse_chown(spec: str, target: Tree, line: int) -> tuple[int, int]:
    """``--chown=user[:group]``: numbers as they are, names looked up in the image's
    /etc/passwd and /etc/group. A user alone means the group of the same name or number."""
    user, _, group = spec.partition(":")
    group = group or user
    if not user:
        raise DockerfileParseError(line, f"invalid --chown value {spec!r}",
                                   "use --chown=uid[:gid] or name[:group]")

    def lookup(value: str, table: str) -> int:
        if value.isdigit():
            return int(value)
        for row in table_rows(read_text(target, f"/etc/{table}")):
            if len(row) >= 3 and row[0] == value and row[2].isdigit():
                return int(row[2])
        what = "uid for user" if table == "passwd" else "gid for group"
        raise BuildError(f"unable to convert uid/gid chown string to host mapping: can't find {what} "
                         f"{value}: no such {'user' if table == 'passwd' else 'group'}: {value}",
                         "use numeric ids, or names the image's /etc/passwd and /etc/group have")

    return lookup(user, "passwd"), lookup(group, "group")


def _chmod(value: str, line: int) -> int:
    if not re.match(r"^[0-7]{3,4}$", value):
        raise DockerfileParseError(line, f"invalid --chmod value {value!r}",
                                   "use octal bits like 755 or 0644")
    return int(value, 8)


def destination(given: str, workdir: str) -> str:
    """Relative destinations are under WORKDIR; a trailing ``/`` is kept (it means "a
    directory")."""
    if given.startswith("/"):
        return given
    joined = posixpath.normpath(posixpath.join(workdir or "/", given))
    if given.endswith(("/", "/.")) or given == ".":
        return joined.rstrip("/") + "/"
    return joined


@dataclass
class CopyStep:
    keyword: str
    text: str
    """The step as the cache and the history see it: ``COPY file:… in /app ``."""
    make: Callable[[], Layer]


def prepare(instr: Instruction, state: StageState, store: Store, context: Tree, lexer: Lexer,
            from_tree: Callable[[str], tuple[Tree, str]], scratch: Path) -> CopyStep:
    """``from_tree(name)`` gives the tree and id of a stage or image named by ``--from``."""
    env = state.env()
    lex = Lexer(lexer.escape, instr.line)
    exec_form = instr.json_args
    words = [lex.word(w, env) for w in exec_form] if exec_form is not None else lex.words(instr.args, env)
    if len(words) < 2:
        raise DockerfileParseError(instr.line, f"{instr.keyword} requires at least two arguments, but only "
                                               "one was provided. Destination could not be determined.")
    srcs, dest = words[:-1], destination(words[-1], state.config.working_dir)
    if instr.keyword == "ADD" and any(_URL.match(s) for s in srcs):
        raise BuildError("ADD from URLs is not supported offline",
                         "download the file into the build context and ADD (or COPY) it from there")
    source_tree, source_id = context, ""
    if "from" in instr.flags:
        source_tree, source_id = from_tree(lex.word(instr.flags["from"], env))
    sources = find_sources(source_tree, srcs, instr.keyword, from_context=not source_id)
    if (len(sources) > 1 or len(srcs) > 1) and not dest.endswith("/"):
        raise BuildContextError(f"When using {instr.keyword} with more than one source file, the destination "
                                "must be a directory and end with a /")
    target = state.tree(store)
    owner = parse_chown(lex.word(instr.flags["chown"], env), target, instr.line) if "chown" in instr.flags \
        else None
    chmod = _chmod(instr.flags["chmod"], instr.line) if "chmod" in instr.flags else None
    # Another stage's or image's files are named by its id; only the context's are hashed.
    digest = f"from:{source_id}:{' '.join(srcs)}" if source_id else content_hash(sources)
    opts = "".join(f" --{k}={instr.flags[k]}" for k in ("chown", "chmod") if k in instr.flags)
    text = f"{instr.keyword}{opts} {digest} in {dest} "

    def make() -> Layer:
        req = CopyRequest(sources=sources, dest=dest, target=target, scratch=scratch, owner=owner,
                          chmod=chmod, unpack_archives=instr.keyword == "ADD")
        return _make_layer(store, state, req)

    return CopyStep(instr.keyword, text, make)


def _make_layer(store: Store, state: StageState, req: CopyRequest) -> Layer:
    req.scratch.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="copy-", dir=req.scratch))
    try:
        req.scratch = work
        entries = plan_copy(req)
        with tempfile.TemporaryFile(dir=work) as f:
            write_tar(entries.sorted(), f)
            f.seek(0)
            return store.import_layer_tar(f, state.layers[-1] if state.layers else None)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def mkdir_layer(store: Store, state: StageState, path: str, scratch: Path) -> Layer | None:
    """WORKDIR's layer: the directory and its parents, or None if the image has it."""
    entries = plan_mkdir(state.tree(store), path)
    if entries is None:
        return None
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=scratch) as f:
        write_tar(entries.sorted(), f)
        f.seek(0)
        return store.import_layer_tar(f, state.layers[-1] if state.layers else None)
