"""``docker commit``: a container's read-write layer on top of its image, plus config changes."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.errors import ContainerLayerUnknown, InvalidChange
from sandbox.images._elf import is_static
from sandbox.images.bootstrap import bootstrap_busybox
from sandbox.images.commit import commit
from sandbox.storage import Store

BUSYBOX = Path("/bin/busybox")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (BUSYBOX.is_file() and is_static(BUSYBOX)):
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")
    root = tmp_path_factory.mktemp("commit") / "store"
    bootstrap_busybox(Store(root))
    return root


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Store:
    shutil.copytree(template, tmp_path / "store", symlinks=True)
    return Store(tmp_path / "store")


def container(store: Store, cid: str, files: dict[str, bytes]) -> Path:
    """A container layer on busybox whose upper directory holds ``files`` (what a container
    that wrote them would leave there)."""
    layout = store.create_container_layer(cid, "busybox")
    upper = layout.upperdir if layout.kind == "overlay" else layout.path
    assert upper is not None
    for name, data in files.items():
        path = upper / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return upper


def test_commit_adds_a_layer_with_config_changes(store: Store, unique: str) -> None:
    container(store, unique, {"srv/index.html": b"<h1>hi</h1>", "etc/motd": b"welcome"})
    changes = ['CMD ["httpd", "-f", "-h", "/srv"]', "ENV MODE=prod", "LABEL team=web", "WORKDIR /srv",
               "USER nobody", "EXPOSE 80", 'ENTRYPOINT ["/bin/env"]', "VOLUME /data"]
    image = commit(store, unique, changes, author="Ada <ada@example.org>", message="add the site",
                   tags=["web:v1"])
    base = store.image("busybox")
    assert image.layers[:-1] == base.layers and len(image.layers) == len(base.layers) + 1
    assert image.tags == ["web:v1"]
    site = store.resolve_path(image, "srv/index.html")
    assert site is not None and site.read_bytes() == b"<h1>hi</h1>"
    config = store.image_config(image)
    assert config.cmd == ["httpd", "-f", "-h", "/srv"]
    assert config.entrypoint == ["/bin/env"]
    assert config.env_dict()["MODE"] == "prod" and "PATH" in config.env_dict()
    assert (config.labels, config.working_dir, config.user) == ({"team": "web"}, "/srv", "nobody")
    assert (config.exposed_ports, config.volumes) == (["80/tcp"], ["/data"])
    assert config.author == "Ada <ada@example.org>"
    last = config.history[-1]
    assert (last.author, last.comment, last.empty_layer) == ("Ada <ada@example.org>", "add the site", False)
    assert len(config.history) == len(store.image_config(base).history) + 1
    # The container's layer is left for the engine to remove with the container.
    assert store.container_layer(unique).container_id == unique


def test_container_config_is_what_the_image_runs(store: Store, unique: str) -> None:
    container(store, unique, {"hello": b"x"})
    image = commit(store, unique, container_config={"Cmd": ["cat", "/hello"], "Env": ["PATH=/bin", "A=1"]})
    config = store.image_config(image)
    assert config.cmd == ["cat", "/hello"] and config.env == ["PATH=/bin", "A=1"]
    assert config.history[-1].created_by == "cat /hello"


def test_no_changes_no_layer(store: Store, unique: str) -> None:
    container(store, unique, {})
    image = commit(store, unique, ["ENV A=1"])
    assert image.layers == store.image("busybox").layers
    assert store.image_config(image).history[-1].empty_layer


@pytest.mark.parametrize(("change", "problem"), [
    ("RUN echo no", "RUN is not a valid change command"),
    ("FROM busybox", "FROM is not a valid change command"),
    ("NOPE x", "unknown instruction: NOPE"),
    ("EXPOSE http", "Invalid containerPort: http"),
    ("ENV", "ENV requires at least one argument"),
])
def test_bad_changes_are_refused(store: Store, unique: str, change: str, problem: str) -> None:
    container(store, unique, {"x": b"x"})
    before = {i.id for i in store.images()}
    with pytest.raises(InvalidChange) as err:
        commit(store, unique, [change])
    assert problem in str(err.value)
    assert {i.id for i in store.images()} == before


def test_unknown_container(store: Store) -> None:
    with pytest.raises(ContainerLayerUnknown):
        commit(store, "nosuchcontainer")


@pytest.fixture
def runtime(unique: str) -> Iterator[object]:
    if os.geteuid() != 0:
        pytest.skip("needs root")
    from sandbox.runtime.runtime import Runtime

    run_dir = Path(tempfile.mkdtemp(prefix="cmt-", dir="/tmp"))
    rt = Runtime(run_dir, cgroup_parent=f"sandbox/{unique}")
    try:
        yield rt
    finally:
        for st in rt.list():
            rt.delete(st.id, force=True)
        cgroups = Path("/sys/fs/cgroup")
        for d in [*cgroups.glob(f"*/sandbox/{unique}"), cgroups / "sandbox" / unique]:
            if d.is_dir():
                d.rmdir()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.mark.root
def test_commit_a_real_container_with_a_deletion(store: Store, runtime: object, unique: str) -> None:
    from sandbox.images.build.run import _rootfs
    from sandbox.images.build.runspec import RunRequest, container_spec
    from sandbox.runtime.runtime import ProcessIO, Runtime

    assert isinstance(runtime, Runtime)
    layout = store.create_container_layer(unique, "busybox")
    try:
        spec = container_spec(RunRequest(args=["sh", "-c", "echo made > /made && rm /bin/vi"],
                                         env=[], cwd="/", user="", hostname="c"), _rootfs(layout))
        null = os.open(os.devnull, os.O_RDWR)
        try:
            assert runtime.run(unique, spec, "/", io=ProcessIO("fds", fds=(null, null, null))).code == 0
        finally:
            os.close(null)
        image = commit(store, unique, ['CMD ["cat", "/made"]'], tags=["committed:1"])
    finally:
        store.remove_container_layer(unique)
    assert store.resolve_path(image, "made").read_bytes() == b"made\n"  # type: ignore[union-attr]
    # The deletion became a whiteout in the new layer: the file is gone from the image.
    assert store.resolve_path("busybox", "bin/vi") is not None
    assert store.resolve_path(image, "bin/vi") is None
