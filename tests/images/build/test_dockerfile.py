"""Reading a Dockerfile into stages: what parses, and the errors that name a line."""

from __future__ import annotations

import pytest

from sandbox.errors import DockerfileParseError
from sandbox.images.build.dockerfile import parse, parse_line


def test_stages_instructions_and_lines() -> None:
    df = parse(
        "# a comment\n"
        "ARG VERSION=1\n"
        "FROM busybox:${VERSION} AS Build\n"
        "RUN echo a && \\\n"
        "    echo b\n"
        "\n"
        "COPY --from=build --chown=1:2 a b /c/\n"
        "from scratch\n"
        "copy --from=build /x /\n"
    )
    assert [a.args for a in df.meta_args] == ["VERSION=1"]
    assert [(s.base, s.name) for s in df.stages] == [("busybox:${VERSION}", "build"), ("scratch", None)]
    run, copy = df.stages[0].instructions
    assert (run.keyword, run.line) == ("RUN", 4)
    assert run.args == "echo a &&     echo b"
    assert (copy.keyword, copy.line, copy.args) == ("COPY", 7, "a b /c/")
    assert copy.flags == {"from": "build", "chown": "1:2"}
    # Step lines show the instruction as written, keyword case included.
    assert df.stages[1].instructions[0].original == "copy --from=build /x /"
    assert df.stage_index("BUILD") == 0


def test_exec_and_shell_forms() -> None:
    df = parse('FROM a\nCMD ["echo", "hi"]\nCMD echo hi\nCMD [not json]\nCMD ["a", 1]\n')
    forms = [i.json_args for i in df.stages[0].instructions]
    assert forms == [["echo", "hi"], None, None, None]


def test_escape_directive() -> None:
    df = parse("# escape=`\nFROM a\nRUN echo a `\n    b\n")
    assert df.escape == "`"
    assert df.stages[0].instructions[0].args == "echo a     b"


@pytest.mark.parametrize(("text", "message"), [
    ("FROM busybox\nRUN true\nFORM busybox\n", "Dockerfile parse error line 3: unknown instruction: FORM"),
    ("FROM busybox\nFORM x y\n", "Dockerfile parse error line 2: unknown instruction: FORM"),
    ("FROM busybox\nCOPPY a b\n", "Dockerfile parse error line 2: unknown instruction: COPPY"),
    ("FROM busybox\nRUN\n", "Dockerfile parse error line 2: RUN requires at least one argument"),
    ("RUN true\n", "Dockerfile parse error line 1: no build stage in current context"),
    ("# only a comment\n", "no build stage in current context"),
    ("", "cannot be empty"),
    ("FROM a\nCOPY --frm=x a b\n", "line 2: Unknown flag: frm"),
    ("FROM a\nRUN --mount=type=cache true\n", "line 2: Unknown flag: mount"),
    ("FROM a\nCOPY --from a b\n", "line 2: missing a value on flag: from"),
    ("FROM a AS b c\n", "line 1: FROM requires either one or three arguments"),
    ("FROM a AS 1st\n", "line 1: invalid name for build stage"),
    ("FROM a AS x\nFROM b AS X\n", "line 2: duplicate name 'x'"),
])
def test_bad_dockerfiles(text: str, message: str) -> None:
    with pytest.raises(DockerfileParseError) as err:
        parse(text)
    assert message in str(err.value)


def test_parse_line_for_commit_changes() -> None:
    instr = parse_line('CMD ["x"]')
    assert (instr.keyword, instr.json_args) == ("CMD", ["x"])
    with pytest.raises(DockerfileParseError, match="unknown instruction: NOPE"):
        parse_line("NOPE x")
