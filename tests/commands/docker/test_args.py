"""docker's flag grammar on argparse: clusters, values, booleans with =, arity, errors."""

import pytest

from sandbox.commands.docker._args import DockerArgumentParser, HelpShown, require_args
from sandbox.errors import UsageError


def make(interspersed: bool = True) -> DockerArgumentParser:
    p = DockerArgumentParser("run", "docker run [OPTIONS] IMAGE", "Run", help_short=False, interspersed=interspersed)
    p.add_argument("-i", "--interactive", action="store_true")
    p.add_argument("-t", "--tty", action="store_true")
    p.add_argument("-e", "--env", action="append", default=[])
    p.add_argument("-m", "--memory", default="")
    p.add_argument("--rm", action="store_true")
    p.add_argument("--sig-proxy", action="store_true", default=True)
    p.add_argument("-h", "--hostname", default="")
    p.add_argument("-n", "--last", type=int, default=-1)
    return p


def parse(argv: list[str], interspersed: bool = False):
    import io

    return make(interspersed).parse(argv, io.StringIO())


def test_clustered_short_flags() -> None:
    ns = parse(["-it", "busybox", "sh"])
    assert ns.interactive and ns.tty
    assert ns.args == ["busybox", "sh"]


def test_short_flag_values_attached_separate_and_with_equals() -> None:
    ns = parse(["-eA=1", "-e", "B=2", "-e=C=3", "-m64m", "img"])
    assert ns.env == ["A=1", "B=2", "C=3"]
    assert ns.memory == "64m"


def test_cluster_ending_in_a_value_flag() -> None:
    ns = parse(["-ite", "X=1", "img"])
    assert ns.interactive and ns.tty and ns.env == ["X=1"]


def test_long_flag_forms() -> None:
    ns = parse(["--memory=1g", "--env", "A=B", "--hostname", "h", "img"])
    assert (ns.memory, ns.env, ns.hostname) == ("1g", ["A=B"], "h")


def test_values_that_look_like_flags() -> None:
    ns = parse(["-n", "-1", "-e", "-x", "img"])
    assert ns.last == -1 and ns.env == ["-x"]


def test_boolean_with_explicit_value() -> None:
    ns = parse(["--rm=true", "--sig-proxy=false", "img"])
    assert ns.rm is True and ns.sig_proxy is False


def test_boolean_with_bad_value() -> None:
    with pytest.raises(UsageError) as info:
        parse(["--rm=maybe", "img"])
    assert "strconv.ParseBool" in info.value.problem


def test_flags_stop_at_the_image_for_run() -> None:
    ns = parse(["--rm", "busybox", "ls", "-l", "--rm"])
    assert ns.args == ["busybox", "ls", "-l", "--rm"]


def test_interspersed_flags_for_other_commands() -> None:
    ns = parse(["a", "--rm", "b"], interspersed=True)
    assert ns.rm and ns.args == ["a", "b"]


def test_double_dash_ends_flags() -> None:
    ns = parse(["--", "-i"], interspersed=True)
    assert ns.args == ["-i"] and not ns.interactive


@pytest.mark.parametrize("argv, problem", [
    (["--nope", "img"], "unknown flag: --nope"),
    (["-x", "img"], "unknown shorthand flag: 'x' in -x"),
    (["-iz", "img"], "unknown shorthand flag: 'z' in -iz"),
    (["--memory"], "flag needs an argument: --memory"),
    (["-m"], "flag needs an argument: 'm' in -m"),
    (["-n", "many", "img"], "invalid"),
])
def test_errors_in_dockers_words(argv: list[str], problem: str) -> None:
    with pytest.raises(UsageError) as info:
        parse(argv)
    assert problem in info.value.problem
    assert info.value.exit_code == 125


def test_help_goes_to_the_given_stream() -> None:
    import io

    out = io.StringIO()
    with pytest.raises(HelpShown):
        make().parse(["--help"], out)
    assert "Usage:  docker run [OPTIONS] IMAGE" in out.getvalue()
    assert "--memory" in out.getvalue()


@pytest.mark.parametrize("args, minimum, maximum, problem, advice", [
    ([], 1, None, "'docker run' requires at least 1 argument", "See"),
    (["a"], 2, 2, "'docker run' requires 2 arguments", "Run"),
    (["a", "b"], 1, 1, "'docker run' requires 1 argument", "Run"),
    (["a", "b", "c"], 1, 2, "'docker run' requires at least 1 and at most 2 arguments", "Run"),
    (["a", "b"], 0, 1, "'docker run' requires at most 1 argument", "SRun"),
    (["a"], 0, 0, "'docker run' accepts no arguments", "Run"),
])
def test_arity(args: list[str], minimum: int, maximum: int | None, problem: str, advice: str) -> None:
    with pytest.raises(UsageError) as info:
        require_args(make(), args, minimum, maximum)
    assert info.value.problem == problem
    assert info.value.exit_code == 1
    assert getattr(info.value, "advice") == advice


def test_arity_accepts_what_fits() -> None:
    require_args(make(), ["a", "b"], 1, 2)
