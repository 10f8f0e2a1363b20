import pytest

from sandbox.runtime.cli import _fast_parse, parse_args


def test_fast_path_matches_the_grammar() -> None:
    ns = _fast_parse(["--root", "/r", "--trace", "run", "-b", "/b", "--log=/l", "-d", "c1"])
    assert ns is not None
    assert (ns.root, ns.trace, ns.command, ns.bundle, ns.log, ns.detach, ns.id) == ("/r", True, "run", "/b", "/l", True, "c1")
    kill = _fast_parse(["kill", "-a", "c1", "KILL"])
    assert kill is not None and kill.all and kill.signal == "KILL"


@pytest.mark.parametrize("argv", [
    ["run"],                      # no id
    ["start", "--log", "x", "c"],  # a flag that command does not take
    ["frobnicate", "c"],          # unknown command
    ["run", "--bogus", "c"],
    ["run", "-h"],
    ["delete", "a", "b"],
])
def test_anything_unusual_goes_to_argparse(argv) -> None:
    assert _fast_parse(argv) is None


def test_argparse_reports_the_error(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        parse_args(["start", "--log", "x", "c"])
    assert e.value.code == 2
    assert "unrecognized arguments: --log" in capsys.readouterr().err
