"""What Ctrl-C does: docker run forwards SIGINT; everything else is cut loose and silenced."""

from __future__ import annotations

import io

import pytest

from sandbox.errors import EngineError
from sandbox.repl.cancel import CommandCanceller
from sandbox.repl.streams import Gate, GatedText
from sandbox.repl.tracking import Scope


def test_run_forwards_sigint_to_its_container() -> None:
    scope = Scope(containers=["c" * 64])
    kills: list[tuple[str, str]] = []
    step = CommandCanceller(scope, "run", lambda c, s: kills.append((c, s))).interrupt()
    assert kills == [("c" * 64, "INT")]
    assert not step.dropped and "sent SIGINT to container cccccccccccc" in step.message
    assert not scope.dropped


def test_a_failed_forward_cuts_the_command_loose() -> None:
    def refuse(container: str, signal: str) -> None:
        raise EngineError(409, "container is not running")

    scope = Scope(containers=["web"])
    step = CommandCanceller(scope, "run", refuse).interrupt()
    assert step.dropped and scope.dropped and "container is not running" in step.message


def test_other_commands_are_cut_loose_and_silenced() -> None:
    gate = Gate()
    scope = Scope(containers=["web"])
    kills: list[str] = []
    step = CommandCanceller(scope, "logs", lambda c, s: kills.append(c), gate).interrupt()
    assert kills == [] and step.dropped and scope.dropped and gate.closed
    with pytest.raises(BrokenPipeError):
        GatedText(io.StringIO(), gate).write("late output")


def test_letting_go_of_a_run_names_the_container() -> None:
    step = CommandCanceller(Scope(containers=["web"]), "run", lambda c, s: None).drop()
    assert "docker stop web" in step.message


def test_gated_streams_pass_through_until_closed() -> None:
    class Terminal(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.buffer = io.BytesIO()

        def isatty(self) -> bool:
            return True

    gate = Gate()
    terminal = Terminal()
    out = GatedText(terminal, gate)
    out.write("text ")
    out.buffer.write(b"bytes")
    assert terminal.getvalue() == "text " and terminal.buffer.getvalue() == b"bytes" and out.isatty()
    gate.close()
    with pytest.raises(BrokenPipeError):
        out.buffer.write(b"more")
    out.flush()  # flushing a closed gate is a no-op, not an error


def test_a_closed_gate_hides_the_terminals_descriptor(tmp_path) -> None:
    gate = Gate()
    with open(tmp_path / "terminal", "w") as terminal:
        out = GatedText(terminal, gate)
        assert out.fileno() == terminal.fileno()
        gate.close()
        with pytest.raises(ValueError):
            out.fileno()
        with pytest.raises(ValueError):
            out.buffer.fileno()
