"""``sandbox runtime …``: the runtime's own command line, shaped like runc's."""

from __future__ import annotations

import json
import os
import signal as _signal
import sys
from pathlib import Path
from types import SimpleNamespace

from sandbox.errors import SandboxError
from sandbox.linux.trace import Tracer

# Not typing.TYPE_CHECKING: importing typing is part of every container start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

_COMMANDS: dict[str, str] = {
    "run": "create and start a container, wait for it, delete it",
    "create": "set a container up, stopped just before exec",
    "start": "exec the created container's process",
    "state": "print the OCI state as JSON",
    "pause": "freeze every process",
    "resume": "thaw a paused container",
    "kill": "send a signal to the init (or --all processes)",
    "delete": "remove a stopped (or, with -f, any) container",
    "list": "list containers",
    "spec": "write a default config.json, as `runc spec` does",
}


def _add_command_args(name: str, sp: argparse.ArgumentParser) -> None:
    if name in ("run", "create", "spec"):
        sp.add_argument("-b", "--bundle", default=".", help="the bundle directory (config.json + rootfs)")
    if name == "run":
        sp.add_argument("-d", "--detach", action="store_true", help="do not wait; leave it running")
    if name in ("run", "create"):
        sp.add_argument("--log", help="write stdout/stderr here in Docker's json-file format")
    if name == "kill":
        sp.add_argument("-a", "--all", action="store_true")
    if name == "delete":
        sp.add_argument("-f", "--force", action="store_true")
    if name not in ("list", "spec"):
        sp.add_argument("id")
    if name == "kill":
        sp.add_argument("signal", nargs="?", default="TERM")


def _add_globals(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", help="state directory (default: $SANDBOX_RUN/runtime or /run/sandbox/runtime)")
    p.add_argument("--trace", action="store_true", help="print every kernel-visible step to stderr")


def build_parser(prog: str = "sandbox runtime") -> argparse.ArgumentParser:
    """The whole command line (for --help and errors)."""
    import argparse

    p = argparse.ArgumentParser(prog=prog, description="Run OCI bundles in real namespaces and cgroups, like runc.")
    _add_globals(p)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in _COMMANDS.items():
        _add_command_args(name, sub.add_parser(name, help=text))
    return p


_VALUE_FLAGS = {"--root": "root", "-b": "bundle", "--bundle": "bundle", "--log": "log"}
_BOOL_FLAGS = {"--trace": "trace", "-d": "detach", "--detach": "detach", "-a": "all", "--all": "all",
               "-f": "force", "--force": "force"}
_ALLOWED = {"run": {"bundle", "detach", "log"}, "create": {"bundle", "log"}, "spec": {"bundle"},
            "kill": {"all"}, "delete": {"force"}}


def _fast_parse(argv: list[str]) -> SimpleNamespace | None:
    """The common, well-formed command lines without building an ArgumentParser: on a slow
    machine argparse (with gettext and shutil behind it) costs as much as the container.
    Anything unusual (help, a typo, a missing id) returns None and goes to argparse, which
    gives the proper message."""
    ns: dict[str, object] = {"root": None, "trace": False, "bundle": ".", "log": None, "detach": False,
                             "all": False, "force": False, "signal": "TERM"}
    given: set[str] = set()
    words: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        key, eq, val = a.partition("=") if a.startswith("--") else (a, "", "")
        if key in _VALUE_FLAGS:
            if not eq:
                if i + 1 >= len(argv):
                    return None
                val = argv[i + 1]
                i += 1
            ns[_VALUE_FLAGS[key]] = val
            given.add(_VALUE_FLAGS[key])
        elif a in _BOOL_FLAGS:
            ns[_BOOL_FLAGS[a]] = True
            given.add(_BOOL_FLAGS[a])
        elif a.startswith("-"):
            return None
        else:
            words.append(a)
        i += 1
    if not words or words[0] not in _COMMANDS:
        return None
    command, rest = words[0], words[1:]
    if given - {"root", "trace"} - _ALLOWED.get(command, set()):
        return None
    wanted = (0, 0) if command in ("list", "spec") else (1, 2) if command == "kill" else (1, 1)
    if not wanted[0] <= len(rest) <= wanted[1]:
        return None
    if rest:
        ns["id"] = rest[0]
    if len(rest) == 2:
        ns["signal"] = rest[1]
    ns["command"] = command
    return SimpleNamespace(**ns)


def parse_args(argv: list[str]) -> SimpleNamespace | argparse.Namespace:
    fast = _fast_parse(argv)
    if fast is not None:
        return fast
    return build_parser().parse_args(argv)


def _signal_number(name: str) -> int:
    if name.isdigit():
        return int(name)
    name = name.upper()
    name = name if name.startswith("SIG") else "SIG" + name
    try:
        return int(getattr(_signal, name))
    except AttributeError:
        raise SandboxError(f"unknown signal {name}", "use a name like TERM or KILL, or a number") from None


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    tracer = Tracer()
    if args.trace:
        tracer.add_sink(_StderrSink())
    root = Path(args.root) if args.root else Path(os.environ.get("SANDBOX_RUN", "/run/sandbox")) / "runtime"
    if args.command == "spec":
        from sandbox.runtime.spec import runc_default_spec

        target = Path(args.bundle) / "config.json"
        if target.exists():
            raise SandboxError(f"{target} already exists", "remove it first")
        target.write_text(json.dumps(runc_default_spec(), indent="\t"))
        return 0

    from sandbox.runtime.runtime import ProcessIO, Runtime

    rt = Runtime(root, tracer=tracer)
    cmd = args.command
    if cmd in ("run", "create"):
        from sandbox.runtime.spec import load_bundle

        bundle = Path(args.bundle).resolve()
        spec = load_bundle(bundle)
        if spec.process.terminal:
            if cmd == "create" or getattr(args, "detach", False):
                raise SandboxError("process.terminal: a detached container cannot have a terminal here",
                                   "set process.terminal to false in config.json")
            return _run_terminal(rt, args.id, spec, bundle)
        io = ProcessIO.log(args.log) if args.log else ProcessIO.inherit()
        if cmd == "create":
            rt.create(args.id, spec, bundle, io=io, detach=True)
            return 0
        if args.detach:
            rt.create(args.id, spec, bundle, io=io, detach=True)
            rt.start(args.id)
            return 0
        rt.create(args.id, spec, bundle, io=io, detach=False)
        try:
            with forward_signals(rt, args.id):
                rt.start(args.id)
                return rt.wait(args.id).code
        finally:
            rt.delete(args.id, force=True)
    if cmd == "start":
        rt.start(args.id)
    elif cmd == "state":
        print(json.dumps(rt.state(args.id).oci(), indent=2))
    elif cmd == "list":
        print(f"{'ID':<20} {'PID':<8} {'STATUS':<10} BUNDLE")
        for st in rt.list():
            print(f"{st.id:<20} {st.pid:<8} {st.status.value:<10} {st.bundle}")
    elif cmd == "kill":
        rt.kill(args.id, _signal_number(args.signal), all_processes=args.all)
    elif cmd == "pause":
        rt.pause(args.id)
    elif cmd == "resume":
        rt.resume(args.id)
    elif cmd == "delete":
        rt.delete(args.id, force=args.force)
    return 0


def _run_terminal(rt, container: str, spec, bundle: Path) -> int:  # type: ignore[no-untyped-def]
    from sandbox.linux import proc
    from sandbox.runtime.console import relay, terminal_size
    from sandbox.runtime.runtime import ProcessIO

    rows, cols = terminal_size()
    created = rt.create(container, spec, bundle, io=ProcessIO.pty(rows, cols), detach=False)
    try:
        with forward_signals(rt, container):
            rt.start(container)
            shim = created.state.shim_pid
            relay(created.pty_master, lambda: proc.process_state(shim) not in (None, "Z"))
            return rt.wait(container).code
    finally:
        os.close(created.pty_master)
        rt.delete(container, force=True)


class _StderrSink:
    """Prints trace records; once stderr is gone (``… 2>&1 | head``) it goes quiet, so
    the cleanup that follows still runs."""

    def __init__(self) -> None:
        self.broken = False

    def __call__(self, rec: object) -> None:
        if self.broken:
            return
        try:
            print(rec.describe(), file=sys.stderr, flush=True)  # type: ignore[attr-defined]
        except (BrokenPipeError, ValueError):
            self.broken = True


class forward_signals:
    """While a foreground container runs, pass SIGINT, SIGTERM, SIGHUP and SIGQUIT on to
    it, as runc does: the container decides how to end, and we stay to clean up after it
    (a closed terminal must not leave a cgroup and a mount namespace behind)."""

    SIGNALS = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)

    def __init__(self, rt: object, container: str) -> None:
        self.rt = rt
        self.container = container
        self.saved: dict[int, object] = {}

    def _forward(self, sig: int, _frame: object) -> None:
        from sandbox.errors import StateError

        try:
            self.rt.kill(self.container, sig)  # type: ignore[attr-defined]
        except StateError:
            pass  # already stopped

    def __enter__(self) -> "forward_signals":
        for sig in self.SIGNALS:
            self.saved[sig] = _signal.signal(sig, self._forward)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.saved.items():
            _signal.signal(sig, handler)  # type: ignore[arg-type]
