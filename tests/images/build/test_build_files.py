"""Builds without RUN: COPY, ADD, WORKDIR, the config instructions, the cache, the context.

None of these runs a container, so they need no root (the store applies the layers).
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import tarfile
from pathlib import Path

import pytest

from sandbox.errors import (
    BuildContextError,
    BuildError,
    DockerfileParseError,
    InvalidReference,
    PullAccessDenied,
)
from sandbox.storage import Store

from .conftest import Builder, tar_of, write_tree


def ctx(tmp_path: Path, dockerfile: str, **files: str | bytes) -> Path:
    return write_tree(tmp_path / "ctx", {"Dockerfile": dockerfile, **{k.replace("__", "/"): v
                                                                      for k, v in files.items()}})


def test_copy_files_and_directories(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\n"
                      "COPY a.txt /dest/\n"
                      "COPY a.txt /renamed.txt\n"
                      "COPY src /app\n"
                      "COPY src/one.txt src/two.txt /multi/\n"
                      "COPY --chown=1000:1000 a.txt /owned/\n",
            **{"a.txt": "A", "src__one.txt": "1", "src__two.txt": "2", "src__deep__three.txt": "3"})
    os.chmod(c / "src" / "one.txt", 0o750)
    image = builder.build(c, tags=["t:files"])
    assert builder.image_file(image, "dest/a.txt") == b"A"
    assert builder.image_file(image, "renamed.txt") == b"A"
    # A directory's contents are copied, not the directory itself.
    assert builder.image_file(image, "app/one.txt") == b"1"
    assert builder.image_file(image, "app/deep/three.txt") == b"3"
    assert builder.store.resolve_path(image, "app/src") is None
    assert builder.image_file(image, "multi/two.txt") == b"2"
    one = builder.store.resolve_path(image, "app/one.txt")
    assert one is not None and stat.S_IMODE(one.stat().st_mode) == 0o750
    if os.geteuid() == 0:
        assert (one.stat().st_uid, one.stat().st_gid) == (0, 0)
        owned = builder.store.resolve_path(image, "owned/a.txt")
        assert owned is not None and (owned.stat().st_uid, owned.stat().st_gid) == (1000, 1000)
    # busybox's one layer + five COPY layers
    assert len(image.layers) == 6


def test_workdir_and_relative_destinations(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\nWORKDIR /srv/app\nCOPY a.txt ./\nWORKDIR sub\nCOPY a.txt b.txt\n"
                      "WORKDIR /tmp\n", **{"a.txt": "A"})
    image = builder.build(c)
    assert builder.image_file(image, "srv/app/a.txt") == b"A"
    assert builder.image_file(image, "srv/app/sub/b.txt") == b"A"
    config = builder.store.image_config(image)
    assert config.working_dir == "/tmp"
    history = [h.created_by for h in config.history[1:]]
    assert history[0] == "/bin/sh -c #(nop) WORKDIR /srv/app"
    assert history[1].startswith("/bin/sh -c #(nop) COPY file:") and history[1].endswith(" in /srv/app/ ")
    # /tmp exists in busybox: that WORKDIR makes no layer, only a history entry.
    assert config.history[-1].empty_layer and not config.history[1].empty_layer


def test_config_instructions(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, 'FROM busybox\nENV A=1 B="two words"\nENV C $A-x\nLABEL version="1.0" team=core\n'
                      "EXPOSE 80 53/udp 8000-8001\nVOLUME /data [\"/ignored-not-json\"]\nUSER nobody\n"
                      'ENTRYPOINT ["/bin/echo"]\nCMD ["hi"]\nSTOPSIGNAL SIGINT\n')
    image = builder.build(c)
    config = builder.store.image_config(image)
    env = config.env_dict()
    assert (env["A"], env["B"], env["C"]) == ("1", "two words", "1-x")
    assert config.labels == {"version": "1.0", "team": "core"}
    assert config.exposed_ports == ["53/udp", "80/tcp", "8000/tcp", "8001/tcp"]
    assert "/data" in config.volumes
    assert (config.user, config.entrypoint, config.cmd) == ("nobody", ["/bin/echo"], ["hi"])
    assert config.stop_signal == "SIGINT"
    # Only busybox's layer: config instructions make history entries, not layers.
    assert len(image.layers) == 1 and all(h.empty_layer for h in config.history[1:])
    assert config.history[-2].created_by == '/bin/sh -c #(nop) CMD ["hi"]'


def test_shell_form_cmd_and_entrypoint_drops_inherited_cmd(builder: Builder, tmp_path: Path) -> None:
    image = builder.build(ctx(tmp_path, "FROM busybox\nENTRYPOINT top -b\n"))
    config = builder.store.image_config(image)
    # busybox's CMD ["sh"] was meant for no entrypoint: Docker drops it.
    assert config.entrypoint == ["/bin/sh", "-c", "top -b"] and config.cmd is None


def test_arg_and_env_substitution(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "ARG BASE=busybox\nFROM ${BASE}\nARG BASE\nARG DIR=/opt\nARG UNUSED_DEFAULT=x\n"
                      "ENV APP=$DIR/app\nWORKDIR ${APP:-/nowhere}\nCOPY ${FILE:-a.txt} $APP/\n"
                      "LABEL from=$BASE dir=$DIR\n",
            **{"a.txt": "A"})
    image = builder.build(c, buildargs={"DIR": "/srv", "NOT_DECLARED": "1"})
    config = builder.store.image_config(image)
    assert config.env_dict()["APP"] == "/srv/app"
    assert config.working_dir == "/srv/app"
    assert builder.image_file(image, "srv/app/a.txt") == b"A"
    assert config.labels == {"from": "busybox", "dir": "/srv"}
    assert "[Warning] One or more build-args [NOT_DECLARED] were not consumed" in builder.text
    assert builder.text.startswith("Step 1/9 : ARG BASE=busybox\nStep 2/9 : FROM ${BASE}\n")


def test_output_cache_and_ids(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\nENV A=1\nCOPY a.txt /\nCMD [\"cat\", \"/a.txt\"]\n", **{"a.txt": "A"})
    first = builder.build(c, tags=["t:1"])
    lines = builder.text.splitlines()
    busybox = builder.store.image("busybox")
    assert lines[:2] == ["Step 1/4 : FROM busybox", f" ---> {busybox.short_id}"]
    assert lines[-2:] == [f"Successfully built {first.short_id}", "Successfully tagged t:1"]
    assert builder.steps_using_cache() == []
    assert [e.aux for e in builder.events if e.aux] == [{"ID": first.id}]
    second = builder.build(c, tags=["t:1"])
    assert builder.steps_using_cache() == [2, 3, 4]
    assert second.id == first.id
    # The last step's id is the image's id.
    assert f" ---> {first.short_id}\nSuccessfully built" in builder.text
    builder.build(c, tags=["t:1"], nocache=True)
    assert builder.steps_using_cache() == []


def test_changed_copy_source_invalidates_from_that_step(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\nENV A=1\nCOPY a.txt /\nCOPY b.txt /\nENV B=2\n",
            **{"a.txt": "A", "b.txt": "B"})
    builder.build(c)
    # Same contents, new mtime: still cached (mtimes are not part of the key).
    os.utime(c / "a.txt", (1, 1))
    builder.build(c)
    assert builder.steps_using_cache() == [2, 3, 4, 5]
    (c / "a.txt").write_text("changed")
    image = builder.build(c)
    assert builder.steps_using_cache() == [2]
    assert builder.image_file(image, "a.txt") == b"changed"
    os.chmod(c / "b.txt", 0o600)
    builder.build(c)
    assert builder.steps_using_cache() == [2, 3]


def test_dockerignore(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\nCOPY . /app/\n",
            **{".dockerignore": "*.log\nsecret/\n!keep.log\n", "a.txt": "A", "x.log": "x", "keep.log": "k",
               "secret__key": "s", "sub__y.log": "y"})
    image = builder.build(c)
    assert builder.image_file(image, "app/a.txt") == b"A"
    assert builder.image_file(image, "app/keep.log") == b"k"
    assert builder.image_file(image, "app/sub/y.log") == b"y"
    assert builder.store.resolve_path(image, "app/x.log") is None
    assert builder.store.resolve_path(image, "app/secret") is None
    # An ignored file is as good as missing, and changing it does not bust the cache.
    (c / "x.log").write_text("changed")
    builder.build(c)
    assert builder.steps_using_cache() == [2]
    with pytest.raises(BuildContextError, match="not found in build context or excluded by .dockerignore"):
        builder.build(ctx(tmp_path, "FROM busybox\nCOPY x.log /\n"))


def test_tar_context_stream_and_globs(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\nCOPY *.txt /t/\nCOPY s?c/*.md /m/\n",
            **{"a.txt": "A", "b.txt": "B", "c.bin": "C", "src__r.md": "R", ".dockerignore": "b.txt\n"})
    image = builder.build(io.BytesIO(gzip.compress(tar_of(c))))
    assert builder.image_file(image, "t/a.txt") == b"A"
    assert builder.store.resolve_path(image, "t/b.txt") is None
    assert builder.store.resolve_path(image, "t/c.bin") is None
    assert builder.image_file(image, "m/r.md") == b"R"
    assert not list(builder.store.root.glob(".build-*")), "the unpacked context is removed"


def test_add_unpacks_a_local_archive(builder: Builder, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in (("pkg/bin/tool", b"#!/bin/sh\n"), ("pkg/README", b"read me")):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid = len(data), 0o755, 1234
            tar.addfile(info, io.BytesIO(data))
    c = ctx(tmp_path, "FROM busybox\nADD pkg.tgz /opt/\nADD plain.txt /opt/plain.txt\n",
            **{"pkg.tgz": buf.getvalue(), "plain.txt": "P"})
    image = builder.build(c)
    assert builder.image_file(image, "opt/pkg/README") == b"read me"
    assert builder.image_file(image, "opt/plain.txt") == b"P"
    assert builder.store.resolve_path(image, "opt/pkg.tgz") is None
    if os.geteuid() == 0:
        tool = builder.store.resolve_path(image, "opt/pkg/bin/tool")
        assert tool is not None and tool.stat().st_uid == 1234  # an archive keeps its owners


def test_add_refuses_a_hostile_archive(builder: Builder, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("../../escape")
        tar.addfile(info, io.BytesIO(b""))
    c = ctx(tmp_path, "FROM busybox\nADD evil.tar /x/\n", **{"evil.tar": buf.getvalue()})
    with pytest.raises(BuildContextError, match="'..' in the name"):
        builder.build(c)
    assert not (tmp_path / "escape").exists()


def test_copy_from_an_image(builder: Builder, tmp_path: Path) -> None:
    image = builder.build(ctx(tmp_path, "FROM scratch\nCOPY --from=busybox /bin/busybox /bin/echo /bin/\n"))
    assert len(image.layers) == 1
    assert builder.image_file(image, "bin/busybox") == Path("/bin/busybox").read_bytes()
    # /bin/echo is a symlink to busybox in the image: it is followed, as Docker does.
    assert builder.image_file(image, "bin/echo") == Path("/bin/busybox").read_bytes()


def test_labels_and_target(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox AS first\nENV STAGE=1\nFROM busybox AS second\nENV STAGE=2\n")
    image = builder.build(c, target="first", labels={"built-by": "test $HOME"})
    config = builder.store.image_config(image)
    assert config.env_dict()["STAGE"] == "1"
    assert config.labels == {"built-by": "test $HOME"}
    assert 'Step 3/3 : LABEL "built-by"="test $HOME"' in builder.text
    with pytest.raises(BuildError, match="failed to reach build target nope in Dockerfile"):
        builder.build(c, target="nope")


@pytest.mark.parametrize(("dockerfile", "error", "message"), [
    ("FROM busybox\nRUN true\nFORM busybox\n", DockerfileParseError,
     "Dockerfile parse error line 3: unknown instruction: FORM"),
    ("FROM busybox\nCOPY ../secret /\n", BuildContextError,
     "forbidden path outside the build context: ../secret"),
    ("FROM busybox\nCOPY a/../../secret /\n", BuildContextError, "forbidden path outside the build context"),
    ("FROM busybox\nCOPY missing.txt /\n", BuildContextError, "file not found in build context"),
    ("FROM busybox\nCOPY *.none /\n", BuildContextError, "no source files were specified"),
    ("FROM busybox\nCOPY Dockerfile Dockerfile /notadir\n", BuildContextError,
     "must be a directory and end with a /"),
    ("FROM busybox\nCOPY Dockerfile\n", DockerfileParseError, "COPY requires at least two arguments"),
    ("FROM busybox\nADD http://example.invalid/x.tgz /\n", BuildError,
     "ADD from URLs is not supported offline"),
    ("FROM nosuchimage\n", PullAccessDenied, "pull access denied for nosuchimage"),
    ("FROM busybox\nCOPY --from=nosuchimage /x /\n", PullAccessDenied, "pull access denied for nosuchimage"),
    ("FROM busybox\nEXPOSE http\n", DockerfileParseError, "line 2: Invalid containerPort: http"),
    ("FROM busybox\nCOPY --chown=ghost Dockerfile /\n", BuildError, "can't find uid for user ghost"),
    ("FROM busybox\nSTOPSIGNAL SIGNOPE\n", DockerfileParseError, "Invalid signal: SIGNOPE"),
    ("FROM busybox\nSHELL /bin/bash -c\n", DockerfileParseError,
     "SHELL requires the arguments to be in JSON form"),
    ("FROM scratch\n", BuildError, "No image was generated"),
])
def test_bad_input(builder: Builder, tmp_path: Path, dockerfile: str, error: type, message: str) -> None:
    (tmp_path / "secret").write_text("do not copy")
    with pytest.raises(error) as err:
        builder.build(ctx(tmp_path, dockerfile))
    assert message in str(err.value)
    # The error is the stream's last event, in Docker's shape.
    last = builder.events[-1].to_json()
    assert last["error"] == str(err.value) and last["errorDetail"]["message"] == str(err.value)
    assert not list(builder.store.root.glob(".build-*"))


def test_hostile_context_tar_is_refused(builder: Builder, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        data = b"FROM busybox\n"
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("evil")
        link.type, link.linkname = tarfile.SYMTYPE, "/"
        tar.addfile(link)
        escape = tarfile.TarInfo("evil/tmp/owned")
        tar.addfile(escape, io.BytesIO(b""))
    with pytest.raises(BuildContextError, match="the build context was refused"):
        builder.build(buf.getvalue())
    assert not Path("/tmp/owned").exists()


def test_missing_dockerfile_and_bad_tag(builder: Builder, tmp_path: Path) -> None:
    c = ctx(tmp_path, "FROM busybox\n")
    with pytest.raises(BuildContextError, match="Cannot locate specified Dockerfile: Other"):
        builder.build(c, dockerfile="Other")
    with pytest.raises(InvalidReference):
        builder.build(c, tags=["Bad Tag"])


def test_quiet_mode_says_only_the_id(builder: Builder, tmp_path: Path) -> None:
    image = builder.build(ctx(tmp_path, "FROM busybox\nENV A=1\n"), quiet=True)
    assert [e.to_json() for e in builder.events] == [{"stream": image.id + "\n"}]
    with pytest.raises(BuildContextError):
        builder.build(ctx(tmp_path, "FROM busybox\nENV A=1\nCOPY nothing /\n"), quiet=True)
    # A failed quiet build shows the held-back steps before the error.
    assert builder.text.startswith("Step 1/3 : FROM busybox\n")
    assert builder.events[-1].error is not None


def test_copy_driver_store(tmp_path: Path) -> None:
    from sandbox.images.bootstrap import bootstrap_busybox

    store = Store(tmp_path / "copy-store", "copy")
    bootstrap_busybox(store)
    b = Builder(store, None, tmp_path)
    image = b.build(ctx(tmp_path, "FROM busybox\nWORKDIR /w\nCOPY a.txt .\n", **{"a.txt": "A"}))
    assert b.image_file(image, "w/a.txt") == b"A"
    assert b.image_file(image, "bin/busybox") == Path("/bin/busybox").read_bytes()
