"""``sandbox runtime …``: the runtime's own command line, shaped like runc's."""

from __future__ import annotations

import argparse
import json
import os
import signal as _signal
import sys
from pathlib import Path

from sandbox.errors import SandboxError
from sandbox.linux.trace import Tracer


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
    p = argparse.ArgumentParser(prog=prog, description="Run OCI bundles in real namespaces and cgroups, like runc.")
    _add_globals(p)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in _COMMANDS.items():
        _add_command_args(name, sub.add_parser(name, help=text))
    return p


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Build only the parser of the command given: argparse's set-up of ten subcommands
    costs more than a container start on a slow machine, and ``run`` pays it every time."""
    i = 0
    while i < len(argv) and (argv[i] in ("--root", "--trace") or argv[i].startswith("--root=")):
        i += 2 if argv[i] == "--root" else 1
    if i >= len(argv) or argv[i] not in _COMMANDS:
        return build_parser().parse_args(argv)
    name = argv[i]
    p = argparse.ArgumentParser(prog=f"sandbox runtime {name}", description=_COMMANDS[name])
    _add_globals(p)
    _add_command_args(name, p)
    args = p.parse_args(argv[:i] + argv[i + 1:])
    args.command = name
    return args


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
        tracer.add_sink(lambda r: print(r.describe(), file=sys.stderr, flush=True))
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
        return rt.run(args.id, spec, bundle, io=io).code
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
        rt.start(container)
        shim = created.state.shim_pid
        relay(created.pty_master, lambda: proc.process_state(shim) not in (None, "Z"))
        return rt.wait(container).code
    finally:
        os.close(created.pty_master)
        rt.delete(container, force=True)
