"""Saving a container's record: whole every time, and waiting for the disk only when asked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.engine.containers.files import ContainerFiles
from sandbox.engine.containers.record import Record


def _record(cid: str) -> Record:
    return Record(id=cid, name="/r", created=1.0, path="true", args=[], config={}, host_config={},
                  image_id="sha256:x", driver="copy", log_path="", hostname_path="", hosts_path="",
                  resolv_conf_path="")


@pytest.mark.parametrize(("durable", "syncs"), [(True, 1), (False, 0)])
def test_save_syncs_only_when_durable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool,
                                      syncs: int) -> None:
    files = ContainerFiles(tmp_path)
    rec = _record("c" * 64)
    files.dir_of(rec.id).mkdir(parents=True)
    calls: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append(fd), real(fd))[1])
    rec.state.exit_code = 3
    files.save(rec, durable)
    assert len(calls) == syncs
    [loaded] = list(files.load_all())
    assert isinstance(loaded, Record) and loaded.state.exit_code == 3
    assert os.listdir(files.dir_of(rec.id)) == ["config.v2.json"]  # no temporary file left


def test_remove_also_takes_a_temporary_file_a_crash_left(tmp_path: Path) -> None:
    files = ContainerFiles(tmp_path)
    rec = _record("d" * 64)
    files.dir_of(rec.id).mkdir(parents=True)
    files.save(rec)
    (files.dir_of(rec.id) / ".tmp-config.v2.json-123-456").write_text("{half")
    files.remove(rec.id)
    assert not files.dir_of(rec.id).exists()
