"""Builds with RUN: real containers on the stage's layers (root), the cache, multi-stage,
and what a failing RUN leaves behind (nothing)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from sandbox.errors import BuildError, RunFailed
from sandbox.storage import Image
from tests.helpers import wait_until

from .conftest import Builder, tar_of, write_tree

pytestmark = pytest.mark.root

SIX = ("FROM busybox\n"
       "ENV GREETING=hello\n"
       "WORKDIR /app\n"
       "COPY hello.txt ./\n"
       "RUN echo \"$GREETING from RUN\" && cat hello.txt > out.txt\n"
       'CMD ["cat", "/app/out.txt"]\n')


def run_image(b: Builder, image: Image, args: list[str] | None = None) -> tuple[int, str]:
    """Run the image like ``docker run --rm`` would, with the runtime; (exit code, output)."""
    import secrets

    from sandbox.images.build.run import _rootfs
    from sandbox.images.build.runspec import RunRequest, container_spec
    from sandbox.runtime.runtime import ProcessIO

    config = b.store.image_config(image)
    cid = "check-" + secrets.token_hex(4)
    layout = b.store.create_container_layer(cid, image)
    try:
        command = args or [*(config.entrypoint or []), *(config.cmd or [])]
        spec = container_spec(RunRequest(args=command, env=config.env, cwd=config.working_dir or "/",
                                         user=config.user, hostname=cid), _rootfs(layout))
        with tempfile.TemporaryFile() as out:
            status = b.runtime.run(cid, spec, "/", io=ProcessIO("fds", fds=(0, out.fileno(), out.fileno())))
            out.seek(0)
            return status.code, out.read().decode()
    finally:
        b.store.remove_container_layer(cid)


def test_six_instructions_build_cache_and_run(runner: Builder, tmp_path: Path) -> None:
    ctx = write_tree(tmp_path / "ctx", {"Dockerfile": SIX, "hello.txt": "hi there\n"})
    image = runner.build(tar_of(ctx), tags=["t:6"])
    text = runner.text
    assert "Step 5/6 : RUN echo \"$GREETING from RUN\" && cat hello.txt > out.txt\n ---> Running in " in text
    assert "\nhello from RUN\nRemoving intermediate container " in text
    assert runner.steps_using_cache() == []
    assert runner.leftovers() == []

    # The second build hits the cache at every step after FROM, and runs no container.
    again = runner.build(tar_of(ctx), tags=["t:6"])
    assert runner.steps_using_cache() == [2, 3, 4, 5, 6]
    assert "Running in" not in runner.text
    assert again.id == image.id

    # The image runs, and was made of the expected layers and history.
    assert run_image(runner, image) == (0, "hi there\n")
    config = runner.store.image_config(image)
    assert len(image.layers) == 4  # busybox, WORKDIR /app, COPY, RUN
    created_by = [h.created_by for h in config.history]
    assert created_by[1:] == [
        "/bin/sh -c #(nop) ENV GREETING=hello",
        "/bin/sh -c #(nop) WORKDIR /app",
        created_by[3],
        "/bin/sh -c echo \"$GREETING from RUN\" && cat hello.txt > out.txt",
        '/bin/sh -c #(nop) CMD ["cat" "/app/out.txt"]',
    ]
    assert created_by[3].startswith("/bin/sh -c #(nop) COPY file:") and created_by[3].endswith(" in /app/ ")
    assert [h.empty_layer for h in config.history[1:]] == [True, False, False, False, True]
    # The RUN layer holds what the command wrote, nothing of the runtime's own.
    run_layer = runner.store.layer(image.layers[-1]).diff
    assert sorted(str(p.relative_to(run_layer)) for p in run_layer.rglob("*")) == ["app", "app/out.txt"]

    # Changing the copied file rebuilds from the COPY step on.
    (ctx / "hello.txt").write_text("changed\n")
    changed = runner.build(ctx, tags=["t:6"])
    assert runner.steps_using_cache() == [2, 3]
    assert run_image(runner, changed) == (0, "changed\n")
    assert runner.leftovers() == []


def test_run_forms_args_user_and_empty_diffs(runner: Builder, tmp_path: Path) -> None:
    ctx = write_tree(tmp_path / "ctx", {"Dockerfile":
                     "FROM busybox\nRUN true\n"
                     'RUN ["/bin/sh", "-c", "echo exec form"]\n'
                     "ARG WHO=world\nRUN echo hello $WHO > /greeting\n"
                     "USER nobody\nRUN id -u > /tmp/uid; id -u\n"})
    image = runner.build(ctx, buildargs={"WHO": "learner"})
    config = runner.store.image_config(image)
    by = [h.created_by for h in config.history]
    # An empty diff makes no layer, only a history entry.
    assert "/bin/sh -c true" in by and config.history[by.index("/bin/sh -c true")].empty_layer
    # A RUN that sees build args records them, as the legacy builder does.
    assert "|1 WHO=learner /bin/sh -c echo hello $WHO > /greeting" in by
    assert "exec form\n" in runner.text and "65534\n" in runner.text
    assert runner.image_file(image, "greeting") == b"hello learner\n"
    assert len(image.layers) == 3  # busybox, /greeting, /tmp/uid
    # Another build arg value is another key for that RUN.
    runner.build(ctx, buildargs={"WHO": "teacher"})
    assert runner.steps_using_cache() == [2, 3, 4]
    assert runner.leftovers() == []


def test_multi_stage_final_image_is_small(runner: Builder, tmp_path: Path) -> None:
    ctx = write_tree(tmp_path / "ctx", {"Dockerfile":
                     "FROM busybox AS builder\n"
                     "RUN mkdir /out && dd if=/dev/zero of=/big bs=1024 count=2048 2>/dev/null"
                     " && echo built > /out/artifact\n"
                     "FROM scratch\n"
                     "COPY --from=builder /out/artifact /artifact\n"
                     "COPY --from=0 /bin/busybox /bin/cat\n"
                     'CMD ["/bin/cat", "/artifact"]\n'})
    final = runner.build(ctx, tags=["small:1"])
    first = runner.build(ctx, target="builder")
    assert final.size < first.size
    assert len(final.layers) == 2
    assert runner.store.resolve_path(final, "big") is None
    assert run_image(runner, final) == (0, "built\n")
    # The stages are cached too: the rebuild runs nothing.
    runner.build(ctx, tags=["small:1"])
    assert runner.steps_using_cache() == [2, 4, 5, 6]
    assert runner.leftovers() == []


def test_failing_run_shows_output_and_leaves_nothing(runner: Builder, tmp_path: Path) -> None:
    ctx = write_tree(tmp_path / "ctx", {"Dockerfile":
                     "FROM busybox\nRUN echo visible output; mkdir /junk; exit 3\n"})
    with pytest.raises(RunFailed) as err:
        runner.build(ctx)
    message = "The command '/bin/sh -c echo visible output; mkdir /junk; exit 3' returned a non-zero code: 3"
    assert str(err.value) == message
    assert err.value.exit_code == 3
    assert "visible output\n" in runner.text
    assert runner.events[-1].to_json() == {"errorDetail": {"message": message, "code": 3}, "error": message}
    assert runner.leftovers() == []
    # Nothing of the failed step was kept: no layer holds /junk.
    assert not list(runner.store.root.glob("layers/*/diff/junk"))


def test_a_command_that_cannot_start_leaves_nothing(runner: Builder, tmp_path: Path) -> None:
    ctx = write_tree(tmp_path / "ctx", {"Dockerfile": 'FROM busybox\nRUN ["/no/such/program"]\n'})
    with pytest.raises(BuildError) as err:
        runner.build(ctx)
    assert str(err.value).startswith("failed to run '/no/such/program': ")
    assert "executable file not found" in str(err.value)
    assert runner.events[-1].error is not None
    assert runner.leftovers() == []


def test_the_runtime_root_is_left_empty(runner: Builder, tmp_path: Path) -> None:
    """A build through the store and the runtime keeps nothing in the runtime's root."""
    ctx = write_tree(tmp_path / "ctx", {"Dockerfile": "FROM busybox\nRUN touch /x\n"})
    runner.build(ctx)
    assert runner.run_dir is not None
    # A deleted container's state directory leaves in the background (the runtime's trash).
    assert wait_until(lambda: os.listdir(runner.run_dir / "runtime") == []), os.listdir(runner.run_dir / "runtime")
