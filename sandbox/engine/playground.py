"""``sandbox playground``: a shell in a fresh busybox container, then what it changed.

What ``make run`` opens until the lesson TUI exists. Everything is real: an overlay of the
image's layers with the container's own upper directory, new namespaces, a cgroup with
limits, Docker's capabilities and seccomp profile. On exit it lists the files the session
added, changed or deleted (read from the upper directory) and removes the container.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

from sandbox.config import Settings

BANNER = """\
You are in a container ({cid}) made from {image}:
  - its own pid, mount, uts, ipc, network and cgroup namespaces   (try: ps, hostname, ip addr)
  - an overlay root: image layers below, your changes on top       (try: touch /hello; rm /bin/vi)
  - cgroup limits: memory {mem} MiB, {pids} processes             (try: cat /sys/fs/cgroup/memory/memory.limit_in_bytes)
Type `exit` to leave; the container is removed and its changes are listed.
"""


def main(argv: list[str], settings: Settings | None = None) -> int:
    p = argparse.ArgumentParser(prog="sandbox playground", description=__doc__.splitlines()[0])
    p.add_argument("--image", default="busybox:latest")
    p.add_argument("-m", "--memory", type=int, default=64, help="memory limit in MiB (default 64)")
    p.add_argument("--pids", type=int, default=64, help="process limit (default 64)")
    p.add_argument("command", nargs="*", help="run this instead of an interactive shell")
    args = p.parse_args(argv)
    settings = settings or Settings.from_env()

    from sandbox.engine.specgen import RunOptions, build
    from sandbox.errors import ImageUnknown, SandboxError
    from sandbox.images.bootstrap import bootstrap_busybox
    from sandbox.runtime.cli import forward_signals
    from sandbox.runtime.console import relay, terminal_size
    from sandbox.runtime.runtime import ProcessIO, Runtime
    from sandbox.runtime.spec import Overlay
    from sandbox.storage import Store
    from sandbox.storage.rootfs import OVERLAY_OPTIONS

    if os.geteuid() != 0:
        raise SandboxError("the playground makes real namespaces and cgroups, so it needs root",
                           "run it as root: sudo .venv/bin/sandbox playground")
    store = Store(settings.store_root)
    try:
        image = store.image(args.image)
    except ImageUnknown:
        if args.image != "busybox:latest":
            raise
        print("building busybox:latest from Debian's busybox-static …")
        image = bootstrap_busybox(store)
    cid = "playground-" + secrets.token_hex(4)
    layout = store.create_container_layer(cid, image)
    rt = Runtime(settings.runtime_root)
    interactive = not args.command and sys.stdin.isatty()
    try:
        assert layout.upperdir is not None and layout.workdir is not None
        overlay = Overlay(lowerdirs=layout.lowerdirs, upperdir=layout.upperdir, workdir=layout.workdir,
                          options=OVERLAY_OPTIONS)
        config = store.image_config(image).to_dict().get("config") or {}
        opts = RunOptions(args=args.command or ["sh"], hostname=cid, tty=interactive,
                          memory=args.memory << 20, pids_limit=args.pids)
        spec = build(config, opts, overlay)
        if interactive:
            print(BANNER.format(cid=cid, image=args.image, mem=args.memory, pids=args.pids))
            rows, cols = terminal_size()
            created = rt.create(cid, spec, "/", io=ProcessIO.pty(rows, cols), detach=False)
            try:
                with forward_signals(rt, cid):
                    rt.start(cid)
                    from sandbox.linux import proc

                    shim = created.state.shim_pid
                    assert created.pty_master is not None
                    relay(created.pty_master, lambda: proc.process_state(shim) not in (None, "Z"))
                    code = rt.wait(cid).code
            finally:
                if created.pty_master is not None:
                    os.close(created.pty_master)
                rt.delete(cid, force=True)
        else:
            rt.create(cid, spec, "/", detach=False)
            try:
                with forward_signals(rt, cid):
                    rt.start(cid)
                    code = rt.wait(cid).code
            finally:
                rt.delete(cid, force=True)
        changes = store.diff_container(cid)
        if changes:
            print(f"\nwhat the container changed ({len(changes)}), from its upper directory:")
            for ch in changes[:40]:
                print(f"  {ch.kind} {ch.path}")
            if len(changes) > 40:
                print(f"  … and {len(changes) - 40} more")
        return code
    finally:
        store.remove_container_layer(cid)
