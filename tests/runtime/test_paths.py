import os

from sandbox.runtime.paths import secure_join


def test_dotdot_stops_at_root(tmp_path) -> None:
    assert secure_join(str(tmp_path), "../../etc/passwd") == str(tmp_path / "etc" / "passwd")


def test_absolute_symlink_resolves_inside(tmp_path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink("/real", tmp_path / "link")
    assert secure_join(str(tmp_path), "/link/x") == str(tmp_path / "real" / "x")


def test_escaping_relative_symlink_is_clamped(tmp_path) -> None:
    os.symlink("../../../../etc", tmp_path / "evil")
    assert secure_join(str(tmp_path), "/evil/shadow") == str(tmp_path / "etc" / "shadow")


def test_symlink_loop_is_an_error(tmp_path) -> None:
    import pytest

    from sandbox.errors import SandboxError

    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    with pytest.raises(SandboxError, match="symbolic links"):
        secure_join(str(tmp_path), "/a")
