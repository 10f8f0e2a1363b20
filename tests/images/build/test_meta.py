"""Config-only instructions on a stage state, and the build stream's event shapes."""

from __future__ import annotations

import pytest

from sandbox.errors import DockerfileParseError, RunFailed
from sandbox.images.build.dockerfile import parse_line
from sandbox.images.build.lex import Lexer
from sandbox.images.build.meta import MetaContext, apply_meta, go_quote_list
from sandbox.images.build.output import BuildEvent, Output
from sandbox.images.build.state import StageState


def apply(state: StageState, line: str, **build_args: str) -> str:
    return apply_meta(parse_line(line), state, MetaContext(Lexer(), build_args))


def test_env_forms_and_order() -> None:
    state = StageState.scratch()
    assert apply(state, "ENV A=1 B=2") == "ENV A=1 B=2"
    assert apply(state, "ENV A one two") == "ENV A=one two"
    assert state.config.env == ["B=2", "A=one two"]
    with pytest.raises(DockerfileParseError, match="can't find = in 'C'"):
        apply(state, "ENV X=1 C")


def test_arg_scope_and_build_args() -> None:
    state = StageState.scratch()
    apply(state, "ARG V=default", V="given")
    apply(state, "ARG EMPTY")
    assert state.args == {"V": "given", "EMPTY": None}
    assert state.run_args() == ["V=given"]
    apply(state, "ENV V=env")
    assert state.env()["V"] == "env" and state.run_args() == []


def test_healthcheck_onbuild_and_cmd_history() -> None:
    state = StageState.scratch()
    apply(state, "HEALTHCHECK --interval=1m30s --retries=3 CMD wget -q localhost")
    assert state.config.extra_config["Healthcheck"] == {"Test": ["CMD-SHELL", "wget -q localhost"],
                                                        "Interval": 90 * 10**9, "Retries": 3}
    apply(state, "ONBUILD RUN make")
    assert state.config.extra_config["OnBuild"] == ["RUN make"]
    with pytest.raises(DockerfileParseError, match="isn't allowed as an ONBUILD trigger"):
        apply(state, "ONBUILD FROM x")
    with pytest.raises(DockerfileParseError, match="invalid duration"):
        apply(state, "HEALTHCHECK --interval=soon CMD true")
    assert go_quote_list(["a b", 'say "x"']) == '["a b" "say \\"x\\""]'


def test_events_in_dockers_shape() -> None:
    assert BuildEvent(stream="Step 1/1 : FROM x\n").to_json() == {"stream": "Step 1/1 : FROM x\n"}
    assert BuildEvent(aux={"ID": "sha256:1"}).to_json() == {"aux": {"ID": "sha256:1"}}
    assert BuildEvent(error="boom").to_json() == {"errorDetail": {"message": "boom"}, "error": "boom"}
    events: list[BuildEvent] = []
    out = Output(events.append, quiet=True)
    out.step(1, 2, "RUN exit 3")
    assert events == []
    out.fail(RunFailed("/bin/sh -c exit 3", 3))
    assert [e.to_json() for e in events] == [
        {"stream": "Step 1/2 : RUN exit 3\n"},
        {"errorDetail": {"message": "The command '/bin/sh -c exit 3' returned a non-zero code: 3", "code": 3},
         "error": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"}]
